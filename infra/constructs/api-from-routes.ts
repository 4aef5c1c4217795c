import { Duration } from 'aws-cdk-lib';
import {
  AccessLogField,
  AccessLogFormat,
  AuthorizationType,
  EndpointType,
  IdentitySource,
  type JsonSchema,
  LambdaIntegration,
  LogGroupLogDestination,
  MethodLoggingLevel,
  type Model,
  RequestAuthorizer,
  type RequestValidator,
  ResponseType,
  RestApi,
} from 'aws-cdk-lib/aws-apigateway';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import type { ApiLimits } from '../../functions/api-limits.js';
import { requestBodyModels } from '../../functions/http/openapi/document.js';
import { problem, refusedToken, throttledProblem } from '../../functions/http/problem.js';
import { NO_STORE, securityHeaders } from '../../functions/http/response-headers.js';
import {
  type ApiFunctionId,
  hasAuthorizer,
  type Route,
  type RouteKey,
  routeKey,
} from '../../functions/routes.js';
import { acknowledge } from '../nag.js';
import { addCorsPreflights, gatewayResponseCorsHeaders } from './api-cors.js';

/** Stage name. The version lives in the paths (`/v1/...`), so the stage only names the deployment. */
export const STAGE_NAME = 'live';

export interface ApiFromRoutesProps {
  readonly restApiName: string;
  readonly routes: readonly Route[];
  /** The function behind each API function id of the route table. */
  readonly functions: Readonly<Record<ApiFunctionId, IFunction>>;
  /** Verifies bearer tokens for the methods that need one (`hasAuthorizer`), and rejects bad ones. */
  readonly authorizerFunction: IFunction;
  /** Stage throttling and the authorizer's cache come from here. */
  readonly limits: ApiLimits;
  /** Front-end origins allowed to call from browsers (`api-cors.ts`). */
  readonly corsOrigins: readonly string[];
}

/**
 * A regional REST API built from the route table: one resource per path segment (`{name}` segments are path
 * parameters), one Lambda proxy method per route. Routes are the only source; nothing here names a path.
 * Routes that need a token are behind the authorizer, cached on the Authorization header; routes open to
 * anyone have none (`hasAuthorizer`), so a public read or health probe is one invocation, and their function
 * verifies a token sent to it with the authorizer's own verifier.
 *
 * Why REST and REGIONAL: a REST API is the API Gateway type that takes an AWS WAF web ACL, per-stage
 * throttling, execution logs and X-Ray, and a regional endpoint is what a Route 53 latency record with a
 * health check can point at per Region (an edge-optimized API would put CloudFront in front, and CloudFront
 * never fails a POST over).
 *
 * Private access for intranet agencies: a REST API can instead be PRIVATE, reachable only through an
 * `execute-api` interface VPC endpoint, but an API is either REGIONAL or PRIVATE, never both, and a private
 * API is only reachable from a VPC that holds such an endpoint (the agency's own, or a shared one reached
 * over Direct Connect or VPN from the government intranet). None exists in this account, so none is built:
 * intranet agencies reach the regional endpoint through their intranet's internet gateway, with the same
 * tokens, WAF and throttling. Serving them privately is a second `ApiFromRoutes` per Region with
 * `EndpointType.PRIVATE` and a resource policy limited to the agencies' endpoint IDs (`aws:SourceVpce`),
 * reusing the same functions and authorizer; OPERATIONS.md describes it.
 */
export class ApiFromRoutes extends Construct {
  readonly api: RestApi;
  readonly accessLogs: LogGroup;
  /** The API name CloudWatch metrics carry as `ApiName`. */
  readonly apiName: string;
  /** `API-Gateway-Execution-Logs_<api id>/<stage>`, made here so that it has a retention. */
  readonly executionLogs: LogGroup;

  constructor(scope: Construct, id: string, props: ApiFromRoutesProps) {
    super(scope, id);
    this.apiName = props.restApiName;
    this.accessLogs = new LogGroup(this, 'AccessLogs', { retention: RetentionDays.THREE_MONTHS });
    this.api = new RestApi(this, 'RestApi', {
      restApiName: props.restApiName,
      description: 'Digital Service Marketplace API (this Region)',
      endpointConfiguration: { types: [EndpointType.REGIONAL] },
      // Access logs need the account's API Gateway CloudWatch role in this Region; one API per Region owns it.
      cloudWatchRole: true,
      deployOptions: {
        stageName: STAGE_NAME,
        throttlingRateLimit: props.limits.stageRateLimit,
        throttlingBurstLimit: props.limits.stageBurstLimit,
        tracingEnabled: true,
        // Per-method metrics: the alarms tell user traffic from the health checks' GET /health.
        metricsEnabled: true,
        // Execution logs for errors only (authorizer failures, integration errors, throttling), never
        // bodies: requests carry business registration numbers and e-mail addresses.
        loggingLevel: MethodLoggingLevel.ERROR,
        dataTraceEnabled: false,
        accessLogDestination: new LogGroupLogDestination(this.accessLogs),
        accessLogFormat: accessLogFormat(),
      },
    });

    const tokenRequired = new RequestAuthorizer(this, 'TokenAuthorizer', {
      authorizerName: 'oidc-bearer-token',
      handler: props.authorizerFunction,
      identitySources: [IdentitySource.header('Authorization')],
      resultsCacheTtl: Duration.seconds(props.limits.authorizerCacheSeconds),
    });
    const validateBody = this.addBodyValidation();
    for (const route of props.routes) {
      const resource = this.api.root.resourceForPath(route.path);
      const method = resource.addMethod(
        route.method,
        new LambdaIntegration(props.functions[route.fn], { proxy: true, allowTestInvoke: false }),
        {
          ...(hasAuthorizer(route)
            ? { authorizer: tokenRequired, authorizationType: AuthorizationType.CUSTOM }
            : { authorizationType: AuthorizationType.NONE }),
          operationName: `${route.method} ${route.path}`,
          ...validateBody(route),
        },
      );
      if (!hasAuthorizer(route)) {
        acknowledge(
          method,
          'AwsSolutions-APIG4',
          'Open to anyone by the route table; its function verifies a bearer token sent to it with the authorizer’s own verifier (functions/bearer-token.ts), so a bad token is still a 401, and an anonymous call is one invocation instead of two.',
        );
      }
    }
    addProblemResponses(this.api);
    addCorsPreflights(this.api, props.routes, props.corsOrigins);

    // API Gateway would create this group on first use, kept forever; created first, it keeps 90 days.
    this.executionLogs = new LogGroup(this, 'ExecutionLogs', {
      logGroupName: `API-Gateway-Execution-Logs_${this.api.restApiId}/${STAGE_NAME}`,
      retention: RetentionDays.THREE_MONTHS,
    });
    this.api.deploymentStage.node.addDependency(this.executionLogs);

    acknowledge(
      this.api,
      'AwsSolutions-COG4',
      'The identity provider is configuration (an external OIDC issuer), not a Cognito user pool, which would be a regional single point of failure (DESIGN.md section 4); bearer tokens are verified by the Lambda REQUEST authorizer on every method that needs one, and by the function itself on the methods open to anyone.',
    );
    const cloudWatchRole = this.api.node.tryFindChild('CloudWatchRole');
    if (cloudWatchRole) {
      acknowledge(
        cloudWatchRole,
        'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AmazonAPIGatewayPushToCloudWatchLogs]',
        'The account-wide role API Gateway assumes to write access and execution logs; AmazonAPIGatewayPushToCloudWatchLogs is the policy AWS documents for it and is maintained by AWS as log delivery changes.',
      );
    }
  }

  /**
   * Request validation at the edge: one model per request body, from the same zod schemas as the OpenAPI
   * document's `requestBody` (`requestBodyModels`), and one validator on every method that takes a body, so
   * a malformed body is refused with a 400 problem+json (`BAD_REQUEST_BODY` below) before a function runs.
   *
   * What the gateway checks: JSON syntax, types, required and unknown fields, enums, patterns, number bounds,
   * array sizes, the lengths of untrimmed strings. What only the function checks, with the same zod schema
   * it always parsed with: text lengths after trimming and NFC normalisation, custom checks, references to
   * other resources, and every rule that needs the store. The function's answer lists each field
   * (`errors[].path`); the gateway's carries its validator's one message in `errors[0].message` at `/`.
   *
   * Differences from the local gateway, which runs no model: on AWS the authorizer runs first, but the role
   * check is the function's, so a caller of the wrong role with a malformed body gets this 400 where
   * `npm start` answers 403; a body of another media type is not checked here (no model for it) and reaches
   * the function's 415; a whole number written as `5.0` or `5e0` may be read as a non-integer by the draft 4
   * validator where zod accepts it.
   *
   * Parameters: the validator also enables parameter validation (cdk-nag APIG2 asks for both), but no
   * method declares a required parameter, so query strings and headers stay the function's to check (it
   * refuses unknown query parameters, which a gateway validator cannot).
   */
  private addBodyValidation(): (route: Route) => {
    requestValidator?: RequestValidator;
    requestModels?: Record<string, Model>;
  } {
    const validator = this.api.addRequestValidator('BodyValidator', {
      requestValidatorName: 'json-body',
      validateRequestBody: true,
      validateRequestParameters: true,
    });
    const models = new Map<string, Model>();
    const bodies = requestBodyModels();
    return (route) => {
      const body = bodies.get(routeKey(route) as RouteKey);
      if (!body) return {};
      let model = models.get(body.name);
      if (!model) {
        model = this.api.addModel(body.name, {
          modelName: body.name,
          contentType: 'application/json',
          description: `${body.name} of the OpenAPI document (#/components/schemas/${body.name}), as JSON Schema draft 4.`,
          // Already JSON Schema (draft 4, with `$schema`), so the CDK's key mapping leaves it unchanged.
          schema: body.schema as JsonSchema,
        });
        models.set(body.name, model);
      }
      return { requestValidator: validator, requestModels: { 'application/json': model } };
    };
  }
}

/** One JSON object per request, with the caller as the authorizer saw it. */
function accessLogFormat(): AccessLogFormat {
  return AccessLogFormat.custom(
    JSON.stringify({
      requestId: AccessLogField.contextRequestId(),
      extendedRequestId: AccessLogField.contextExtendedRequestId(),
      requestTime: AccessLogField.contextRequestTime(),
      sourceIp: AccessLogField.contextIdentitySourceIp(),
      userAgent: AccessLogField.contextIdentityUserAgent(),
      httpMethod: AccessLogField.contextHttpMethod(),
      resourcePath: AccessLogField.contextResourcePath(),
      path: AccessLogField.contextPath(),
      protocol: AccessLogField.contextProtocol(),
      status: AccessLogField.contextStatus(),
      responseLength: AccessLogField.contextResponseLength(),
      responseLatency: AccessLogField.contextResponseLatency(),
      integrationLatency: AccessLogField.contextIntegrationLatency(),
      integrationStatus: AccessLogField.contextIntegrationStatus(),
      authorizerLatency: AccessLogField.contextAuthorizerLatency(),
      authorizerStatus: AccessLogField.contextAuthorizerStatus(),
      sub: AccessLogField.contextAuthorizer('sub'),
      role: AccessLogField.contextAuthorizer('role'),
      org: AccessLogField.contextAuthorizer('org'),
      errorType: AccessLogField.contextErrorResponseType(),
      error: AccessLogField.contextErrorMessage(),
      xrayTraceId: AccessLogField.contextXrayTraceId(),
    }),
  );
}

/** Header values of a gateway response are quoted literals. */
const literal = (value: string) => `'${value}'`;

/**
 * Errors API Gateway answers itself come out as `application/problem+json`, like the functions' errors, and
 * with the same security and no-store headers. Templates allow only simple `$context` substitution;
 * `$context.error.messageString` is already quoted.
 */
function addProblemResponses(api: RestApi): void {
  const requestId = '"requestId":"$context.requestId"';
  const known = (body: ReturnType<typeof problem>) => {
    const json = JSON.stringify(body);
    return `${json.slice(0, -1)},${requestId}}`;
  };
  const generic = (type: string, title: string) =>
    `{"type":"${type}","title":"${title}","detail":$context.error.messageString,${requestId}}`;

  const responses: {
    id: string;
    type: ResponseType;
    statusCode?: string;
    body: string;
    headers?: Record<string, string>;
  }[] = [
    {
      id: 'Unauthorized',
      type: ResponseType.UNAUTHORIZED,
      body: known(problem('unauthenticated', refusedToken.detail)),
      headers: { 'WWW-Authenticate': literal(refusedToken.challenge) },
    },
    {
      id: 'AccessDenied',
      type: ResponseType.ACCESS_DENIED,
      body: known(problem('forbidden', 'The API gateway denied this request.')),
    },
    {
      // A REST API answers an unknown path or method with 403 "Missing Authentication Token"; it is a 404.
      id: 'NoRoute',
      type: ResponseType.MISSING_AUTHENTICATION_TOKEN,
      statusCode: '404',
      body: known(problem('not-found', 'No route for this method and path.')),
    },
    {
      id: 'Throttled',
      type: ResponseType.THROTTLED,
      body: known(throttledProblem('This API is receiving more requests than it accepts; retry shortly.')),
      headers: { 'Retry-After': literal('1') },
    },
    {
      // A body its method's model refuses; `validationErrorString` is the validator's message, substituted
      // inside the quotes as AWS's own examples do.
      id: 'InvalidBody',
      type: ResponseType.BAD_REQUEST_BODY,
      body: known(
        problem('invalid', 'The request body is not valid (checked by the API gateway).', [
          { path: '/', message: '$context.error.validationErrorString' },
        ]),
      ),
    },
    {
      id: 'RequestTooLarge',
      type: ResponseType.REQUEST_TOO_LARGE,
      body: known(problem('payload-too-large', 'The request exceeds the API gateway limit.')),
    },
    {
      // Covers several statuses (400, 403, 415, ...): the status line is authoritative, so no `status` member.
      id: 'Default4xx',
      type: ResponseType.DEFAULT_4XX,
      body: generic('/problems/gateway-rejected', 'Rejected by the API gateway'),
    },
    {
      id: 'Default5xx',
      type: ResponseType.DEFAULT_5XX,
      body: generic('/problems/gateway-error', 'The API gateway could not complete the request'),
    },
  ];

  for (const response of responses) {
    api.addGatewayResponse(response.id, {
      type: response.type,
      statusCode: response.statusCode,
      responseHeaders: {
        'Content-Type': literal('application/problem+json'),
        'Cache-Control': literal(NO_STORE),
        ...Object.fromEntries(Object.entries(securityHeaders).map(([name, value]) => [name, literal(value)])),
        ...gatewayResponseCorsHeaders(),
        ...response.headers,
      },
      templates: { 'application/json': response.body },
    });
  }
}
