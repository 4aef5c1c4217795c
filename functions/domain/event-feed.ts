/**
 * `GET /v1/events`: the caller's organisation's events, oldest first in the order this Region received
 * them, resumable from `next` (always given, even after an empty page). Each Region orders its own feed,
 * so a cursor from the other Region (a client that failed over) resumes a while earlier: the client may see
 * some events again, by the same id, and misses none.
 */
import * as z from 'zod/mini';
import { type Caller, requireUser } from './caller.js';
import { decodeCursor, encodeCursor } from './cursor.js';
import { EVERY_ORG, type EventDeps } from './event-ports.js';
import { eventTypes, type MarketEvent, orgsVisibleTo } from './events.js';
import { forbidden } from './errors.js';
import { lazySchema, pageQuery, parseInput } from './validation.js';

/** How far back a cursor of the other Region resumes: more than replication and projection ever lag. */
export const FAILOVER_OVERLAP_MS = 15 * 60_000;

export const eventListQuery = lazySchema(() =>
  z.strictObject({
    after: z.optional(z.string().check(z.maxLength(2048))),
    type: z.optional(z.enum(eventTypes)),
    /** Administrators only: one organisation's feed instead of every event. */
    org: z.optional(z.string().check(z.minLength(1), z.maxLength(64))),
    limit: pageQuery().limit,
  }),
);

interface Position {
  /** The feed's sort key where the page ended (`<arrival time>#<event id>`). */
  readonly p: string;
  readonly r: string;
}

export async function listEvents(
  deps: EventDeps,
  caller: Caller,
  query: Record<string, string | undefined>,
): Promise<{ items: MarketEvent[]; next: string }> {
  const user = requireUser(caller);
  const input = parseInput(eventListQuery, query, 'query');
  if (input.org !== undefined && user.role !== 'admin') {
    throw forbidden('Only administrators read another organisation’s feed.');
  }
  // A caller of no organisation (a committee member) has a feed nothing is filed in: no event concerns it.
  const reader = user.role === 'admin' ? (input.org ?? EVERY_ORG) : (user.org ?? `sub:${user.sub}`);
  const queryKey = `${reader}|${input.type ?? ''}`;
  const after = input.after ? resumeFrom(decodeCursor(input.after, queryKey), deps.region) : undefined;
  const page = await deps.feed.query({
    reader,
    limit: input.limit,
    now: deps.now(),
    ...(input.type ? { type: input.type } : {}),
    ...(after ? { after } : {}),
  });
  const visibleTo = user.role === 'admin' ? undefined : reader;
  return {
    items: page.items.map((event) => ({ ...event, orgs: orgsVisibleTo(event, visibleTo) })),
    next: encodeCursor(JSON.stringify({ p: page.next, r: deps.region } satisfies Position), queryKey),
  };
}

function resumeFrom(cursor: string, region: string): string {
  const position = JSON.parse(cursor) as Position;
  if (position.r === region) return position.p;
  const arrived = Date.parse(position.p.slice(0, 24));
  return Number.isNaN(arrived) ? '' : new Date(arrived - FAILOVER_OVERLAP_MS).toISOString();
}
