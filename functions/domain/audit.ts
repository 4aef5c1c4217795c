import * as z from 'zod/mini';
import { type Caller, requireUser } from './caller.js';
import { decodeCursor, encodeCursor } from './cursor.js';
import { forbidden } from './errors.js';
import type { AuditEvent, Deps, Page } from './ports.js';
import { pageQuery, parseInput } from './validation.js';

export const auditedEntities = ['provider', 'agency', 'service', 'review', 'contract'] as const;

export const auditQuery = z.strictObject({
  entity: z.enum(auditedEntities),
  id: z.string().check(z.minLength(1), z.maxLength(64)),
  ...pageQuery,
});

/** One entity's audit events, newest first; administrators only. The API never changes an event. */
export async function listAudit(
  deps: Deps,
  caller: Caller,
  query: Record<string, string | undefined>,
): Promise<Page<AuditEvent>> {
  const user = requireUser(caller);
  if (user.role !== 'admin') throw forbidden('Only administrators may read the audit trail.');
  const { entity, id, limit, cursor } = parseInput(auditQuery, query, 'query');
  const queryKey = `${entity}#${id}`;
  const page = await deps.audit.list(entity, id, limit, cursor ? decodeCursor(cursor, queryKey) : undefined);
  return { items: page.items, next: page.next ? encodeCursor(page.next, queryKey) : null };
}
