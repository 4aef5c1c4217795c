import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LoadDriver } from '../../local/drill/load.js';

/**
 * The drill's client against a stand-in front that throttles the first attempt of every request with 429 and
 * Retry-After, as the local gateway or API Gateway would, and answers the retry.
 */
const seen: { method: string; path: string; idempotencyKey: string | undefined }[] = [];
const server = createServer((req: IncomingMessage, res) => {
  const path = req.url ?? '';
  const idempotencyKey = req.headers['idempotency-key'] as string | undefined;
  const first = !seen.some((request) => request.method === req.method && request.path === path);
  seen.push({ method: req.method ?? '', path, idempotencyKey });
  req.resume();
  if (first) {
    res.writeHead(429, { 'content-type': 'application/problem+json', 'retry-after': '1' });
    return res.end(JSON.stringify({ type: '/problems/throttled', status: 429 }));
  }
  const step = path.split('/').at(-1);
  const contract =
    step === 'contracts'
      ? { status: 201, body: { id: 'ctr-1', version: 1, status: 'REQUESTED', catalogAmountKrw: 1000 } }
      : step === 'quote'
        ? { status: 200, body: { id: 'ctr-1', version: 2, status: 'QUOTED' } }
        : { status: 200, body: { id: 'ctr-1', version: 3, status: 'ACTIVE' } };
  res.writeHead(contract.status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(contract.body));
});

let frontUrl = '';
beforeAll(async () => {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  frontUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

describe('drill client', () => {
  it('retries a 429 unchanged and completes the flow', async () => {
    const driver = new LoadDriver({
      frontUrl,
      agencies: [{ id: 'agy-1', token: 'agency-token' }],
      providerToken: 'provider-token',
      serviceId: 'svc-1',
      planId: 'plan-1',
      rate: 1,
      durationMs: 1,
      runId: 'retry-429',
    });
    await driver.run();
    expect(driver.flows).toMatchObject({ started: 1, completed: 1, failed: 0 });
    expect(driver.acknowledged.map((write) => [write.step, write.version])).toEqual([
      ['create', 1],
      ['quote', 2],
      ['sign', 3],
    ]);
    expect(driver.errors).toEqual({ '429': 3 });
    const creates = seen.filter((request) => request.path === '/v1/contracts');
    expect(creates).toHaveLength(2);
    expect(new Set(creates.map((request) => request.idempotencyKey))).toEqual(new Set(['retry-429-0']));
  });
});
