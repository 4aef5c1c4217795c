import { createHash } from 'node:crypto';
import type { APIGatewayProxyEvent } from 'aws-lambda';
import type { RouteKey } from '../routes.js';

/**
 * Sent on every answer, the API Gateway's and the local gateway's own included. Browsers ignore
 * Strict-Transport-Security over plain http (RFC 6797 section 8.1), so local runs are unaffected by it.
 */
export const securityHeaders = {
  'strict-transport-security': 'max-age=63072000; includeSubDomains',
  'x-content-type-options': 'nosniff',
} as const;

/** Anything authenticated, failed or not public: no cache, shared or private, may keep it. */
export const NO_STORE = 'no-store';

/**
 * How long anyone may reuse an anonymous catalog or stats read. Statistics and search are projections that
 * already trail writes by about a second (the stream delay), so five more seconds add little staleness while
 * bursts of identical anonymous reads (a catalog page, the stats dashboard) come from caches; after that
 * the ETag makes a check cheap (304).
 */
export const PUBLIC_MAX_AGE_SECONDS = 5;

/** Reads whose anonymous answer is the same for every anonymous caller. */
export const publicReads: ReadonlySet<string> = new Set<RouteKey>([
  'GET /v1/services',
  'GET /v1/services/{id}',
  'GET /v1/providers/{id}',
  'GET /v1/stats',
]);

/**
 * Caching and security headers for one API answer. A public read keeps the resource's version ETag, or gets
 * one from a hash of its body (lists and statistics have no version), and varies on Authorization so that no
 * cache hands an anonymous answer to a signed-in caller, whose view may hold more.
 */
export function responseHeaders(
  event: Pick<APIGatewayProxyEvent, 'httpMethod' | 'resource'>,
  response: {
    readonly status: number;
    readonly body?: unknown;
    readonly headers?: Readonly<Record<string, string>>;
  },
  anonymous: boolean,
): Record<string, string> {
  const isPublic =
    anonymous && response.status === 200 && publicReads.has(`${event.httpMethod} ${event.resource}`);
  if (!isPublic) return { ...securityHeaders, 'cache-control': NO_STORE };
  return {
    ...securityHeaders,
    'cache-control': `public, max-age=${PUBLIC_MAX_AGE_SECONDS}`,
    vary: 'Authorization',
    ...(response.headers?.etag ? {} : { etag: contentTag(response.body) }),
  };
}

function contentTag(body: unknown): string {
  return `"${createHash('sha256').update(JSON.stringify(body)).digest('base64url').slice(0, 27)}"`;
}
