import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { APIGatewayRequestAuthorizerEvent } from 'aws-lambda';
import { exportJWK, generateKeyPair, type JWTPayload, SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';

/**
 * The API Gateway authorizer (`functions/handlers/authorizer.ts`) against a local OIDC issuer: discovery
 * document and key set served over loopback HTTP, tokens signed here.
 */
type SigningKey = Parameters<SignJWT['sign']>[0];
const AUDIENCE = 'dsm-api';
const METHOD_ARN =
  'arn:aws:execute-api:ap-northeast-2:111111111111:abc123/live/POST/v1/services/svc-1/submit';

const { privateKey, publicKey } = await generateKeyPair('ES256');
const stranger = await generateKeyPair('ES256');
const jwk = { ...(await exportJWK(publicKey)), kid: 'k1', alg: 'ES256', use: 'sig' };

let issuer = '';
let discoveryRequests = 0;
const server = createServer((req, res) => {
  res.setHeader('content-type', 'application/json');
  if (req.url === '/.well-known/openid-configuration') {
    discoveryRequests += 1;
    res.end(JSON.stringify({ issuer, jwks_uri: `${issuer}/keys` }));
  } else if (req.url === '/keys') {
    res.end(JSON.stringify({ keys: [jwk] }));
  } else {
    res.statusCode = 404;
    res.end('{}');
  }
});

type Handler = (event: APIGatewayRequestAuthorizerEvent) => Promise<{
  principalId: string;
  policyDocument: { Statement: { Effect: string; Resource: string }[] };
  context?: Record<string, unknown>;
}>;
let handler: Handler;

beforeAll(async () => {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  process.env.OIDC_ISSUER = issuer;
  process.env.OIDC_AUDIENCE = AUDIENCE;
  delete process.env.OIDC_JWKS_URI;
  ({ handler } = (await import('../../functions/handlers/authorizer.js')) as unknown as { handler: Handler });
});

afterAll(async () => {
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

function event(headers: Record<string, string> | null): APIGatewayRequestAuthorizerEvent {
  return { type: 'REQUEST', methodArn: METHOD_ARN, headers } as unknown as APIGatewayRequestAuthorizerEvent;
}

const HOUR = 3600;
const nowSeconds = () => Math.floor(Date.now() / 1000);

interface TokenOptions {
  key?: SigningKey;
  alg?: string;
  issuer?: string;
  audience?: string;
  /** `exp` as jose's relative time ("5m", "-10m"); `null` leaves the claim out. */
  expires?: string | null;
  /** `iat` in seconds since the epoch; `null` leaves the claim out. */
  issuedAt?: number | null;
}

async function token(claims: JWTPayload, options: TokenOptions = {}) {
  const jwt = new SignJWT(claims)
    .setProtectedHeader({ alg: options.alg ?? 'ES256', kid: 'k1' })
    .setIssuer(options.issuer ?? issuer)
    .setAudience(options.audience ?? AUDIENCE);
  if (options.issuedAt !== null) jwt.setIssuedAt(options.issuedAt ?? nowSeconds());
  if (options.expires !== null) jwt.setExpirationTime(options.expires ?? '5m');
  return jwt.sign(options.key ?? privateKey);
}

const bearer = async (options: TokenOptions) => `Bearer ${await token({ sub: 'u', role: 'admin' }, options)}`;

describe('authorizer', () => {
  it('lets a request without Authorization through as anonymous, for the whole stage', async () => {
    const result = await handler(event(null));
    expect(result.principalId).toBe('anonymous');
    expect(result.context).toEqual({ sub: '', role: '', org: '' });
    expect(result.policyDocument.Statement).toEqual([
      {
        Action: 'execute-api:Invoke',
        Effect: 'Allow',
        Resource: 'arn:aws:execute-api:ap-northeast-2:111111111111:abc123/live/*',
      },
    ]);
    expect(discoveryRequests).toBe(0);
  });

  it('passes the claims of a valid token on', async () => {
    const bearer = await token({ sub: 'user-1', role: 'provider', org: 'prv-1' });
    const result = await handler(event({ Authorization: `Bearer ${bearer}` }));
    expect(result.principalId).toBe('user-1');
    expect(result.context).toEqual({ sub: 'user-1', role: 'provider', org: 'prv-1' });
    expect(result.policyDocument.Statement[0]?.Effect).toBe('Allow');
  });

  it('reads the header case-insensitively and defaults org to empty', async () => {
    const bearer = await token({ sub: 'user-2', role: 'admin' });
    const result = await handler(event({ authorization: `bearer ${bearer}` }));
    expect(result.context).toEqual({ sub: 'user-2', role: 'admin', org: '' });
    expect(discoveryRequests).toBe(1);
  });

  it.each([
    ['not a bearer token', async () => 'Basic dXNlcjpwYXNz'],
    ['an empty header', async () => ''],
    ['garbage', async () => 'Bearer not-a-jwt'],
    [
      'an expired token',
      async () => `Bearer ${await token({ sub: 'u', role: 'admin' }, { expires: '-10m' })}`,
    ],
    [
      'another audience',
      async () => `Bearer ${await token({ sub: 'u', role: 'admin' }, { audience: 'other' })}`,
    ],
    [
      'another issuer',
      async () => `Bearer ${await token({ sub: 'u', role: 'admin' }, { issuer: 'https://evil' })}`,
    ],
    [
      'a foreign key',
      async () => `Bearer ${await token({ sub: 'u', role: 'admin' }, { key: stranger.privateKey })}`,
    ],
    [
      'a shared-secret token',
      async () =>
        `Bearer ${await token({ sub: 'u', role: 'admin' }, { alg: 'HS256', key: new Uint8Array(32) })}`,
    ],
    ['an unknown role', async () => `Bearer ${await token({ sub: 'u', role: 'root' })}`],
    ['no subject', async () => `Bearer ${await token({ role: 'admin' })}`],
    ['a token without exp', () => bearer({ expires: null })],
    ['a token without iat', () => bearer({ issuedAt: null })],
    [
      'a token older than 12 hours, though its exp is ahead',
      () => bearer({ issuedAt: nowSeconds() - 13 * HOUR, expires: '1h' }),
    ],
    ['a token issued in the future', () => bearer({ issuedAt: nowSeconds() + 60 })],
    ['a token expired a minute ago', () => bearer({ expires: '-1m' })],
  ])('rejects %s with Unauthorized (a 401)', async (_, authorization) => {
    await expect(handler(event({ Authorization: await authorization() }))).rejects.toThrow(/^Unauthorized$/);
  });

  it('tolerates a few seconds of clock difference and accepts any token younger than the cap', async () => {
    for (const options of [
      { expires: '-2s' },
      { issuedAt: nowSeconds() + 2 },
      { issuedAt: nowSeconds() - 11 * HOUR, expires: '30d' },
    ]) {
      const result = await handler(event({ Authorization: await bearer(options) }));
      expect(result.principalId, JSON.stringify(options)).toBe('u');
    }
  });

  it('caps token age at OIDC_MAX_TOKEN_AGE_SECONDS when set', async () => {
    vi.resetModules();
    process.env.OIDC_MAX_TOKEN_AGE_SECONDS = '600';
    try {
      const capped = (await import('../../functions/handlers/authorizer.js')) as unknown as {
        handler: Handler;
      };
      const young = await bearer({ issuedAt: nowSeconds() - 300 });
      expect((await capped.handler(event({ Authorization: young }))).principalId).toBe('u');
      const old = await bearer({ issuedAt: nowSeconds() - 900 });
      await expect(capped.handler(event({ Authorization: old }))).rejects.toThrow(/^Unauthorized$/);
    } finally {
      delete process.env.OIDC_MAX_TOKEN_AGE_SECONDS;
    }
  });

  it('answers an unreachable identity provider with an error, not a 401, and still serves anonymous callers', async () => {
    vi.resetModules();
    process.env.OIDC_ISSUER = 'http://127.0.0.1:1';
    try {
      const fresh = (await import('../../functions/handlers/authorizer.js')) as unknown as {
        handler: Handler;
      };
      const bearer = await token({ sub: 'u', role: 'admin' });
      const failure = await fresh
        .handler(event({ Authorization: `Bearer ${bearer}` }))
        .catch((error: Error) => error);
      expect(failure).toBeInstanceOf(Error);
      expect((failure as Error).message).not.toBe('Unauthorized');
      expect((await fresh.handler(event({}))).principalId).toBe('anonymous');
    } finally {
      process.env.OIDC_ISSUER = issuer;
    }
  });
});
