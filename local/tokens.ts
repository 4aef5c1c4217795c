import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { exportJWK, generateKeyPair, importJWK, type JWK, jwtVerify, SignJWT } from 'jose';
import { type Role, roles } from '../functions/domain/caller.js';
import { localStateDir } from './paths.js';

/** The local identity provider: tokens are ES256, issued and accepted only by this machine's key. */
export const LOCAL_ISSUER = 'urn:dsm:local-idp';
export const LOCAL_AUDIENCE = 'dsm-api';
const ALG = 'ES256';

export interface SigningKeys {
  readonly privateJwk: JWK;
  readonly publicJwk: JWK;
}

export interface Claims {
  readonly sub: string;
  readonly role: Role;
  readonly org?: string;
}

export async function generateSigningKeys(): Promise<SigningKeys> {
  const { privateKey, publicKey } = await generateKeyPair(ALG, { extractable: true });
  return { privateJwk: await exportJWK(privateKey), publicJwk: await exportJWK(publicKey) };
}

/** The machine's key pair in `.local/keys.json`, made on first use. */
export async function localSigningKeys(dir = localStateDir): Promise<SigningKeys> {
  const file = join(dir, 'keys.json');
  if (existsSync(file)) return JSON.parse(readFileSync(file, 'utf8')) as SigningKeys;
  const keys = await generateSigningKeys();
  mkdirSync(dir, { recursive: true });
  writeFileSync(file, JSON.stringify(keys), { mode: 0o600 });
  return keys;
}

export async function mintToken(keys: SigningKeys, claims: Claims, ttlSeconds = 8 * 3600): Promise<string> {
  return new SignJWT({ role: claims.role, ...(claims.org ? { org: claims.org } : {}) })
    .setProtectedHeader({ alg: ALG, typ: 'JWT' })
    .setSubject(claims.sub)
    .setIssuer(LOCAL_ISSUER)
    .setAudience(LOCAL_AUDIENCE)
    .setIssuedAt()
    .setExpirationTime(`${ttlSeconds}s`)
    .sign(await importJWK(keys.privateJwk, ALG));
}

/** Verifies signature, issuer, audience and expiry, as the API Gateway authorizer does in AWS. */
export async function tokenVerifier(keys: SigningKeys) {
  const key = await importJWK(keys.publicJwk, ALG);
  return async (token: string): Promise<Claims> => {
    const { payload } = await jwtVerify(token, key, {
      issuer: LOCAL_ISSUER,
      audience: LOCAL_AUDIENCE,
      algorithms: [ALG],
    });
    if (typeof payload.sub !== 'string' || !roles.includes(payload.role as Role)) {
      throw new Error('token lacks sub or a known role');
    }
    return {
      sub: payload.sub,
      role: payload.role as Role,
      ...(typeof payload.org === 'string' ? { org: payload.org } : {}),
    };
  };
}
