import { randomUUID } from 'node:crypto';
import { idempotencyScope, type User } from './caller.js';
import { conflict } from './errors.js';
import { canonicalJson, fingerprint, type IdPrefix, idForKey, newId } from './ids.js';
import type { CreateResult, Deps, EntityKind } from './ports.js';
import type { Entity } from './entities.js';

const KEY_REUSED = 'This Idempotency-Key was already used with a different request body.';

export interface Created<T> {
  readonly entity: T;
  /** True when this answers a retry: the entity was created by an earlier request with the same key. */
  readonly replayed: boolean;
}

interface CreateSpec<T extends Entity> {
  readonly kind: EntityKind;
  /** Ids from the key (or at random) with this prefix, or a natural id such as a review session's number. */
  readonly identity: { readonly prefix: IdPrefix } | { readonly natural: string };
  /** The request body as received, fingerprinted to tell a retry from a reused key. */
  readonly body: unknown;
  readonly idempotencyKey: string | undefined;
  readonly uniqueKeys?: readonly string[];
  /** Checks the business rules and builds the entity; runs only once no earlier create answers the request. */
  readonly prepare: (id: string, createdAt: string) => T | Promise<T>;
  /** Why a natural id that is already taken is a conflict. */
  readonly takenMessage?: string;
  readonly duplicateMessage?: string;
}

/**
 * One conditional put decides the outcome. With a key, the id derives from the key and its scope, so a
 * retry (even one racing the first attempt, or sent to another Region) targets the same item. An earlier
 * create is looked for first, so a retry replays the original answer even if the rules would now refuse
 * it (the service was suspended since, say); the put's condition settles the race the look-up cannot.
 *
 * There is no separate idempotency record to expire: the key and the request's fingerprint live on the
 * created item itself (MRSC has no TTL, and no transaction could write a record and a contract together).
 * A key therefore stays bound to its entity for good: a replay at any age gets the original answer, and
 * the key with another body is always 409, never a second contract. Nothing accumulates beyond the
 * entities themselves, so there is nothing to clean.
 */
export async function createIdempotently<T extends Entity>(
  deps: Deps,
  user: User,
  spec: CreateSpec<T>,
): Promise<Created<T>> {
  const key = spec.idempotencyKey;
  const natural = 'natural' in spec.identity ? spec.identity.natural : undefined;
  const id =
    'natural' in spec.identity
      ? spec.identity.natural
      : key
        ? idForKey(spec.identity.prefix, idempotencyScope(user), key)
        : newId(spec.identity.prefix);
  const requestFingerprint = fingerprint(spec.body);
  const attempt = randomUUID();
  const settle = (existing: Extract<CreateResult<T>, { outcome: 'exists' }>): Created<T> => {
    const same = existing.idempotency;
    if (key && same?.key === key && same.fingerprint === requestFingerprint) {
      return { entity: existing.original, replayed: true };
    }
    if (key && (!natural || same?.key === key)) throw conflict(KEY_REUSED);
    throw conflict(spec.takenMessage ?? `${id} already exists.`);
  };
  if (key || natural) {
    const earlier = await deps.entities.findCreated<T>(spec.kind, id);
    if (earlier) return settle(earlier);
  }
  const entity = await spec.prepare(id, deps.now().toISOString());
  // A natural id comes from the body, so the key with another body names another item: a guard on the key
  // itself makes that a 409 too, as it is for ids derived from the key.
  const keyGuard =
    key && natural ? `idempotency-key:${fingerprint([idempotencyScope(user), key])}` : undefined;
  const uniqueKeys = [...(spec.uniqueKeys ?? []), ...(keyGuard ? [keyGuard] : [])];
  const result = await deps.entities.create(spec.kind, entity, {
    change: { actor: user, action: 'create' },
    ...(key ? { idempotency: { key, fingerprint: requestFingerprint, attempt } } : {}),
    ...(uniqueKeys.length ? { uniqueKeys } : {}),
  });
  switch (result.outcome) {
    case 'created':
      return { entity: result.entity, replayed: false };
    case 'exists':
      // Our own write, applied by an attempt whose answer was lost and then retried by the store client.
      // With a key, only the attempt's own mark says so: a concurrent request with the key builds an equal
      // entity (in the same millisecond, even the same times) and is a replay.
      if (
        key
          ? result.idempotency?.attempt === attempt
          : canonicalJson(result.original) === canonicalJson(entity)
      )
        return { entity, replayed: false };
      return settle(result);
    case 'duplicate-key':
      if (result.uniqueKey === keyGuard) throw conflict(KEY_REUSED);
      throw conflict(spec.duplicateMessage ?? `${result.uniqueKey} is already taken.`);
  }
}
