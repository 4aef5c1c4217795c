import type { User } from './caller.js';
import { idempotencyScope } from './caller.js';
import { conflict } from './errors.js';
import { fingerprint, type IdPrefix, idForKey, newId } from './ids.js';
import type { Deps, Entity, EntityKind } from './ports.js';

export interface Created<T> {
  readonly entity: T;
  /** True when this answers a retry: the entity was created by an earlier request with the same key. */
  readonly replayed: boolean;
}

interface CreateSpec<T extends Entity> {
  readonly kind: EntityKind;
  readonly prefix: IdPrefix;
  /** The request body as received, fingerprinted to tell a retry from a reused key. */
  readonly body: unknown;
  readonly idempotencyKey: string | undefined;
  readonly uniqueKeys?: readonly string[];
  readonly build: (id: string, createdAt: string) => T;
  readonly duplicateMessage?: string;
}

/**
 * One conditional put decides the outcome: with a key, the id derives from the key and its scope, so a
 * retry (even one racing the first attempt, or sent to another Region) targets the same item.
 */
export async function createIdempotently<T extends Entity>(
  deps: Deps,
  user: User,
  spec: CreateSpec<T>,
): Promise<Created<T>> {
  const key = spec.idempotencyKey;
  const id = key ? idForKey(spec.prefix, idempotencyScope(user), key) : newId(spec.prefix);
  const entity = spec.build(id, deps.now().toISOString());
  const requestFingerprint = fingerprint(spec.body);
  const result = await deps.entities.create(spec.kind, entity, {
    change: { actor: user, action: 'create' },
    ...(key ? { idempotency: { key, fingerprint: requestFingerprint } } : {}),
    ...(spec.uniqueKeys ? { uniqueKeys: spec.uniqueKeys } : {}),
  });
  switch (result.outcome) {
    case 'created':
      return { entity: result.entity, replayed: false };
    case 'exists':
      if (key && result.fingerprint === requestFingerprint)
        return { entity: result.original, replayed: true };
      throw conflict('This Idempotency-Key was already used with a different request body.');
    case 'duplicate-key':
      throw conflict(spec.duplicateMessage ?? `${result.uniqueKey} is already taken.`);
  }
}
