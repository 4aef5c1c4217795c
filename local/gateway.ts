/**
 * The local API Gateway: turns HTTP requests into the REST API proxy events the deployed functions get,
 * routed by the same route table the CDK reads, behind the production authorizer (cached as deployed) and,
 * when given limits, the 429s the WAF rate rule and stage throttling answer in AWS.
 */
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import type { APIGatewayProxyEvent, APIGatewayProxyResult, Context } from 'aws-lambda';
import { decodeJwt } from 'jose';
import {
  headersTooLargeProblem,
  problem,
  refusedToken,
  throttledProblem,
} from '../functions/http/problem.js';
import { NO_STORE, securityHeaders } from '../functions/http/response-headers.js';
import {
  type ApiFunctionId,
  apiFunctionTimeoutSeconds,
  type Route,
  routeTable,
} from '../functions/routes.js';
import { answerPreflight, setGatewayCorsHeaders } from './cors.js';
import { type Authorization, GatewayAuthorizer, headerValue } from './gateway-authorizer.js';
import { type RateLimits, RateLimiter } from './rate-limit.js';

type ApiHandler = (event: APIGatewayProxyEvent, context: Context) => Promise<APIGatewayProxyResult>;

/** One import per API function; typed by the function list, so a new function cannot be forgotten here. */
const functionModules: Record<ApiFunctionId, () => Promise<{ handler: ApiHandler }>> = {
  health: () => import('../functions/handlers/health.js'),
  registry: () => import('../functions/handlers/registry.js'),
  services: () => import('../functions/handlers/services.js'),
  reviews: () => import('../functions/handlers/reviews.js'),
  contracts: () => import('../functions/handlers/contracts.js'),
  cases: () => import('../functions/handlers/cases.js'),
  stats: () => import('../functions/handlers/stats.js'),
  audit: () => import('../functions/handlers/audit.js'),
  events: () => import('../functions/handlers/events.js'),
  webhooks: () => import('../functions/handlers/webhooks.js'),
  docs: () => import('../functions/handlers/docs.js'),
};

const loaded = new Map<ApiFunctionId, Promise<{ handler: ApiHandler }>>();

/**
 * Each function's module, imported once: a Lambda container keeps its module too, and a dynamic import
 * per request would cost a trip through the module loader every time.
 */
function loadFunction(fn: ApiFunctionId): Promise<{ handler: ApiHandler }> {
  let module = loaded.get(fn);
  if (!module) {
    module = functionModules[fn]();
    loaded.set(fn, module);
  }
  return module;
}

/** API Gateway's own payload limit; the functions enforce the API's smaller one. */
const GATEWAY_MAX_BODY_BYTES = 10 * 1024 * 1024;

export interface GatewayOptions {
  readonly port?: number;
  readonly host?: string;
  /** How long an authorizer answer is kept per Authorization header, as deployed (`authorizerCacheSeconds`). */
  readonly authorizerCacheSeconds: number;
  /** Answer 429 past these, per caller and for the whole gateway; nothing is limited without them. */
  readonly rateLimits?: RateLimits;
  /** Called once per request with a one-line summary. */
  readonly log?: (line: string) => void;
  /** Front-end origins whose preflights are allowed (`marketplace:corsOrigins`). */
  readonly corsOrigins?: readonly string[];
}

export interface Gateway {
  readonly url: string;
  readonly server: Server;
  /**
   * Stops listening. By default open connections are cut; with `drain`, requests in flight finish and
   * connections close as they fall idle, as a process being replaced in a deploy should.
   */
  close(options?: { drain?: boolean }): Promise<void>;
}

interface CompiledRoute {
  readonly route: Route;
  readonly pattern: RegExp;
  readonly names: string[];
  readonly literalSegments: number;
}

function compile(route: Route): CompiledRoute {
  const names: string[] = [];
  const segments = route.path.split('/').filter(Boolean);
  const source = segments
    .map((segment) => {
      const param = /^\{(\w+)\}$/.exec(segment);
      if (!param?.[1]) return segment.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
      names.push(param[1]);
      return '([^/]+)';
    })
    .join('/');
  return {
    route,
    pattern: new RegExp(`^/${source}$`),
    names,
    literalSegments: segments.length - names.length,
  };
}

// API Gateway prefers literal path segments over parameters.
const compiledRoutes = routeTable.map(compile).sort((a, b) => b.literalSegments - a.literalSegments);
const routesByMethod = new Map<string, CompiledRoute[]>();
for (const compiled of compiledRoutes) {
  const sameMethod = routesByMethod.get(compiled.route.method);
  if (sameMethod) sameMethod.push(compiled);
  else routesByMethod.set(compiled.route.method, [compiled]);
}

/** The route of a request and its path's match, tried in API Gateway's order (literal segments first). */
function routeFor(
  method: string,
  path: string,
): { compiled: CompiledRoute; match: RegExpExecArray } | undefined {
  for (const compiled of routesByMethod.get(method) ?? []) {
    const match = compiled.pattern.exec(path);
    if (match) return { compiled, match };
  }
  return undefined;
}

/** What stands before the functions in AWS, one per gateway as one per deployed stage. */
interface Front {
  readonly authorizer: GatewayAuthorizer;
  readonly rateLimiter: RateLimiter | undefined;
  readonly corsOrigins: readonly string[];
}

export async function startGateway(options: GatewayOptions): Promise<Gateway> {
  const front: Front = {
    authorizer: new GatewayAuthorizer({
      load: () => import('../functions/handlers/authorizer.js'),
      cacheSeconds: options.authorizerCacheSeconds,
    }),
    rateLimiter: options.rateLimits ? new RateLimiter(options.rateLimits) : undefined,
    corsOrigins: options.corsOrigins ?? [],
  };
  const server = createServer((req, res) => {
    const started = performance.now();
    handle(req, res, front)
      .catch((error: unknown) => {
        send(res, 502, { ...problem('unavailable', `The function failed: ${(error as Error).message}`) });
      })
      .finally(() => {
        options.log?.(
          `${req.method} ${req.url} ${res.statusCode} ${Math.round(performance.now() - started)}ms`,
        );
      });
  });
  server.on('clientError', (error: NodeJS.ErrnoException, socket) => answerUnparsable(error, socket));
  server.keepAliveTimeout = 65_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => resolve());
  });
  const { port, address } = server.address() as AddressInfo;
  return {
    url: `http://${address.includes(':') ? `[${address}]` : address}:${port}`,
    server,
    close: ({ drain = false } = {}) =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        if (!drain) return server.closeAllConnections();
        // A keep-alive connection falls idle once its request is answered; close it then.
        const sweep = setInterval(() => server.closeIdleConnections(), 50);
        server.once('close', () => clearInterval(sweep));
      }),
  };
}

async function handle(req: IncomingMessage, res: ServerResponse, front: Front): Promise<void> {
  const url = new URL(req.url ?? '/', 'http://local');
  const method = (req.method ?? 'GET').toUpperCase();
  // CORS preflights are the gateway's own answer, as API Gateway's OPTIONS methods are (local/cors.ts).
  if (method === 'OPTIONS') {
    const preflighted = compiledRoutes.find((compiled) => compiled.pattern.test(url.pathname));
    if (preflighted)
      return answerPreflight(res, preflighted.route.path, req.headers.origin, front.corsOrigins);
  }
  const found = routeFor(method, url.pathname);
  if (!found) {
    const allowed = compiledRoutes.filter((compiled) => compiled.pattern.test(url.pathname));
    if (allowed.length === 0) return send(res, 404, problem('not-found', `No route for ${url.pathname}.`));
    res.setHeader('allow', [...new Set(allowed.map((compiled) => compiled.route.method))].join(', '));
    return send(res, 405, {
      ...problem('invalid', `${method} is not allowed on ${url.pathname}.`),
      status: 405,
      title: 'Method not allowed',
    });
  }
  const body = await readBody(req);
  if (body === undefined)
    return send(res, 413, problem('payload-too-large', 'The body exceeds the gateway limit.'));

  const { compiled, match } = found;
  const requestId = randomUUID();
  const event = toEvent(req, url, compiled, match, body, requestId);
  const authorization = await front.authorizer.authorize(compiled.route, event);
  const throttled = front.rateLimiter?.admit(rateLimitedCaller(event));
  if (throttled) {
    res.setHeader('retry-after', String(throttled.retryAfterSeconds));
    return send(res, 429, throttledProblem('Too many requests; retry after the seconds Retry-After gives.'));
  }
  if (authorization.kind === 'allowed') event.requestContext.authorizer = authorization.context;
  else if (authorization.kind !== 'open') return refuse(res, authorization);
  const { handler } = await loadFunction(compiled.route.fn);
  const result = await handler(event, lambdaContext(compiled.route.fn, requestId));
  // One list for writeHead rather than a setHeader per header: Node then keeps no header map to fill.
  // A name in both lists goes out with the multi-value list's values only, as API Gateway merges them.
  const headers: string[] = [];
  const multiValue = result.multiValueHeaders ?? {};
  for (const [name, value] of Object.entries(result.headers ?? {}))
    if (!(name in multiValue)) headers.push(name, String(value));
  for (const [name, values] of Object.entries(multiValue))
    for (const value of values) headers.push(name, String(value));
  res.writeHead(result.statusCode, headers);
  res.end(result.isBase64Encoded ? Buffer.from(result.body, 'base64') : result.body);
}

function toEvent(
  req: IncomingMessage,
  url: URL,
  compiled: CompiledRoute,
  match: RegExpExecArray,
  body: Buffer,
  requestId: string,
): APIGatewayProxyEvent {
  const headers: Record<string, string> = {};
  const multiValueHeaders: Record<string, string[]> = {};
  for (let i = 0; i < req.rawHeaders.length; i += 2) {
    const name = req.rawHeaders[i] ?? '';
    const value = req.rawHeaders[i + 1] ?? '';
    headers[name] = value;
    (multiValueHeaders[name] ??= []).push(value);
  }
  const query: Record<string, string> = {};
  const multiQuery: Record<string, string[]> = {};
  for (const [name, value] of url.searchParams) {
    query[name] = value;
    (multiQuery[name] ??= []).push(value);
  }
  // Raw, as API Gateway passes them: the function decodes them (and refuses what does not decode).
  const pathParameters = Object.fromEntries(compiled.names.map((name, i) => [name, match[i + 1] ?? '']));
  const hasQuery = Object.keys(query).length > 0;
  return {
    resource: compiled.route.path,
    path: url.pathname,
    httpMethod: compiled.route.method,
    headers,
    multiValueHeaders,
    queryStringParameters: hasQuery ? query : null,
    multiValueQueryStringParameters: hasQuery ? multiQuery : null,
    pathParameters: compiled.names.length ? pathParameters : null,
    stageVariables: null,
    body: body.length ? body.toString('utf8') : null,
    isBase64Encoded: false,
    requestContext: {
      accountId: '000000000000',
      apiId: 'local',
      authorizer: null,
      httpMethod: compiled.route.method,
      identity: {
        accessKey: null,
        accountId: null,
        apiKey: null,
        apiKeyId: null,
        caller: null,
        clientCert: null,
        cognitoAuthenticationProvider: null,
        cognitoAuthenticationType: null,
        cognitoIdentityId: null,
        cognitoIdentityPoolId: null,
        principalOrgId: null,
        sourceIp: req.socket.remoteAddress ?? '127.0.0.1',
        user: null,
        userAgent: req.headers['user-agent'] ?? null,
        userArn: null,
      },
      path: url.pathname,
      protocol: `HTTP/${req.httpVersion}`,
      requestId,
      requestTimeEpoch: Date.now(),
      resourceId: 'local',
      resourcePath: compiled.route.path,
      stage: 'local',
    },
  };
}

/**
 * Whom the per-caller limit counts. In AWS the WAF counts per client address and verifies nothing; locally
 * every caller shares the loopback address, so a caller is the subject its token claims (verified or not:
 * a route open to anyone has no authorizer, and its function verifies the token after this), else its address.
 */
function rateLimitedCaller(event: APIGatewayProxyEvent): string {
  const token = /^Bearer\s+(\S+)/i.exec(headerValue(event.headers, 'authorization') ?? '')?.[1];
  try {
    const { sub } = token ? decodeJwt(token) : {};
    if (typeof sub === 'string' && sub) return sub;
  } catch {
    // Not a JWT: counted by address, and refused as a token further on.
  }
  return event.requestContext.identity.sourceIp;
}

/** As Lambda gives a function: its configured timeout, from the same constant the CDK deploys. */
function lambdaContext(fn: ApiFunctionId, requestId: string): Context {
  const deadline = Date.now() + apiFunctionTimeoutSeconds * 1000;
  return {
    awsRequestId: requestId,
    functionName: `local-${fn}`,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:local:000000000000:function:local-${fn}`,
    memoryLimitInMB: '512',
    logGroupName: `/aws/lambda/local-${fn}`,
    logStreamName: 'local',
    callbackWaitsForEmptyEventLoop: false,
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
    done: ignoreCallback,
    fail: ignoreCallback,
    succeed: ignoreCallback,
  };
}

/** The context's legacy callbacks, which no handler of ours calls. */
const ignoreCallback = () => undefined;

const NO_BODY = Buffer.alloc(0);

/** The body, or `undefined` when it exceeds the gateway limit. */
async function readBody(req: IncomingMessage): Promise<Buffer | undefined> {
  // A request that announces no body (most GETs) has none to wait for: no stream iteration per read.
  if (req.headers['content-length'] === undefined && req.headers['transfer-encoding'] === undefined) {
    req.resume();
    return NO_BODY;
  }
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > GATEWAY_MAX_BODY_BYTES) return undefined;
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

/** The gateway responses the CDK configures for an authorizer's refusal or failure. */
function refuse(
  res: ServerResponse,
  authorization: Exclude<Authorization, { kind: 'allowed' | 'open' }>,
): void {
  if (authorization.kind === 'unauthorized') {
    res.setHeader('www-authenticate', refusedToken.challenge);
    return send(res, 401, problem('unauthenticated', refusedToken.detail));
  }
  if (authorization.kind === 'denied') {
    return send(res, 403, problem('forbidden', 'The API gateway denied this request.'));
  }
  return send(res, 500, {
    type: '/problems/gateway-error',
    title: 'The API gateway could not complete the request',
    status: 500,
    detail: `The authorizer failed: ${(authorization.error as Error)?.message}`,
  });
}

/**
 * A request Node's HTTP parser refused never reaches `handle`; it still gets a problem+json answer, as API
 * Gateway gives one: 431 for headers over the parser's limit, 400 for anything else it cannot read.
 */
function answerUnparsable(error: NodeJS.ErrnoException, socket: Duplex): void {
  if (!socket.writable) {
    socket.destroy();
    return;
  }
  const tooLarge = error.code === 'HPE_HEADER_OVERFLOW';
  const body = JSON.stringify(
    tooLarge
      ? headersTooLargeProblem('The request headers exceed the gateway limit.')
      : problem('invalid', 'The request is not well-formed HTTP.'),
  );
  const headers = {
    ...securityHeaders,
    'cache-control': NO_STORE,
    'content-type': 'application/problem+json',
    'content-length': String(Buffer.byteLength(body)),
    connection: 'close',
  };
  socket.end(
    `HTTP/1.1 ${tooLarge ? '431 Request Header Fields Too Large' : '400 Bad Request'}\r\n` +
      Object.entries(headers)
        .map(([name, value]) => `${name}: ${value}\r\n`)
        .join('') +
      `\r\n${body}`,
  );
}

/** The gateway's own answers: problem+json, never cached, with the headers every answer carries. */
function send(res: ServerResponse, status: number, body: object): void {
  res.statusCode = status;
  for (const [name, value] of Object.entries(securityHeaders)) res.setHeader(name, value);
  res.setHeader('cache-control', NO_STORE);
  res.setHeader('content-type', 'application/problem+json');
  setGatewayCorsHeaders(res);
  res.end(JSON.stringify(body));
}
