import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { inject } from 'vitest';
import { physicalTableName } from '../../functions/adapters/dynamodb/tables.js';
import { createProvider, seedService } from '../support/fixtures.js';
import { type FaultProxy, startFaultProxy } from '../support/fault-proxy.js';
import { startTestApi, type TestApi } from '../support/local-api.js';

/**
 * The ledger replica of a Region whose MRSC replication is paused (the pause-ledger-replication drill) or
 * denied (REPLICATION_NOT_AUTHORIZED) answers writes and strongly consistent reads with AccessDeniedException:
 * like any store outage, a 503 with Retry-After the client can retry elsewhere, and a failing /health.
 */
let proxy: FaultProxy;
let api: TestApi;
let agency: string;
let serviceId: string;
let ledger: string;

beforeAll(async () => {
  proxy = await startFaultProxy(inject('dynamodbEndpoint'));
  api = await startTestApi({ endpoint: proxy.url });
  ledger = physicalTableName(api.region.tablePrefix, 'ledger');
  const admin = await api.token('admin');
  const created = await api.call('POST', '/v1/agencies', {
    token: admin,
    body: { name: '조달청', institutionCode: '1230000', kind: 'CENTRAL', network: 'INTERNET' },
  });
  agency = await api.token('agency', created.body.id);
  serviceId = (await seedService(api, await createProvider(api, '660855555'))).id;
});
afterAll(async () => {
  await api?.stop();
  await proxy?.close();
});
beforeEach(async () => {
  await api.settle();
  proxy.reset();
});

describe('a ledger replica whose replication is denied', () => {
  it('answers a contract request 503 with Retry-After, not 500, and writes nothing', async () => {
    const before = await api.snapshot();
    proxy.reset();
    proxy.inject('PutItem', 'access-denied', 1000, ledger);

    const res = await api.call('POST', '/v1/contracts', {
      token: agency,
      body: { serviceId, planId: 'basic', quantity: 1, months: 12, method: 'CATALOG' },
      headers: { 'idempotency-key': 'denied-1' },
    });

    expect(res.status).toBe(503);
    expect(res.headers.get('retry-after')).toBe('1');
    expect(res.body).toMatchObject({ status: 503, type: '/problems/unavailable' });
    proxy.reset();
    await api.settle();
    expect(await api.snapshot()).toEqual(before);
  });

  it('fails /health on the ledger check, so Route 53 takes the Region out of DNS', async () => {
    proxy.inject('GetItem', 'access-denied', 1000, ledger);

    const res = await api.call('GET', '/health');

    expect(res.status).toBe(503);
    expect(res.body).toMatchObject({ status: 'unhealthy', checks: { ledger: { ok: false } } });
    expect(res.body.checks.catalog.ok).toBe(true);
  });
});
