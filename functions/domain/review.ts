import * as z from 'zod/mini';
import { type Caller, requireUser, type User } from './caller.js';
import { createIdempotently, type Created } from './create.js';
import { conflict, forbidden, invalid, notFound, preconditionFailed } from './errors.js';
import type { Deps, Entity } from './ports.js';
import { effectiveStatus, seoulDate } from './selection.js';
import type { Service } from './service.js';
import { transition } from './transition.js';
import { isoDate, parseInput, text } from './validation.js';

export interface Decision {
  readonly serviceId: string;
  readonly decision: 'SELECTED' | 'REJECTED';
  readonly reason: string;
  readonly decidedAt: string;
}

/** A review committee session; stored under its number as id. */
export interface ReviewSession extends Entity {
  readonly number: number;
  readonly date: string;
  readonly status: 'OPEN' | 'CLOSED';
  readonly agenda: readonly string[];
  readonly decisions: readonly Decision[];
}

/** How long a selection stays valid: three years, to the day before the anniversary. */
export const SELECTION_VALIDITY_YEARS = 3;

export function selectionValidUntil(decidedAt: Date): string {
  const [year, month, day] = seoulDate(decidedAt).split('-').map(Number) as [number, number, number];
  const anniversary = new Date(Date.UTC(year + SELECTION_VALIDITY_YEARS, month - 1, day));
  return new Date(anniversary.getTime() - 86_400_000).toISOString().slice(0, 10);
}

const sessionNumber = z.coerce.number().check(z.int(), z.minimum(1), z.maximum(100_000));
const openInput = z.strictObject({ number: z.int().check(z.minimum(1), z.maximum(100_000)), date: isoDate });
const agendaInput = z.strictObject({ serviceId: z.string().check(z.minLength(1), z.maxLength(64)) });
const decisionInput = z.strictObject({
  serviceId: z.string().check(z.minLength(1), z.maxLength(64)),
  decision: z.enum(['SELECTED', 'REJECTED']),
  reason: text(2000),
});

function requireCommittee(caller: Caller): User {
  const user = requireUser(caller);
  if (user.role !== 'committee') throw forbidden('Only the review committee may do this.');
  return user;
}

export async function openSession(
  deps: Deps,
  caller: Caller,
  body: unknown,
  idempotencyKey: string | undefined,
): Promise<Created<ReviewSession>> {
  const user = requireCommittee(caller);
  const input = parseInput(openInput, body, 'review session');
  return createIdempotently(deps, user, {
    kind: 'review',
    identity: { natural: String(input.number) },
    body,
    idempotencyKey,
    takenMessage: `Review session ${input.number} already exists.`,
    prepare: (id, createdAt) => ({
      id,
      number: input.number,
      date: input.date,
      status: 'OPEN',
      agenda: [],
      decisions: [],
      createdAt,
      version: 1,
    }),
  });
}

export async function getSession(deps: Deps, caller: Caller, number: string): Promise<ReviewSession> {
  const user = requireUser(caller);
  if (user.role !== 'committee' && user.role !== 'admin') {
    throw forbidden('Only the review committee and administrators may read review sessions.');
  }
  return loadSession(deps, number);
}

/** A session's id is its number; anything else in the path is a 400. */
function sessionId(number: string): string {
  const parsed = sessionNumber.safeParse(number);
  if (!parsed.success) {
    throw invalid('The session number is not valid.', [{ path: '/number', message: 'A whole number.' }]);
  }
  return String(parsed.data);
}

async function loadSession(deps: Deps, number: string): Promise<ReviewSession> {
  const id = sessionId(number);
  const session = await deps.entities.get<ReviewSession>('review', id);
  if (!session) throw notFound(`Review session ${id}`);
  return session;
}

/** `SUBMITTED → UNDER_REVIEW`, on this session's agenda. */
export async function addToAgenda(
  deps: Deps,
  caller: Caller,
  number: string,
  body: unknown,
  ifMatch: number | undefined,
): Promise<ReviewSession> {
  const { serviceId } = parseInput(agendaInput, body, 'agenda item');
  return changeWithService(
    deps,
    caller,
    number,
    serviceId,
    ifMatch,
    'add to agenda',
    (session, service, now) => {
      if (session.agenda.includes(serviceId))
        throw conflict(`Service ${serviceId} is already on the agenda.`);
      if (effectiveStatus(service, now) !== 'SUBMITTED') {
        throw conflict(
          `Only SUBMITTED services go on an agenda; this one is ${effectiveStatus(service, now)}.`,
        );
      }
      return {
        session: { ...session, agenda: [...session.agenda, serviceId] },
        service: { ...service, status: 'UNDER_REVIEW' },
      };
    },
  );
}

/** `UNDER_REVIEW → LISTED` (selected, valid for three years) or `→ REJECTED`, with the reason recorded. */
export async function decide(
  deps: Deps,
  caller: Caller,
  number: string,
  body: unknown,
  ifMatch: number | undefined,
): Promise<ReviewSession> {
  const input = parseInput(decisionInput, body, 'decision');
  return changeWithService(
    deps,
    caller,
    number,
    input.serviceId,
    ifMatch,
    'decide',
    (session, service, now) => {
      if (!session.agenda.includes(input.serviceId)) {
        throw conflict(`Service ${input.serviceId} is not on session ${session.number}'s agenda.`);
      }
      if (session.decisions.some((d) => d.serviceId === input.serviceId)) {
        throw conflict(`Service ${input.serviceId} has already been decided.`);
      }
      if (service.status !== 'UNDER_REVIEW')
        throw conflict(`The service is ${service.status}, not UNDER_REVIEW.`);
      const decidedAt = now.toISOString();
      return {
        session: { ...session, decisions: [...session.decisions, { ...input, decidedAt }] },
        service:
          input.decision === 'SELECTED'
            ? {
                ...service,
                status: 'LISTED',
                selection: { sessionNumber: session.number, decidedAt, validUntil: selectionValidUntil(now) },
              }
            : { ...service, status: 'REJECTED' },
      };
    },
  );
}

/** `OPEN → CLOSED`, once every agenda item has its decision. */
export function closeSession(
  deps: Deps,
  caller: Caller,
  number: string,
  ifMatch: number | undefined,
): Promise<ReviewSession> {
  return transition<ReviewSession>(deps, 'review', caller, sessionId(number), ifMatch, {
    action: 'close',
    noun: 'Review session',
    allowed: ['OPEN'],
    authorize: requireCommittee,
    statusOf: (session) => session.status,
    apply: (session) => {
      const undecided = session.agenda.filter((id) => !session.decisions.some((d) => d.serviceId === id));
      if (undecided.length) throw conflict(`Decide ${undecided.join(', ')} before closing the session.`);
      return { ...session, status: 'CLOSED' };
    },
  });
}

function checkOpen(session: ReviewSession, ifMatch: number | undefined): void {
  if (ifMatch !== undefined && ifMatch !== session.version) throw preconditionFailed(session.version);
  if (session.status !== 'OPEN') throw conflict(`Session ${session.number} is closed.`);
}

/**
 * Changes the session and one service together: one catalog transaction, conditional on both versions
 * read, retried from a fresh read when another change got there first.
 */
async function changeWithService(
  deps: Deps,
  caller: Caller,
  number: string,
  serviceId: string,
  ifMatch: number | undefined,
  action: string,
  change: (
    session: ReviewSession,
    service: Service,
    now: Date,
  ) => { session: ReviewSession; service: Service },
): Promise<ReviewSession> {
  const user = requireCommittee(caller);
  for (let attempt = 1; ; attempt++) {
    const session = await loadSession(deps, number);
    checkOpen(session, ifMatch);
    const service = await deps.entities.get<Service>('service', serviceId);
    if (!service) throw notFound(`Service ${serviceId}`);
    const now = deps.now();
    const changed = change(session, service, now);
    const next = {
      session: { ...changed.session, version: session.version + 1 },
      service: { ...changed.service, updatedAt: now.toISOString(), version: service.version + 1 },
    };
    const outcome = await deps.entities.updateTogether(
      [
        { kind: 'review', next: next.session },
        { kind: 'service', next: next.service },
      ],
      { actor: user, action },
    );
    if (outcome === 'updated') return next.session;
    if (attempt >= 3) throw conflict('The session or service is being changed concurrently; try again.');
  }
}
