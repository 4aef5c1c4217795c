import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import { responseHeaders } from './response-headers.js';

/** What an operation answers, before it becomes API Gateway's result. */
export interface ApiResponse {
  readonly status: number;
  readonly body?: unknown;
  readonly headers?: Readonly<Record<string, string>>;
}

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

/**
 * 201 with `Location` (and the `ETag` of a versioned resource), or the original 201 again with
 * `Idempotent-Replayed: true` for a retry.
 */
export function created(resource: object, location: string, replayed: boolean): ApiResponse {
  const version = (resource as { version?: unknown }).version;
  return {
    status: 201,
    body: resource,
    headers: {
      location,
      ...(typeof version === 'number' ? { etag: `"${version}"` } : {}),
      ...(replayed ? { 'idempotent-replayed': 'true' } : {}),
    },
  };
}

/**
 * The answer API Gateway sends: JSON or problem+json, the protective headers, and 304 for a GET whose
 * `If-None-Match` names the current ETag. `requestHeaders`: the request's, names in lower case.
 * `anonymous`: the request was read and its caller sent no token.
 */
export function toResult(
  response: ApiResponse,
  event: APIGatewayProxyEvent,
  requestHeaders: Readonly<Record<string, string>>,
  requestId: string,
  anonymous: boolean,
): APIGatewayProxyResult {
  const headers: Record<string, string> = {
    'x-request-id': requestId,
    ...response.headers,
    ...responseHeaders(event, response, anonymous),
  };
  const etag = headers.etag;
  const ifNoneMatch = requestHeaders['if-none-match'];
  if (event.httpMethod === 'GET' && response.status === 200 && etag && ifNoneMatch === etag) {
    return { statusCode: 304, headers, body: '' };
  }
  if (response.body === undefined) return { statusCode: response.status, headers, body: '' };
  // A text representation (the docs page) names its own media type and goes out as it is.
  if (typeof response.body === 'string' && headers['content-type']) {
    return { statusCode: response.status, headers, body: response.body };
  }
  // A failure is problem+json; a 503 from /health is still the health report, as plain JSON.
  const isProblem = response.status >= 400 && typeof (response.body as { type?: unknown }).type === 'string';
  headers['content-type'] = isProblem ? 'application/problem+json' : 'application/json; charset=utf-8';
  return { statusCode: response.status, headers, body: JSON.stringify(response.body) };
}

/** Header names as HTTP means them: case-insensitive. */
export function lowerCaseKeys(
  headers: APIGatewayProxyEvent['headers'] | null | undefined,
): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers ?? {}))
    if (value !== undefined) out[name.toLowerCase()] = value;
  return out;
}
