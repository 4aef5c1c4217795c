/**
 * The one bearer-token verifier. The API Gateway authorizer (`handlers/authorizer.ts`) runs it for the routes
 * that need a token; the API functions run it themselves for the routes open to anyone, which have no
 * authorizer so that a public read is one invocation (`http/request.ts`). Either way a token is checked
 * exactly alike.
 *
 * It verifies `Authorization: Bearer <JWT>` against the configured OIDC issuer (`OIDC_ISSUER`,
 * `OIDC_AUDIENCE`; keys from the issuer's discovery document, or `OIDC_JWKS_URI` when set). A token must carry
 * `sub`, `exp` and `iat`, and is refused once older than `OIDC_MAX_TOKEN_AGE_SECONDS` (from its `iat`,
 * whatever its `exp`), so a token an identity provider mis-issued without expiry or with a very long one
 * still dies.
 *
 * - no Authorization header: anonymous (`sub: ''`), without reaching the identity provider, so public reads
 *   and `/health` never depend on it;
 * - a valid token: its claims;
 * - anything else: {@link TokenRefused} (a 401).
 *
 * Failing to reach the identity provider is not the caller's fault: that error propagates (a 500, not a
 * misleading 401).
 */
import { createRemoteJWKSet, errors, type JWTVerifyGetKey, jwtVerify } from 'jose';
import { defaultApiLimits } from './api-limits.js';
import { type Role, roles } from './domain/caller.js';

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

/** The caller's claims; `sub: ''` for anonymous. Values are strings, as API Gateway passes them on. */
export type Claims = { sub: string; role: Role | ''; org: string };

/** The token is missing its scheme, malformed, expired or not ours. Its message is API Gateway's 401. */
export class TokenRefused extends Error {
  constructor() {
    super('Unauthorized');
    this.name = 'TokenRefused';
  }
}

/** The claims of the caller who sent `authorization` (the header's value, `undefined` when absent). */
export async function verifyAuthorization(authorization: string | undefined): Promise<Claims> {
  if (authorization === undefined) return { sub: '', role: '', org: '' };
  const token = /^Bearer\s+(\S+)\s*$/i.exec(authorization)?.[1];
  if (!token) throw new TokenRefused();
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
    if (error instanceof errors.JOSEError && REJECTED_TOKEN_CODES.has(error.code)) throw new TokenRefused();
    throw error;
  }
  const { sub, role, org } = payload;
  if (typeof sub !== 'string' || sub === '' || !roles.includes(role as Role)) throw new TokenRefused();
  return { sub, role: role as Role, org: typeof org === 'string' ? org : '' };
}

interface Verifier {
  readonly issuer: string;
  readonly audience: string;
  /** The issuer's key set, fetched on first use and kept (jose refetches it for an unknown `kid`). */
  readonly keys: JWTVerifyGetKey;
  readonly maxTokenAgeSeconds: number;
}

let verifier: Promise<Verifier> | undefined;

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

function requiredEnv(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set`);
  return value;
}
