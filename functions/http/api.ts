import { Logger } from '@aws-lambda-powertools/logger';
import type { APIGatewayProxyEvent, APIGatewayProxyResult, Context } from 'aws-lambda';
import type { Caller } from '../domain/caller.js';
import { DomainError } from '../domain/errors.js';
import { withRequest } from '../request-context.js';
import { type ApiFunctionId, routeKey, routesOf } from '../routes.js';
import { failure } from './failures.js';
import { type ApiRequest, parseRequest } from './request.js';
import { configuredOrigins, corsAnswerHeaders } from './cors.js';
import { type ApiResponse, lowerCaseKeys, toResult } from './responses.js';

/** One route's work, given the request and the ports the function's composition root built for it. */
export type Operation<Ports> = (request: ApiRequest, ports: Ports) => Promise<ApiResponse>;

/** A function's operations by route key (`GET /v1/services`); one module per function holds them. */
export type Operations<Ports> = Readonly<Record<string, Operation<Ports>>>;

/** What a function's operations module exports: its operations, and the ports they take. */
export interface OperationsModule<Ports> {
  readonly operations: Operations<Ports>;
  readonly ports: () => Ports;
}

// Built on first use, as the DynamoDB client is: its construction is a fifth of what the entry adds to a cold
// start's import (bench, issue 23), and the first request needs it only when it logs.
let apiLogger: Logger | undefined;
const requestLogger = () => (apiLogger ??= new Logger({ serviceName: 'marketplace-api' }));

/**
 * Builds a Lambda handler for one API function: it serves the routes that name `fn` in the route table,
 * within each request's deadline, and logs one line per request with its status and cost.
 *
 * The entry holds this request pipeline and, in every function that calls DynamoDB, the client's code
 * (imported by the handler module: each operation calls DynamoDB, so loading it later would only move its
 * cost into the first request; the client itself is built on first use). The function's operations, with
 * the composition root, the domain and its schemas, load on the first request that needs them (issue 23).
 * A request refused before any operation runs (401, 403, a 400 on its headers) never loads them.
 */
export function apiHandler<Ports>(fn: ApiFunctionId, load: () => Promise<OperationsModule<Ports>>) {
  const routes = new Map(routesOf(fn).map((route) => [routeKey(route), route]));
  let loaded: Promise<OperationsModule<Ports>> | undefined;
  const operationsModule = () =>
    (loaded ??= load().then(
      (module) => {
        for (const key of routes.keys()) {
          if (!module.operations[key]) throw new Error(`${fn} has no operation for ${key}`);
        }
        return module;
      },
      (error: unknown) => {
        loaded = undefined;
        throw error;
      },
    ));
  return async (event: APIGatewayProxyEvent, context?: Context): Promise<APIGatewayProxyResult> => {
    const logger = requestLogger();
    const headers = lowerCaseKeys(event.headers);
    const requestId = context?.awsRequestId ?? event.requestContext?.requestId ?? 'local';
    const key = `${event.httpMethod} ${event.resource}`;
    const route = routes.get(key);
    let response: ApiResponse;
    let capacityUnits = 0;
    let caller: Caller | undefined;
    // Given to each log line of the request rather than appended to the logger and reset after: the
    // logger's keys live in its per-invocation store, three trips through it on every request.
    let logKeys: Readonly<Record<string, string | undefined>> = { requestId, route: key };
    try {
      // API Gateway routes `/v1/services/` to `/v1/services`; the document has no such path, so it is a 404.
      if (!route || /.\/$/.test(event.path))
        throw new DomainError('not-found', `No route ${event.httpMethod} ${event.path}.`);
      const request = await parseRequest(route, event, headers);
      caller = request.caller;
      logKeys = { ...logKeys, org: callerOrg(request.caller) };
      const { operations, ports } = await operationsModule();
      const operation = operations[key] as Operation<Ports>;
      ({ result: response, capacityUnits } = await withRequest(
        { remainingInvocationMs: context?.getRemainingTimeInMillis(), dryRun: request.dryRun },
        () => operation(request, ports()),
      ));
      if (request.dryRun) response = { ...response, headers: { ...response.headers, 'dry-run': 'true' } };
    } catch (error) {
      response = failure(error, event.path, logger, logKeys);
      if (event.httpMethod !== 'GET' && event.queryStringParameters?.dryRun === 'true') {
        response = { ...response, headers: { ...response.headers, 'dry-run': 'true' } };
      }
    }
    logger.info('request', { ...logKeys, status: response.status, consumedCapacityUnits: capacityUnits });
    const result = toResult(response, event, headers, requestId, caller?.kind === 'anonymous');
    Object.assign((result.headers ??= {}), corsAnswerHeaders(route, headers.origin, configuredOrigins()));
    // Local runs and benchmarks compare each request's cost with the minimum it needs.
    if (process.env.DSM_EXPOSE_CAPACITY === 'true') {
      result.headers = { ...result.headers, 'x-consumed-capacity': String(capacityUnits) };
    }
    return result;
  };
}

function callerOrg(caller: Caller): string | undefined {
  return caller.kind === 'user' ? caller.org : undefined;
}
