/**
 * Cross-origin access for browsers (the agencies' and the ministry's own front ends), from one list of
 * allowed origins (`marketplace:corsOrigins` in `cdk.json`). The API Gateway stack (`infra/constructs/
 * api-cors.ts`), the local gateway (`local/cors.ts`) and the functions' answers all follow these rules:
 *
 * - A preflight (`OPTIONS`) is answered by the gateway itself, never a function, and allows only the listed
 *   origins, with the methods the route table has on that path and the request headers the API reads.
 * - Reads open to anyone (`GET` routes with access `anyone`: the catalog, statistics, the document) answer
 *   `Access-Control-Allow-Origin: *`, so any page may read them anonymously, without credentials. A simple
 *   anonymous `GET` needs no preflight.
 * - Every other answer allows only a listed origin, named back. Bearer tokens travel in `Authorization`,
 *   which no browser sends cross-origin without a preflight, so nothing carrying a token reaches a function
 *   from an origin that is not listed. No route uses cookies: no answer allows credentials.
 * - The gateway's own refusals (401, 403, 404, 429, …) carry no data and answer `*`, so a listed front end
 *   can read why it was refused and when to retry (API Gateway's gateway responses cannot check a list).
 */
import type { Route } from '../routes.js';

/** Request headers a browser may send besides the CORS-safelisted ones. */
export const corsAllowedHeaders = [
  'Authorization',
  'Content-Type',
  'Idempotency-Key',
  'If-Match',
  'If-None-Match',
] as const;

/** Answer headers a page's script may read besides the CORS-safelisted ones. */
export const corsExposedHeaders = [
  'ETag',
  'Location',
  'Retry-After',
  'Idempotent-Replayed',
  'Dry-Run',
] as const;

/** How long a browser may reuse a preflight's answer. */
export const CORS_MAX_AGE_SECONDS = 600;

/** The functions' environment variable holding the allowed origins, comma-separated. */
export const CORS_ORIGINS_VARIABLE = 'CORS_ALLOWED_ORIGINS';

/** Routes whose answers any origin may read. */
export const isOpenToAnyOrigin = (route: Pick<Route, 'method' | 'access'>) =>
  route.method === 'GET' && route.access === 'anyone';

/** The methods a preflight allows on a path: the route table's on it. */
export function preflightMethods(routes: readonly Pick<Route, 'method' | 'path'>[], path: string): string[] {
  return [...new Set(routes.filter((route) => route.path === path).map((route) => route.method))];
}

/** `Access-Control-Expose-Headers` with the others every cross-origin answer carries. */
const exposed = { 'access-control-expose-headers': corsExposedHeaders.join(', ') };

/** On the gateway's own answers, whatever the origin: they carry no data (see above). */
export const gatewayCorsHeaders: Readonly<Record<string, string>> = {
  'access-control-allow-origin': '*',
  ...exposed,
};

/** The CORS headers of a function's answer to `origin` (`undefined` when the request named none). */
export function corsAnswerHeaders(
  route: Pick<Route, 'method' | 'access'> | undefined,
  origin: string | undefined,
  allowedOrigins: readonly string[],
): Record<string, string> {
  if (!origin || !route) return {};
  if (isOpenToAnyOrigin(route)) return gatewayCorsHeaders;
  if (allowedOrigins.includes(origin)) return { 'access-control-allow-origin': origin, ...exposed };
  return {};
}

/** The headers of a preflight's answer (204); without allow-origin for an origin that is not listed. */
export function preflightHeaders(
  methods: readonly string[],
  origin: string | undefined,
  allowedOrigins: readonly string[],
): Record<string, string> {
  if (!origin || !allowedOrigins.includes(origin)) return { vary: 'Origin' };
  return {
    'access-control-allow-origin': origin,
    'access-control-allow-methods': [...methods, 'OPTIONS'].join(', '),
    'access-control-allow-headers': corsAllowedHeaders.join(', '),
    'access-control-max-age': String(CORS_MAX_AGE_SECONDS),
    vary: 'Origin',
  };
}

let origins: { readonly raw: string; readonly list: readonly string[] } = { raw: '', list: [] };

/** The allowed origins as the deployment gave them to this function. */
export function configuredOrigins(): readonly string[] {
  const raw = process.env[CORS_ORIGINS_VARIABLE] ?? '';
  // Read on every answer (tests change it), split only when it changed.
  if (raw !== origins.raw) origins = { raw, list: raw.split(',').filter(Boolean) };
  return origins.list;
}
