/**
 * The failures that really happen (DESIGN.md §4): a store that stops answering or answers slowly, and a
 * Region that is still loading. No request hangs; each answers 503 with Retry-After within its deadline,
 * and `/health` tells a router the truth.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { inject } from 'vitest';
import { REQUEST_DEADLINE_MS } from '../../functions/request-context.js';
import { type FaultProxy, startFaultProxy } from '../support/fault-proxy.js';
import { createAgency, createProvider, seedService, serviceBody } from '../support/fixtures.js';
import { startTestApi, type TestApi } from '../support/local-api.js';

/** What a person, or the drill, counts as a hung request. */
const HUNG_AFTER_MS = 5000;

let proxy: FaultProxy;
let api: TestApi;
let providerId: string;
let provider: string;
let agency: string;
let serviceId: string;

beforeAll(async () => {
  proxy = await startFaultProxy(inject('dynamodbEndpoint'));
  api = await startTestApi({ endpoint: proxy.url });
  providerId = await createProvider(api, '660811111');
  provider = await api.token('provider', providerId);
  agency = await api.token('agency', await createAgency(api, '6410000', { name: '경기도', kind: 'LOCAL' }));
  serviceId = (await seedService(api, providerId)).id;
  await api.settle();
});
afterEach(() => proxy.reset());
afterAll(async () => {
  await api?.stop();
  await proxy?.close();
});

/** The call, or `hung` when nothing came back within HUNG_AFTER_MS. */
async function answerOf(
  method: string,
  path: string,
  init: { token?: string; body?: unknown; key?: string },
) {
  try {
    const response = await fetch(`${api.region.url}${path}`, {
      method,
      headers: {
        ...(init.token ? { authorization: `Bearer ${init.token}` } : {}),
        ...(init.body ? { 'content-type': 'application/json' } : {}),
        ...(init.key ? { 'idempotency-key': init.key } : {}),
      },
      ...(init.body ? { body: JSON.stringify(init.body) } : {}),
      signal: AbortSignal.timeout(HUNG_AFTER_MS),
    });
    const text = await response.text();
    return {
      status: response.status,
      retryAfter: response.headers.get('retry-after'),
      type: response.headers.get('content-type'),
      body: text ? JSON.parse(text) : undefined,
    };
  } catch (error) {
    return { status: 'hung' as const, error: (error as Error).name };
  }
}

const contractBody = { serviceId: '', planId: 'basic', quantity: 2, months: 12, method: 'CATALOG' };

describe('a stalled store (stopped, answering nothing)', () => {
  it('every kind of request answers 503 with Retry-After within its deadline; none hangs', async () => {
    proxy.stall();
    const answers = await Promise.all([
      answerOf('GET', `/v1/services/${serviceId}`, {}),
      answerOf('GET', '/v1/services?category=SAAS', {}),
      answerOf('GET', '/v1/stats', {}),
      answerOf('POST', '/v1/services', { token: provider, body: serviceBody() }),
      answerOf('POST', '/v1/contracts', {
        token: agency,
        body: { ...contractBody, serviceId },
        key: 'stalled-create',
      }),
    ]);
    for (const answer of answers) {
      expect(answer).toMatchObject({ status: 503, retryAfter: '1', type: 'application/problem+json' });
    }
  });

  it('/health answers 503 unhealthy, not starting', async () => {
    proxy.stall();
    const health = await answerOf('GET', '/health', {});
    expect(health).toMatchObject({ status: 503, body: { status: 'unhealthy' } });
  });

  it('once the store answers again, a client retrying its create with the key gets exactly one contract', async () => {
    proxy.stall();
    const key = 'retried-after-stall';
    const body = { ...contractBody, serviceId, quantity: 3 };
    const during = await answerOf('POST', '/v1/contracts', { token: agency, body, key });
    expect(during.status).toBe(503);
    proxy.reset();
    const first = await answerOf('POST', '/v1/contracts', { token: agency, body, key });
    const second = await answerOf('POST', '/v1/contracts', { token: agency, body, key });
    expect(first.status).toBe(201);
    expect(second).toMatchObject({ status: 201, body: { id: first.body?.id } });
    const listed = await api.call('GET', '/v1/contracts?limit=100', { token: agency });
    expect(listed.body.items.filter((c: { quantity: number }) => c.quantity === 3)).toHaveLength(1);
  });
});

describe('a slow store', () => {
  it('concurrent edits of one draft answer 200 or 503 with Retry-After, never 409, and none hangs', async () => {
    const created = await api.call('POST', '/v1/services', { token: provider, body: serviceBody() });
    proxy.slowDown(REQUEST_DEADLINE_MS / 8);
    const answers = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        answerOf('PATCH', `/v1/services/${created.body.id}`, {
          token: provider,
          body: { summary: `느린 저장소 편집 ${i}` },
        }),
      ),
    );
    for (const answer of answers) {
      if (answer.status === 503) expect(answer.retryAfter).toBe('1');
      else expect(answer.status).toBe(200);
    }
    proxy.reset();
    const succeeded = answers.filter((a) => a.status === 200).length;
    expect(succeeded).toBeGreaterThan(0);
    const final = await api.call('GET', `/v1/services/${created.body.id}`, { token: provider });
    // An edit answered 503 may still have reached the store before its deadline cut the wait short.
    expect(final.body.version).toBeGreaterThanOrEqual(1 + succeeded);
  });

  it('a store slower than an attempt may take makes /health fail, so the Region leaves DNS', async () => {
    proxy.slowDown(1500);
    const health = await answerOf('GET', '/health', {});
    expect(health).toMatchObject({ status: 503, body: { status: 'unhealthy' } });
  });
});

describe('a Region still loading its data', () => {
  it('answers /health 503 starting until it is ready, then 200', async () => {
    const loading = await startTestApi({ loading: true });
    try {
      const starting = await loading.call('GET', '/health');
      expect(starting.status).toBe(503);
      expect(starting.headers.get('retry-after')).toBe('5');
      expect(starting.body).toMatchObject({
        status: 'starting',
        checks: { projections: { starting: true } },
      });
      await loading.region.markReady();
      const ready = await loading.call('GET', '/health');
      expect(ready.status).toBe(200);
      expect(ready.body.status).toBe('ok');
    } finally {
      await loading.stop();
    }
  });
});
