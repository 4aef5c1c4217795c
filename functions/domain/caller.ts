import { DomainError, forbidden } from './errors.js';

export const roles = ['agency', 'provider', 'committee', 'admin'] as const;
export type Role = (typeof roles)[number];

/**
 * Who is calling, as the authorizer verified it. Which roles may call a route is the route table's
 * `access`, enforced before the domain runs; the domain checks what needs data (ownership).
 */
export type Caller =
  | { readonly kind: 'anonymous' }
  | { readonly kind: 'user'; readonly sub: string; readonly role: Role; readonly org?: string };

export type User = Extract<Caller, { kind: 'user' }>;

export const anonymous: Caller = { kind: 'anonymous' };

export function requireUser(caller: Caller): User {
  if (caller.kind !== 'user') throw new DomainError('unauthenticated', 'A bearer token is required.');
  return caller;
}

/** The organisation a provider or agency acts for; such tokens must carry one. */
export function requireOrg(user: User): string {
  if (!user.org) throw forbidden(`A ${user.role} token must carry the org claim.`);
  return user.org;
}

export function hasRole(caller: Caller, ...allowed: Role[]): boolean {
  return caller.kind === 'user' && allowed.includes(caller.role);
}

/** Scope of an idempotency key: the caller's organisation, or the caller itself when it has none. */
export function idempotencyScope(user: User): string {
  return user.org ? `org:${user.org}` : `sub:${user.sub}`;
}
