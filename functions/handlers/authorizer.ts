import type { APIGatewayAuthorizerResult, APIGatewayRequestAuthorizerEvent } from 'aws-lambda';
import { type Claims, verifyAuthorization } from '../bearer-token.js';

/**
 * API Gateway REQUEST authorizer for the routes that need a token, in AWS and behind the local gateway alike.
 * It verifies the bearer token with the one verifier (`bearer-token.ts`, which the API functions also run on
 * the routes open to anyone) and passes `{sub, role, org}` on as `requestContext.authorizer`. Roles are
 * enforced by the handlers, from the route table.
 *
 * - a valid token: allowed with its claims;
 * - anything else: `Unauthorized`, which API Gateway answers with 401 (the UNAUTHORIZED gateway response);
 * - no Authorization header: allowed as anonymous (`sub: ''`), which the functions then refuse with 401
 *   (API Gateway answers a missing header with 401 itself: the authorizer is cached on it);
 * - the identity provider unreachable: the error propagates and API Gateway answers 500, not a 401.
 */
export async function handler(event: APIGatewayRequestAuthorizerEvent): Promise<APIGatewayAuthorizerResult> {
  const claims = await verifyAuthorization(headerValue(event.headers, 'authorization'));
  return allow(event.methodArn, claims.sub || 'anonymous', claims);
}

/**
 * Allows the whole stage, not just the method called: the decision is about the caller, not the route, so the
 * policy API Gateway caches for one Authorization header stays correct for the caller's other requests.
 */
function allow(methodArn: string, principalId: string, context: Claims): APIGatewayAuthorizerResult {
  // arn:aws:execute-api:<region>:<account>:<api id>/<stage>/<METHOD>/<path...>
  const [apiArn, stage] = methodArn.split('/');
  return {
    principalId,
    policyDocument: {
      Version: '2012-10-17',
      Statement: [{ Action: 'execute-api:Invoke', Effect: 'Allow', Resource: `${apiArn}/${stage}/*` }],
    },
    context,
  };
}

function headerValue(headers: APIGatewayRequestAuthorizerEvent['headers'], name: string): string | undefined {
  for (const [key, value] of Object.entries(headers ?? {})) {
    if (key.toLowerCase() === name && value !== undefined) return value;
  }
  return undefined;
}
