import * as z from 'zod/mini';
import { type Caller, requireUser } from './caller.js';
import { decodeCursor, encodeCursor } from './cursor.js';
import { DomainError, invalid, notFound } from './errors.js';
import type { AuditEvent, Deps, Page } from './ports.js';
import { lazySchema, pageQuery, parseInput } from './validation.js';

export const auditedEntities = [
  'provider',
  'agency',
  'service',
  'review',
  'contract',
  'case',
  'snapshot',
] as const;

const time = () => z.iso.datetime({ offset: true });

export const auditQuery = lazySchema(() =>
  z.strictObject({
    entity: z.optional(z.enum(auditedEntities)),
    id: z.optional(z.string().check(z.minLength(1), z.maxLength(64))),
    actor: z.optional(z.string().check(z.minLength(1), z.maxLength(200))),
    org: z.optional(z.string().check(z.minLength(1), z.maxLength(64))),
    action: z.optional(z.string().check(z.regex(/^[a-z][a-z-]{0,31}$/, 'An action such as update or sign.'))),
    acknowledged: z.optional(
      z.pipe(
        z.enum(['true', 'false']),
        z.transform((flag) => flag === 'true'),
      ),
    ),
    since: z.optional(time()),
    until: z.optional(time()),
    ...pageQuery(),
  }),
);

/**
 * The audit feed, newest first (administrators only, as the route table says). Without `entity` and `id` it is the whole feed, else
 * one entity's events; every filter combination reads one index (see `audit-trail.ts`). The API never
 * changes an event, only records acknowledgements of it.
 */
export async function listAudit(
  deps: Deps,
  caller: Caller,
  query: Record<string, string | undefined>,
): Promise<Page<AuditEvent>> {
  requireUser(caller);
  const { limit, cursor, since, until, ...filters } = parseInput(auditQuery, query, 'query');
  if (filters.id && !filters.entity) {
    throw invalid('Name the entity of the id.', [
      { path: '/entity', message: 'An id is looked up within one entity (service, contract, …).' },
    ]);
  }
  const bounds = {
    ...(since ? { since: new Date(since).toISOString() } : {}),
    ...(until ? { until: new Date(until).toISOString() } : {}),
  };
  const queryKey = JSON.stringify({ ...filters, ...bounds });
  const page = await deps.audit.query({
    ...filters,
    ...bounds,
    limit,
    ...(cursor ? { after: decodeCursor(cursor, queryKey) } : {}),
  });
  return { items: page.items, next: page.next ? encodeCursor(page.next, queryKey) : null };
}

/**
 * Records which administrator reviewed a change, and when. The first acknowledgement is the record:
 * acknowledging again, by anyone and in either Region, answers 200 with that same record.
 */
export async function acknowledgeEvent(
  deps: Deps,
  caller: Caller,
  eventId: string,
  ifMatch: number | undefined,
): Promise<AuditEvent> {
  const user = requireUser(caller);
  const event = await deps.audit.get(eventId);
  if (!event) throw notFound(`Audit event ${eventId}`);
  // An event has no version (it never changes but for its acknowledgement), so no ETag can match it.
  if (ifMatch !== undefined) {
    throw new DomainError(
      'precondition-failed',
      'An audit event has no version; only If-Match: * matches it.',
    );
  }
  if (event.acknowledged) return event;
  const acknowledged = await deps.audit.acknowledge(eventId, { by: user.sub, at: deps.now().toISOString() });
  return { ...event, acknowledged };
}
