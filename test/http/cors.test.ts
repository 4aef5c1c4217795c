/**
 * CORS through the local gateway (issue 26), as API Gateway answers it: preflights are the gateway's own
 * answer and allow only the listed origins; anonymous reads open to anyone allow every origin; every other
 * answer only a listed one; the gateway's own refusals carry the headers too. A real browser proves the
 * same in `npm run cors:browser`.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { corsAllowedHeaders, corsExposedHeaders } from '../../functions/http/cors.js';
import { createProvider, seedService, serviceBody } from '../support/fixtures.js';
import { startTestApi, type TestApi } from '../support/local-api.js';

const listed = 'http://127.0.0.1:3180';
const unlisted = 'http://127.0.0.1:3181';
const exposed = corsExposedHeaders.join(', ');

let api: TestApi;
let provider: string;
let serviceId: string;
beforeAll(async () => {
  api = await startTestApi({ corsOrigins: [listed, 'https://front.example.go.kr'] });
  const providerId = await createProvider(api, '260833333');
  provider = await api.token('provider', providerId);
  serviceId = (await seedService(api, providerId, { status: 'DRAFT', selection: null, version: 1 })).id;
}, 60_000);
afterAll(async () => api?.stop());

const preflight = (path: string, origin: string, method: string) =>
  fetch(`${api.region.url}${path}`, {
    method: 'OPTIONS',
    headers: {
      origin,
      'access-control-request-method': method,
      'access-control-request-headers': 'authorization, content-type, idempotency-key, if-match',
    },
  });

describe('preflights', () => {
  it('allow a listed origin the path’s methods and the headers the API reads, without running a function', async () => {
    const answer = await preflight(`/v1/services/${serviceId}`, listed, 'PATCH');
    expect(answer.status).toBe(204);
    expect(answer.headers.get('access-control-allow-origin')).toBe(listed);
    expect(answer.headers.get('access-control-allow-methods')).toBe('GET, PATCH, OPTIONS');
    expect(answer.headers.get('access-control-allow-headers')).toBe(corsAllowedHeaders.join(', '));
    expect(answer.headers.get('access-control-allow-credentials')).toBeNull();
    expect(answer.headers.get('vary')).toBe('Origin');
    // Every function answer carries its request id; the gateway's own answers do not.
    expect(answer.headers.get('x-request-id')).toBeNull();
  });

  it('allow an origin that is not listed nothing', async () => {
    for (const path of ['/v1/services', '/v1/stats', '/v1/contracts']) {
      const answer = await preflight(path, unlisted, 'GET');
      expect(answer.status).toBe(204);
      expect(answer.headers.get('access-control-allow-origin')).toBeNull();
      expect(answer.headers.get('access-control-allow-methods')).toBeNull();
    }
  });

  it('are a 404 problem on a path the route table does not have', async () => {
    const answer = await preflight('/v1/nothing', listed, 'GET');
    expect(answer.status).toBe(404);
    expect(answer.headers.get('content-type')).toBe('application/problem+json');
  });
});

describe('answers', () => {
  it('let any origin read the catalog and the statistics anonymously, without credentials', async () => {
    for (const path of ['/v1/services', '/v1/stats']) {
      const answer = await api.call('GET', path, { headers: { origin: unlisted } });
      expect(answer.status).toBe(200);
      expect(answer.headers.get('access-control-allow-origin')).toBe('*');
      expect(answer.headers.get('access-control-expose-headers')).toBe(exposed);
      expect(answer.headers.get('access-control-allow-credentials')).toBeNull();
    }
  });

  it('name a listed origin back on a write, and allow no other origin', async () => {
    const body = serviceBody({ name: 'CORS 시험' });
    const fromListed = await api.call('POST', '/v1/services', {
      token: provider,
      body,
      headers: { origin: listed, 'idempotency-key': 'cors-1' },
    });
    expect(fromListed.status).toBe(201);
    expect(fromListed.headers.get('access-control-allow-origin')).toBe(listed);
    expect(fromListed.headers.get('access-control-expose-headers')).toBe(exposed);
    const fromOther = await api.call('POST', '/v1/services', {
      token: provider,
      body,
      headers: { origin: unlisted, 'idempotency-key': 'cors-1' },
    });
    expect(fromOther.headers.get('access-control-allow-origin')).toBeNull();
    const noOrigin = await api.call('GET', `/v1/services/${serviceId}`, { token: provider });
    expect(noOrigin.headers.get('access-control-allow-origin')).toBeNull();
  });

  it('carry the headers on the gateway’s own refusals', async () => {
    const refused = await api.call('GET', '/v1/contracts', {
      token: 'not-a-token',
      headers: { origin: listed },
    });
    expect(refused.status).toBe(401);
    expect(refused.headers.get('access-control-allow-origin')).toBe('*');
    expect(refused.headers.get('access-control-expose-headers')).toBe(exposed);
  });
});
