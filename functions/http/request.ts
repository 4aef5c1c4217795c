import type { APIGatewayProxyEvent } from 'aws-lambda';
import { anonymous, type Caller, type Role, roles } from '../domain/caller.js';
import { DomainError, invalid } from '../domain/errors.js';
import type { Route } from '../routes.js';
import { authorize } from './access.js';
import { lowerCaseKeys } from './responses.js';

export const MAX_BODY_BYTES = 64 * 1024;

/** A request as the operations get it: routed, authorized, its body and headers parsed. */
export interface ApiRequest {
  readonly route: Route;
  readonly caller: Caller;
  readonly params: Readonly<Record<string, string>>;
  readonly query: Readonly<Record<string, string | undefined>>;
  /** Parsed JSON body, `undefined` when none was sent. */
  readonly body: unknown;
  readonly idempotencyKey: string | undefined;
  /** The version named by `If-Match`, `undefined` when absent or `*`. */
  readonly ifMatch: number | undefined;
  /** `?dryRun=true`: answer what the call would answer now, and write nothing. */
  readonly dryRun: boolean;
  /** The `Accept` header, for the routes that answer more than JSON. */
  readonly accept: string | undefined;
}

/** Everything a request carries, checked before any operation runs (so every 4xx here writes nothing). */
export function parseRequest(route: Route, event: APIGatewayProxyEvent): ApiRequest {
  const headers = lowerCaseKeys(event.headers);
  const caller = callerOf(event);
  authorize(route, caller);
  return {
    route,
    caller,
    params: Object.fromEntries(Object.entries(event.pathParameters ?? {}).map(([k, v]) => [k, v ?? ''])),
    query: parseQuery(route, event.queryStringParameters ?? {}),
    dryRun: isWrite(route) && event.queryStringParameters?.dryRun === 'true',
    body: parseBody(event, headers),
    idempotencyKey: parseIdempotencyKey(route, headers['idempotency-key']),
    ifMatch: parseIfMatch(headers['if-match']),
    accept: headers.accept,
  };
}

/** Claims as the authorizer passed them (`requestContext.authorizer`: sub, role, org). */
function callerOf(event: APIGatewayProxyEvent): Caller {
  const claims = event.requestContext?.authorizer as Record<string, unknown> | null | undefined;
  const sub = typeof claims?.sub === 'string' ? claims.sub : '';
  if (!sub) return anonymous;
  const role = claims?.role;
  if (!roles.includes(role as Role))
    throw new DomainError('unauthenticated', 'The token carries no known role.');
  const org = typeof claims?.org === 'string' && claims.org ? claims.org : undefined;
  return { kind: 'user', sub, role: role as Role, ...(org ? { org } : {}) };
}

function parseBody(event: APIGatewayProxyEvent, headers: Record<string, string>): unknown {
  const raw = event.body ?? '';
  const bytes = event.isBase64Encoded ? Buffer.from(raw, 'base64') : Buffer.from(raw, 'utf8');
  if (bytes.length === 0) return undefined;
  if (bytes.length > MAX_BODY_BYTES) {
    throw new DomainError(
      'payload-too-large',
      `The body is ${bytes.length} bytes; the limit is ${MAX_BODY_BYTES}.`,
    );
  }
  const mediaType = (headers['content-type'] ?? '').split(';')[0]?.trim().toLowerCase() ?? '';
  if (!(mediaType === 'application/json' || /^application\/[\w.+-]+\+json$/.test(mediaType))) {
    throw new DomainError(
      'unsupported-media-type',
      `Send JSON with Content-Type: application/json, not "${mediaType}".`,
    );
  }
  try {
    return JSON.parse(bytes.toString('utf8'));
  } catch (error) {
    throw invalid('The body is not well-formed JSON.', [{ path: '/', message: (error as Error).message }]);
  }
}

/** Write routes under `/v1` take `dryRun` and nothing else. */
export const isWrite = (route: Route) => route.method !== 'GET' && route.path.startsWith('/v1/');

/**
 * A write route defines one query parameter, `dryRun` (`true` or `false`); any other is refused: a client
 * asking a write for an option this server lacks must not get a real write instead. Reads validate their
 * own parameters against their schemas.
 */
function parseQuery(
  route: Route,
  query: Readonly<Record<string, string | undefined>>,
): Readonly<Record<string, string | undefined>> {
  if (route.method === 'GET') return query;
  const unknown = Object.keys(query).filter((name) => !(isWrite(route) && name === 'dryRun'));
  if (unknown.length > 0) {
    throw invalid(
      `${route.method} ${route.path} takes no query parameter but dryRun.`,
      unknown.map((name) => ({ path: `/query/${name}`, message: 'Not a parameter of this route.' })),
    );
  }
  if (query.dryRun !== undefined && query.dryRun !== 'true' && query.dryRun !== 'false') {
    throw invalid('dryRun is true or false.', [
      { path: '/query/dryRun', message: 'Expected true or false.' },
    ]);
  }
  return {};
}

const IDEMPOTENCY_KEY = /^[\x21-\x7e]{1,255}$/;

function parseIdempotencyKey(route: Route, value: string | undefined): string | undefined {
  if (value === undefined || value === '') {
    if (route.idempotency === 'required') {
      throw invalid('This request needs an Idempotency-Key header.', [
        { path: '/headers/idempotency-key', message: 'Required.' },
      ]);
    }
    return undefined;
  }
  if (!route.idempotency) return undefined;
  if (!IDEMPOTENCY_KEY.test(value)) {
    throw invalid('The Idempotency-Key header is not valid.', [
      { path: '/headers/idempotency-key', message: '1 to 255 visible ASCII characters.' },
    ]);
  }
  return value;
}

function parseIfMatch(value: string | undefined): number | undefined {
  if (value === undefined || value.trim() === '*') return undefined;
  const match = /^\s*(?:W\/)?"(\d{1,15})"\s*$/.exec(value);
  if (!match) {
    throw invalid('The If-Match header is not valid.', [
      { path: '/headers/if-match', message: 'Expected an ETag this API sent, such as "3".' },
    ]);
  }
  return Number(match[1]);
}
