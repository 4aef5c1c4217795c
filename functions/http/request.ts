import type { APIGatewayProxyEvent } from 'aws-lambda';
import { anonymous, type Caller, type Role, roles } from '../domain/caller.js';
import { DomainError, invalid } from '../domain/errors.js';
import { hasAuthorizer, type Route } from '../routes.js';
import { authorize } from './access.js';
import { RefusedTokenError } from './failures.js';
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
export async function parseRequest(
  route: Route,
  event: APIGatewayProxyEvent,
  headers: Readonly<Record<string, string>> = lowerCaseKeys(event.headers),
): Promise<ApiRequest> {
  const caller = await callerOf(route, event, headers);
  authorize(route, caller);
  return {
    route,
    caller,
    params: parsePathParameters(event.pathParameters ?? {}),
    query: parseQuery(route, event.queryStringParameters ?? {}),
    dryRun: isWrite(route) && event.queryStringParameters?.dryRun === 'true',
    body: parseBody(event, headers),
    idempotencyKey: parseIdempotencyKey(route, headers['idempotency-key']),
    ifMatch: parseIfMatch(headers['if-match']),
    accept: headers.accept,
  };
}

/**
 * Path parameters arrive as the client wrote them, percent-escapes and all (API Gateway passes them raw, and
 * so does the local gateway); one that does not decode to UTF-8 text is a 400, not a failure.
 */
function parsePathParameters(raw: Readonly<Record<string, string | undefined>>): Record<string, string> {
  const params: Record<string, string> = {};
  for (const [name, value] of Object.entries(raw)) {
    try {
      params[name] = decodeURIComponent(value ?? '');
    } catch {
      throw invalid(`The path parameter ${name} is not valid.`, [
        { path: `/path/${name}`, message: 'Percent-escapes must spell UTF-8 text.' },
      ]);
    }
  }
  return params;
}

/**
 * Who calls: the claims the authorizer verified (`requestContext.authorizer`: sub, role, org) on routes behind
 * it; on routes open to anyone, which have no authorizer, the token sent (if any) verified here by the same
 * verifier, loaded only then so that anonymous reads never load it.
 */
async function callerOf(route: Route, event: APIGatewayProxyEvent, headers: Record<string, string>) {
  if (hasAuthorizer(route)) {
    return callerOfClaims(event.requestContext?.authorizer as Record<string, unknown> | null | undefined);
  }
  if (headers.authorization === undefined) return anonymous;
  const { TokenRefused, verifyAuthorization } = await import('../bearer-token.js');
  try {
    return callerOfClaims(await verifyAuthorization(headers.authorization));
  } catch (error) {
    if (error instanceof TokenRefused) throw new RefusedTokenError();
    throw error;
  }
}

function callerOfClaims(claims: Record<string, unknown> | null | undefined): Caller {
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

/**
 * `*`, or an ETag this API sent (`"<version>"`, weak or strong); the document states the same pattern. Its
 * quotes are written `["]`: Specmatic's generator reads a bare `"` as the start of a literal string.
 */
export const IF_MATCH = /^\s*(?:\*|(?:W\/)?["](\d{1,15})["])\s*$/;

function parseIfMatch(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const match = IF_MATCH.exec(value);
  if (match && match[1] === undefined) return undefined;
  if (!match) {
    throw invalid('The If-Match header is not valid.', [
      { path: '/headers/if-match', message: 'Expected an ETag this API sent, such as "3".' },
    ]);
  }
  return Number(match[1]);
}
