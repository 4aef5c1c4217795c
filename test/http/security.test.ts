import { importJWK, SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { TokenRefused, verifyAuthorization } from '../../functions/bearer-token.js';
import { handler as authorizer } from '../../functions/handlers/authorizer.js';
import { PUBLIC_MAX_AGE_SECONDS } from '../../functions/http/response-headers.js';
import { keyId, LOCAL_AUDIENCE, LOCAL_ISSUER, LOCAL_SIGNING_ALG } from '../../local/tokens.js';
import { startTestApi, type TestApi } from '../support/local-api.js';

/**
 * The production authorizer and the one verifier it shares with the functions stay in place (every call goes
 * through to them); the spies count their calls and can break them, which is how these tests see that the
 * gateway has no verifier of its own and that routes open to anyone verify tokens with the same one.
 */
vi.mock('../../functions/handlers/authorizer.js', async (importOriginal) => {
  const real = await importOriginal<{ handler: typeof authorizer }>();
  return { handler: vi.fn(real.handler) };
});
vi.mock('../../functions/bearer-token.js', async (importOriginal) => {
  const real = await importOriginal<{ verifyAuthorization: typeof verifyAuthorization }>();
  return { ...real, verifyAuthorization: vi.fn(real.verifyAuthorization) };
});
const authorizerCalls = vi.mocked(authorizer);
const verifierCalls = vi.mocked(verifyAuthorization);

let api: TestApi;
/** A read that needs an admin or agency token: what a stolen or immortal token would be used for. */
let agencyPath: string;
beforeAll(async () => {
  api = await startTestApi();
  const created = await api.call('POST', '/v1/agencies', {
    token: await api.token('admin'),
    body: { name: '보안 시험 기관', institutionCode: '7000016', kind: 'CENTRAL', network: 'INTERNET' },
  });
  expect(created.status, JSON.stringify(created.body)).toBe(201);
  agencyPath = `/v1/agencies/${created.body.id}`;
});
afterAll(async () => {
  await api?.stop();
});

/** A token signed by the local key, with the claims exactly as given (nothing added). */
async function signed(claims: Record<string, unknown>): Promise<string> {
  return new SignJWT({ iss: LOCAL_ISSUER, aud: LOCAL_AUDIENCE, sub: 'intruder', role: 'admin', ...claims })
    .setProtectedHeader({ alg: LOCAL_SIGNING_ALG, kid: await keyId(api.keys) })
    .sign(await importJWK(api.keys.privateJwk, LOCAL_SIGNING_ALG));
}
const now = () => Math.floor(Date.now() / 1000);

describe('tokens', () => {
  it('refuses a token without exp, or older than 12 hours, with 401 and writes nothing', async () => {
    await api.settle();
    const before = await api.snapshot();
    for (const token of [
      await signed({ iat: now() }),
      await signed({ iat: now() - 13 * 3600, exp: now() + 3600 }),
      await signed({ exp: now() + 3600 }),
    ]) {
      const read = await api.call('GET', agencyPath, { token });
      expect(read.status).toBe(401);
      expect(read.headers.get('www-authenticate')).toMatch(/^Bearer/);
      const write = await api.call('POST', '/v1/providers', {
        token,
        body: { name: 'Intruder', businessRegistrationNumber: '1248100998', contactEmail: 'x@y.kr' },
      });
      expect(write.status).toBe(401);
    }
    await api.settle();
    expect(await api.snapshot()).toEqual(before);
  });

  it('accepts a token with exp and iat inside the cap', async () => {
    const token = await signed({ iat: now() - 11 * 3600, exp: now() + 3600 });
    expect((await api.call('GET', agencyPath, { token })).status).toBe(200);
  });
});

describe('the gateway runs the production authorizer', () => {
  it('calls it once per token within the cache TTL on routes that need a token, and never on open routes', async () => {
    const token = await api.token('admin', undefined, 'cache-check');
    authorizerCalls.mockClear();
    expect((await api.call('GET', agencyPath, { token })).status).toBe(200);
    expect((await api.call('GET', agencyPath, { token })).status).toBe(200);
    expect(authorizerCalls).toHaveBeenCalledTimes(1);
    expect(authorizerCalls.mock.calls[0]?.[0]).toMatchObject({
      type: 'REQUEST',
      methodArn: expect.stringMatching(/\/GET\/v1\/agencies\/[^/]+$/),
    });
    verifierCalls.mockClear();
    await api.call('GET', '/v1/stats');
    await api.call('GET', '/v1/stats');
    expect(verifierCalls).not.toHaveBeenCalled();
    // A token sent to an open route is verified by its function, on every request, with the same verifier.
    expect((await api.call('GET', '/v1/stats', { token })).status).toBe(200);
    expect((await api.call('GET', '/v1/stats', { token })).status).toBe(200);
    expect(verifierCalls.mock.calls).toEqual([[`Bearer ${token}`], [`Bearer ${token}`]]);
    expect(authorizerCalls).toHaveBeenCalledTimes(1);
  });

  it('answers 401 to every token, valid ones included, on every route once the verifier refuses', async () => {
    const token = await api.token('admin', undefined, 'broken-verifier');
    verifierCalls.mockRejectedValueOnce(new TokenRefused()).mockRejectedValueOnce(new TokenRefused());
    for (const path of [agencyPath, '/v1/stats']) {
      const refused = await api.call('GET', path, { token });
      expect(refused.status, path).toBe(401);
      expect(refused.headers.get('www-authenticate'), path).toBe('Bearer error="invalid_token"');
      expect(refused.body, path).toMatchObject({ type: '/problems/unauthenticated', status: 401 });
    }
    expect((await api.call('GET', agencyPath, { token })).status).toBe(200);
    expect((await api.call('GET', '/v1/stats', { token })).status).toBe(200);
  });

  it('answers 500, not 401, when the authorizer or the verifier fails', async () => {
    authorizerCalls.mockRejectedValueOnce(new Error('OIDC discovery answered 503'));
    const token = await api.token('admin', undefined, 'unreachable-issuer');
    verifierCalls.mockRejectedValueOnce(new Error('OIDC discovery answered 503'));
    for (const path of [agencyPath, '/v1/stats']) {
      const failed = await api.call('GET', path, { token });
      expect(failed.status, path).toBe(500);
      expect(failed.headers.get('content-type'), path).toBe('application/problem+json');
    }
  });
});

describe('response headers', () => {
  const securityHeaders = (headers: Headers) => ({
    nosniff: headers.get('x-content-type-options'),
    hsts: headers.get('strict-transport-security'),
  });
  const expectedSecurity = { nosniff: 'nosniff', hsts: expect.stringMatching(/^max-age=\d+/) };

  it('lets anyone cache anonymous catalog and stats reads briefly, with an ETag that revalidates to 304', async () => {
    for (const path of ['/v1/stats', '/v1/services?limit=5']) {
      const first = await api.call('GET', path);
      expect(first.status, path).toBe(200);
      expect(first.headers.get('cache-control')).toBe(`public, max-age=${PUBLIC_MAX_AGE_SECONDS}`);
      expect(first.headers.get('vary')).toBe('Authorization');
      expect(securityHeaders(first.headers)).toEqual(expectedSecurity);
      const etag = first.headers.get('etag');
      expect(etag).toMatch(/^".+"$/);
      const again = await api.call('GET', path, { headers: { 'if-none-match': etag ?? '' } });
      expect(again.status).toBe(304);
      expect(again.headers.get('cache-control')).toBe(`public, max-age=${PUBLIC_MAX_AGE_SECONDS}`);
    }
  });

  it('forbids storing anything authenticated, failed or not public', async () => {
    const admin = await api.token('admin');
    const answers = [
      await api.call('GET', '/v1/stats', { token: admin }),
      await api.call('GET', agencyPath, { token: admin }),
      await api.call('GET', '/health'),
      await api.call('GET', '/v1/services/svc-none'),
      await api.call('GET', agencyPath),
      await api.call('GET', agencyPath, { token: 'not-a-jwt' }),
      await api.call('GET', '/nowhere'),
      await api.call('DELETE', '/v1/stats'),
      await api.call('POST', '/v1/providers', { token: admin, body: {} }),
    ];
    expect(answers.map((answer) => answer.status)).toEqual([200, 200, 200, 404, 401, 401, 404, 405, 400]);
    for (const answer of answers) {
      expect(answer.headers.get('cache-control')).toBe('no-store');
      expect(securityHeaders(answer.headers)).toEqual(expectedSecurity);
    }
  });
});
