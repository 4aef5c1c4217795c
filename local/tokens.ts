import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { calculateJwkThumbprint, exportJWK, generateKeyPair, importJWK, type JWK, SignJWT } from 'jose';
import type { Role } from '../functions/domain/caller.js';
import { localStateDir } from './paths.js';

/**
 * The local identity provider's minting side: tokens are ES256, signed by this machine's key. Verifying is
 * not done here: the local gateway runs the production authorizer against `local/oidc-issuer.ts`, which
 * publishes the public key.
 */
export const LOCAL_ISSUER = 'urn:dsm:local-idp';
export const LOCAL_AUDIENCE = 'dsm-api';
export const LOCAL_SIGNING_ALG = 'ES256';

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
  const { privateKey, publicKey } = await generateKeyPair(LOCAL_SIGNING_ALG, { extractable: true });
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

/** The key's id in tokens and in the key set: its RFC 7638 thumbprint, so a new key gets a new id. */
export function keyId(keys: SigningKeys): Promise<string> {
  return calculateJwkThumbprint(keys.publicJwk);
}

export async function mintToken(keys: SigningKeys, claims: Claims, ttlSeconds = 8 * 3600): Promise<string> {
  return new SignJWT({ role: claims.role, ...(claims.org ? { org: claims.org } : {}) })
    .setProtectedHeader({ alg: LOCAL_SIGNING_ALG, typ: 'JWT', kid: await keyId(keys) })
    .setSubject(claims.sub)
    .setIssuer(LOCAL_ISSUER)
    .setAudience(LOCAL_AUDIENCE)
    .setIssuedAt()
    .setExpirationTime(`${ttlSeconds}s`)
    .sign(await importJWK(keys.privateJwk, LOCAL_SIGNING_ALG));
}
