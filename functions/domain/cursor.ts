import { createHash } from 'node:crypto';
import { invalid } from './errors.js';

/**
 * Opaque list cursors: the position plus a digest of the query they belong to, so a cursor replayed
 * against other filters is refused instead of silently skipping or repeating items.
 */
export function encodeCursor(position: string, queryKey: string): string {
  return Buffer.from(JSON.stringify({ p: position, q: digest(queryKey) })).toString('base64url');
}

export function decodeCursor(cursor: string, queryKey: string): string {
  let decoded: unknown;
  try {
    decoded = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    decoded = undefined;
  }
  const shape = decoded as { p?: unknown; q?: unknown } | undefined;
  if (!shape || typeof shape.p !== 'string' || typeof shape.q !== 'string') {
    throw invalid('The cursor is not valid.', [
      { path: '/cursor', message: 'Not a cursor this API issued.' },
    ]);
  }
  if (shape.q !== digest(queryKey)) {
    throw invalid('The cursor belongs to another query.', [
      { path: '/cursor', message: 'Repeat the query with the filters the cursor was issued for.' },
    ]);
  }
  return shape.p;
}

function digest(value: string): string {
  return createHash('sha256').update(value).digest('base64url').slice(0, 16);
}
