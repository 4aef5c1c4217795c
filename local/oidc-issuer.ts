import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { keyId, LOCAL_AUDIENCE, LOCAL_ISSUER, LOCAL_SIGNING_ALG, type SigningKeys } from './tokens.js';

export interface LocalIssuer {
  /** `/.well-known/openid-configuration`: the issuer and where its keys are. */
  readonly discoveryUrl: string;
  readonly jwksUri: string;
  /** What the authorizer reads to trust this issuer's tokens, as the CDK sets it for the real one. */
  readonly authorizerEnvironment: Readonly<Record<string, string>>;
  close(): Promise<void>;
}

/**
 * The local identity provider's public side: an OpenID Connect discovery document and the key set, on a
 * loopback port of its own. The issuer stays `urn:dsm:local-idp` whatever the port, so tokens minted once
 * (the drill's) are good in every local Region; the authorizer therefore gets the key set's address
 * directly (`OIDC_JWKS_URI`), which it also honours in AWS.
 */
export async function startLocalIssuer(
  keys: SigningKeys,
  options: { readonly maxTokenAgeSeconds: number },
): Promise<LocalIssuer> {
  const keySet = {
    keys: [{ ...keys.publicJwk, kid: await keyId(keys), alg: LOCAL_SIGNING_ALG, use: 'sig' }],
  };
  let base = '';
  const server = createServer((req, res) => {
    res.setHeader('content-type', 'application/json');
    if (req.method === 'GET' && req.url === '/.well-known/openid-configuration') {
      res.end(
        JSON.stringify({
          issuer: LOCAL_ISSUER,
          jwks_uri: `${base}/.well-known/jwks.json`,
          id_token_signing_alg_values_supported: [LOCAL_SIGNING_ALG],
          subject_types_supported: ['public'],
          claims_supported: ['sub', 'role', 'org', 'iss', 'aud', 'iat', 'exp'],
        }),
      );
    } else if (req.method === 'GET' && req.url === '/.well-known/jwks.json') {
      res.end(JSON.stringify(keySet));
    } else {
      res.statusCode = 404;
      res.end('{}');
    }
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const jwksUri = `${base}/.well-known/jwks.json`;
  return {
    discoveryUrl: `${base}/.well-known/openid-configuration`,
    jwksUri,
    authorizerEnvironment: {
      OIDC_ISSUER: LOCAL_ISSUER,
      OIDC_AUDIENCE: LOCAL_AUDIENCE,
      OIDC_JWKS_URI: jwksUri,
      OIDC_MAX_TOKEN_AGE_SECONDS: String(options.maxTokenAgeSeconds),
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
