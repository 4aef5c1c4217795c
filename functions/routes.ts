/**
 * The one route table. API Gateway resources and methods (CDK) and the local gateway are both built from
 * it, and each API function serves exactly the routes that name it here.
 */
import { caseRoutes } from './case-routes.js';
import type { Role } from './domain/caller.js';

export { type Role, roles } from './domain/caller.js';

/** Lambda functions behind the API; each lives in `functions/handlers/<id>.ts` and exports `handler`. */
export const apiFunctions = [
  'health',
  'registry',
  'services',
  'reviews',
  'contracts',
  'cases',
  'stats',
  'audit',
  'events',
  'webhooks',
  'docs',
] as const;
export type ApiFunctionId = (typeof apiFunctions)[number];

/**
 * Each API function's timeout, in AWS and in the local gateway. Requests answer within their own
 * deadline (`REQUEST_DEADLINE_MS`, 3 s) well before it; this only bounds an invocation that hangs in
 * code that awaits no store call.
 */
export const apiFunctionTimeoutSeconds = 10;

export type HttpMethod = 'GET' | 'POST' | 'PATCH';

export interface Route {
  readonly method: HttpMethod;
  /** API Gateway resource path, `{name}` for path parameters. */
  readonly path: string;
  readonly fn: ApiFunctionId;
  /** `anyone` accepts anonymous callers (a token, when sent, must still be valid). */
  readonly access: 'anyone' | readonly Role[];
  /**
   * Creates and changes take an `Idempotency-Key` (a retry with it is answered, not re-applied);
   * `required` makes it mandatory.
   */
  readonly idempotency?: 'optional' | 'required';
}

export const routeTable = [
  { method: 'GET', path: '/health', fn: 'health', access: 'anyone' },

  { method: 'POST', path: '/v1/providers', fn: 'registry', access: ['admin'], idempotency: 'optional' },
  { method: 'GET', path: '/v1/providers/{id}', fn: 'registry', access: 'anyone' },
  { method: 'POST', path: '/v1/agencies', fn: 'registry', access: ['admin'], idempotency: 'optional' },
  { method: 'GET', path: '/v1/agencies/{id}', fn: 'registry', access: ['admin', 'agency'] },

  { method: 'POST', path: '/v1/services', fn: 'services', access: ['provider'], idempotency: 'optional' },
  { method: 'GET', path: '/v1/services', fn: 'services', access: 'anyone' },
  { method: 'GET', path: '/v1/services/{id}', fn: 'services', access: 'anyone' },
  {
    method: 'PATCH',
    path: '/v1/services/{id}',
    fn: 'services',
    access: ['provider'],
    idempotency: 'optional',
  },
  {
    method: 'POST',
    path: '/v1/services/{id}/submit',
    fn: 'services',
    access: ['provider'],
    idempotency: 'optional',
  },
  {
    method: 'POST',
    path: '/v1/services/{id}/withdraw',
    fn: 'services',
    access: ['provider'],
    idempotency: 'optional',
  },
  {
    method: 'POST',
    path: '/v1/services/{id}/suspend',
    fn: 'services',
    access: ['admin'],
    idempotency: 'optional',
  },
  {
    method: 'POST',
    path: '/v1/services/{id}/reinstate',
    fn: 'services',
    access: ['admin'],
    idempotency: 'optional',
  },
  { method: 'GET', path: '/v1/services/{id}/versions', fn: 'services', access: 'anyone' },
  { method: 'GET', path: '/v1/services/{id}/versions/{version}', fn: 'services', access: 'anyone' },
  {
    method: 'POST',
    path: '/v1/services/{id}/revert',
    fn: 'services',
    access: ['provider', 'admin'],
    idempotency: 'optional',
  },

  {
    method: 'POST',
    path: '/v1/review-sessions',
    fn: 'reviews',
    access: ['committee'],
    idempotency: 'optional',
  },
  { method: 'GET', path: '/v1/review-sessions/{number}', fn: 'reviews', access: ['committee', 'admin'] },
  {
    method: 'POST',
    path: '/v1/review-sessions/{number}/agenda',
    fn: 'reviews',
    access: ['committee'],
    idempotency: 'optional',
  },
  {
    method: 'POST',
    path: '/v1/review-sessions/{number}/decisions',
    fn: 'reviews',
    access: ['committee'],
    idempotency: 'optional',
  },
  {
    method: 'POST',
    path: '/v1/review-sessions/{number}/close',
    fn: 'reviews',
    access: ['committee'],
    idempotency: 'optional',
  },

  { method: 'POST', path: '/v1/contracts', fn: 'contracts', access: ['agency'], idempotency: 'required' },
  { method: 'GET', path: '/v1/contracts', fn: 'contracts', access: ['agency', 'provider', 'admin'] },
  { method: 'GET', path: '/v1/contracts/{id}', fn: 'contracts', access: ['agency', 'provider', 'admin'] },
  {
    method: 'POST',
    path: '/v1/contracts/{id}/quote',
    fn: 'contracts',
    access: ['provider'],
    idempotency: 'optional',
  },
  {
    method: 'POST',
    path: '/v1/contracts/{id}/sign',
    fn: 'contracts',
    access: ['agency'],
    idempotency: 'optional',
  },
  {
    method: 'POST',
    path: '/v1/contracts/{id}/cancel',
    fn: 'contracts',
    access: ['agency'],
    idempotency: 'optional',
  },
  {
    method: 'POST',
    path: '/v1/contracts/{id}/complete',
    fn: 'contracts',
    access: ['agency', 'admin'],
    idempotency: 'optional',
  },
  {
    method: 'POST',
    path: '/v1/contracts/{id}/terminate',
    fn: 'contracts',
    access: ['agency', 'admin'],
    idempotency: 'optional',
  },
  {
    method: 'POST',
    path: '/v1/contracts/{id}/amend',
    fn: 'contracts',
    access: ['agency'],
    idempotency: 'optional',
  },
  {
    method: 'POST',
    path: '/v1/contracts/{id}/renew',
    fn: 'contracts',
    access: ['agency'],
    idempotency: 'required',
  },

  ...caseRoutes,

  { method: 'GET', path: '/v1/stats', fn: 'stats', access: 'anyone' },
  { method: 'GET', path: '/v1/audit', fn: 'audit', access: ['admin'] },
  { method: 'POST', path: '/v1/audit/{eventId}/acknowledge', fn: 'audit', access: ['admin'] },

  // Events and webhooks (DESIGN.md §8): each party's own feed, and subscriptions to it.
  { method: 'GET', path: '/v1/events', fn: 'events', access: ['agency', 'provider', 'committee', 'admin'] },
  ...webhookRoutes(),

  { method: 'GET', path: '/openapi.json', fn: 'docs', access: 'anyone' },
  { method: 'GET', path: '/docs', fn: 'docs', access: 'anyone' },
] as const satisfies readonly Route[];

/** An agency or a provider for its own organisation, an administrator for any. */
function webhookRoutes() {
  const access = ['agency', 'provider', 'admin'] as const;
  return [
    { method: 'POST', path: '/v1/webhooks', fn: 'webhooks', access, idempotency: 'optional' },
    { method: 'GET', path: '/v1/webhooks', fn: 'webhooks', access },
    { method: 'GET', path: '/v1/webhooks/{id}', fn: 'webhooks', access },
    { method: 'PATCH', path: '/v1/webhooks/{id}', fn: 'webhooks', access },
    { method: 'GET', path: '/v1/webhooks/{id}/deliveries', fn: 'webhooks', access },
    { method: 'POST', path: '/v1/webhooks/{id}/deliveries/{eventId}/redeliver', fn: 'webhooks', access },
  ] as const;
}

type KeyOf<R> = R extends { method: infer M extends string; path: infer P extends string }
  ? `${M} ${P}`
  : never;
/** `"METHOD /path"` of each route in the table, exactly (not every method × every path). */
export type RouteKey = KeyOf<(typeof routeTable)[number]>;

export function routeKey(route: Pick<Route, 'method' | 'path'>): string {
  return `${route.method} ${route.path}`;
}

export function routesOf(fn: ApiFunctionId): readonly Route[] {
  return routeTable.filter((route) => route.fn === fn);
}

/**
 * Whether API Gateway runs the authorizer before the route's function, cached on the `Authorization` header
 * (which it then requires). Routes open to anyone have none, so that a public read is one invocation: their
 * function verifies a token sent to it itself, with the authorizer's own verifier (`bearer-token.ts`).
 */
export function hasAuthorizer(route: Pick<Route, 'access'>): boolean {
  return route.access !== 'anyone';
}
