import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { entityItem, entityKey } from '../../functions/adapters/dynamodb/entity-store.js';
import { type ChangeRecord, Projector } from '../../functions/adapters/dynamodb/projector.js';
import { DynamoFacetCounts } from '../../functions/adapters/dynamodb/search-index.js';
import { DynamoServiceHistory } from '../../functions/adapters/dynamodb/service-history.js';
import type { ContractStatus } from '../../functions/domain/vocabulary.js';
import { startTestApi, type TestApi } from '../support/local-api.js';
import type { Contract, Service } from '../../functions/domain/entities.js';

let api: TestApi;
let projector: Projector;

beforeAll(async () => {
  api = await startTestApi();
  projector = new Projector(DynamoDBDocumentClient.from(api.region.client));
});
afterAll(async () => api?.stop());

const contract = (
  id: string,
  agencyId: string,
  status: ContractStatus,
  version: number,
  amountKrw = 1_000_000,
): Contract => {
  const signed = ['ACTIVE', 'COMPLETED', 'TERMINATED'].includes(status);
  return {
    id,
    agencyId,
    serviceId: 'svc_1',
    serviceVersion: 1,
    providerId: 'prv_1',
    planId: 'basic',
    quantity: 1,
    months: 12,
    method: 'CATALOG',
    catalogAmountKrw: amountKrw,
    amountKrw,
    status,
    requestedAt: '2026-01-01T00:00:00.000Z',
    quotedAt: version > 1 ? '2026-01-03T00:00:00.000Z' : null,
    signedAt: signed ? '2026-01-06T00:00:00.000Z' : null,
    closedAt: ['COMPLETED', 'TERMINATED'].includes(status) ? '2026-06-01T00:00:00.000Z' : null,
    leadTimeDays: signed ? 5 : null,
    caseId: null,
    cancelReason: null,
    amendments: [],
    renewalOf: null,
    termination: null,
    createdAt: '2026-01-01T00:00:00.000Z',
    version,
  };
};

const record = (next: Contract, previous?: Contract): ChangeRecord => {
  const change = {
    actor: { sub: 'u', role: 'agency', org: next.agencyId },
    action: 'test',
    at: next.createdAt,
    region: 'ap-northeast-2',
  };
  return {
    key: entityKey('contract', next.id),
    newImage: entityItem('contract', next, change),
    ...(previous ? { oldImage: entityItem('contract', previous, change) } : {}),
  };
};

const stats = async () => (await api.call('GET', '/v1/stats')).body;

describe('statistics projection', () => {
  it('counts each change once, whatever is redelivered or arrives late', async () => {
    const requested = contract('ctr_a', 'agc_x', 'REQUESTED', 1, 2_500_000);
    const active = contract('ctr_a', 'agc_x', 'ACTIVE', 3, 2_000_000);
    await projector.project([record(requested)]);
    expect(await stats()).toMatchObject({
      agencies: { withContracts: 0 },
      contracts: { signed: 0, totalAmountKrw: 0, byStatus: { REQUESTED: 1 } },
    });
    await projector.project([record(active, requested)]);
    await projector.project([record(active, requested)]); // redelivered batch
    await projector.project([record(requested)]); // a stale record from an earlier shard position
    expect(await stats()).toMatchObject({
      agencies: { withContracts: 1 },
      contracts: { signed: 1, totalAmountKrw: 2_000_000, byStatus: { REQUESTED: 0, ACTIVE: 1 } },
      medianLeadTimeDays: 5,
    });
    const terminated = contract('ctr_a', 'agc_x', 'TERMINATED', 4, 2_000_000);
    await projector.project([record(terminated, active)]);
    expect(await stats()).toMatchObject({
      agencies: { withContracts: 1 },
      contracts: { signed: 1, totalAmountKrw: 2_000_000, byStatus: { ACTIVE: 0, TERMINATED: 1 } },
    });
  });

  it('stays exact when batches for the same agencies are projected concurrently', async () => {
    const before = await stats();
    const agencies = ['agc_p1', 'agc_p2', 'agc_p3'];
    const batches = Array.from({ length: 6 }, (_, b) =>
      Array.from({ length: 15 }, (_, i) => {
        const requested = contract(`ctr_p${b}_${i}`, agencies[(b + i) % 3] ?? '', 'REQUESTED', 1, 1000);
        return [
          record(requested),
          record(contract(requested.id, requested.agencyId, 'ACTIVE', 3, 1000), requested),
        ];
      }).flat(),
    );
    await Promise.all(batches.map((batch) => projector.project(batch)));
    await Promise.all(batches.slice(0, 2).map((batch) => projector.project(batch)));
    const after = await stats();
    expect(after.contracts.signed - before.contracts.signed).toBe(90);
    expect(after.contracts.totalAmountKrw - before.contracts.totalAmountKrw).toBe(90_000);
    expect(after.agencies.withContracts - before.agencies.withContracts).toBe(3);
    expect(after.contracts.byStatus.REQUESTED).toBe(before.contracts.byStatus.REQUESTED);
  });
});

describe('audit projection', () => {
  it('writes one event per version with actor, versions and region, however often delivered', async () => {
    const requested = contract('ctr_audit', 'agc_y', 'REQUESTED', 1);
    const quoted = contract('ctr_audit', 'agc_y', 'QUOTED', 2);
    await projector.project([record(requested), record(quoted, requested)]);
    await projector.project([record(quoted, requested)]);
    const events = (await api.snapshot()).filter((line) => line.includes('"audit#contract#ctr_audit"'));
    expect(events).toHaveLength(2);
    expect(events.join('\n')).toContain('"region":{"S":"ap-northeast-2"}');
  });
});

describe('facet counters and service history', () => {
  const service = (id: string, version: number, overrides: Partial<Service> = {}): Service => ({
    id,
    providerId: 'prv_facets',
    name: `패싯 ${id}`,
    summary: '클라우드',
    category: 'SAAS',
    ai: false,
    networks: ['INTERNET'],
    csap: null,
    plans: [{ id: 'basic', name: '기본', unit: '월', unitPriceKrw: 1000 }],
    status: 'LISTED',
    selection: { sessionNumber: 62, decidedAt: '2026-01-01T00:00:00.000Z', validUntil: '2099-12-31' },
    createdAt: '2026-01-01T00:00:00.000Z',
    updatedAt: '2026-01-01T00:00:00.000Z',
    version,
    ...overrides,
  });
  const serviceRecord = (next: Service, previous?: Service): ChangeRecord => {
    const change = {
      actor: { sub: 'p', role: 'provider', org: next.providerId },
      action: 'update',
      at: next.updatedAt,
      region: 'ap-northeast-2',
    };
    return {
      key: entityKey('service', next.id),
      newImage: entityItem('service', next, change),
      ...(previous ? { oldImage: entityItem('service', previous, change) } : {}),
    };
  };
  const cells = () =>
    new DynamoFacetCounts(DynamoDBDocumentClient.from(api.region.client)).cells('LISTED', 'prv_facets');
  const counted = async () =>
    Object.fromEntries(
      (await cells())
        .filter((c) => c.count !== 0)
        .map((c) => [`${c.category}|${c.networks.join('+')}`, c.count]),
    );

  it('keep each service in the cell of its latest version, whatever is redelivered or reordered', async () => {
    const v3 = service('svc_f1', 3);
    const v4 = service('svc_f1', 4, { networks: ['INTERNET', 'INTRANET'] });
    const v5 = service('svc_f1', 5, { category: 'PAAS', networks: ['INTRANET'] });
    const other = service('svc_f2', 3);
    await projector.project([serviceRecord(v3), serviceRecord(other)]);
    expect(await counted()).toEqual({ 'SAAS|INTERNET': 2 });
    await projector.project([serviceRecord(v4, v3)]);
    await projector.project([serviceRecord(v4, v3)]); // redelivered
    expect(await counted()).toEqual({ 'SAAS|INTERNET': 1, 'SAAS|INTERNET+INTRANET': 1 });
    await projector.project([serviceRecord(v5, v4)]);
    await projector.project([serviceRecord(v3), serviceRecord(v4, v3)]); // late records of older versions
    expect(await counted()).toEqual({ 'SAAS|INTERNET': 1, 'PAAS|INTRANET': 1 });
    // Suspended: out of the LISTED cells, into the SUSPENDED ones.
    await projector.project([
      serviceRecord(service('svc_f1', 6, { ...v5, version: 6, status: 'SUSPENDED' }), v5),
    ]);
    expect(await counted()).toEqual({ 'SAAS|INTERNET': 1 });
  });

  it('writes one history item per version with its changes, however often delivered', async () => {
    const v3 = service('svc_h1', 3);
    const v4 = service('svc_h1', 4, {
      plans: [{ id: 'basic', name: '기본', unit: '월', unitPriceKrw: 2000 }],
    });
    await projector.project([serviceRecord(v3), serviceRecord(v4, v3)]);
    await projector.project([serviceRecord(v4, v3), serviceRecord(v3)]);
    const history = new DynamoServiceHistory(DynamoDBDocumentClient.from(api.region.client));
    const versions = await history.list('svc_h1', 10);
    expect(versions.map((v) => v.version)).toEqual([4, 3]);
    expect(versions[0]?.changes).toEqual([{ op: 'replace', path: '/plans/0/unitPriceKrw', value: 2000 }]);
    expect(versions[0]?.service).toEqual(v4);
  });
});
