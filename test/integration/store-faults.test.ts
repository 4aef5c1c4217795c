import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { inject } from 'vitest';
import { DYNAMODB_MAX_ATTEMPTS } from '../../functions/adapters/dynamodb/client.js';
import { serviceBody, createProvider } from '../support/fixtures.js';
import { type FaultProxy, startFaultProxy } from '../support/fault-proxy.js';
import { startTestApi, type TestApi } from '../support/local-api.js';

let proxy: FaultProxy;
let api: TestApi;
let provider: string;

beforeAll(async () => {
  proxy = await startFaultProxy(inject('dynamodbEndpoint'));
  api = await startTestApi({ endpoint: proxy.url });
  provider = await api.token('provider', await createProvider(api, '330844444'));
});
afterAll(async () => {
  await api?.stop();
  await proxy?.close();
});
beforeEach(async () => {
  await api.settle();
  proxy.reset();
});

const createService = () => api.call('POST', '/v1/services', { token: provider, body: serviceBody() });

describe('write conflicts and throttling from the store', () => {
  it('retries a Region write conflict and succeeds within the bound', async () => {
    proxy.inject('PutItem', 'replicated-write-conflict', DYNAMODB_MAX_ATTEMPTS - 1, api.region.tablePrefix);
    const res = await createService();
    expect(res.status).toBe(201);
    expect(proxy.calls('PutItem')).toBe(DYNAMODB_MAX_ATTEMPTS);
  });

  for (const fault of ['replicated-write-conflict', 'throttling'] as const) {
    it(`answers 503 with Retry-After after at most ${DYNAMODB_MAX_ATTEMPTS} attempts within the deadline when ${fault} persists, writing nothing`, async () => {
      const before = await api.snapshot();
      proxy.reset();
      proxy.inject('PutItem', fault, 1000, api.region.tablePrefix);
      const res = await createService();
      expect(res.status).toBe(503);
      expect(res.headers.get('retry-after')).toBe('1');
      expect(res.headers.get('content-type')).toBe('application/problem+json');
      expect(res.body).toMatchObject({ status: 503, type: '/problems/unavailable' });
      // Retried, but within both bounds: the attempt count and the request's deadline, whose backoff for
      // throttling (base 500 ms, full jitter) can leave room for fewer than every attempt.
      expect(proxy.calls('PutItem')).toBeGreaterThanOrEqual(2);
      expect(proxy.calls('PutItem')).toBeLessThanOrEqual(DYNAMODB_MAX_ATTEMPTS);
      proxy.reset();
      await api.settle();
      expect(await api.snapshot()).toEqual(before);
    });
  }

  it('retries a conflicting transition and applies it once', async () => {
    const created = await createService();
    await api.settle();
    proxy.reset();
    proxy.inject('UpdateItem', 'replicated-write-conflict', 2, api.region.tablePrefix);
    const submitted = await api.call('POST', `/v1/services/${created.body.id}/submit`, { token: provider });
    expect(submitted.status).toBe(200);
    expect(submitted.body).toMatchObject({ status: 'SUBMITTED', version: 2 });
    expect(proxy.calls('UpdateItem')).toBe(3);
  });
});
