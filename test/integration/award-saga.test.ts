/**
 * The award as a saga: the Region serving it is lost right after each of its writes, and a retry (the
 * client's, in the other Region) or the daily job finishes it. In between, no reader sees two ACTIVE
 * contracts in the case, and afterwards the case is exactly as an uninterrupted award leaves it.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { awardCase, finishPendingDecisions } from '../../functions/domain/case-decision.js';
import type { Entity } from '../../functions/domain/entities.js';
import type {
  Change,
  CreateOptions,
  Deps,
  EntityKind,
  EntityStore,
  EntityUpdate,
  ListAppend,
} from '../../functions/domain/ports.js';
import { deps as regionDeps } from '../../functions/handlers/composition-root.js';
import { handler as dailyJob } from '../../functions/handlers/selection-expiry.js';
import { expectStatus, quoteEach } from '../support/assertions.js';
import { createAgency, createProvider, seedService } from '../support/fixtures.js';
import { startTestApi, type TestApi } from '../support/local-api.js';
import type { Service } from '../../functions/domain/entities.js';

class RegionLost extends Error {}

/**
 * The real store, except that the Region dies right after its `fatalWrite`-th write has applied: that
 * write is in the ledger, and nothing after it runs.
 */
class DyingStore implements EntityStore {
  private writes = 0;
  constructor(
    private readonly store: EntityStore,
    private readonly fatalWrite: number,
  ) {}

  private async write<T>(write: () => Promise<T>): Promise<T> {
    const result = await write();
    this.writes += 1;
    if (this.writes === this.fatalWrite) throw new RegionLost(`Region lost after write ${this.writes}`);
    return result;
  }

  get = <T extends Entity>(kind: EntityKind, id: string) => this.store.get<T>(kind, id);
  getForChange = <T extends Entity>(
    kind: EntityKind,
    id: string,
    options: { readonly receiptKey: string | undefined; readonly consistent: boolean },
  ) => this.store.getForChange<T>(kind, id, options);
  findCreated = <T extends Entity>(kind: EntityKind, id: string) => this.store.findCreated<T>(kind, id);
  getMany = <T extends Entity>(kind: EntityKind, ids: readonly string[]) => this.store.getMany<T>(kind, ids);
  uniqueKeyTaken = (kind: EntityKind, key: string) => this.store.uniqueKeyTaken(kind, key);
  create = <T extends Entity>(kind: EntityKind, entity: T, options: CreateOptions) =>
    this.write(() => this.store.create(kind, entity, options));
  update = <T extends Entity>(kind: EntityKind, next: T, change: Change) =>
    this.write(() => this.store.update(kind, next, change));
  updateFields = <T extends Entity>(
    kind: EntityKind,
    id: string,
    fields: Partial<T>,
    statuses: readonly string[],
    change: Change,
  ) => this.write(() => this.store.updateFields(kind, id, fields, statuses, change));
  updateTogether = (updates: readonly EntityUpdate[], change: Change, append?: ListAppend) =>
    this.write(() => this.store.updateTogether(updates, change, append));
}

let api: TestApi;
let agency: string;
let agencyId: string;
let provider: string;
let services: Service[];

beforeAll(async () => {
  api = await startTestApi();
  const providerId = await createProvider(api, '880811111');
  agencyId = await createAgency(api, '8800001');
  agency = await api.token('agency', agencyId);
  provider = await api.token('provider', providerId);
  services = [];
  for (const price of [9_000, 12_000, 15_000])
    services.push(
      await seedService(api, providerId, {
        plans: [{ id: 'basic', name: '기본', unit: '월', unitPriceKrw: price }],
      }),
    );
  await api.settle();
}, 60_000);
afterAll(async () => api?.stop());

let keys = 0;

/** An OPEN case with three QUOTED contracts. */
async function quotedCase(): Promise<{ id: string; contracts: string[] }> {
  const opened = await api.call('POST', '/v1/cases', {
    token: agency,
    body: { title: '중단 시험', need: '재시도로 끝나는 낙찰', quantity: 1, months: 12 },
  });
  expectStatus(opened, 201);
  const id: string = opened.body.id;
  expectStatus(
    await api.call('PATCH', `/v1/cases/${id}`, {
      token: agency,
      body: { shortlist: services.map((s) => ({ serviceId: s.id })) },
    }),
    200,
  );
  expectStatus(await api.call('POST', `/v1/cases/${id}/snapshots`, { token: agency }), 201);
  const asked = await api.call('POST', `/v1/cases/${id}/quotes`, {
    token: agency,
    headers: { 'idempotency-key': `saga-${++keys}` },
    body: { requests: services.map((s) => ({ serviceId: s.id, planId: 'basic' })), method: 'NEGOTIATED' },
  });
  expectStatus(asked, 201);
  const contracts: string[] = asked.body.contracts.map((c: { id: string }) => c.id);
  await quoteEach(api, provider, contracts, 100_000);
  return { id, contracts };
}

async function statuses(contracts: readonly string[]): Promise<string[]> {
  return Promise.all(
    contracts.map(
      async (id) => (await api.call('GET', `/v1/contracts/${id}`, { token: agency })).body.status,
    ),
  );
}

const caller = () => ({ kind: 'user' as const, sub: 'saga-agency', role: 'agency' as const, org: agencyId });

/** decide, sign the chosen, cancel the two others, case → AWARDED. */
const AWARD_WRITES = 5;

describe('an award interrupted after each of its writes', () => {
  for (let fatalWrite = 1; fatalWrite < AWARD_WRITES; fatalWrite++) {
    for (const finisher of ['retry', 'daily job'] as const) {
      it(`after write ${fatalWrite}, is finished by the ${finisher}`, async () => {
        const { id, contracts } = await quotedCase();
        const [chosen] = contracts as [string];
        const request = { ifMatch: undefined, idempotencyKey: `award-${id}`, body: { contractId: chosen } };
        const real: Deps = regionDeps();
        const dying: Deps = { ...real, entities: new DyingStore(real.entities, fatalWrite) };
        await expect(awardCase(dying, caller(), id, request)).rejects.toBeInstanceOf(RegionLost);

        const midway = await statuses(contracts);
        expect(midway.filter((s) => s === 'ACTIVE').length).toBeLessThanOrEqual(1);
        const halfDone = await api.call('GET', `/v1/cases/${id}`, { token: agency });
        expect(halfDone.body.status).toBe('OPEN');
        expect(halfDone.body.award).toBeNull();

        if (finisher === 'retry') {
          const retried = await api.call('POST', `/v1/cases/${id}/award`, {
            token: agency,
            headers: { 'idempotency-key': request.idempotencyKey },
            body: request.body,
          });
          expectStatus(retried, 200);
          expect(retried.headers.get('idempotent-replayed')).toBe('true');
        } else {
          expect((await dailyJob()).decisionsFinished).toBe(1);
          expect((await dailyJob()).decisionsFinished).toBe(0);
        }

        const done = await api.call('GET', `/v1/cases/${id}`, { token: agency });
        expect(done.body).toMatchObject({
          status: 'AWARDED',
          award: { contractId: chosen, amountKrw: 100_000 },
          contractIds: contracts,
        });
        expect(await statuses(contracts)).toEqual(['ACTIVE', 'CANCELLED', 'CANCELLED']);
        for (const other of contracts.slice(1)) {
          expect((await api.call('GET', `/v1/contracts/${other}`, { token: agency })).body.cancelReason).toBe(
            'NOT_CHOSEN',
          );
        }
      });
    }
  }

  it('without a key, a second award of the same contract resumes a decided one', async () => {
    const { id, contracts } = await quotedCase();
    const [chosen, other] = contracts as [string, string];
    const real = regionDeps();
    const request = { ifMatch: undefined, idempotencyKey: undefined, body: { contractId: chosen } };
    await expect(
      awardCase({ ...real, entities: new DyingStore(real.entities, 2) }, caller(), id, request),
    ).rejects.toBeInstanceOf(RegionLost);
    const another = await api.call('POST', `/v1/cases/${id}/award`, {
      token: agency,
      body: { contractId: other },
    });
    expect(another.status).toBe(409);
    const resumed = await api.call('POST', `/v1/cases/${id}/award`, {
      token: agency,
      body: { contractId: chosen },
    });
    expectStatus(resumed, 200);
    expect(resumed.body.status).toBe('AWARDED');
  });

  it('withdraws a decision whose chosen contract was cancelled before it could be signed', async () => {
    const { id, contracts } = await quotedCase();
    const [chosen] = contracts as [string];
    const real = regionDeps();
    const request = { ifMatch: undefined, idempotencyKey: undefined, body: { contractId: chosen } };
    await expect(
      awardCase({ ...real, entities: new DyingStore(real.entities, 1) }, caller(), id, request),
    ).rejects.toBeInstanceOf(RegionLost);
    expectStatus(await api.call('POST', `/v1/contracts/${chosen}/cancel`, { token: agency }), 200);
    expect(await finishPendingDecisions(real)).toBe(0);
    const kase = await api.call('GET', `/v1/cases/${id}`, { token: agency });
    expect(kase.body.status).toBe('OPEN');
    expect(await statuses(contracts)).toEqual(['CANCELLED', 'QUOTED', 'QUOTED']);
    const second = await api.call('POST', `/v1/cases/${id}/award`, {
      token: agency,
      body: { contractId: contracts[1] },
    });
    expectStatus(second, 200);
  });
});
