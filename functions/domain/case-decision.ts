/**
 * The award and the close of a case (DESIGN.md §7). Both span several ledger items, and the MRSC ledger
 * has no transactions, so each is a short saga of single conditional writes:
 *
 *  1. the decision is recorded on the case (`pendingDecision`), conditional on the version read, with the
 *     request's Idempotency-Key receipt; from then on nothing but carrying it out changes the case;
 *  2. an award signs the chosen contract (`QUOTED → ACTIVE`);
 *  3. every other open contract of the case is cancelled (`NOT_CHOSEN`, or `CASE_CLOSED` for a close);
 *  4. the case moves to its outcome and the decision is cleared.
 *
 * Every step reads the item strongly and moves it only forward, conditional on the version read, so
 * running a step twice, or two Regions running it at once, changes each item once. Whoever finds the
 * decision pending carries it out: a retry of the request in either Region, or the daily job
 * (`finishPendingDecisions`). Only an award signs a case's contracts (`sign` refuses them), and a case
 * holds one decision at a time, so no reader ever sees two ACTIVE contracts in one case.
 */
import * as z from 'zod/mini';
import type { Caller, User } from './caller.js';
import { asCaseOwner, caseState } from './case.js';
import { retryContention } from './contention.js';
import { signed } from './contract.js';
import { conflict, DomainError, notFound } from './errors.js';
import type { Deps, EntityKind } from './ports.js';
import {
  type ChangeRequest,
  type Changed,
  checkIfMatch,
  isRetryOf,
  receiptFor,
  scopedKey,
} from './transition.js';
import { lazySchema, parseInput, text } from './validation.js';
import type { Case, CaseDecision, Contract, Entity } from './entities.js';

export const awardInput = lazySchema(() =>
  z.strictObject({ contractId: z.string().check(z.minLength(1), z.maxLength(64)) }),
);

export const closeInput = lazySchema(() =>
  z.strictObject({
    outcome: z.enum(['NO_AWARD', 'CANCELLED']),
    reason: text(500),
  }),
);

/** The actor the daily job carries out decisions as, so the audit trail says who moved what. */
export const decisionJobActor: User = { kind: 'user', sub: 'system:daily-job', role: 'admin' };

/** Signs a QUOTED contract of the case and cancels the others (`NOT_CHOSEN`); the case becomes AWARDED. */
export async function awardCase(
  deps: Deps,
  caller: Caller,
  id: string,
  request: ChangeRequest,
): Promise<Changed<Case>> {
  const { contractId } = parseInput(awardInput, request.body, 'award');
  return decide(deps, caller, id, request, {
    action: 'award',
    isThis: (pending) => pending.outcome === 'AWARDED' && pending.contractId === contractId,
    choose: async (kase) => {
      if (!kase.contractIds.includes(contractId)) {
        throw conflict(`Contract ${contractId} was not requested through case ${kase.id}.`);
      }
      const contract = await strongRead<Contract>(deps, 'contract', contractId);
      if (contract?.status !== 'QUOTED') {
        throw conflict(
          `Only a QUOTED contract can be awarded; ${contractId} is ${contract?.status ?? 'missing'}.`,
        );
      }
      return { outcome: 'AWARDED', contractId, reason: null };
    },
  });
}

/** Ends a case without an award: its open contracts are cancelled (`CASE_CLOSED`). */
export async function closeCase(
  deps: Deps,
  caller: Caller,
  id: string,
  request: ChangeRequest,
): Promise<Changed<Case>> {
  const { outcome, reason } = parseInput(closeInput, request.body, 'close');
  return decide(deps, caller, id, request, {
    action: 'close',
    isThis: (pending) => pending.outcome === outcome && pending.reason === reason,
    choose: () => Promise.resolve({ outcome, contractId: null, reason }),
  });
}

interface DecisionSpec {
  readonly action: 'award' | 'close';
  /** Whether a decision found pending is this very one (then it is carried out, not refused). */
  readonly isThis: (pending: CaseDecision) => boolean;
  /** Checks the decision against the case (409s) and says what it is. */
  readonly choose: (kase: Case) => Promise<Omit<CaseDecision, 'decidedAt'>>;
}

/** Step 1 (or finding it done), then the rest. */
async function decide(
  deps: Deps,
  caller: Caller,
  id: string,
  request: ChangeRequest,
  spec: DecisionSpec,
): Promise<Changed<Case>> {
  const receiptKey = scopedKey(caller, request);
  const decided = await retryContention(deps, `Case ${id}`, async () => {
    const found = await deps.entities.getForChange<Case>('case', id, { receiptKey, consistent: true });
    if (!found) throw notFound(`Case ${id}`);
    const kase = found.entity;
    const user = asCaseOwner(caller, kase);
    const receipt = receiptFor(user, request, spec.action);
    if (isRetryOf(found.receipt, receipt)) return { kase, user, replayed: true };
    checkIfMatch(request, kase.version);
    if (kase.pendingDecision) {
      if (spec.isThis(kase.pendingDecision)) return { kase, user, replayed: false };
      throw conflict(`Cannot ${spec.action} a case that is ${caseState(kase)}.`);
    }
    if (kase.status !== 'OPEN') throw conflict(`Cannot ${spec.action} a case that is ${kase.status}.`);
    const choice = await spec.choose(kase);
    const now = deps.now().toISOString();
    const next: Case = {
      ...kase,
      pendingDecision: { ...choice, decidedAt: now },
      updatedAt: now,
      version: kase.version + 1,
    };
    const result = await deps.entities.update('case', next, {
      actor: user,
      action: `decide-${spec.action}`,
      ...(receipt ? { receipt } : {}),
    });
    return result.outcome === 'updated' ? { kase: next, user, replayed: false } : undefined;
  });
  return { entity: await carryOut(deps, decided.kase, decided.user), replayed: decided.replayed };
}

/**
 * Steps 2 to 4 of the decision pending on `read` (the case as read or written by step 1); answers the case
 * as it ends. Nothing to do when no decision is pending.
 */
export async function carryOut(deps: Deps, read: Case, actor: User): Promise<Case> {
  const decision = read.pendingDecision;
  if (!decision) return read;
  let chosen: Contract | undefined;
  if (decision.contractId) {
    chosen = await advance<Contract>(deps, 'contract', decision.contractId, actor, 'sign', (c) =>
      c.status === 'QUOTED' ? signed(c, deps.now()) : undefined,
    );
    if (chosen?.status !== 'ACTIVE') {
      // Cancelled after the decision, so nothing was signed: the decision is withdrawn, the case stays OPEN.
      await advance<Case>(deps, 'case', read.id, actor, 'withdraw-award', (c) =>
        c.pendingDecision?.decidedAt === decision.decidedAt
          ? { ...c, pendingDecision: null, updatedAt: deps.now().toISOString() }
          : undefined,
      );
      throw conflict(
        `Contract ${decision.contractId} is ${chosen?.status ?? 'missing'}, so it cannot be awarded.`,
      );
    }
  }
  const cancelReason = decision.outcome === 'AWARDED' ? 'NOT_CHOSEN' : 'CASE_CLOSED';
  for (const contractId of read.contractIds) {
    if (contractId === decision.contractId) continue;
    await advance<Contract>(deps, 'contract', contractId, actor, 'cancel', (c) =>
      c.status === 'REQUESTED' || c.status === 'QUOTED'
        ? { ...c, status: 'CANCELLED', closedAt: deps.now().toISOString(), cancelReason }
        : undefined,
    );
  }
  const ended = await advance<Case>(
    deps,
    'case',
    read.id,
    actor,
    decision.outcome === 'AWARDED' ? 'award' : 'close',
    (c) =>
      c.pendingDecision?.decidedAt === decision.decidedAt
        ? {
            ...c,
            status: decision.outcome,
            award: chosen
              ? { contractId: chosen.id, amountKrw: chosen.amountKrw, awardedAt: decision.decidedAt }
              : null,
            outcome: chosen ? null : { reason: decision.reason ?? '', at: decision.decidedAt },
            pendingDecision: null,
            updatedAt: deps.now().toISOString(),
          }
        : undefined,
  );
  if (!ended) throw notFound(`Case ${read.id}`);
  return ended;
}

/**
 * The daily job's part: every decision a dead Region (or a client that gave up) left half carried out is
 * finished. Answers how many were; one that can no longer be carried out is withdrawn (see `carryOut`).
 */
export async function finishPendingDecisions(deps: Deps): Promise<number> {
  let finished = 0;
  for (const kase of await deps.ledger.casesWithPendingDecision()) {
    try {
      await carryOut(deps, kase, decisionJobActor);
      finished += 1;
    } catch (error) {
      if (!(error instanceof DomainError && error.kind === 'conflict')) throw error;
    }
  }
  return finished;
}

/**
 * Moves one item forward: `step` says what it becomes from what is stored now, or `undefined` when it has
 * moved already (or can no longer). One conditional write on the version read, re-read after losing a race.
 * Answers the item as it ends, `undefined` when there is none.
 */
async function advance<T extends Entity>(
  deps: Deps,
  kind: EntityKind,
  id: string,
  actor: User,
  action: string,
  step: (current: T) => T | undefined,
): Promise<T | undefined> {
  const { item } = await retryContention(deps, `${kind} ${id}`, async () => {
    const current = await strongRead<T>(deps, kind, id);
    const next = current && step(current);
    if (!current || !next) return { item: current };
    const result = await deps.entities.update(
      kind,
      { ...next, version: current.version + 1 },
      { actor, action },
    );
    return result.outcome === 'updated' ? { item: result.entity } : undefined;
  });
  return item;
}

async function strongRead<T extends Entity>(
  deps: Deps,
  kind: EntityKind,
  id: string,
): Promise<T | undefined> {
  return (await deps.entities.getForChange<T>(kind, id, { receiptKey: undefined, consistent: true }))?.entity;
}
