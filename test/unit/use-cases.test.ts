/**
 * The change rules as use cases against in-memory ports: who may move a contract, what a retry with a key
 * gets, how contention is absorbed, and that a refusal writes nothing. Fast, and no store is needed.
 */
import { describe, expect, it } from 'vitest';
import type { User } from '../../functions/domain/caller.js';
import {
  quoteContract,
  requestedContract,
  terminateContract,
  transitionContract,
} from '../../functions/domain/contract.js';
import type { Contract, ReviewSession, Service } from '../../functions/domain/entities.js';
import { DomainError } from '../../functions/domain/errors.js';
import { registerProvider } from '../../functions/domain/registry.js';
import { addToAgenda } from '../../functions/domain/review.js';
import { inMemoryDeps } from '../support/in-memory-ports.js';

const agency: User = { kind: 'user', sub: 'buyer', role: 'agency', org: 'agc_1' };
const otherAgency: User = { kind: 'user', sub: 'other', role: 'agency', org: 'agc_2' };
const provider: User = { kind: 'user', sub: 'seller', role: 'provider', org: 'prv_1' };
const committee: User = { kind: 'user', sub: 'secretary', role: 'committee' };
const seeded = { actor: { ...agency }, action: 'seed' };

function contract(overrides: Partial<Contract> = {}): Contract {
  return {
    ...requestedContract({
      id: 'ctr_1',
      agencyId: 'agc_1',
      serviceId: 'svc_1',
      serviceVersion: 1,
      providerId: 'prv_1',
      planId: 'basic',
      quantity: 1,
      months: 12,
      method: 'CATALOG',
      catalogAmountKrw: 120_000,
      requestedAt: '2026-11-20T01:00:00.000Z',
    }),
    ...overrides,
  };
}

async function withContract(
  overrides: Partial<Contract> = {},
  options: Parameters<typeof inMemoryDeps>[0] = {},
) {
  const world = inMemoryDeps(options);
  await world.entities.create('contract', contract(overrides), { change: seeded });
  return world;
}

const quotedAt = '2026-11-21T01:00:00.000Z';
const noKey = { ifMatch: undefined, idempotencyKey: undefined };
const rejection = (promise: Promise<unknown>) =>
  promise.then(
    () => undefined,
    (error: unknown) => (error instanceof DomainError ? { kind: error.kind, message: error.message } : error),
  );

describe('moving a contract', () => {
  it('given a quoted contract, when its agency signs, then it is active with its lead time', async () => {
    const { deps } = await withContract({ status: 'QUOTED', quotedAt, version: 2 });
    const { entity, replayed } = await transitionContract(deps, agency, 'ctr_1', 'sign', noKey);
    expect(replayed).toBe(false);
    expect(entity).toMatchObject({ status: 'ACTIVE', version: 3, leadTimeDays: 6 });
  });

  it('given another agency, when it signs, then it is refused and nothing is written', async () => {
    const { deps, entities } = await withContract({ status: 'QUOTED', quotedAt, version: 2 });
    expect(await rejection(transitionContract(deps, otherAgency, 'ctr_1', 'sign', noKey))).toEqual({
      kind: 'forbidden',
      message: 'Only the agency that requested this contract may do this.',
    });
    expect(entities.changesOf('contract', 'ctr_1')).toEqual([seeded]);
  });

  it('given a requested contract, when the provider quotes above the catalog amount, then it is invalid', async () => {
    const { deps, entities } = await withContract();
    const request = { ...noKey, body: { amountKrw: 120_001 } };
    expect(await rejection(quoteContract(deps, provider, 'ctr_1', request))).toMatchObject({
      kind: 'invalid',
    });
    expect(entities.changesOf('contract', 'ctr_1')).toHaveLength(1);
  });
});

describe('retrying a change with its Idempotency-Key', () => {
  const key = { ifMatch: undefined, idempotencyKey: 'sign-1' };

  it('given a sign applied with a key and a later complete, when the sign is retried, then it is answered as replayed with the contract as it is now', async () => {
    const { deps, entities } = await withContract({ status: 'QUOTED', quotedAt, version: 2 });
    await transitionContract(deps, agency, 'ctr_1', 'sign', key);
    await transitionContract(deps, agency, 'ctr_1', 'complete', noKey);
    const retried = await transitionContract(deps, agency, 'ctr_1', 'sign', key);
    expect(retried).toMatchObject({ replayed: true, entity: { status: 'COMPLETED', version: 4 } });
    expect(entities.changesOf('contract', 'ctr_1').map((c) => c.action)).toEqual([
      'seed',
      'sign',
      'complete',
    ]);
  });

  it('given a sign applied with a key, when the key is sent with cancel, then it is a conflict', async () => {
    const { deps } = await withContract({ status: 'QUOTED', quotedAt, version: 2 });
    await transitionContract(deps, agency, 'ctr_1', 'sign', key);
    expect(await rejection(transitionContract(deps, agency, 'ctr_1', 'cancel', key))).toEqual({
      kind: 'conflict',
      message: 'This Idempotency-Key was already used to sign this resource with another action.',
    });
  });

  it('given a key used by one agency, when another party sends the same words, then they are its own key', async () => {
    const { deps } = await withContract({ status: 'QUOTED', quotedAt, version: 2 });
    await transitionContract(deps, agency, 'ctr_1', 'sign', key);
    const admin: User = { kind: 'user', sub: 'ops', role: 'admin' };
    const moved = await terminateContract(deps, admin, 'ctr_1', key);
    expect(moved).toMatchObject({ replayed: false, entity: { status: 'TERMINATED' } });
  });
});

describe('contention', () => {
  it('given another legal write lands first, when a transition loses the race, then it re-reads and applies', async () => {
    const { deps, entities } = await withContract();
    entities.beforeWrite = () => {
      entities.beforeWrite = undefined;
      void entities.updateFields<Contract>(
        'contract',
        'ctr_1',
        { amountKrw: 110_000 },
        ['REQUESTED'],
        seeded,
      );
    };
    const { entity } = await quoteContract(deps, provider, 'ctr_1', {
      ...noKey,
      body: { amountKrw: 100_000 },
    });
    expect(entity).toMatchObject({ status: 'QUOTED', amountKrw: 100_000, version: 3 });
  });

  it('given races that outlast the request, when its deadline leaves no room, then 503 with Retry-After, not 409', async () => {
    const { deps, entities } = await withContract({}, { remainingMs: () => 50 });
    entities.beforeWrite = () =>
      void entities.updateFields<Contract>('contract', 'ctr_1', { amountKrw: 1 }, ['REQUESTED'], seeded);
    const error = await quoteContract(deps, provider, 'ctr_1', { ...noKey, body: { amountKrw: 1 } }).catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(DomainError);
    expect(error).toMatchObject({ kind: 'unavailable', retryAfterSeconds: 1 });
  });
});

describe('the committee’s agenda', () => {
  it('given an open session, when two services are added at once, then both are on it and both under review', async () => {
    const { deps, entities } = inMemoryDeps();
    const session: ReviewSession = {
      id: '62',
      number: 62,
      date: '2026-12-01',
      status: 'OPEN',
      agenda: [],
      decisions: [],
      createdAt: '2026-11-26T00:00:00.000Z',
      version: 1,
    };
    await entities.create('review', session, { change: seeded });
    for (const id of ['svc_a', 'svc_b']) {
      const service: Service = {
        id,
        providerId: 'prv_1',
        name: `서비스 ${id}`,
        summary: '클라우드',
        category: 'SAAS',
        ai: false,
        networks: ['INTERNET'],
        csap: null,
        plans: [{ id: 'basic', name: '기본', unit: '월', unitPriceKrw: 10_000 }],
        status: 'SUBMITTED',
        selection: null,
        createdAt: '2026-11-25T00:00:00.000Z',
        updatedAt: '2026-11-25T00:00:00.000Z',
        version: 2,
      };
      await entities.create('service', service, { change: seeded });
    }
    await Promise.all(
      ['svc_a', 'svc_b'].map((serviceId) =>
        addToAgenda(deps, committee, '62', { ...noKey, body: { serviceId } }),
      ),
    );
    expect((await entities.get<ReviewSession>('review', '62'))?.agenda).toEqual(['svc_a', 'svc_b']);
    expect((await entities.getMany<Service>('service', ['svc_a', 'svc_b'])).map((s) => s.status)).toEqual([
      'UNDER_REVIEW',
      'UNDER_REVIEW',
    ]);
  });
});

describe('a write whose answer was lost, retried by the store client', () => {
  const admin: User = { kind: 'user', sub: 'ops', role: 'admin' };

  it('given the first attempt of a sign applied, when the retry finds the version moved, then it is our sign, not a 409', async () => {
    const { deps, entities } = await withContract({ status: 'QUOTED', quotedAt, version: 2 });
    const update = entities.update.bind(entities);
    // The write applies, but its answer is lost; the retried conditional write then finds version 3.
    entities.update = async (kind, next, change) => {
      await update(kind, next, change);
      return { outcome: 'stale', current: undefined };
    };
    const { entity, replayed } = await transitionContract(deps, agency, 'ctr_1', 'sign', noKey);
    expect({ status: entity.status, version: entity.version, replayed }).toEqual({
      status: 'ACTIVE',
      version: 3,
      replayed: false,
    });
    expect(entities.changesOf('contract', 'ctr_1').map((c) => c.action)).toEqual(['seed', 'sign']);
  });

  it('given the first attempt of a create applied, when the retry finds the id taken, then it is our create, not a 409', async () => {
    const { deps, entities } = inMemoryDeps();
    const create = entities.create.bind(entities);
    entities.create = async (kind, entity, options) => {
      await create(kind, entity, options);
      return create(kind, entity, options);
    };
    const body = { name: '(주)재시도', businessRegistrationNumber: '1248100998', contactEmail: 'a@b.kr' };
    const { entity, replayed } = await registerProvider(deps, admin, body, undefined);
    expect(replayed).toBe(false);
    expect(await entities.get('provider', entity.id)).toEqual(entity);
  });
});
