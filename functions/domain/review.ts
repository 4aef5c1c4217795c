import * as z from 'zod/mini';
import { type Caller, requireUser } from './caller.js';
import { createIdempotently, type Created } from './create.js';
import { retryContention } from './contention.js';
import { conflict, invalid, notFound } from './errors.js';
import type { Deps } from './ports.js';
import { effectiveStatus, seoulDate } from './selection.js';
import {
  type Changed,
  type ChangeRequest,
  checkIfMatch,
  isOwnWrite,
  isRetryOf,
  receiptFor,
  refuseOnStrongRead,
  transition,
} from './transition.js';
import { isoDate, lazySchema, parseInput, text } from './validation.js';
import type { ReviewSession, Service } from './entities.js';

/** How long a selection stays valid: three years, to the day before the anniversary. */
export const SELECTION_VALIDITY_YEARS = 3;

export function selectionValidUntil(decidedAt: Date): string {
  const [year, month, day] = seoulDate(decidedAt).split('-').map(Number) as [number, number, number];
  const anniversary = new Date(Date.UTC(year + SELECTION_VALIDITY_YEARS, month - 1, day));
  return new Date(anniversary.getTime() - 86_400_000).toISOString().slice(0, 10);
}

export const sessionNumber = lazySchema(() =>
  z.coerce.number().check(z.int(), z.minimum(1), z.maximum(100_000)),
);
export const openInput = lazySchema(() =>
  z.strictObject({
    number: z.int().check(z.minimum(1), z.maximum(100_000)),
    date: isoDate(),
  }),
);
export const agendaInput = lazySchema(() =>
  z.strictObject({ serviceId: z.string().check(z.minLength(1), z.maxLength(64)) }),
);
export const decisionInput = lazySchema(() =>
  z.strictObject({
    serviceId: z.string().check(z.minLength(1), z.maxLength(64)),
    decision: z.enum(['SELECTED', 'REJECTED']),
    reason: text(2000),
  }),
);

export async function openSession(
  deps: Deps,
  caller: Caller,
  body: unknown,
  idempotencyKey: string | undefined,
): Promise<Created<ReviewSession>> {
  const user = requireUser(caller);
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

export function getSession(deps: Deps, number: string): Promise<ReviewSession> {
  return loadSession(deps, number);
}

/** A session's id is its number; anything else in the path is a 400. */
function sessionId(number: string): string {
  const parsed = sessionNumber().safeParse(number);
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
  request: ChangeRequest,
): Promise<Changed<ReviewSession>> {
  const { serviceId } = parseInput(agendaInput, request.body, 'agenda item');
  return changeWithService(
    deps,
    { caller, number, serviceId, request },
    {
      action: 'add to agenda',
      apply: (session, service, now) => {
        if (session.agenda.includes(serviceId))
          throw conflict(`Service ${serviceId} is already on the agenda.`);
        if (effectiveStatus(service, now) !== 'SUBMITTED') {
          throw conflict(
            `Only SUBMITTED services go on an agenda; this one is ${effectiveStatus(service, now)}.`,
          );
        }
        return {
          service: { ...service, status: 'UNDER_REVIEW' },
          append: { list: 'agenda', element: serviceId, onAgenda: false },
        };
      },
    },
  );
}

/** `UNDER_REVIEW → LISTED` (selected, valid for three years) or `→ REJECTED`, with the reason recorded. */
export async function decide(
  deps: Deps,
  caller: Caller,
  number: string,
  request: ChangeRequest,
): Promise<Changed<ReviewSession>> {
  const input = parseInput(decisionInput, request.body, 'decision');
  return changeWithService(
    deps,
    { caller, number, serviceId: input.serviceId, request },
    {
      action: 'decide',
      apply: (session, service, now) => {
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
          service:
            input.decision === 'SELECTED'
              ? {
                  ...service,
                  status: 'LISTED',
                  selection: {
                    sessionNumber: session.number,
                    decidedAt,
                    validUntil: selectionValidUntil(now),
                  },
                }
              : { ...service, status: 'REJECTED' },
          // Deciding twice is impossible already: the service leaves UNDER_REVIEW in the same transaction.
          append: { list: 'decisions', element: { ...input, decidedAt }, onAgenda: true },
        };
      },
    },
  );
}

/** `OPEN → CLOSED`, once every agenda item has its decision. */
export async function closeSession(
  deps: Deps,
  caller: Caller,
  number: string,
  request: ChangeRequest,
): Promise<Changed<ReviewSession>> {
  return transition<ReviewSession>(deps, {
    kind: 'review',
    id: sessionId(number),
    caller,
    request,
    rule: {
      action: 'close',
      noun: 'Review session',
      allowed: ['OPEN'],
      authorize: requireUser,
      statusOf: (session) => session.status,
      apply: (session) => {
        const undecided = session.agenda.filter((id) => !session.decisions.some((d) => d.serviceId === id));
        if (undecided.length) throw conflict(`Decide ${undecided.join(', ')} before closing the session.`);
        return { ...session, status: 'CLOSED' };
      },
    },
  });
}

/** The request that changes a session: who, which session (its number as sent), which service. */
interface SessionRequest {
  readonly caller: Caller;
  readonly number: string;
  readonly serviceId: string;
  readonly request: ChangeRequest;
}

interface SessionStep {
  readonly action: string;
  /**
   * Checks the rules against the session and service read, and says what changes: the service's next
   * state, and the element appended to the session's `list` (the service must be on the agenda already,
   * or must not be, as `onAgenda` says).
   */
  readonly apply: (
    session: ReviewSession,
    service: Service,
    now: Date,
  ) => { service: Service; append: { list: 'agenda' | 'decisions'; element: unknown; onAgenda: boolean } };
}

/**
 * Changes one service and appends to the session in one catalog transaction. The service's write is
 * conditional on the version read; the session's is an append conditional on the session being open and
 * on the agenda's membership, not on its version, so the secretariat can put dozens of services on one
 * session at once without their requests racing each other. A lost race (the service changed meanwhile)
 * is retried from a fresh read.
 */
async function changeWithService(
  deps: Deps,
  { caller, number, serviceId, request }: SessionRequest,
  step: SessionStep,
): Promise<Changed<ReviewSession>> {
  const user = requireUser(caller);
  const id = sessionId(number);
  const receipt = receiptFor(user, request, step.action);
  let attempted: Service | undefined;
  return retryContention(deps, `Review session ${id}`, async (attempt) => {
    const consistent = attempt > 0;
    const [found, serviceFound] = await Promise.all([
      deps.entities.getForChange<ReviewSession>('review', id, { receiptKey: receipt?.key, consistent }),
      deps.entities.getForChange<Service>('service', serviceId, { receiptKey: undefined, consistent }),
    ]);
    if (!found) return refuseOnStrongRead(consistent, notFound(`Review session ${id}`));
    const session = found.entity;
    if (isRetryOf(found.receipt, receipt))
      return consistent ? { entity: session, replayed: true } : undefined;
    // The service and the session change in one transaction: finding our service write means ours applied.
    if (isOwnWrite(serviceFound?.entity, attempted)) return { entity: session, replayed: false };
    checkIfMatch(request, session.version);
    if (session.status !== 'OPEN') {
      return refuseOnStrongRead(consistent, conflict(`Session ${session.number} is closed.`));
    }
    if (!serviceFound) return refuseOnStrongRead(consistent, notFound(`Service ${serviceId}`));
    const service = serviceFound.entity;
    const now = deps.now();
    const changed = step.apply(session, service, now);
    const nextService: Service = {
      ...changed.service,
      updatedAt: now.toISOString(),
      version: service.version + 1,
    };
    attempted = nextService;
    const outcome = await deps.entities.updateTogether(
      [{ kind: 'service', next: nextService }],
      { actor: user, action: step.action, ...(receipt ? { receipt } : {}) },
      {
        kind: 'review',
        id,
        list: changed.append.list,
        element: changed.append.element,
        requires: {
          status: 'OPEN',
          membership: { list: 'agenda', value: serviceId, present: changed.append.onAgenda },
          ...(request.ifMatch === undefined ? {} : { version: request.ifMatch }),
        },
      },
    );
    if (outcome === 'stale') return undefined;
    // The session as it is after this append (and any that landed beside it).
    const after = await deps.entities.getForChange<ReviewSession>('review', id, {
      receiptKey: undefined,
      consistent: true,
    });
    if (!after) throw notFound(`Review session ${id}`);
    return { entity: after.entity, replayed: false };
  });
}
