import { type Caller, idempotencyScope, type User } from './caller.js';
import { retryContention } from './contention.js';
import { conflict, type DomainError, notFound, preconditionFailed } from './errors.js';
import { canonicalJson, fingerprint } from './ids.js';
import type { ChangeReceipt, Deps, EntityKind } from './ports.js';
import type { Entity } from './entities.js';

export interface TransitionRule<T extends Entity> {
  readonly action: string;
  /** States the entity may be in (as `statusOf` reads it) for the action to apply. */
  readonly allowed: readonly string[];
  /** Who may act on this entity; throws 401/403 otherwise. */
  readonly authorize: (caller: Caller, entity: T) => User;
  readonly statusOf: (entity: T, now: Date) => string;
  /** The entity after the action, version aside; may throw for rules beyond the state (409, 400). */
  readonly apply: (entity: T, now: Date) => T | Promise<T>;
  /** What the entity is called in messages, e.g. "Service". */
  readonly noun: string;
  /**
   * The checks and `apply` read nothing of the entity but its stored status, and `allowed` names stored
   * statuses: then a change without If-Match is written conditional on the status alone, so concurrent
   * ones (twenty edits of one draft) all apply instead of racing for one version. A function decides per
   * stored entity (a draft's edit reads only its status, a listed service's edit reads its plans), and the
   * write is then conditional on the entity's current status alone.
   */
  readonly readsOnlyStatus?: boolean | ((entity: T) => boolean);
}

/** What the client sent that conditions a change. */
export interface ChangeRequest {
  /** The version named by `If-Match`, `undefined` when absent. */
  readonly ifMatch: number | undefined;
  /** Makes a retry safe: the same key, action and body answer with the entity as it is now. */
  readonly idempotencyKey: string | undefined;
  /** The request body as received (fingerprinted with the key), `undefined` when none was sent. */
  readonly body?: unknown;
}

export interface Changed<T> {
  readonly entity: T;
  /** True when this answers a retry of a change an earlier request with the same key made. */
  readonly replayed: boolean;
}

export interface TransitionOptions<T extends Entity> {
  readonly kind: EntityKind;
  readonly id: string;
  readonly caller: Caller;
  readonly request: ChangeRequest;
  readonly rule: TransitionRule<T>;
}

/**
 * Read, check, write conditional on the version read: one conditional write per attempt, carrying the
 * request's receipt when it has a key. Losing a race re-reads (strongly consistent) and re-checks, so a
 * transition that became illegal meanwhile answers 409, one pinned with If-Match answers 412, and nothing
 * is written unless every check passed against the stored version. A request whose receipt the entity
 * already holds was applied before (its answer was lost): it is answered with the entity as it is now.
 */
export function transition<T extends Entity>(deps: Deps, options: TransitionOptions<T>): Promise<Changed<T>> {
  const { kind, id, caller, request, rule } = options;
  const receiptKey = scopedKey(caller, request);
  let attempted: T | undefined;
  return retryContention(deps, `${rule.noun} ${id}`, async (attempt) => {
    const consistent = attempt > 0;
    const found = await deps.entities.getForChange<T>(kind, id, { receiptKey, consistent });
    // The first read is eventually consistent (the cheap one): a refusal is only given on a strong read,
    // since another Region (or a retry's own earlier attempt) may have written what this replica lacks.
    if (!found) return refuseOnStrongRead(consistent, notFound(`${rule.noun} ${id}`));
    const current = found.entity;
    if (isOwnWrite(current, attempted)) return { entity: current, replayed: false };
    const user = rule.authorize(caller, current);
    const receipt = receiptFor(user, request, rule.action);
    // A replay acknowledges the change again, so it is answered only from a strong read: what this
    // replica shows may not (yet, or ever) be what the quorum acknowledged.
    if (isRetryOf(found.receipt, receipt))
      return consistent ? { entity: current, replayed: true } : undefined;
    checkIfMatch(request, current.version);
    const now = deps.now();
    const status = rule.statusOf(current, now);
    if (!rule.allowed.includes(status)) {
      const verb = rule.action === 'update' ? 'edit' : rule.action;
      return refuseOnStrongRead(
        consistent,
        conflict(`Cannot ${verb} a ${rule.noun.toLowerCase()} that is ${status}.`),
      );
    }
    const next = { ...(await rule.apply(current, now)), version: current.version + 1 };
    attempted = next;
    const change = { actor: user, action: rule.action, ...(receipt ? { receipt } : {}) };
    const statusOnly =
      typeof rule.readsOnlyStatus === 'function' ? rule.readsOnlyStatus(current) : rule.readsOnlyStatus;
    const statuses = typeof rule.readsOnlyStatus === 'function' ? [status] : rule.allowed;
    const result =
      statusOnly && request.ifMatch === undefined
        ? await deps.entities.updateFields<T>(kind, id, changedFields(current, next), statuses, change)
        : await deps.entities.update(kind, next, change);
    return result.outcome === 'updated' ? { entity: result.entity, replayed: false } : undefined;
  });
}

/** Throws `refusal` if the read was strongly consistent; otherwise asks for a strong read first. */
export function refuseOnStrongRead(consistent: boolean, refusal: DomainError): undefined {
  if (consistent) throw refusal;
  return undefined;
}

/** The fields `apply` changed, version aside (the store moves it on). */
function changedFields<T extends Entity>(current: T, next: T): Partial<T> {
  const { version: _version, ...fields } = next;
  return Object.fromEntries(
    Object.entries(fields).filter(
      ([name, value]) => JSON.stringify(value) !== JSON.stringify(current[name as keyof T]),
    ),
  ) as Partial<T>;
}

/**
 * Whether the stored entity is exactly what our last attempt wrote: the store client retried a write
 * whose first answer was lost (a timed-out attempt that had applied), and the retry's condition failed.
 */
export function isOwnWrite<T>(current: T, attempted: T | undefined): boolean {
  return attempted !== undefined && canonicalJson(current) === canonicalJson(attempted);
}

export function checkIfMatch(request: ChangeRequest, version: number): void {
  if (request.ifMatch !== undefined && request.ifMatch !== version) throw preconditionFailed(version);
}

/** The key as stored: within the caller's scope, as keys of creates are. */
export function scopedKey(caller: Caller, request: ChangeRequest): string | undefined {
  return request.idempotencyKey && caller.kind === 'user'
    ? `${idempotencyScope(caller)}\u0000${request.idempotencyKey}`
    : undefined;
}

export function receiptFor(user: User, request: ChangeRequest, action: string): ChangeReceipt | undefined {
  const key = scopedKey(user, request);
  return key ? { key, action, fingerprint: fingerprint(request.body ?? null) } : undefined;
}

/**
 * Whether the stored receipt shows this very request was applied before; the key with another action
 * or body is the key reused for something else, a 409.
 */
export function isRetryOf(stored: ChangeReceipt | undefined, receipt: ChangeReceipt | undefined): boolean {
  if (!stored || !receipt) return false;
  if (stored.action !== receipt.action || stored.fingerprint !== receipt.fingerprint) {
    throw conflict(
      `This Idempotency-Key was already used to ${stored.action} this resource with ` +
        `${stored.action === receipt.action ? 'a different request body' : 'another action'}.`,
    );
  }
  return true;
}
