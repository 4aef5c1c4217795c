/**
 * Issue 26 through HTTP on DynamoDB Local: what independent contract tools found where the document and the
 * server disagreed, each now answered as the document says (every answer here is also checked against the
 * document by `api.call`).
 */
import { connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { rejectsWithoutWriting } from '../support/assertions.js';
import { createAgency, createProvider, seedService, serviceBody } from '../support/fixtures.js';
import { startTestApi, type TestApi } from '../support/local-api.js';

let api: TestApi;
let admin: string;
let committee: string;
let providerId: string;
let provider: string;
let agency: string;

beforeAll(async () => {
  api = await startTestApi();
  admin = await api.token('admin', undefined, 'agreement-admin');
  committee = await api.token('committee', undefined, 'agreement-committee');
  providerId = await createProvider(api, '260811111');
  provider = await api.token('provider', providerId, 'agreement-provider');
  agency = await api.token('agency', await createAgency(api, '2600001'), 'agreement-agency');
}, 60_000);
afterAll(async () => api?.stop());

describe('path parameters', () => {
  it('answers a percent-escape that spells no UTF-8 text with a 400 problem, on reads and writes', async () => {
    for (const escape of ['%ff', '%E2%82', '%']) {
      for (const [method, path, token] of [
        ['GET', `/v1/services/${escape}`, undefined],
        ['GET', `/v1/review-sessions/${escape}`, committee],
        ['GET', `/v1/services/svc_x/versions/${escape}`, undefined],
        ['POST', `/v1/contracts/${escape}/sign`, agency],
        ['POST', `/v1/audit/${escape}/acknowledge`, admin],
      ] as const) {
        const answer = await rejectsWithoutWriting(api, method, path, token ? { token } : {}, 400);
        expect(answer.body.errors?.[0]?.path, `${method} ${path}`).toMatch(/^\/path\//);
      }
    }
  });

  it('still decodes well-formed escapes', async () => {
    const service = await seedService(api, providerId);
    const read = await api.call('GET', `/v1/services/${service.id.replace('_', '%5F')}`);
    expect(read.status).toBe(200);
    expect(read.body.id).toBe(service.id);
  });

  it('answers a path with a trailing slash 404, as the document has no such path', async () => {
    for (const path of ['/v1/services/', '/v1/stats/', '/health/']) {
      const answer = await api.call('GET', path);
      expect(answer.status, path).toBe(404);
      expect(answer.headers.get('content-type')).toBe('application/problem+json');
    }
  });
});

describe('the gateway’s own answers are problem+json', () => {
  /** Writes a raw request and reads the raw answer: `fetch` cannot send headers over Node's limit. */
  function rawRequest(request: string): Promise<string> {
    const { port } = new URL(api.region.url);
    return new Promise((resolve, reject) => {
      const socket = connect(Number(port), '127.0.0.1', () => socket.write(request));
      let answer = '';
      socket.on('data', (chunk) => (answer += chunk.toString('utf8')));
      socket.on('end', () => resolve(answer));
      socket.on('error', reject);
    });
  }

  it('answers headers over the limit with a 431 problem', async () => {
    const answer = await rawRequest(
      `GET /v1/stats HTTP/1.1\r\nHost: local\r\nX-Padding: ${'x'.repeat(20_000)}\r\n\r\n`,
    );
    const [head = '', body = ''] = answer.split('\r\n\r\n');
    expect(head).toMatch(/^HTTP\/1\.1 431 /);
    expect(head.toLowerCase()).toContain('content-type: application/problem+json');
    expect(JSON.parse(body)).toMatchObject({ status: 431, type: '/problems/headers-too-large' });
  });

  it('answers a request that is not HTTP with a 400 problem', async () => {
    const answer = await rawRequest('NOT HTTP AT ALL\r\n\r\n');
    const [head = '', body = ''] = answer.split('\r\n\r\n');
    expect(head).toMatch(/^HTTP\/1\.1 400 /);
    expect(JSON.parse(body)).toMatchObject({ status: 400, type: '/problems/invalid' });
  });
});

describe('idempotency keys', () => {
  it('answers a review session created again with the key and another body 409, creating nothing', async () => {
    const headers = { 'idempotency-key': 'session-key-reused' };
    const first = await api.call('POST', '/v1/review-sessions', {
      token: committee,
      body: { number: 2601, date: '2026-03-02' },
      headers,
    });
    expect(first.status, JSON.stringify(first.body)).toBe(201);
    await rejectsWithoutWriting(
      api,
      'POST',
      '/v1/review-sessions',
      { token: committee, body: { number: 2602, date: '2026-03-02' }, headers },
      409,
    );
    expect((await api.call('GET', '/v1/review-sessions/2602', { token: committee })).status).toBe(404);
    const replay = await api.call('POST', '/v1/review-sessions', {
      token: committee,
      body: { number: 2601, date: '2026-03-02' },
      headers,
    });
    expect(replay.status).toBe(201);
    expect(replay.headers.get('idempotent-replayed')).toBe('true');
  });

  it('gives exactly one fresh 201 per key under concurrent creates; every other answer is a replay', async () => {
    const listed = await seedService(api, providerId);
    // One instant for every request, so each attempt builds the very same entity: only the store's record
    // of which attempt wrote it can tell a concurrent duplicate from a lost answer of one's own.
    vi.useFakeTimers({ toFake: ['Date'], now: Date.now() });
    try {
      const creates = [
        {
          path: '/v1/contracts',
          token: agency,
          body: { serviceId: listed.id, planId: 'basic', quantity: 1, months: 12, method: 'CATALOG' },
        },
        { path: '/v1/services', token: provider, body: serviceBody({ name: '동시 생성' }) },
        { path: '/v1/review-sessions', token: committee, body: { number: 2603, date: '2026-03-03' } },
      ];
      for (const create of creates) {
        const answers = await Promise.all(
          Array.from({ length: 12 }, () =>
            api.call('POST', create.path, {
              token: create.token,
              body: create.body,
              headers: { 'idempotency-key': `race-${create.path}` },
            }),
          ),
        );
        expect(
          answers.map((a) => a.status),
          create.path,
        ).toEqual(answers.map(() => 201));
        const fresh = answers.filter((a) => a.headers.get('idempotent-replayed') !== 'true');
        expect(fresh, create.path).toHaveLength(1);
        expect(new Set(answers.map((a) => a.headers.get('location'))).size).toBe(1);
      }
    } finally {
      vi.useRealTimers();
    }
  });
});

describe('If-Match on an acknowledgement', () => {
  it('answers an ETag 412 and records nothing; * acknowledges', async () => {
    await api.settle();
    const eventId = `provider:${providerId}:v1`;
    const path = `/v1/audit/${eventId}/acknowledge`;
    await rejectsWithoutWriting(
      api,
      'POST',
      path,
      { token: admin, headers: { 'if-match': '"999999"' } },
      412,
    );
    const acknowledged = await api.call('POST', path, { token: admin, headers: { 'if-match': '*' } });
    expect(acknowledged.status, JSON.stringify(acknowledged.body)).toBe(200);
    expect(acknowledged.body.acknowledged).toMatchObject({ by: 'agreement-admin' });
  });
});
