import type { APIGatewayAuthorizerResult, APIGatewayRequestAuthorizerEvent } from 'aws-lambda';
import { createRemoteJWKSet, errors, type JWTVerifyGetKey, jwtVerify } from 'jose';
import { defaultApiLimits } from '../api-limits.js';
import { type Role, roles } from '../domain/caller.js';

/**
 * API Gateway REQUEST authorizer for every route, in AWS and behind the local gateway alike. It verifies
 * `Authorization: Bearer <JWT>` against the configured OIDC issuer (`OIDC_ISSUER`, `OIDC_AUDIENCE`; keys from
 * the issuer's discovery document, or `OIDC_JWKS_URI` when set) and passes `{sub, role, org}` on as
 * `requestContext.authorizer`. A token must carry `sub`, `exp` and `iat`, and is refused once older than
 * `OIDC_MAX_TOKEN_AGE_SECONDS` (from its `iat`, whatever its `exp`), so a token an identity provider
 * mis-issued without expiry or with a very long one still dies. Roles are enforced by the handlers, from the
 * route table:
 *
 * - no Authorization header: allowed as anonymous (`sub: ''`), so public reads and `/health` never depend
 *   on the identity provider being reachable (routes that need a token never get here without one: their
 *   authorizer is cached on the header, and API Gateway answers its absence with 401 itself);
 * - a valid token: allowed with its claims;
 * - anything else: `Unauthorized`, which API Gateway answers with 401 (the UNAUTHORIZED gateway response).
 *
 * Failing to reach the identity provider is not the caller's fault: that error propagates and API Gateway
 * answers 500 instead of a misleading 401.
 */

/** Asymmetric algorithms only: a shared-secret (HS*) token can never verify against a public key set. */
const ALGORITHMS = ['RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512', 'ES256', 'ES384', 'ES512', 'EdDSA'];
const DISCOVERY_TIMEOUT_MS = 3000;
/** Clocks of the identity provider and of Lambda may disagree by a few seconds, no more. */
const CLOCK_TOLERANCE_SECONDS = 5;

/** jose failures that mean "this token is not acceptable" rather than "the key set could not be fetched". */
const REJECTED_TOKEN_CODES = new Set([
  errors.JWTClaimValidationFailed.code,
  errors.JWTExpired.code,
  errors.JWTInvalid.code,
  errors.JWSInvalid.code,
  errors.JWSSignatureVerificationFailed.code,
  errors.JWKSNoMatchingKey.code,
  errors.JWKSMultipleMatchingKeys.code,
  errors.JOSEAlgNotAllowed.code,
  errors.JOSENotSupported.code,
]);

interface Verifier {
  readonly issuer: string;
  readonly audience: string;
  readonly keys: JWTVerifyGetKey;
  readonly maxTokenAgeSeconds: number;
}

/** Claims handed to the API functions; values must be strings for API Gateway. */
type AuthorizerContext = { sub: string; role: Role | ''; org: string };

let verifier: Promise<Verifier> | undefined;

export async function handler(event: APIGatewayRequestAuthorizerEvent): Promise<APIGatewayAuthorizerResult> {
  const authorization = headerValue(event.headers, 'authorization');
  if (authorization === undefined) {
    return allow(event.methodArn, 'anonymous', { sub: '', role: '', org: '' });
  }
  const token = /^Bearer\s+(\S+)\s*$/i.exec(authorization)?.[1];
  if (!token) throw unauthorized();
  const context = await verify(token);
  return allow(event.methodArn, context.sub, context);
}

async function verify(token: string): Promise<AuthorizerContext> {
  const { issuer, audience, keys, maxTokenAgeSeconds } = await currentVerifier();
  let payload: Record<string, unknown>;
  try {
    ({ payload } = await jwtVerify(token, keys, {
      issuer,
      audience,
      algorithms: ALGORITHMS,
      requiredClaims: ['sub', 'exp', 'iat'],
      maxTokenAge: maxTokenAgeSeconds,
      clockTolerance: CLOCK_TOLERANCE_SECONDS,
    }));
  } catch (error) {
    if (error instanceof errors.JOSEError && REJECTED_TOKEN_CODES.has(error.code)) throw unauthorized();
    throw error;
  }
  const { sub, role, org } = payload;
  if (typeof sub !== 'string' || sub === '' || !roles.includes(role as Role)) throw unauthorized();
  return { sub, role: role as Role, org: typeof org === 'string' ? org : '' };
}

/** Built on first use and kept for the container's life; a failed discovery is retried on the next call. */
function currentVerifier(): Promise<Verifier> {
  verifier ??= buildVerifier().catch((error: unknown) => {
    verifier = undefined;
    throw error;
  });
  return verifier;
}

async function buildVerifier(): Promise<Verifier> {
  const issuer = requiredEnv('OIDC_ISSUER');
  const audience = requiredEnv('OIDC_AUDIENCE');
  const maxTokenAgeSeconds = Number(
    process.env.OIDC_MAX_TOKEN_AGE_SECONDS || defaultApiLimits.maxTokenAgeSeconds,
  );
  if (!Number.isInteger(maxTokenAgeSeconds) || maxTokenAgeSeconds <= 0) {
    throw new Error('OIDC_MAX_TOKEN_AGE_SECONDS must be a positive whole number of seconds');
  }
  const jwksUri = process.env.OIDC_JWKS_URI || (await discoverJwksUri(issuer));
  return { issuer, audience, keys: createRemoteJWKSet(new URL(jwksUri)), maxTokenAgeSeconds };
}

/** OpenID Connect discovery: the key set's location, from a document that must name the same issuer. */
async function discoverJwksUri(issuer: string): Promise<string> {
  const url = `${issuer.replace(/\/+$/, '')}/.well-known/openid-configuration`;
  const response = await fetch(url, { signal: AbortSignal.timeout(DISCOVERY_TIMEOUT_MS) });
  if (!response.ok) throw new Error(`OIDC discovery at ${url} answered ${response.status}`);
  const document = (await response.json()) as { issuer?: unknown; jwks_uri?: unknown };
  if (document.issuer !== issuer) {
    throw new Error(`OIDC discovery at ${url} names issuer ${String(document.issuer)}, not ${issuer}`);
  }
  if (typeof document.jwks_uri !== 'string') throw new Error(`OIDC discovery at ${url} has no jwks_uri`);
  return document.jwks_uri;
}

/**
 * Allows the whole stage, not just the method called: the decision is about the caller, not the route, so the
 * policy API Gateway caches for one Authorization header stays correct for the caller's other requests.
 */
function allow(
  methodArn: string,
  principalId: string,
  context: AuthorizerContext,
): APIGatewayAuthorizerResult {
  // arn:aws:execute-api:<region>:<account>:<api id>/<stage>/<METHOD>/<path...>
  const [apiArn, stage] = methodArn.split('/');
  return {
    principalId,
    policyDocument: {
      Version: '2012-10-17',
      Statement: [{ Action: 'execute-api:Invoke', Effect: 'Allow', Resource: `${apiArn}/${stage}/*` }],
    },
    context,
  };
}

/** The exact message API Gateway turns into a 401. */
function unauthorized(): Error {
  return new Error('Unauthorized');
}

function headerValue(headers: APIGatewayRequestAuthorizerEvent['headers'], name: string): string | undefined {
  for (const [key, value] of Object.entries(headers ?? {})) {
    if (key.toLowerCase() === name && value !== undefined) return value;
  }
  return undefined;
}

function requiredEnv(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set`);
  return value;
}
