import type { Template } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import type { RegionStack } from '../../infra/stacks/region-stack.js';
import { logicalId, resourcesOf, synthesizeMarketplace, synthesizeRegionStack } from './support.js';

/*
 * Each test builds its own region stack from the committed cdk.json context (prefix "dsm", Regions
 * ap-northeast-2 and ap-northeast-1) and states what it expects literally: a change to the routes, the
 * table grants or the limits must show up here as a changed expectation.
 */

type Ref = { Ref: string } | { 'Fn::GetAtt': [string, string] };
interface ApiResource {
  ParentId: Ref;
  PathPart: string;
}
interface ApiMethod {
  HttpMethod: string;
  ResourceId: Ref;
  AuthorizationType?: string;
  AuthorizerId?: Ref;
  Integration?: { Type: string; Uri: unknown };
}

type Statement = { Action: string | string[]; Resource: unknown; Effect: string };

function statementsIn(t: Template): Statement[] {
  const policies = Object.values(resourcesOf(t, 'AWS::IAM::Policy'));
  return policies.flatMap(
    (policy) =>
      (policy.Properties as { PolicyDocument: { Statement: Statement[] } }).PolicyDocument.Statement,
  );
}

const asList = <T>(value: T | T[]): T[] => (Array.isArray(value) ? value : [value]);

/** The properties of a function of the stack, by logical ID. */
function functionProps(t: Template, fnLogicalId: string): Record<string, unknown> {
  return resourcesOf(t, 'AWS::Lambda::Function')[fnLogicalId]?.Properties as Record<string, unknown>;
}

/** The statements of the policy attached to a function's role. */
function statementsOfFunction(t: Template, fnLogicalId: string): Statement[] {
  const role = (functionProps(t, fnLogicalId).Role as { 'Fn::GetAtt': [string, string] })['Fn::GetAtt'][0];
  const policy = Object.values(resourcesOf(t, 'AWS::IAM::Policy')).find((candidate) =>
    JSON.stringify((candidate.Properties as { Roles: unknown }).Roles).includes(`"${role}"`),
  );
  if (!policy) throw new Error(`No policy for the role of ${fnLogicalId}`);
  return (policy.Properties as { PolicyDocument: { Statement: Statement[] } }).PolicyDocument.Statement;
}

/** The `live` alias of one of the stack's functions (an API function id, `authorizer`, `projector`, ...). */
function aliasOf(stack: RegionStack, name: string) {
  const alias = stack.deployments.aliases.get(name);
  if (!alias) throw new Error(`No alias for ${name}`);
  return alias;
}

function apiFunctionProps(stack: RegionStack, t: Template, fnId: keyof RegionStack['functions']) {
  return functionProps(t, logicalId(stack.functions[fnId]));
}

/** The logical ID of the stack's own projections table. */
function projectionsTableOf(stack: RegionStack): string {
  const table = stack.regionalTables.get('projections');
  if (!table) throw new Error('No projections table in the region stack');
  return logicalId(table);
}

const tableVariablesOf = (props: Record<string, unknown>) =>
  Object.fromEntries(
    Object.entries((props.Environment as { Variables: Record<string, string> }).Variables).filter(([name]) =>
      name.endsWith('_TABLE'),
    ),
  );

// A fresh synth per test takes seconds, on a busy machine more than the default 30 s.
const freshSynth = { timeout: 120_000 };

/** The methods of the route table's routes: the CORS preflights (OPTIONS) are test/infra/cors.test.ts's. */
const routeMethods = (t: Template) =>
  Object.values(resourcesOf(t, 'AWS::ApiGateway::Method')).filter(
    (method) => method.Properties?.HttpMethod !== 'OPTIONS',
  );

describe('region stack', () => {
  it('depends on the data stack only for deployment order, in both active Regions', freshSynth, () => {
    // given the whole marketplace from the committed context
    const { marketplace, template } = synthesizeMarketplace();
    // then
    expect(marketplace.regions.map((stack) => stack.region)).toEqual(['ap-northeast-2', 'ap-northeast-1']);
    for (const stack of marketplace.regions) {
      expect(stack.dependencies).toEqual([marketplace.data]);
      expect(JSON.stringify(template(stack).toJSON())).not.toContain('Fn::ImportValue');
    }
  });

  it(
    'has one regional REST API with a "live" stage, throttled, traced and access-logged as JSON',
    freshSynth,
    () => {
      // given
      const { template: t } = synthesizeRegionStack();
      // then
      t.resourceCountIs('AWS::ApiGateway::RestApi', 1);
      t.hasResourceProperties('AWS::ApiGateway::RestApi', {
        Name: 'dsm-api',
        EndpointConfiguration: { Types: ['REGIONAL'] },
      });
      const stage = Object.values(resourcesOf(t, 'AWS::ApiGateway::Stage'));
      expect(stage).toHaveLength(1);
      const props = stage[0]?.Properties as {
        StageName: string;
        TracingEnabled: boolean;
        MethodSettings: { ThrottlingRateLimit: number; ThrottlingBurstLimit: number }[];
        AccessLogSetting: { Format: string; DestinationArn: unknown };
      };
      expect(props.StageName).toBe('live');
      expect(props.TracingEnabled).toBe(true);
      expect(props.MethodSettings[0]).toMatchObject({ ThrottlingRateLimit: 200, ThrottlingBurstLimit: 400 });
      const format = JSON.parse(props.AccessLogSetting.Format) as Record<string, string>;
      expect(format).toMatchObject({
        requestId: '$context.requestId',
        status: '$context.status',
        org: '$context.authorizer.org',
      });
    },
  );

  it(
    'serves exactly the routes of the API and sends each to its own function through a Lambda proxy',
    freshSynth,
    () => {
      // given
      const { stack, template: t } = synthesizeRegionStack();
      // when the methods are read back as "METHOD /path" per function
      const resources = resourcesOf(t, 'AWS::ApiGateway::Resource');
      const pathOf = (ref: Ref): string => {
        if ('Fn::GetAtt' in ref) return '';
        const resource = resources[ref.Ref]?.Properties as unknown as ApiResource | undefined;
        if (!resource) throw new Error(`No resource ${ref.Ref}`);
        return `${pathOf(resource.ParentId)}/${resource.PathPart}`;
      };
      // Each integration invokes its function's `live` alias (what CodeDeploy shifts), never the function.
      const functionNames = Object.fromEntries(
        Object.keys(stack.functions).map((name) => [logicalId(aliasOf(stack, name)), name]),
      );
      const routesOf: Record<string, string[]> = {};
      for (const resource of routeMethods(t)) {
        const method = resource.Properties as unknown as ApiMethod;
        expect(method.Integration?.Type).toBe('AWS_PROXY');
        const uri = JSON.stringify(method.Integration?.Uri);
        expect(uri).not.toContain('Fn::GetAtt');
        const target = uri.match(/"Ref":"([^"]+)"},"\/invocations"/)?.[1];
        const fn = functionNames[target ?? ''] ?? `unknown ${target}`;
        (routesOf[fn] ??= []).push(`${method.HttpMethod} ${pathOf(method.ResourceId) || '/'}`);
      }
      // then
      expect(Object.fromEntries(Object.entries(routesOf).map(([fn, routes]) => [fn, routes.sort()]))).toEqual(
        {
          health: ['GET /health'],
          registry: [
            'GET /v1/agencies/{id}',
            'GET /v1/providers/{id}',
            'POST /v1/agencies',
            'POST /v1/providers',
          ],
          services: [
            'GET /v1/services',
            'GET /v1/services/{id}',
            'GET /v1/services/{id}/versions',
            'GET /v1/services/{id}/versions/{version}',
            'PATCH /v1/services/{id}',
            'POST /v1/services',
            'POST /v1/services/{id}/reinstate',
            'POST /v1/services/{id}/revert',
            'POST /v1/services/{id}/submit',
            'POST /v1/services/{id}/suspend',
            'POST /v1/services/{id}/withdraw',
          ],
          reviews: [
            'GET /v1/review-sessions/{number}',
            'POST /v1/review-sessions',
            'POST /v1/review-sessions/{number}/agenda',
            'POST /v1/review-sessions/{number}/close',
            'POST /v1/review-sessions/{number}/decisions',
          ],
          contracts: [
            'GET /v1/contracts',
            'GET /v1/contracts/{id}',
            'POST /v1/contracts',
            'POST /v1/contracts/{id}/amend',
            'POST /v1/contracts/{id}/cancel',
            'POST /v1/contracts/{id}/complete',
            'POST /v1/contracts/{id}/quote',
            'POST /v1/contracts/{id}/renew',
            'POST /v1/contracts/{id}/sign',
            'POST /v1/contracts/{id}/terminate',
          ],
          cases: [
            'GET /v1/cases',
            'GET /v1/cases/{id}',
            'GET /v1/cases/{id}/comparison',
            'GET /v1/cases/{id}/snapshots/{number}',
            'PATCH /v1/cases/{id}',
            'POST /v1/cases',
            'POST /v1/cases/{id}/award',
            'POST /v1/cases/{id}/close',
            'POST /v1/cases/{id}/quotes',
            'POST /v1/cases/{id}/searches',
            'POST /v1/cases/{id}/snapshots',
          ],
          stats: ['GET /v1/stats'],
          audit: ['GET /v1/audit', 'POST /v1/audit/{eventId}/acknowledge'],
          events: ['GET /v1/events'],
          webhooks: [
            'GET /v1/webhooks',
            'GET /v1/webhooks/{id}',
            'GET /v1/webhooks/{id}/deliveries',
            'PATCH /v1/webhooks/{id}',
            'POST /v1/webhooks',
            'POST /v1/webhooks/{id}/deliveries/{eventId}/redeliver',
          ],
          docs: ['GET /docs', 'GET /openapi.json'],
        },
      );
    },
  );

  it(
    'invokes one function for a route open to anyone and the cached authorizer plus the function elsewhere',
    freshSynth,
    () => {
      // given
      const { stack, template: t } = synthesizeRegionStack();
      // when each method's invocations are counted: its integration, and its authorizer if it has one
      const authorizers = resourcesOf(t, 'AWS::ApiGateway::Authorizer');
      const methods = routeMethods(t).map((resource) => {
        const method = resource.Properties as unknown as ApiMethod & { OperationName: string };
        const authorizer = method.AuthorizerId
          ? authorizers[(method.AuthorizerId as { Ref: string }).Ref]?.Properties
          : undefined;
        const invoked = [method.Integration?.Type === 'AWS_PROXY' ? 'function' : '']
          .concat(authorizer ? ['authorizer'] : [])
          .filter(Boolean);
        return { route: method.OperationName, type: method.AuthorizationType, invoked, authorizer };
      });
      // then a route open to anyone is one invocation, with no authorizer at all
      const open = methods.filter((m) => m.invoked.length === 1);
      expect(open.map((m) => m.route).sort()).toEqual([
        'GET /docs',
        'GET /health',
        'GET /openapi.json',
        'GET /v1/providers/{id}',
        'GET /v1/services',
        'GET /v1/services/{id}',
        'GET /v1/services/{id}/versions',
        'GET /v1/services/{id}/versions/{version}',
        'GET /v1/stats',
      ]);
      expect(new Set(open.map((m) => `${m.type} ${m.invoked.join('+')}`))).toEqual(
        new Set(['NONE function']),
      );
      // and every other route two: the one authorizer, cached 60 s on the token, then the function
      const closed = methods.filter((m) => m.invoked.length !== 1);
      expect(closed).toHaveLength(45);
      expect(
        new Set(
          closed.map(
            (m) =>
              `${m.type} ${m.invoked.join('+')} ${m.authorizer?.Type} ${m.authorizer?.IdentitySource} ${m.authorizer?.AuthorizerResultTtlInSeconds}`,
          ),
        ),
      ).toEqual(new Set(['CUSTOM function+authorizer REQUEST method.request.header.Authorization 60']));
      expect(Object.keys(authorizers)).toHaveLength(1);
      const [only] = Object.values(authorizers);
      expect(JSON.stringify(only?.Properties?.AuthorizerUri)).toContain(
        `"Ref":"${logicalId(aliasOf(stack, 'authorizer'))}"`,
      );
      expect(JSON.stringify(only?.Properties?.AuthorizerUri)).not.toContain(
        logicalId(stack.authorizerFunction),
      );
      // and the authorizer and the functions of open routes verify tokens with the same configuration
      const oidc = {
        OIDC_ISSUER: 'https://idp.example.go.kr',
        OIDC_AUDIENCE: 'dsm-api',
        OIDC_MAX_TOKEN_AGE_SECONDS: '43200',
      };
      const variables = (props: Record<string, unknown>) =>
        (props.Environment as { Variables: Record<string, string> }).Variables;
      expect(variables(functionProps(t, logicalId(stack.authorizerFunction)))).toMatchObject(oidc);
      for (const fnId of ['health', 'registry', 'services', 'stats', 'docs'] as const) {
        expect(variables(apiFunctionProps(stack, t, fnId)), fnId).toMatchObject(oidc);
      }
      for (const fnId of ['reviews', 'contracts', 'audit'] as const) {
        expect(Object.keys(variables(apiFunctionProps(stack, t, fnId))), fnId).not.toContain('OIDC_ISSUER');
      }
    },
  );

  it(
    'answers gateway errors with problem+json bodies, never cached, with the security headers',
    freshSynth,
    () => {
      const { template: t } = synthesizeRegionStack();
      const responses = Object.values(resourcesOf(t, 'AWS::ApiGateway::GatewayResponse')).map(
        (response) =>
          response.Properties as {
            ResponseType: string;
            StatusCode?: string;
            ResponseParameters: Record<string, string>;
            ResponseTemplates: Record<string, string>;
          },
      );
      const types = responses.map((response) => response.ResponseType);
      expect(types).toEqual(expect.arrayContaining(['DEFAULT_4XX', 'DEFAULT_5XX', 'UNAUTHORIZED']));
      for (const response of responses) {
        expect(response.ResponseParameters).toMatchObject({
          'gatewayresponse.header.Content-Type': "'application/problem+json'",
          'gatewayresponse.header.Cache-Control': "'no-store'",
          'gatewayresponse.header.x-content-type-options': "'nosniff'",
          'gatewayresponse.header.strict-transport-security': "'max-age=63072000; includeSubDomains'",
        });
        // What API Gateway sends once it has substituted the variables must be a JSON problem object.
        const body = (response.ResponseTemplates['application/json'] ?? '')
          .replaceAll('$context.error.messageString', '"Some message"')
          .replaceAll('$context.requestId', 'req-1');
        const problem = JSON.parse(body) as Record<string, unknown>;
        expect(problem).toMatchObject({
          type: expect.stringMatching(/^\/problems\//),
          title: expect.any(String),
        });
      }
      const unauthorized = responses.find((response) => response.ResponseType === 'UNAUTHORIZED');
      expect(unauthorized?.ResponseParameters['gatewayresponse.header.WWW-Authenticate']).toContain('Bearer');
    },
  );

  it(
    'runs every function of ours on Node.js 22, arm64, with X-Ray active and a three-month log group',
    freshSynth,
    () => {
      // given
      const { stack, template: t } = synthesizeRegionStack();
      const ours = [
        ...Object.values(stack.functions),
        stack.authorizerFunction,
        stack.projector,
        stack.selectionExpiry,
        stack.webhookDelivery,
      ];
      // then
      expect(ours).toHaveLength(15);
      const logGroups = resourcesOf(t, 'AWS::Logs::LogGroup');
      for (const fn of ours) {
        const props = functionProps(t, logicalId(fn));
        expect(props.Runtime).toBe('nodejs22.x');
        expect(props.Architectures).toEqual(['arm64']);
        expect(props.TracingConfig).toEqual({ Mode: 'Active' });
        const logGroup = (props.LoggingConfig as { LogGroup: { Ref: string } }).LogGroup.Ref;
        expect(logGroups[logGroup]?.Properties?.RetentionInDays).toBe(90);
      }
    },
  );

  it('gives each API function the names of exactly the tables it may use', freshSynth, () => {
    // given
    const { stack, template: t } = synthesizeRegionStack();
    // when
    const variables = (fnId: keyof RegionStack['functions']) =>
      tableVariablesOf(apiFunctionProps(stack, t, fnId));
    // then
    const catalog = { CATALOG_TABLE: 'dsm-catalog' };
    const ledger = { LEDGER_TABLE: 'dsm-ledger' };
    const projections = { PROJECTIONS_TABLE: 'dsm-projections' };
    expect(variables('health')).toEqual({ ...catalog, ...ledger, ...projections });
    expect(variables('registry')).toEqual({ ...catalog, ...projections });
    expect(variables('services')).toEqual({ ...catalog, ...ledger, ...projections });
    expect(variables('reviews')).toEqual(catalog);
    expect(variables('contracts')).toEqual({ ...catalog, ...ledger });
    expect(variables('cases')).toEqual({ ...catalog, ...ledger, ...projections });
    expect(variables('stats')).toEqual(projections);
    expect(variables('audit')).toEqual({ ...ledger, ...projections });
    expect(variables('events')).toEqual(projections);
    expect(variables('webhooks')).toEqual({ ...catalog, ...ledger, ...projections });
    // The projector reads who subscribes (catalog) and opens deliveries (ledger) as it files events.
    expect(tableVariablesOf(functionProps(t, logicalId(stack.projector)))).toEqual({
      ...catalog,
      ...ledger,
      ...projections,
    });
    expect(tableVariablesOf(functionProps(t, logicalId(stack.webhookDelivery)))).toEqual({
      ...catalog,
      ...ledger,
      ...projections,
    });
    expect(tableVariablesOf(functionProps(t, logicalId(stack.selectionExpiry)))).toEqual({
      ...catalog,
      ...ledger,
      ...projections,
    });
    expect(
      (apiFunctionProps(stack, t, 'contracts').Environment as { Variables: Record<string, string> }).Variables
        .POWERTOOLS_SERVICE_NAME,
    ).toBe('marketplace-contracts');
  });

  it('never grants DynamoDB actions on every resource', freshSynth, () => {
    // given
    const { template: t } = synthesizeRegionStack();
    // then
    const wildcard = statementsIn(t).filter(
      (statement) =>
        asList(statement.Action).some((action) => action.startsWith('dynamodb:')) &&
        asList(statement.Resource).includes('*'),
    );
    expect(wildcard).toEqual([]);
  });

  it('grants each API function exactly its access to this Region’s tables', freshSynth, () => {
    // given
    const { stack, template: t } = synthesizeRegionStack('ap-northeast-2');
    // when each function's policy is summarised as "<table>: read|write"
    const projectionsTable = projectionsTableOf(stack);
    const accessOf = (fnId: keyof RegionStack['functions']) => {
      const statements = statementsOfFunction(t, logicalId(stack.functions[fnId]));
      const access: Record<string, string> = {};
      for (const statement of statements) {
        const writes = asList(statement.Action).includes('dynamodb:PutItem');
        for (const resource of asList(statement.Resource).map((r) => JSON.stringify(r))) {
          const table = resource.includes(`"${projectionsTable}"`)
            ? 'projections'
            : /:dynamodb:ap-northeast-2:111111111111:table\/dsm-(catalog|ledger)"/.exec(resource)?.[1];
          if (table && access[table] !== 'write') access[table] = writes ? 'write' : 'read';
        }
      }
      return access;
    };
    // then
    expect(accessOf('health')).toEqual({ catalog: 'read', ledger: 'read', projections: 'read' });
    expect(accessOf('registry')).toEqual({ catalog: 'write', projections: 'read' });
    expect(accessOf('services')).toEqual({ catalog: 'write', ledger: 'read', projections: 'read' });
    expect(accessOf('reviews')).toEqual({ catalog: 'write' });
    expect(accessOf('contracts')).toEqual({ catalog: 'read', ledger: 'write' });
    expect(accessOf('cases')).toEqual({ catalog: 'read', ledger: 'write', projections: 'read' });
    expect(accessOf('stats')).toEqual({ projections: 'read' });
    expect(accessOf('audit')).toEqual({ ledger: 'write', projections: 'read' });
    expect(accessOf('events')).toEqual({ projections: 'read' });
    expect(accessOf('webhooks')).toEqual({ catalog: 'write', ledger: 'write', projections: 'read' });
  });

  it('builds its own projections table: no replicas elsewhere, protected, retained', freshSynth, () => {
    // given
    const { template: t } = synthesizeRegionStack('ap-northeast-1');
    // then the one table defined here is the projections table, in this Region only
    const defined = Object.values(resourcesOf(t, 'AWS::DynamoDB::GlobalTable'));
    expect(defined).toHaveLength(1);
    expect(defined[0]?.Properties?.TableName).toBe('dsm-projections');
    expect(defined[0]?.DeletionPolicy).toBe('Retain');
    expect(defined[0]?.Properties?.Replicas).toEqual([
      expect.objectContaining({
        Region: 'ap-northeast-1',
        DeletionProtectionEnabled: true,
        PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
      }),
    ]);
  });

  it(
    'feeds the projector from this Region’s replica streams of the catalog and the ledger',
    freshSynth,
    () => {
      // given
      const { stack, template: t } = synthesizeRegionStack('ap-northeast-1');
      // when
      const lookups = resourcesOf(t, 'Custom::AWS');
      // (the webhook delivery function has a mapping of its own on the ledger's stream)
      const projectorAlias = `"Ref":"${logicalId(aliasOf(stack, 'projector'))}"`;
      const mappings = Object.values(resourcesOf(t, 'AWS::Lambda::EventSourceMapping'))
        .map((mapping) => mapping.Properties as Record<string, unknown>)
        .filter((mapping) => JSON.stringify(mapping.FunctionName).includes(projectorAlias));
      const mappedTables = mappings.map((mapping) => {
        // The exact stream ARN comes from a DescribeTable of the replica, in this stack's own Region.
        const [lookupId, attribute] = (mapping.EventSourceArn as { 'Fn::GetAtt': [string, string] })[
          'Fn::GetAtt'
        ];
        expect(attribute).toBe('Table.LatestStreamArn');
        const call = JSON.parse((lookups[lookupId]?.Properties as { Create: string }).Create) as {
          action: string;
          region?: string;
          parameters: { TableName: string };
        };
        // No region given: the lookup runs in the stack's own Region.
        expect(call.region).toBeUndefined();
        return `${call.action} ${call.parameters.TableName}`;
      });
      // then
      expect(mappedTables.sort()).toEqual(['describeTable dsm-catalog', 'describeTable dsm-ledger']);
      for (const mapping of mappings) {
        expect(mapping).toMatchObject({
          // `<function name>:live`, the name taken from the alias's ARN
          FunctionName: {
            'Fn::Join': [
              '',
              [
                {
                  'Fn::Select': [6, { 'Fn::Split': [':', { Ref: logicalId(aliasOf(stack, 'projector')) }] }],
                },
                ':live',
              ],
            ],
          },
          StartingPosition: 'TRIM_HORIZON',
          BatchSize: 100,
          BisectBatchOnFunctionError: true,
          MaximumRetryAttempts: 10,
          DestinationConfig: {
            OnFailure: { Destination: { 'Fn::GetAtt': [logicalId(stack.projectorFailures), 'Arn'] } },
          },
        });
      }
    },
  );

  it(
    'lets the projector read only those streams, and write the projections and the ledger',
    freshSynth,
    () => {
      // given
      const { stack, template: t } = synthesizeRegionStack();
      // when
      const statements = statementsOfFunction(t, logicalId(stack.projector));
      // then
      const streamReads = statements.filter((s) => asList(s.Action).includes('dynamodb:DescribeStream'));
      // (one statement: the CDK merges the two tables' identical ones)
      expect(streamReads.map((s) => s.Action)).toEqual([
        ['dynamodb:DescribeStream', 'dynamodb:GetRecords', 'dynamodb:GetShardIterator'],
      ]);
      const resources = JSON.stringify(streamReads.map((s) => s.Resource));
      expect(resources).toContain(':dynamodb:ap-northeast-2:111111111111:table/dsm-catalog/stream/*');
      expect(resources).toContain(':dynamodb:ap-northeast-2:111111111111:table/dsm-ledger/stream/*');
      const writes = statements.filter((s) => asList(s.Action).includes('dynamodb:PutItem'));
      // The projections table and its secondary indexes (the audit feed's), and the ledger, where filing an
      // event opens its webhook deliveries (one conditional put each).
      const projections = { 'Fn::GetAtt': [projectionsTableOf(stack), 'Arn'] };
      const ledger = (suffix: string) => ({
        'Fn::Join': [
          '',
          [
            'arn:',
            { Ref: 'AWS::Partition' },
            `:dynamodb:ap-northeast-2:111111111111:table/dsm-ledger${suffix}`,
          ],
        ],
      });
      expect(writes.map((s) => s.Resource)).toEqual([
        [projections, ledger(''), ledger('/index/*'), { 'Fn::Join': ['', [projections, '/index/*']] }],
      ]);
    },
  );
});
