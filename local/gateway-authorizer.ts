import type {
  APIGatewayAuthorizerResult,
  APIGatewayProxyEvent,
  APIGatewayRequestAuthorizerEvent,
} from 'aws-lambda';
import { hasAuthorizer, type Route } from '../functions/routes.js';

type AuthorizerHandler = (event: APIGatewayRequestAuthorizerEvent) => Promise<APIGatewayAuthorizerResult>;

/** What API Gateway makes of an authorizer's answer. */
export type Authorization =
  /** A route open to anyone: no authorizer runs, and its function verifies a token sent to it itself. */
  | { readonly kind: 'open' }
  | { readonly kind: 'allowed'; readonly context: Readonly<Record<string, string>> }
  /** 401, the UNAUTHORIZED gateway response: no token where one is required, or the authorizer refused it. */
  | { readonly kind: 'unauthorized' }
  /** 403, ACCESS_DENIED: the policy does not allow this method. */
  | { readonly kind: 'denied' }
  /** 500, AUTHORIZER_FAILURE: the authorizer failed (the identity provider unreachable, say). */
  | { readonly kind: 'failed'; readonly error: unknown };

export interface GatewayAuthorizerOptions {
  /** The production authorizer (`functions/handlers/authorizer.ts`), loaded once like a Lambda container. */
  readonly load: () => Promise<{ handler: AuthorizerHandler }>;
  /** How long an allowed answer is kept per Authorization header (the deployed authorizer's TTL). */
  readonly cacheSeconds: number;
  readonly now?: () => number;
}

interface CachedAllow {
  readonly policy: APIGatewayAuthorizerResult;
  readonly expiresAt: number;
}

/** Cached answers are swept of expired ones once this many are kept. */
const SWEEP_ABOVE_ENTRIES = 10_000;

/**
 * API Gateway's Lambda REQUEST authorizer, for the local gateway, configured as the CDK deploys it: on routes
 * that require a token the identity source is the Authorization header (absent or empty: 401 without calling
 * the authorizer) and an allowed answer is cached per header value; routes open to anyone have no authorizer
 * (`hasAuthorizer`). The answer's policy must allow the method, and its context becomes
 * `requestContext.authorizer`.
 */
export class GatewayAuthorizer {
  private readonly cache = new Map<string, CachedAllow>();
  private readonly now: () => number;

  constructor(private readonly options: GatewayAuthorizerOptions) {
    this.now = options.now ?? Date.now;
  }

  async authorize(route: Route, event: APIGatewayProxyEvent): Promise<Authorization> {
    if (!hasAuthorizer(route)) return { kind: 'open' };
    const methodArn = methodArnOf(event);
    const identity = headerValue(event.headers, 'authorization');
    if (!identity) return { kind: 'unauthorized' };
    const cacheKey = this.options.cacheSeconds > 0 ? identity : undefined;
    const hit = cacheKey ? this.cache.get(cacheKey) : undefined;
    if (hit && hit.expiresAt > this.now()) return decide(hit.policy, methodArn);

    let policy: APIGatewayAuthorizerResult;
    try {
      const { handler } = await this.options.load();
      policy = await handler(requestAuthorizerEvent(event, methodArn));
    } catch (error) {
      // The one answer that means "refused"; any other error is the authorizer's own failure.
      if ((error as Error)?.message === 'Unauthorized') return { kind: 'unauthorized' };
      return { kind: 'failed', error };
    }
    if (cacheKey) {
      if (this.cache.size >= SWEEP_ABOVE_ENTRIES) this.sweep();
      this.cache.set(cacheKey, { policy, expiresAt: this.now() + this.options.cacheSeconds * 1000 });
    }
    return decide(policy, methodArn);
  }

  private sweep(): void {
    const now = this.now();
    for (const [identity, entry] of this.cache) if (entry.expiresAt <= now) this.cache.delete(identity);
  }
}

/** Allowed when an Allow statement covers the method and no Deny does; context values as strings. */
function decide(policy: APIGatewayAuthorizerResult, methodArn: string): Authorization {
  const covering = policy.policyDocument.Statement.filter((statement) =>
    [('Resource' in statement ? statement.Resource : undefined) ?? []]
      .flat()
      .some((resource) => wildcard(resource).test(methodArn)),
  );
  if (!covering.some((s) => s.Effect === 'Allow') || covering.some((s) => s.Effect === 'Deny')) {
    return { kind: 'denied' };
  }
  const context = Object.fromEntries(
    Object.entries(policy.context ?? {}).map(([name, value]) => [name, String(value)]),
  );
  return { kind: 'allowed', context: { ...context, principalId: policy.principalId } };
}

function wildcard(pattern: string): RegExp {
  return new RegExp(
    `^${pattern
      .split('*')
      .map((part) => part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'))
      .join('.*')}$`,
  );
}

function methodArnOf(event: APIGatewayProxyEvent): string {
  const { accountId, apiId, stage } = event.requestContext;
  return `arn:aws:execute-api:${process.env.AWS_REGION ?? 'local'}:${accountId}:${apiId}/${stage}/${event.httpMethod}${event.path}`;
}

function requestAuthorizerEvent(
  event: APIGatewayProxyEvent,
  methodArn: string,
): APIGatewayRequestAuthorizerEvent {
  return {
    type: 'REQUEST',
    methodArn,
    resource: event.resource,
    path: event.path,
    httpMethod: event.httpMethod,
    headers: event.headers,
    multiValueHeaders: event.multiValueHeaders,
    pathParameters: event.pathParameters,
    queryStringParameters: event.queryStringParameters,
    multiValueQueryStringParameters: event.multiValueQueryStringParameters,
    stageVariables: event.stageVariables,
    // API Gateway calls the authorizer before there is an authorizer context to pass.
    requestContext: { ...event.requestContext, authorizer: undefined },
  };
}

/** A header's value by its lower-case name; an empty one counts as absent. */
export function headerValue(headers: APIGatewayProxyEvent['headers'], name: string): string | undefined {
  for (const [key, value] of Object.entries(headers)) if (key.toLowerCase() === name && value) return value;
  return undefined;
}
