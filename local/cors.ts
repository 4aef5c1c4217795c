/**
 * CORS at the local gateway, as API Gateway answers it in AWS (`infra/constructs/api-cors.ts`): preflights
 * are the gateway's own answer (no function runs), and its own refusals carry the headers every gateway
 * answer carries. The rules themselves are `functions/http/cors.ts`.
 */
import type { ServerResponse } from 'node:http';
import { gatewayCorsHeaders, preflightHeaders, preflightMethods } from '../functions/http/cors.js';
import { NO_STORE, securityHeaders } from '../functions/http/response-headers.js';
import { routeTable } from '../functions/routes.js';
import { loadCorsOrigins } from '../infra/config.js';
import { cdkContext } from './cdk-context.js';

/** The origins the CDK deploys (`marketplace:corsOrigins`), with `key=value` context overrides. */
export function configuredCorsOrigins(overrides: readonly string[] = []): string[] {
  return loadCorsOrigins(cdkContext(overrides));
}

/** 204 to a preflight on a resource path of the route table; allows only the listed origins. */
export function answerPreflight(
  res: ServerResponse,
  resourcePath: string,
  origin: string | undefined,
  allowedOrigins: readonly string[],
): void {
  const headers = {
    ...securityHeaders,
    'cache-control': NO_STORE,
    ...preflightHeaders(preflightMethods(routeTable, resourcePath), origin, allowedOrigins),
  };
  for (const [name, value] of Object.entries(headers)) res.setHeader(name, value);
  res.statusCode = 204;
  res.end();
}

/** Sets the CORS headers of a gateway's own answer. */
export function setGatewayCorsHeaders(res: ServerResponse): void {
  for (const [name, value] of Object.entries(gatewayCorsHeaders)) res.setHeader(name, value);
}
