import type { Caller, User } from './caller.js';
import { conflict, notFound, preconditionFailed } from './errors.js';
import type { Deps, Entity, EntityKind } from './ports.js';

export interface TransitionRule<T extends Entity> {
  readonly action: string;
  /** States the entity may be in (as `statusOf` reads it) for the action to apply. */
  readonly allowed: readonly string[];
  /** Who may act on this entity; throws 401/403 otherwise. */
  readonly authorize: (caller: Caller, entity: T) => User;
  readonly statusOf: (entity: T, now: Date) => string;
  /** The entity after the action, version aside; may throw for rules beyond the state (409, 400). */
  readonly apply: (entity: T, now: Date) => T;
  /** What the entity is called in messages, e.g. "Service". */
  readonly noun: string;
}

const MAX_ATTEMPTS = 3;

/**
 * Read, check, write conditional on the version read: one conditional write per attempt. Losing a race
 * re-reads and re-checks, so a transition that became illegal meanwhile answers 409, one pinned with
 * If-Match answers 412, and nothing is written unless every check passed against the stored version.
 */
export async function transition<T extends Entity>(
  deps: Deps,
  kind: EntityKind,
  caller: Caller,
  id: string,
  ifMatch: number | undefined,
  rule: TransitionRule<T>,
): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    const current = await deps.entities.get<T>(kind, id);
    if (!current) throw notFound(`${rule.noun} ${id}`);
    const user = rule.authorize(caller, current);
    if (ifMatch !== undefined && ifMatch !== current.version) throw preconditionFailed(current.version);
    const now = deps.now();
    const status = rule.statusOf(current, now);
    if (!rule.allowed.includes(status)) {
      throw conflict(
        `A ${status} ${rule.noun.toLowerCase()} cannot ${rule.action === 'update' ? 'be edited' : rule.action}.`,
      );
    }
    const next = { ...rule.apply(current, now), version: current.version + 1 };
    const result = await deps.entities.update(kind, next, { actor: user, action: rule.action });
    if (result.outcome === 'updated') return result.entity;
    if (attempt >= MAX_ATTEMPTS)
      throw conflict(`The ${rule.noun.toLowerCase()} is being changed concurrently; try again.`);
  }
}
