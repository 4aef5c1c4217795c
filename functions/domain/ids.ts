import { createHash } from 'node:crypto';
import { ulid } from 'ulid';

export type IdPrefix = 'prv' | 'agc' | 'svc' | 'ctr' | 'cas' | 'srch' | 'whk';

const CROCKFORD = '0123456789abcdefghjkmnpqrstvwxyz';

/** A new time-ordered id, e.g. `svc_01jf…`. */
export function newId(prefix: IdPrefix): string {
  return `${prefix}_${ulid().toLowerCase()}`;
}

/**
 * The id a create with an idempotency key gets: derived from the key and its scope, so a retried create
 * lands on the same item and one conditional put decides between "created" and "already there".
 */
export function idForKey(prefix: IdPrefix, scope: string, key: string): string {
  const digest = createHash('sha256').update(`${prefix}\u0000${scope}\u0000${key}`).digest();
  let out = '';
  for (let i = 0; i < 26; i++) out += CROCKFORD[(digest[i] ?? 0) % 32];
  return `${prefix}_${out}`;
}

/** Fingerprint of a request body, independent of key order, to tell a replay from key reuse. */
export function fingerprint(body: unknown): string {
  return createHash('sha256').update(canonicalJson(body)).digest('base64url');
}

/** JSON with sorted keys, so equal values serialise equally whatever their key order. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value ?? null);
}
