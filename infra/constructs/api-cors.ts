/**
 * CORS on the REST API, by the rules of `functions/http/cors.ts`, from the route table and the configured
 * front-end origins: one OPTIONS method per resource path with a MOCK integration, so API Gateway answers
 * every preflight itself and no function runs (for several origins the CDK's template names the request's
 * origin back only when it is listed), and the headers the gateway's own answers carry. The functions'
 * answers get theirs from the functions (`CORS_ALLOWED_ORIGINS`), which a proxy integration requires.
 */
import { Duration } from 'aws-cdk-lib';
import type { RestApi } from 'aws-cdk-lib/aws-apigateway';
import {
  CORS_MAX_AGE_SECONDS,
  corsAllowedHeaders,
  gatewayCorsHeaders,
  preflightMethods,
} from '../../functions/http/cors.js';
import type { Route } from '../../functions/routes.js';
import { acknowledge } from '../nag.js';

/** Adds a preflight to every resource path of `routes`; none when no origin is allowed (a 404 refuses). */
export function addCorsPreflights(api: RestApi, routes: readonly Route[], origins: readonly string[]): void {
  if (origins.length === 0) return;
  for (const path of new Set(routes.map((route) => route.path))) {
    const preflight = api.root.resourceForPath(path).addCorsPreflight({
      allowOrigins: [...origins],
      allowMethods: [...preflightMethods(routes, path), 'OPTIONS'],
      allowHeaders: [...corsAllowedHeaders],
      maxAge: Duration.seconds(CORS_MAX_AGE_SECONDS),
      statusCode: 204,
    });
    acknowledge(
      preflight,
      'AwsSolutions-APIG4',
      'A CORS preflight (OPTIONS) is answered by API Gateway from a MOCK integration: browsers send it without credentials by design, it reaches no function and returns no data, only which listed origins may call.',
    );
    acknowledge(
      preflight,
      'AwsSolutions-COG4',
      'A CORS preflight (OPTIONS) carries no token by the Fetch standard, so no authorizer can run on it; it is a MOCK answer that reaches no function.',
    );
  }
}

/** The CORS headers of a gateway response, as the literals its `responseParameters` take. */
export function gatewayResponseCorsHeaders(): Record<string, string> {
  return Object.fromEntries(Object.entries(gatewayCorsHeaders).map(([name, value]) => [name, `'${value}'`]));
}
