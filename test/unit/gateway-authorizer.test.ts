import type { APIGatewayAuthorizerResult, APIGatewayRequestAuthorizerEvent } from 'aws-lambda';
import { describe, expect, it, vi } from 'vitest';
import { type Route, routeTable } from '../../functions/routes.js';
import { GatewayAuthorizer } from '../../local/gateway-authorizer.js';
import { proxyEvent } from '../support/fixtures.js';

// Any Region: the gateway names the one its process serves.
const STAGE_ARN = 'arn:aws:execute-api:*:000000000000:local/local';
const tokenRoute = routeTable.find((route) => route.path === '/v1/audit') as Route;
const openRoute = routeTable.find((route) => route.path === '/v1/stats') as Route;

const event = (route: Route, authorization?: string) =>
  proxyEvent(route.method, route.path, authorization === undefined ? {} : { Authorization: authorization });

function allow(
  sub: string,
  resource = `${STAGE_ARN}/*`,
  effect: 'Allow' | 'Deny' = 'Allow',
): APIGatewayAuthorizerResult {
  return {
    principalId: sub,
    policyDocument: {
      Version: '2012-10-17',
      Statement: [{ Action: 'execute-api:Invoke', Effect: effect, Resource: resource }],
    },
    context: { sub, role: 'admin', org: '' },
  };
}

function setup(answer: (event: APIGatewayRequestAuthorizerEvent) => Promise<APIGatewayAuthorizerResult>) {
  let now = 0;
  const handler = vi.fn(answer);
  const authorizer = new GatewayAuthorizer({
    load: async () => ({ handler }),
    cacheSeconds: 60,
    now: () => now,
  });
  return { authorizer, handler, advance: (ms: number) => (now += ms) };
}

describe('GatewayAuthorizer (API Gateway REQUEST authorizer, as deployed)', () => {
  it('caches an allowed answer per Authorization header for the TTL where a token is required', async () => {
    const { authorizer, handler, advance } = setup(async () => allow('alice'));
    const first = await authorizer.authorize(tokenRoute, event(tokenRoute, 'Bearer a'));
    expect(first).toEqual({
      kind: 'allowed',
      context: { principalId: 'alice', sub: 'alice', role: 'admin', org: '' },
    });
    expect(handler.mock.calls[0]?.[0]).toMatchObject({
      type: 'REQUEST',
      methodArn: expect.stringMatching(
        /^arn:aws:execute-api:[\w-]+:000000000000:local\/local\/GET\/v1\/audit$/,
      ),
      headers: { Authorization: 'Bearer a' },
    });
    advance(59_000);
    await authorizer.authorize(tokenRoute, event(tokenRoute, 'Bearer a'));
    expect(handler).toHaveBeenCalledTimes(1);
    await authorizer.authorize(tokenRoute, event(tokenRoute, 'Bearer b'));
    expect(handler).toHaveBeenCalledTimes(2);
    advance(1000);
    await authorizer.authorize(tokenRoute, event(tokenRoute, 'Bearer a'));
    expect(handler).toHaveBeenCalledTimes(3);
  });

  it('answers 401 without calling the authorizer when a token route has no Authorization header', async () => {
    const { authorizer, handler } = setup(async () => allow('alice'));
    expect(await authorizer.authorize(tokenRoute, event(tokenRoute))).toEqual({ kind: 'unauthorized' });
    expect(await authorizer.authorize(tokenRoute, event(tokenRoute, ''))).toEqual({ kind: 'unauthorized' });
    expect(handler).not.toHaveBeenCalled();
  });

  it('runs no authorizer on a route open to anyone, token or not (its function verifies the token)', async () => {
    const { authorizer, handler } = setup(async () => allow(''));
    expect(await authorizer.authorize(openRoute, event(openRoute))).toEqual({ kind: 'open' });
    expect(await authorizer.authorize(openRoute, event(openRoute, 'Bearer a'))).toEqual({ kind: 'open' });
    expect(await authorizer.authorize(openRoute, event(openRoute, 'not a token'))).toEqual({ kind: 'open' });
    expect(handler).not.toHaveBeenCalled();
  });

  it('maps Unauthorized to 401, other errors to a failure, and policies that do not allow the method to 403', async () => {
    const refused = setup(async () => Promise.reject(new Error('Unauthorized')));
    expect(await refused.authorizer.authorize(tokenRoute, event(tokenRoute, 'Bearer a'))).toEqual({
      kind: 'unauthorized',
    });
    await refused.authorizer.authorize(tokenRoute, event(tokenRoute, 'Bearer a'));
    expect(refused.handler).toHaveBeenCalledTimes(2);

    const broken = setup(async () => Promise.reject(new Error('OIDC_ISSUER is not set')));
    expect(await broken.authorizer.authorize(tokenRoute, event(tokenRoute, 'Bearer a'))).toMatchObject({
      kind: 'failed',
    });

    const elsewhere = setup(async () => allow('alice', `${STAGE_ARN}/POST/*`));
    expect(await elsewhere.authorizer.authorize(tokenRoute, event(tokenRoute, 'Bearer a'))).toEqual({
      kind: 'denied',
    });
    const denied = setup(async () => allow('alice', `${STAGE_ARN}/*`, 'Deny'));
    expect(await denied.authorizer.authorize(tokenRoute, event(tokenRoute, 'Bearer a'))).toEqual({
      kind: 'denied',
    });
  });
});
