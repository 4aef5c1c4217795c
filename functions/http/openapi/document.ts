/**
 * The OpenAPI 3.1 document of this API, generated: paths, methods, roles and idempotency from the route
 * table; request bodies and query parameters from the zod/mini schemas the domain validates with; answers
 * from `representations.ts`; statuses and headers from what `functions/http` and the gateways send. Zod 4's
 * own `z.toJSONSchema` writes JSON Schema 2020-12, which is OpenAPI 3.1's schema dialect, so no OpenAPI
 * library stands between the schemas and the document.
 *
 * Only the docs function imports this module: every other function stays free of it (cold starts).
 */
import * as z from 'zod/mini';
import { auditQuery } from '../../domain/audit.js';
import { revertInput, versionListQuery, versionNumber } from '../../domain/history.js';
import { contractInput, contractListQuery, quoteInput } from '../../domain/contract.js';
import { agencyInput, providerInput } from '../../domain/registry.js';
import { agendaInput, decisionInput, openInput, sessionNumber } from '../../domain/review.js';
import { serviceInput, serviceListQuery, servicePatch } from '../../domain/service.js';
import { type Route, type RouteKey, routeKey, routeTable } from '../../routes.js';
import { IF_MATCH, MAX_BODY_BYTES } from '../request.js';
import { PUBLIC_MAX_AGE_SECONDS, publicReads } from '../response-headers.js';
import {
  caseAnswerSchemas,
  caseOperations,
  caseRequestSchemas,
  terminateOperation,
} from './case-operations.js';
import { answerExamples, pathParameterExample, requestExamples } from './examples.js';
import * as answer from './representations.js';
import * as eventAnswer from './event-representations.js';
import { eventListQuery } from '../../domain/event-feed.js';
import { deliveryListQuery, webhookInput, webhookListQuery, webhookPatch } from '../../domain/webhooks.js';

type JsonSchema = Record<string, unknown>;

/** Named request bodies: exactly the schemas the operations parse with. */
const requestSchemas = {
  ProviderInput: providerInput(),
  AgencyInput: agencyInput(),
  ServiceInput: serviceInput(),
  ServicePatch: servicePatch(),
  ReviewSessionInput: openInput(),
  AgendaInput: agendaInput(),
  DecisionInput: decisionInput(),
  ContractInput: contractInput(),
  QuoteInput: quoteInput(),
  RevertInput: revertInput(),
  ...caseRequestSchemas,
  WebhookInput: webhookInput(),
  WebhookPatch: webhookPatch(),
} as const;
type RequestName = keyof typeof requestSchemas;

/** Named answers. */
const answerSchemas = {
  Provider: answer.provider,
  Agency: answer.agency,
  PricePlan: answer.pricePlan,
  Service: answer.service,
  ServicePage: answer.servicePage,
  ServiceVersion: answer.serviceVersion,
  ServiceVersionPage: answer.page(answer.serviceVersion),
  Facets: answer.facets,
  ReviewSession: answer.reviewSession,
  Contract: answer.contract,
  ContractPage: answer.page(answer.contract),
  Stats: answer.stats,
  AuditEvent: answer.auditEvent,
  AuditEventPage: answer.page(answer.auditEvent),
  Health: answer.health,
  Problem: answer.problem,
  ...caseAnswerSchemas,
  Event: eventAnswer.event,
  EventPage: eventAnswer.eventPage,
  Webhook: eventAnswer.webhook,
  WebhookCreated: eventAnswer.webhookCreated,
  WebhookPage: answer.page(eventAnswer.webhook),
  Delivery: eventAnswer.delivery,
  DeliveryPage: answer.page(eventAnswer.delivery),
} as const;
type AnswerName = keyof typeof answerSchemas;

/** What a route answers when it succeeds: a named schema as JSON, or another media type. */
type Success =
  AnswerName | { readonly mediaType: string; readonly description: string; readonly schema: JsonSchema };

interface OperationSpec {
  readonly operationId: string;
  readonly summary: string;
  readonly description?: string;
  readonly body?: RequestName;
  /** The body may be left out (a route that gained one later keeps its bodiless meaning). */
  readonly optionalBody?: true;
  /** The strict zod object the operation parses its query with. */
  readonly query?: z.ZodMiniObject;
  readonly success: Success;
  /** Creates answer 201 with `Location`; everything else 200. */
  readonly creates?: true;
  /** What `If-Match` means here, when not the version of the resource changed. */
  readonly ifMatch?: string;
  /** Representations other than JSON the success answer offers by `Accept`. */
  readonly otherMediaTypes?: Readonly<Record<string, { readonly schema: JsonSchema }>>;
  /** Answers 202: the work it asked for happens after the answer (a redelivery). */
  readonly accepts?: true;
}

const lifecycle = (operationId: string, summary: string, success: AnswerName): OperationSpec => ({
  operationId,
  summary,
  success,
});

/** One entry per route of the table; typed by it, so a route without one does not compile. */
const operations: Record<RouteKey, OperationSpec> = {
  'GET /health': {
    operationId: 'getHealth',
    summary: 'Deep health check of this Region',
    description:
      'Reads one item from every table of this Region; 503 with the same body while it is not healthy.',
    success: 'Health',
  },
  'GET /openapi.json': {
    operationId: 'getOpenApiDocument',
    summary: 'This document',
    success: {
      mediaType: 'application/json',
      description: 'The OpenAPI 3.1 document of this API.',
      schema: {
        type: 'object',
        required: ['openapi', 'info', 'paths'],
        properties: {
          openapi: { type: 'string', pattern: '^3\\.1\\.' },
          info: { type: 'object' },
          paths: { type: 'object' },
        },
      },
    },
  },
  'GET /docs': {
    operationId: 'getDocsPage',
    summary: 'A page for people about this document',
    success: {
      mediaType: 'text/html',
      description: 'A self-contained page (no third-party requests) rendering this document.',
      schema: { type: 'string' },
    },
  },
  'POST /v1/providers': {
    operationId: 'registerProvider',
    summary: 'Register a provider',
    body: 'ProviderInput',
    success: 'Provider',
    creates: true,
  },
  'GET /v1/providers/{id}': { operationId: 'getProvider', summary: 'Read a provider', success: 'Provider' },
  'POST /v1/agencies': {
    operationId: 'registerAgency',
    summary: 'Register an agency',
    body: 'AgencyInput',
    success: 'Agency',
    creates: true,
  },
  'GET /v1/agencies/{id}': {
    operationId: 'getAgency',
    summary: 'Read an agency',
    description: 'An agency may read only itself.',
    success: 'Agency',
  },
  'POST /v1/services': {
    operationId: 'createService',
    summary: 'Create a DRAFT service for the caller’s own provider',
    body: 'ServiceInput',
    success: 'Service',
    creates: true,
  },
  'GET /v1/services': {
    operationId: 'listServices',
    summary: 'Search the catalog',
    description:
      'Anyone sees `LISTED` services; the owning provider, the committee and administrators may filter on another `status`. `q` matches every word in name and summary (Korean included). `facets=true` adds `facets`: counts per category, AI flag, network and CSAP grade over every service the query matches (not only the page), each dimension counted with the other filters applied and its own ignored.',
    query: serviceListQuery(),
    success: 'ServicePage',
  },
  'GET /v1/services/{id}': {
    operationId: 'getService',
    summary: 'Read a service',
    description:
      'Anyone may read a `LISTED` service; otherwise only its provider, the committee and administrators.',
    success: 'Service',
  },
  'PATCH /v1/services/{id}': {
    operationId: 'patchService',
    summary: 'Change a service',
    description:
      '`DRAFT`: any field. `LISTED`: only `summary`, `plans`, `networks`, `csap` (others 409); removing a plan that a `REQUESTED` or `QUOTED` contract uses is a 409.',
    body: 'ServicePatch',
    success: 'Service',
  },
  'POST /v1/services/{id}/submit': lifecycle('submitService', 'Submit a DRAFT for review', 'Service'),
  'POST /v1/services/{id}/withdraw': lifecycle('withdrawService', 'Withdraw a service', 'Service'),
  'POST /v1/services/{id}/suspend': lifecycle('suspendService', 'Suspend a LISTED service', 'Service'),
  'POST /v1/services/{id}/reinstate': lifecycle(
    'reinstateService',
    'Reinstate a suspended service',
    'Service',
  ),
  'GET /v1/services/{id}/versions': {
    operationId: 'listServiceVersions',
    summary: 'A service’s history, newest first',
    description:
      'Each version with `changes`, the RFC 6902 JSON Patch from the version before (`[]` when only the status moved). Visible to whoever may read the service.',
    query: versionListQuery(),
    success: 'ServiceVersionPage',
  },
  'GET /v1/services/{id}/versions/{version}': {
    operationId: 'getServiceVersion',
    summary: 'A service exactly as it was at one version',
    success: 'Service',
  },
  'POST /v1/services/{id}/revert': {
    operationId: 'revertService',
    summary: 'Write a new version whose content equals an earlier one',
    description:
      'Content only (not status or selection); history is never rewritten. Administrators, or the owning provider while the service is a `DRAFT`.',
    body: 'RevertInput',
    success: 'Service',
  },
  'POST /v1/review-sessions': {
    operationId: 'openReviewSession',
    summary: 'Open a review session',
    body: 'ReviewSessionInput',
    success: 'ReviewSession',
    creates: true,
  },
  'GET /v1/review-sessions/{number}': {
    operationId: 'getReviewSession',
    summary: 'Read a review session',
    success: 'ReviewSession',
  },
  'POST /v1/review-sessions/{number}/agenda': {
    operationId: 'addToAgenda',
    summary: 'Put a SUBMITTED service on the agenda (it becomes UNDER_REVIEW)',
    body: 'AgendaInput',
    success: 'ReviewSession',
  },
  'POST /v1/review-sessions/{number}/decisions': {
    operationId: 'decide',
    summary: 'Decide on a service under review (SELECTED lists it with a validity)',
    body: 'DecisionInput',
    success: 'ReviewSession',
  },
  'POST /v1/review-sessions/{number}/close': lifecycle(
    'closeReviewSession',
    'Close a session',
    'ReviewSession',
  ),
  'POST /v1/contracts': {
    operationId: 'requestContract',
    summary: 'Request a contract (REQUESTED)',
    description: 'The catalog amount is unit price × quantity × months of the plan, computed by the server.',
    body: 'ContractInput',
    success: 'Contract',
    creates: true,
  },
  'GET /v1/contracts': {
    operationId: 'listContracts',
    summary: 'List contracts, newest first',
    description:
      'Scoped to the caller’s organisation; an administrator names one of `agencyId` or `providerId`, or neither for every contract. `since` keeps contracts requested at or after it.',
    query: contractListQuery(),
    success: 'ContractPage',
  },
  'GET /v1/contracts/{id}': {
    operationId: 'getContract',
    summary: 'Read a contract',
    description: 'For its two parties and administrators.',
    success: 'Contract',
  },
  'POST /v1/contracts/{id}/quote': {
    operationId: 'quoteContract',
    summary: 'Quote an amount at most the catalog amount (QUOTED)',
    description: 'For the provider of the contract’s service.',
    body: 'QuoteInput',
    success: 'Contract',
  },
  'POST /v1/contracts/{id}/sign': lifecycle('signContract', 'Sign a QUOTED contract (ACTIVE)', 'Contract'),
  'POST /v1/contracts/{id}/cancel': lifecycle(
    'cancelContract',
    'Cancel a contract before it is active',
    'Contract',
  ),
  'POST /v1/contracts/{id}/complete': lifecycle(
    'completeContract',
    'Complete an ACTIVE contract',
    'Contract',
  ),
  'POST /v1/contracts/{id}/terminate': terminateOperation,
  ...caseOperations,
  'GET /v1/stats': { operationId: 'getStats', summary: 'Marketplace statistics', success: 'Stats' },
  'GET /v1/audit': {
    operationId: 'listAuditEvents',
    summary: 'The audit feed, newest first',
    description:
      'Without `entity` and `id`, the whole feed; `id` needs `entity`. Filters combine; `acknowledged=false` is the queue of changes no administrator has reviewed yet.',
    query: auditQuery(),
    success: 'AuditEventPage',
  },
  'POST /v1/audit/{eventId}/acknowledge': {
    operationId: 'acknowledgeAuditEvent',
    summary: 'Mark a change as reviewed',
    description: 'Records `acknowledged{by, at}`; acknowledging again answers 200 with the same record.',
    ifMatch:
      'An audit event has no version and sends no `ETag`, so only `*` matches it; any ETag answers 412 and records nothing.',
    success: 'AuditEvent',
  },
  'GET /v1/events': {
    operationId: 'listEvents',
    summary: 'The caller’s organisation’s events, oldest first',
    description:
      'Every change that concerns the caller’s organisation, in the order this Region received them. Pass `next` back as `after` to resume (it is always given, also after an empty page). A cursor from the other Region resumes a little earlier, so after a failover some events may come again, with the same `id`. Administrators see every event, or one organisation’s with `org`.',
    query: eventListQuery(),
    success: 'EventPage',
  },
  'POST /v1/webhooks': {
    operationId: 'createWebhook',
    summary: 'Subscribe an address to the organisation’s events',
    description:
      'Answers the signing `secret` (Standard Webhooks, `whsec_` and base64) here and never again. The address must be `https` and must not resolve to a private, loopback, link-local or metadata address (400). Administrators name the `org`.',
    body: 'WebhookInput',
    success: 'WebhookCreated',
    creates: true,
  },
  'GET /v1/webhooks': {
    operationId: 'listWebhooks',
    summary: 'The organisation’s webhook subscriptions',
    description: 'Administrators name the `org`.',
    query: webhookListQuery(),
    success: 'WebhookPage',
  },
  'GET /v1/webhooks/{id}': { operationId: 'getWebhook', summary: 'Read a subscription', success: 'Webhook' },
  'PATCH /v1/webhooks/{id}': {
    operationId: 'updateWebhook',
    summary: 'Change a subscription’s address, types or whether it is enabled',
    description: 'A new address is checked as at create (400).',
    body: 'WebhookPatch',
    success: 'Webhook',
  },
  'GET /v1/webhooks/{id}/deliveries': {
    operationId: 'listDeliveries',
    summary: 'A subscription’s deliveries, by event id',
    query: deliveryListQuery(),
    success: 'DeliveryPage',
  },
  'POST /v1/webhooks/{id}/deliveries/{eventId}/redeliver': {
    operationId: 'redeliver',
    summary: 'Deliver an event again',
    description:
      'The delivery becomes `pending`, due now, with a new 24-hour retry window; an event of the organisation never delivered to this subscription gets its first delivery.',
    success: 'Delivery',
    accepts: true,
  },
};

const schemaRef = (name: AnswerName | RequestName) => ({ $ref: `#/components/schemas/${name}` });

/** Component schemas of one direction: `input` for what clients send, `output` for what they receive. */
function componentSchemas(named: Readonly<Record<string, z.ZodMiniType>>, io: 'input' | 'output') {
  const registry = z.registry<{ id: string }>();
  for (const [id, schema] of Object.entries(named)) registry.add(schema, { id });
  const { schemas } = z.toJSONSchema(registry, {
    target: 'draft-2020-12',
    io,
    uri: (id) => `#/components/schemas/${id}`,
  });
  // Inside an OpenAPI document each schema is addressed by its place; an `$id` with a fragment is not allowed.
  return Object.fromEntries(
    Object.entries(schemas).map(([id, { $id: _id, $schema: _schema, ...schema }]) => [id, schema]),
  );
}

function jsonSchemaOf(schema: z.ZodMiniType, io: 'input' | 'output'): JsonSchema {
  const { $schema: _schema, ...rest } = z.toJSONSchema(schema, { target: 'draft-2020-12', io });
  return rest;
}

/**
 * The headers this API sends, each documented once and referenced from every answer that carries it. Those
 * marked `required` are on every answer that references them.
 */
const headers = {
  'Cache-Control': {
    description: `\`no-store\` unless an anonymous caller reads a public resource (\`public, max-age=${PUBLIC_MAX_AGE_SECONDS}\`).`,
    required: true,
    schema: { type: 'string' },
  },
  'Strict-Transport-Security': {
    description: 'HTTPS only, for two years.',
    required: true,
    schema: { type: 'string' },
  },
  'X-Content-Type-Options': {
    description: '`nosniff`.',
    required: true,
    schema: { type: 'string', const: 'nosniff' },
  },
  'X-Request-Id': {
    description: 'This request’s id, as logged; sent by the functions, not by the gateway’s own answers.',
    required: false,
    schema: { type: 'string' },
  },
  // Quotes are written `["]`: Specmatic's generator reads a bare `"` as the start of a literal string. A
  // content tag's characters are RFC 9110's `etagc` without obs-text (`[^"]` admits control characters too).
  ETag: {
    description:
      '`"<version>"` of the resource; send it back in `If-Match` to change it, or in `If-None-Match` to read it again cheaply.',
    required: true,
    schema: { type: 'string', pattern: '^["]\\d+["]$' },
  },
  ContentTag: {
    description: 'For an anonymous public read without a version: a tag of the content, for `If-None-Match`.',
    required: false,
    schema: { type: 'string', pattern: '^["][!#-~]+["]$' },
  },
  Vary: { description: 'Public reads vary on `Authorization`.', required: false, schema: { type: 'string' } },
  Location: {
    description: 'The created resource.',
    required: true,
    schema: { type: 'string', format: 'uri-reference' },
  },
  'Idempotent-Replayed': {
    description: 'This answers a retry with the same `Idempotency-Key`; nothing was applied again.',
    required: false,
    schema: { type: 'string', const: 'true' },
  },
  'Retry-After': {
    description: 'Seconds to wait before retrying.',
    required: true,
    schema: { type: 'string', pattern: '^\\d+$' },
  },
  'WWW-Authenticate': { description: 'The `Bearer` scheme.', required: true, schema: { type: 'string' } },
  'Dry-Run': {
    description: 'This answers a dry run (`?dryRun=true`): nothing was written.',
    required: false,
    schema: { type: 'string', const: 'true' },
  },
} as const;
type HeaderName = keyof typeof headers;

/** The header name on the wire of each documented header (`ContentTag` is an `ETag` of another kind). */
const wireName = (name: HeaderName) => (name === 'ContentTag' ? 'ETag' : name);

/** Headers of one answer, by reference: the ones every answer carries, then `more`. */
function headerRefs(...more: HeaderName[]) {
  const everyAnswer: HeaderName[] = [
    'Cache-Control',
    'Strict-Transport-Security',
    'X-Content-Type-Options',
    'X-Request-Id',
  ];
  return Object.fromEntries(
    [...everyAnswer, ...more].map((name) => [wireName(name), { $ref: `#/components/headers/${name}` }]),
  );
}

/** The problem answers, each once; operations reference them, some with a description of their own. */
const problems = {
  BadRequest: [
    400,
    'Malformed or invalid: the body, a path or query parameter, or a header; `errors` lists each `{path, message}`.',
  ],
  Unauthorized: [
    401,
    'No bearer token where one is needed, or one that is malformed, expired or not from the trusted issuer.',
    'WWW-Authenticate',
  ],
  Forbidden: [403, 'The caller’s role or organisation may not do this.'],
  NotFound: [404, 'The resource, or one the body names, does not exist or is not visible to this caller.'],
  Conflict: [
    409,
    'An illegal state transition, a uniqueness clash, or an `Idempotency-Key` reused with another body, action or resource. Contention between legal writes is never a 409.',
  ],
  PreconditionFailed: [412, '`If-Match` names a version that is not the current one.'],
  PayloadTooLarge: [413, `The body is over ${MAX_BODY_BYTES} bytes.`],
  UnsupportedMediaType: [415, 'The body is not JSON (`Content-Type: application/json`).'],
  TooManyRequests: [
    429,
    'Throttled by the firewall, the stage or the gateway; retry after `Retry-After` seconds.',
    'Retry-After',
  ],
  HeadersTooLarge: [431, 'The request headers are over the gateway’s limit; nothing was read or written.'],
  InternalError: [500, 'An unexpected failure, logged on our side.'],
  Unavailable: [
    503,
    'The store is unavailable, or contention outlasted the request’s deadline; nothing was written. Retry after `Retry-After` seconds.',
    'Retry-After',
  ],
} as const satisfies Record<string, readonly [number, string, HeaderName?]>;
type ProblemName = keyof typeof problems;

function problemAnswer(description: string, header?: HeaderName) {
  return {
    description,
    // A dry run's refusal is the real call's, marked `Dry-Run: true`.
    headers: header ? headerRefs(header, 'Dry-Run') : headerRefs('Dry-Run'),
    content: { 'application/problem+json': { schema: schemaRef('Problem') } },
  };
}

function problemComponents() {
  return Object.fromEntries(
    Object.entries(problems).map(([name, [, description, header]]) => [
      name,
      problemAnswer(description, header),
    ]),
  );
}

/** `[status, reference]`, with a description for this route when it says more than the shared one. */
function problemRef(name: ProblemName, description?: string) {
  return [
    String(problems[name][0]),
    { $ref: `#/components/responses/${name}`, ...(description ? { description } : {}) },
  ] as const;
}

const hasPathParameters = (route: Route) => route.path.includes('{');
const isWrite = (route: Route) => route.method !== 'GET';
const readsStore = (route: Route) => route.fn !== 'docs';

/** Every problem status a route can answer, the gateway's own refusals included. */
function problemResponses(route: Route, spec: OperationSpec) {
  const [, invalid] = problems.BadRequest;
  const badRequest = isWrite(route)
    ? `${invalid} This route defines one query parameter, \`dryRun\`; any other is a 400, so a client asking for an option this server lacks never gets a real write instead.`
    : spec.query
      ? `${invalid} A query parameter this route does not define is a 400.`
      : undefined;
  const entries = [
    problemRef('BadRequest', badRequest),
    problemRef(
      'Unauthorized',
      route.access === 'anyone'
        ? 'A bearer token was sent but is malformed, expired or not from the trusted issuer (a bad token is never read as anonymous), or an anonymous caller asked for what needs a signed-in one (such as another `status` than `LISTED`).'
        : undefined,
    ),
    problemRef(
      'Forbidden',
      route.access === 'anyone'
        ? 'The gateway or the firewall refused the caller, or a filter needs a role.'
        : `The caller’s role is not one of ${route.access.join(', ')}, or the resource belongs to another organisation.`,
    ),
    ...(hasPathParameters(route) || spec.body ? [problemRef('NotFound')] : []),
    ...(isWrite(route)
      ? [
          problemRef('Conflict'),
          ...(hasPathParameters(route) ? [problemRef('PreconditionFailed')] : []),
          problemRef('PayloadTooLarge'),
          problemRef('UnsupportedMediaType'),
        ]
      : []),
    problemRef('TooManyRequests'),
    problemRef('HeadersTooLarge'),
    problemRef('InternalError'),
    ...(readsStore(route) && route.path !== '/health' ? [problemRef('Unavailable')] : []),
  ];
  return Object.fromEntries(entries);
}

function successResponses(route: Route, spec: OperationSpec) {
  const key = routeKey(route) as RouteKey;
  const isPublicRead = publicReads.has(key);
  if (typeof spec.success !== 'string') {
    return {
      200: {
        description: spec.success.description,
        headers: headerRefs(),
        content: { [spec.success.mediaType]: { schema: spec.success.schema } },
      },
    };
  }
  const versioned = 'version' in (answerSchemas[spec.success] as z.ZodMiniObject).def.shape;
  const tag: HeaderName[] = versioned ? ['ETag'] : isPublicRead ? ['ContentTag'] : [];
  const answerHeaders = headerRefs(
    ...(spec.creates ? (['Location'] as const) : []),
    ...tag,
    ...(route.idempotency ? (['Idempotent-Replayed'] as const) : []),
    ...(isPublicRead ? (['Vary'] as const) : []),
    ...(isWrite(route) ? (['Dry-Run'] as const) : []),
  );
  const content = {
    'application/json': { schema: schemaRef(spec.success), ...namedExample(answerExamples[spec.success]) },
    ...spec.otherMediaTypes,
  };
  const responses: Record<string, object> = {
    [spec.creates ? 201 : spec.accepts ? 202 : 200]: {
      description: spec.creates
        ? 'Created; a retry with the same `Idempotency-Key` and body answers this again with `Idempotent-Replayed: true`.'
        : spec.accepts
          ? 'Accepted; the work follows the answer.'
          : route.method === 'GET'
            ? 'The resource.'
            : 'The resource after the change; a retry with the same `Idempotency-Key` answers the resource as it is now with `Idempotent-Replayed: true`.',
      headers: answerHeaders,
      content,
    },
  };
  if (route.path === '/health') {
    responses[503] = {
      description: 'Unhealthy, or still starting.',
      headers: headerRefs('Retry-After'),
      content,
    };
  }
  if (route.method === 'GET' && tag.length > 0) {
    responses[304] = {
      description: '`If-None-Match` names the current `ETag`.',
      headers: headerRefs(...tag, ...(isPublicRead ? (['Vary'] as const) : [])),
    };
  }
  return responses;
}

/** Path parameters that are numbers, as the operations parse them; every other one is an id. */
/** `examples` with the one example of `examples.ts`, named as the seed it comes from; nothing without one. */
function namedExample(value: unknown) {
  return value === undefined ? {} : { examples: { seeded: { value } } };
}

function pathParameterSchema(name: string | undefined): JsonSchema {
  if (name === 'number') return jsonSchemaOf(sessionNumber(), 'input');
  if (name === 'version') return jsonSchemaOf(versionNumber(), 'input');
  return { type: 'string', minLength: 1, maxLength: 64 };
}

function parameters(route: Route, spec: OperationSpec) {
  const pathParameters = [...route.path.matchAll(/\{(\w+)\}/g)].map(([, name]) => ({
    name,
    in: 'path',
    required: true,
    schema: pathParameterSchema(name),
    ...namedExample(pathParameterExample(route.path, name ?? '')),
  }));
  const query = spec.query ? jsonSchemaOf(spec.query, 'input') : undefined;
  const required = new Set((query?.required as string[] | undefined) ?? []);
  const queryParameters = Object.entries(
    (query?.properties as Record<string, JsonSchema> | undefined) ?? {},
  ).map(([name, schema]) => ({ name, in: 'query', required: required.has(name), schema }));
  if (isWrite(route)) {
    queryParameters.push({
      name: 'dryRun',
      in: 'query',
      required: false,
      schema: { type: 'string', enum: ['true', 'false'] },
      description:
        '`true`: every check runs as for the real call and the answer is the one it would give now, with `Dry-Run: true`; nothing is written (no version, audit event or statistic), and an `Idempotency-Key` stays unused.',
    } as (typeof queryParameters)[number]);
  }
  const headerParameters = [];
  if (route.idempotency) {
    headerParameters.push({
      name: 'Idempotency-Key',
      in: 'header',
      required: route.idempotency === 'required',
      description:
        'Makes a retry safe: the same key with the same body (or action) answers the first result again; with another body, a 409.',
      schema: { type: 'string', pattern: '^[\\x21-\\x7e]{1,255}$' },
    });
  }
  if (isWrite(route) && hasPathParameters(route)) {
    headerParameters.push({
      name: 'If-Match',
      in: 'header',
      required: false,
      description:
        spec.ifMatch ??
        'The `ETag` this change is based on (or `*`); another current version answers 412. Anything but an ETag this API sends is a 400.',
      schema: { type: 'string', pattern: IF_MATCH.source },
    });
  }
  const successes = successResponses(route, spec);
  if ('304' in successes) {
    headerParameters.push({
      name: 'If-None-Match',
      in: 'header',
      required: false,
      description: 'An `ETag` received before; 304 when it is still current.',
      schema: { type: 'string' },
    });
  }
  return [...pathParameters, ...queryParameters, ...headerParameters];
}

function operationOf(route: Route) {
  const spec = operations[routeKey(route) as RouteKey];
  const who =
    route.access === 'anyone'
      ? 'Anyone; a token, when sent, must be valid.'
      : `Roles: ${route.access.join(', ')}.`;
  return {
    operationId: spec.operationId,
    summary: spec.summary,
    description: [spec.description, `**Who:** ${who}`].filter(Boolean).join('\n\n'),
    tags: [route.fn],
    // Anonymous callers are welcome on `anyone` routes: the empty requirement says no token is needed.
    security: route.access === 'anyone' ? [{}, { bearerAuth: [] }] : [{ bearerAuth: [] }],
    ...(route.access === 'anyone' ? {} : { 'x-roles': [...route.access] }),
    parameters: parameters(route, spec),
    ...(spec.body
      ? {
          requestBody: {
            required: !spec.optionalBody,
            content: {
              'application/json': {
                schema: schemaRef(spec.body),
                ...namedExample(requestExamples[spec.body]),
              },
            },
          },
        }
      : {}),
    responses: { ...successResponses(route, spec), ...problemResponses(route, spec) },
  };
}

const tagDescriptions: Record<Route['fn'], string> = {
  health: 'The Region’s own health, as Route 53 checks it.',
  docs: 'This document, and a page of it.',
  registry: 'Providers and agencies.',
  services: 'The catalog and each service’s lifecycle.',
  reviews: 'Review committee sessions.',
  contracts: 'Contracts between agencies and providers.',
  cases: 'Procurement cases: from saved searches and a shortlist to quotes and the award.',
  stats: 'Marketplace statistics.',
  audit: 'The audit trail.',
  events: 'Each organisation’s feed of the changes that concern it.',
  webhooks: 'Signed deliveries of those events to an address of the organisation’s.',
};

/** The whole document; deterministic, so it can be compared and cached. */
export function openApiDocument() {
  const paths: Record<string, Record<string, object>> = {};
  for (const route of routeTable) {
    (paths[route.path] ??= {})[route.method.toLowerCase()] = operationOf(route);
  }
  return {
    openapi: '3.1.1',
    info: {
      title: 'Digital Service Marketplace API',
      version: 'v1',
      summary: 'The public-sector cloud service marketplace: catalog, review committee, contracts.',
      description:
        'JSON over HTTPS; every error is `application/problem+json` (RFC 9457). Every mutable resource carries `version` and answers with `ETag: "<version>"`; changes accept `If-Match`. Lists answer `{items, next}`; pass `next` back as `cursor`. Generated from the route table and the validation schemas of the code that serves it.\n\nA path this API does not have answers 404 (a trailing slash included: `/v1/services/` is not `/v1/services`), and a method a path does not have answers 405 with `Allow`, both as problem+json (`x-unrouted-responses`), as do requests whose headers are over the gateway’s limit (431) or that are not readable HTTP (400).\n\nBrowsers may call from the front-end origins the deployment lists (CORS): the gateway answers their preflights itself; anonymous reads open to anyone allow every origin (`Access-Control-Allow-Origin: *`), every other answer only a listed origin; no answer allows credentials (tokens travel in `Authorization`). `ETag`, `Location`, `Retry-After`, `Idempotent-Replayed` and `Dry-Run` are exposed to scripts.',
    },
    servers: [{ url: '/', description: 'The Region that serves this document' }],
    tags: Object.entries(tagDescriptions).map(([name, description]) => ({ name, description })),
    paths,
    components: {
      securitySchemes: {
        bearerAuth: {
          type: 'http',
          scheme: 'bearer',
          bearerFormat: 'JWT',
          description:
            'A JWT from the configured OIDC issuer with claims `sub`, `role` (agency, provider, committee, admin) and `org` (the agency or provider id, for those roles).',
        },
      },
      headers,
      responses: problemComponents(),
      schemas: {
        ...componentSchemas(requestSchemas, 'input'),
        ...componentSchemas(answerSchemas, 'output'),
      },
    },
    // The gateway's answers to requests no operation takes; OpenAPI has no place of its own for them.
    'x-unrouted-responses': {
      400: problemAnswer('Not readable as an HTTP request.'),
      404: problemAnswer('No route has this path.'),
      431: problemAnswer(problems.HeadersTooLarge[1]),
      405: {
        ...problemAnswer('The path exists, but not with this method.'),
        headers: {
          ...headerRefs(),
          Allow: { description: 'The methods this path has.', required: true, schema: { type: 'string' } },
        },
      },
    },
  };
}

export type OpenApiDocument = ReturnType<typeof openApiDocument>;

/** A request body as an API Gateway model takes it: the component's name and a JSON Schema draft 4. */
export interface RequestBodyModel {
  readonly name: RequestName;
  readonly schema: JsonSchema;
}

/** Drops `format` wherever it appears; `properties` maps names to schemas, so its keys are kept as they are. */
function withoutFormats(schema: unknown, keysAreNames = false): unknown {
  if (Array.isArray(schema)) return schema.map((item) => withoutFormats(item));
  if (schema === null || typeof schema !== 'object') return schema;
  return Object.fromEntries(
    Object.entries(schema)
      .filter(([key]) => keysAreNames || key !== 'format')
      .map(([key, value]) => [key, withoutFormats(value, !keysAreNames && key === 'properties')]),
  );
}

/**
 * The request body of every route that takes one, from the same zod schemas (and the same `operations`
 * entries) as the document's `requestBody`, written in JSON Schema draft 4, the dialect of API Gateway models
 * (the CDK builds its request validators from this). `format` is dropped: draft 4's `email` is another
 * definition than zod's, and zod's own `pattern` for it and for dates stays in the schema.
 *
 * What such a model checks is what `z.toJSONSchema` can write: types, required and unknown fields
 * (`additionalProperties: false`), enums, patterns, integer bounds, array sizes and the lengths of strings
 * that are not trimmed. It cannot write custom checks (`.check` with a function) nor the lengths of text
 * fields, which are measured after trimming and NFC normalisation (`text()` is a pipe, and its input side is
 * a bare string), so the functions still parse every body with the zod schema, and stay the only check the
 * local gateway runs.
 */
export function requestBodyModels(): ReadonlyMap<RouteKey, RequestBodyModel> {
  const models = new Map<RouteKey, RequestBodyModel>();
  for (const [key, spec] of Object.entries(operations) as [RouteKey, OperationSpec][]) {
    // A body the route may go without is checked by the function alone: a gateway model would demand one.
    if (!spec.body || spec.optionalBody) continue;
    const schema = z.toJSONSchema(requestSchemas[spec.body], { target: 'draft-04', io: 'input' });
    models.set(key, { name: spec.body, schema: withoutFormats(schema) as JsonSchema });
  }
  return models;
}
