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

export type Operation = (request: ApiRequest) => Promise<ApiResponse>;

const logger = new Logger({ serviceName: 'marketplace-api' });

/**
 * Builds a Lambda handler for one API function: it serves the routes that name `fn` in the route table,
 * within each request's deadline, and logs one line per request with its status and cost.
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
    let caller: Caller | undefined;
    try {
      // API Gateway routes `/v1/services/` to `/v1/services`; the document has no such path, so it is a 404.
      if (!route || !operation || /.\/$/.test(event.path))
        throw new DomainError('not-found', `No route ${event.httpMethod} ${event.path}.`);
      const request = await parseRequest(route, event);
      caller = request.caller;
      logger.appendKeys({ requestId, route: key, org: callerOrg(request.caller) });
      ({ result: response, capacityUnits } = await withRequest(
        { remainingInvocationMs: context?.getRemainingTimeInMillis(), dryRun: request.dryRun },
        () => operation(request),
      ));
      if (request.dryRun) response = { ...response, headers: { ...response.headers, 'dry-run': 'true' } };
    } catch (error) {
      response = failure(error, event.path, logger);
      if (event.httpMethod !== 'GET' && event.queryStringParameters?.dryRun === 'true') {
        response = { ...response, headers: { ...response.headers, 'dry-run': 'true' } };
      }
    }
    logger.info('request', { status: response.status, consumedCapacityUnits: capacityUnits });
    logger.resetKeys();
    const result = toResult(response, event, requestId, caller?.kind === 'anonymous');
    const origin = lowerCaseKeys(event.headers).origin;
    Object.assign((result.headers ??= {}), corsAnswerHeaders(route, origin, configuredOrigins()));
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
