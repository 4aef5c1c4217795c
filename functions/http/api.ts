import { Logger } from '@aws-lambda-powertools/logger';
import type { APIGatewayProxyEvent, APIGatewayProxyResult, Context } from 'aws-lambda';
import { anonymous, type Caller, type Role, roles } from '../domain/caller.js';
import { DomainError, invalid } from '../domain/errors.js';
import { type ApiFunctionId, type Route, routeKey, routesOf } from '../routes.js';
import { metered } from '../adapters/dynamodb/capacity.js';
import { withRequestDeadline } from '../request-deadline.js';
import { type Problem, problem } from './problem.js';
import { responseHeaders } from './response-headers.js';

export const MAX_BODY_BYTES = 64 * 1024;

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
}

export interface ApiResponse {
  readonly status: number;
  readonly body?: unknown;
  readonly headers?: Readonly<Record<string, string>>;
}

export type Operation = (request: ApiRequest) => Promise<ApiResponse>;

const logger = new Logger({ serviceName: 'marketplace-api' });

/** A versioned resource: 200 with `ETag: "<version>"`. */
export function ok(resource: { version: number } | object): ApiResponse {
  const version = (resource as { version?: unknown }).version;
  return {
    status: 200,
    body: resource,
    headers: typeof version === 'number' ? { etag: `"${version}"` } : {},
  };
}

/** 200 with the resource after a change; `Idempotent-Replayed: true` when it answers a keyed retry. */
export function changed<T>(
  view: (entity: T) => { version: number },
  result: { entity: T; replayed: boolean },
): ApiResponse {
  const response = ok(view(result.entity));
  return result.replayed
    ? { ...response, headers: { ...response.headers, 'idempotent-replayed': 'true' } }
    : response;
}

/** 201 with `Location`, or the original 201 again with `Idempotent-Replayed: true` for a retry. */
export function created(resource: { version: number }, location: string, replayed: boolean): ApiResponse {
  return {
    status: 201,
    body: resource,
    headers: {
      location,
      etag: `"${resource.version}"`,
      ...(replayed ? { 'idempotent-replayed': 'true' } : {}),
    },
  };
}

/**
 * Builds a Lambda handler for one API function: it serves the routes that name `fn` in the route table,
 * enforces their access rules, parses the request, and maps every failure to problem+json.
 */
export function apiHandler(fn: ApiFunctionId, operations: Readonly<Record<string, Operation>>) {
  const routes = new Map(routesOf(fn).map((route) => [routeKey(route), route]));
  for (const key of routes.keys()) {
    if (!operations[key]) throw new Error(`${fn} has no operation for ${key}`);
  }
  return async (event: APIGatewayProxyEvent, context?: Context): Promise<APIGatewayProxyResult> => {
    const requestId = context?.awsRequestId ?? event.requestContext?.requestId ?? 'local';
    const key = `${event.httpMethod} ${event.resource}`;
    const route = routes.get(key);
    const operation = operations[key];
    let response: ApiResponse;
    let capacityUnits = 0;
    try {
      if (!route || !operation) throw new DomainError('not-found', `No route ${key}.`);
      const request = parseRequest(route, event);
      logger.appendKeys({ requestId, route: key, org: callerOrg(request.caller) });
      ({ result: response, capacityUnits } = await metered(() =>
        withRequestDeadline(context?.getRemainingTimeInMillis(), () => operation(request)),
      ));
    } catch (error) {
      response = failure(error, event.path);
    }
    logger.info('request', { status: response.status, consumedCapacityUnits: capacityUnits });
    logger.resetKeys();
    const result = toResult(response, event, requestId);
    // Local runs and benchmarks compare each request's cost with the minimum it needs.
    if (process.env.DSM_EXPOSE_CAPACITY === 'true') {
      result.headers = { ...result.headers, 'x-consumed-capacity': String(capacityUnits) };
    }
    return result;
  };
}

function parseRequest(route: Route, event: APIGatewayProxyEvent): ApiRequest {
  const headers = lowerCaseKeys(event.headers);
  const caller = callerOf(event);
  authorize(route, caller);
  return {
    route,
    caller,
    params: Object.fromEntries(Object.entries(event.pathParameters ?? {}).map(([k, v]) => [k, v ?? ''])),
    query: parseQuery(route, event.queryStringParameters ?? {}),
    body: parseBody(event, headers),
    idempotencyKey: parseIdempotencyKey(route, headers['idempotency-key']),
    ifMatch: parseIfMatch(headers['if-match']),
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

function authorize(route: Route, caller: Caller): void {
  if (route.access === 'anyone') return;
  if (caller.kind === 'anonymous') throw new DomainError('unauthenticated', 'A bearer token is required.');
  if (!route.access.includes(caller.role)) {
    throw new DomainError('forbidden', `${route.method} ${route.path} is for ${route.access.join(', ')}.`);
  }
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

/**
 * No write route defines a query parameter, so any is refused: a client asking a write for an option this
 * server lacks (`?dryRun=true` of a newer API, say) must not get a real write instead. Reads validate
 * their own parameters against their schemas.
 */
function parseQuery(
  route: Route,
  query: Readonly<Record<string, string | undefined>>,
): Readonly<Record<string, string | undefined>> {
  const names = Object.keys(query);
  if (route.method !== 'GET' && names.length > 0) {
    throw invalid(
      `${route.method} ${route.path} takes no query parameters.`,
      names.map((name) => ({ path: `/query/${name}`, message: 'Not a parameter of this route.' })),
    );
  }
  return query;
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

/** AWS errors that mean "try again shortly": throttling, write conflicts between Regions, outages. */
const RETRYABLE = new Set([
  'ThrottlingException',
  'ProvisionedThroughputExceededException',
  'RequestLimitExceeded',
  'ReplicatedWriteConflictException',
  'TransactionConflictException',
  'InternalServerError',
  'ServiceUnavailable',
  'TimeoutError',
  'AbortError',
  // An MRSC replica cut off from its quorum, or whose replication is paused, refuses with this: an outage.
  'AccessDeniedException',
]);

function failure(error: unknown, instance: string): ApiResponse {
  if (error instanceof DomainError) {
    const body: Problem = { ...problem(error.kind, error.message, error.errors), instance };
    return {
      status: body.status,
      body,
      headers: {
        ...(error.kind === 'unauthenticated' ? { 'www-authenticate': 'Bearer' } : {}),
        ...(error.retryAfterSeconds ? { 'retry-after': String(error.retryAfterSeconds) } : {}),
      },
    };
  }
  const name = (error as Error)?.name ?? '';
  const code = (error as { code?: string })?.code ?? '';
  if (RETRYABLE.has(name) || ['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE'].includes(code)) {
    logger.warn('store unavailable', { error: name || code });
    return {
      status: 503,
      body: { ...problem('unavailable', 'The data store is busy or unreachable; retry shortly.'), instance },
      headers: { 'retry-after': '1' },
    };
  }
  logger.error('unhandled error', error as Error);
  return {
    status: 500,
    body: {
      type: '/problems/internal',
      title: 'Internal error',
      status: 500,
      detail: 'Something went wrong on our side; it has been logged.',
      instance,
    },
  };
}

function toResult(
  response: ApiResponse,
  event: APIGatewayProxyEvent,
  requestId: string,
): APIGatewayProxyResult {
  const headers: Record<string, string> = {
    'x-request-id': requestId,
    ...response.headers,
    ...responseHeaders(event, response),
  };
  const etag = headers.etag;
  const ifNoneMatch = lowerCaseKeys(event.headers)['if-none-match'];
  if (event.httpMethod === 'GET' && response.status === 200 && etag && ifNoneMatch === etag) {
    return { statusCode: 304, headers, body: '' };
  }
  if (response.body === undefined) return { statusCode: response.status, headers, body: '' };
  const isProblem = response.status >= 400;
  headers['content-type'] = isProblem ? 'application/problem+json' : 'application/json; charset=utf-8';
  return { statusCode: response.status, headers, body: JSON.stringify(response.body) };
}

function lowerCaseKeys(headers: APIGatewayProxyEvent['headers'] | null | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers ?? {}))
    if (value !== undefined) out[name.toLowerCase()] = value;
  return out;
}

function callerOrg(caller: Caller): string | undefined {
  return caller.kind === 'user' ? caller.org : undefined;
}
