import type { Template } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import {
  physicalTableName,
  type TableId,
  tableList,
  tables,
} from '../../functions/adapters/dynamodb/tables.js';
import { apiFunctions, routeTable } from '../../functions/routes.js';
import { apiTableAccess } from '../../infra/constructs/api-functions.js';
import type { RegionStack } from '../../infra/stacks/region-stack.js';
import { logicalId, resourcesOf, synthesizeMarketplace } from './support.js';

const { config, marketplace, template } = synthesizeMarketplace();

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

/** `METHOD /path` for every method, paths rebuilt from the resource tree (root is the RestApi's RootResourceId). */
function routesIn(t: Template): string[] {
  const resources = resourcesOf(t, 'AWS::ApiGateway::Resource');
  const pathOf = (ref: Ref): string => {
    if ('Fn::GetAtt' in ref) return '';
    const resource = resources[ref.Ref]?.Properties as unknown as ApiResource | undefined;
    if (!resource) throw new Error(`No resource ${ref.Ref}`);
    return `${pathOf(resource.ParentId)}/${resource.PathPart}`;
  };
  return Object.values(resourcesOf(t, 'AWS::ApiGateway::Method'))
    .map((method) => method.Properties as unknown as ApiMethod)
    .filter((method) => method.HttpMethod !== 'OPTIONS')
    .map((method) => `${method.HttpMethod} ${pathOf(method.ResourceId) || '/'}`);
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

describe.each(marketplace.regions.map((stack) => [stack.region, stack] as const))(
  'region stack in %s',
  (region, stack: RegionStack) => {
    const t = template(stack);
    const functionProps = (fnLogicalId: string) =>
      resourcesOf(t, 'AWS::Lambda::Function')[fnLogicalId]?.Properties as Record<string, unknown>;
    const regionalTable = (id: TableId) => {
      const table = stack.regionalTables.get(id);
      if (!table) throw new Error(`No regional table ${id}`);
      return table;
    };
    /** The statements of the policy attached to a function's role. */
    const statementsOfFunction = (fnLogicalId: string): Statement[] => {
      const role = (functionProps(fnLogicalId).Role as { 'Fn::GetAtt': [string, string] })['Fn::GetAtt'][0];
      const policy = Object.values(resourcesOf(t, 'AWS::IAM::Policy')).find((candidate) =>
        JSON.stringify((candidate.Properties as { Roles: unknown }).Roles).includes(`"${role}"`),
      );
      if (!policy) throw new Error(`No policy for the role of ${fnLogicalId}`);
      return (policy.Properties as { PolicyDocument: { Statement: Statement[] } }).PolicyDocument.Statement;
    };

    it('is one of the active Regions and depends on the data stack only for deployment order', () => {
      expect(config.activeRegions).toContain(region);
      expect(stack.dependencies).toEqual([marketplace.data]);
      expect(JSON.stringify(t.toJSON())).not.toContain('Fn::ImportValue');
    });

    it('has one regional REST API with a "live" stage, throttled, traced and access-logged as JSON', () => {
      t.resourceCountIs('AWS::ApiGateway::RestApi', 1);
      t.hasResourceProperties('AWS::ApiGateway::RestApi', { EndpointConfiguration: { Types: ['REGIONAL'] } });
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
      expect(props.MethodSettings[0]).toMatchObject({
        ThrottlingRateLimit: config.apiLimits.stageRateLimit,
        ThrottlingBurstLimit: config.apiLimits.stageBurstLimit,
      });
      const format = JSON.parse(props.AccessLogSetting.Format) as Record<string, string>;
      expect(format).toMatchObject({
        requestId: '$context.requestId',
        status: '$context.status',
        org: '$context.authorizer.org',
      });
    });

    it('serves exactly the routes of the route table', () => {
      expect(routesIn(t).sort()).toEqual(routeTable.map((route) => `${route.method} ${route.path}`).sort());
    });

    it('sends each route to its own function through a Lambda proxy, behind the authorizer', () => {
      const methods = Object.values(resourcesOf(t, 'AWS::ApiGateway::Method')).map(
        (method) => method.Properties as unknown as ApiMethod,
      );
      const authorizerIds = Object.keys(resourcesOf(t, 'AWS::ApiGateway::Authorizer'));
      const routesOfFn = new Map<string, string[]>();
      for (const method of methods) {
        expect(method.AuthorizationType).toBe('CUSTOM');
        expect(authorizerIds.map((id) => ({ Ref: id }))).toContainEqual(method.AuthorizerId);
        expect(method.Integration?.Type).toBe('AWS_PROXY');
        const fn =
          JSON.stringify(method.Integration?.Uri).match(/"Fn::GetAtt":\["([^"]+)","Arn"\]/)?.[1] ?? '';
        routesOfFn.set(fn, [...(routesOfFn.get(fn) ?? []), method.HttpMethod]);
      }
      for (const fnId of apiFunctions) {
        const expected = routeTable.filter((route) => route.fn === fnId).map((route) => route.method);
        expect(routesOfFn.get(logicalId(stack.functions[fnId]))?.sort()).toEqual(expected.sort());
      }
    });

    it('caches the authorizer on the Authorization header where a token is required, and never elsewhere', () => {
      const authorizers = resourcesOf(t, 'AWS::ApiGateway::Authorizer');
      const settingsOf = (ref: Ref | undefined) => {
        const props = authorizers[(ref as { Ref: string }).Ref]?.Properties as Record<string, unknown>;
        expect(props.Type).toBe('REQUEST');
        expect(JSON.stringify(props.AuthorizerUri)).toContain(logicalId(stack.authorizerFunction));
        return { identitySource: props.IdentitySource, ttl: props.AuthorizerResultTtlInSeconds };
      };
      const methods = Object.values(resourcesOf(t, 'AWS::ApiGateway::Method')).map(
        (method) => method.Properties as unknown as ApiMethod & { OperationName: string },
      );
      expect(methods).toHaveLength(routeTable.length);
      for (const route of routeTable) {
        const method = methods.find((m) => m.OperationName === `${route.method} ${route.path}`);
        expect(settingsOf(method?.AuthorizerId), `${route.method} ${route.path}`).toEqual(
          route.access === 'anyone'
            ? { identitySource: '', ttl: 0 }
            : {
                identitySource: 'method.request.header.Authorization',
                ttl: config.apiLimits.authorizerCacheSeconds,
              },
        );
      }
      const authorizer = functionProps(logicalId(stack.authorizerFunction));
      expect((authorizer.Environment as { Variables: Record<string, string> }).Variables).toMatchObject({
        OIDC_ISSUER: config.oidc.issuer,
        OIDC_AUDIENCE: config.oidc.audience,
        OIDC_MAX_TOKEN_AGE_SECONDS: String(config.apiLimits.maxTokenAgeSeconds),
      });
    });

    it('answers gateway errors with problem+json bodies, never cached, with the security headers', () => {
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
    });

    it('runs every function of ours on Node.js 22, arm64, with X-Ray active and a three-month log group', () => {
      const ours = [...Object.values(stack.functions), stack.authorizerFunction, stack.projector];
      expect(ours).toHaveLength(apiFunctions.length + 2);
      const logGroups = resourcesOf(t, 'AWS::Logs::LogGroup');
      for (const fn of ours) {
        const props = functionProps(logicalId(fn));
        expect(props.Runtime).toBe('nodejs22.x');
        expect(props.Architectures).toEqual(['arm64']);
        expect(props.TracingConfig).toEqual({ Mode: 'Active' });
        const logGroup = (props.LoggingConfig as { LogGroup: { Ref: string } }).LogGroup.Ref;
        expect(logGroups[logGroup]?.Properties?.RetentionInDays).toBe(90);
      }
    });

    it('gives each API function the names of exactly the tables it may use', () => {
      for (const fnId of apiFunctions) {
        const variables = (
          functionProps(logicalId(stack.functions[fnId])).Environment as { Variables: Record<string, string> }
        ).Variables;
        const granted = Object.keys(apiTableAccess[fnId]) as TableId[];
        const tableVariables = Object.fromEntries(
          Object.entries(variables).filter(([name]) => tableList.some((spec) => spec.envVar === name)),
        );
        expect(tableVariables).toEqual(
          Object.fromEntries(
            granted.map((id) => [tables[id].envVar, physicalTableName(config.tablePrefix, id)]),
          ),
        );
        expect(variables.POWERTOOLS_SERVICE_NAME).toBe(`marketplace-${fnId}`);
      }
    });

    it('never grants DynamoDB actions on every resource', () => {
      const wildcard = statementsIn(t).filter(
        (statement) =>
          asList(statement.Action).some((action) => action.startsWith('dynamodb:')) &&
          asList(statement.Resource).includes('*'),
      );
      expect(wildcard).toEqual([]);
    });

    it('grants each API function exactly its access to this Region’s tables', () => {
      for (const fnId of apiFunctions) {
        const policy = JSON.stringify(statementsOfFunction(logicalId(stack.functions[fnId])));
        for (const spec of tableList) {
          const mode = apiTableAccess[fnId][spec.id];
          const reference =
            spec.replication === 'REGIONAL'
              ? logicalId(regionalTable(spec.id))
              : `:dynamodb:${region}:${stack.account}:table/${physicalTableName(config.tablePrefix, spec.id)}"`;
          expect(policy.includes(reference), `${fnId} → ${spec.id}`).toBe(mode !== undefined);
        }
        expect(policy.includes('dynamodb:PutItem'), `${fnId} writes`).toBe(
          Object.values(apiTableAccess[fnId]).includes('readWrite'),
        );
      }
    });

    it('builds its own projections table: no replicas elsewhere, protected, retained', () => {
      for (const spec of tableList.filter((s) => s.replication === 'REGIONAL')) {
        const table = Object.values(
          t.findResources('AWS::DynamoDB::GlobalTable', {
            Properties: { TableName: physicalTableName(config.tablePrefix, spec.id) },
          }),
        );
        expect(table).toHaveLength(1);
        expect(table[0]?.DeletionPolicy).toBe('Retain');
        expect(table[0]?.Properties.Replicas).toEqual([
          expect.objectContaining({
            Region: region,
            DeletionProtectionEnabled: true,
            PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
          }),
        ]);
      }
      // The global tables are not redefined here.
      t.resourceCountIs(
        'AWS::DynamoDB::GlobalTable',
        tableList.filter((s) => s.replication === 'REGIONAL').length,
      );
    });

    it('feeds the projector from this Region’s replica stream of every streamed global table', () => {
      const streamed = tableList.filter((spec) => spec.replication !== 'REGIONAL' && spec.stream);
      expect(streamed.map((spec) => spec.id).sort()).toEqual(['catalog', 'ledger']);
      const lookups = resourcesOf(t, 'Custom::AWS');
      const mappings = Object.values(resourcesOf(t, 'AWS::Lambda::EventSourceMapping')).map(
        (mapping) => mapping.Properties as Record<string, unknown>,
      );
      expect(mappings).toHaveLength(streamed.length);
      const mappedTables = mappings.map((mapping) => {
        expect(mapping).toMatchObject({
          FunctionName: { Ref: logicalId(stack.projector) },
          StartingPosition: 'TRIM_HORIZON',
          BatchSize: 100,
          BisectBatchOnFunctionError: true,
          MaximumRetryAttempts: expect.any(Number),
          DestinationConfig: { OnFailure: { Destination: expect.anything() } },
        });
        // The exact stream ARN comes from a DescribeTable of the replica, in this stack's own Region.
        const [lookupId, attribute] = (mapping.EventSourceArn as { 'Fn::GetAtt': [string, string] })[
          'Fn::GetAtt'
        ];
        expect(attribute).toBe('Table.LatestStreamArn');
        const lookup = lookups[lookupId]?.Properties as { Create: string } | undefined;
        const call = JSON.parse(lookup?.Create ?? '{}') as {
          action: string;
          region?: string;
          parameters: { TableName: string };
        };
        expect(call.action).toBe('describeTable');
        expect(call.region ?? region).toBe(region);
        return call.parameters.TableName;
      });
      expect(mappedTables.sort()).toEqual(
        streamed.map((spec) => physicalTableName(config.tablePrefix, spec.id)).sort(),
      );
    });

    it('lets the projector read only those streams and write only the projections', () => {
      const statements = statementsOfFunction(logicalId(stack.projector));
      const streamRead = statements.find(
        (s) =>
          asList(s.Action).includes('dynamodb:GetShardIterator') &&
          JSON.stringify(s.Resource).includes('/stream/*'),
      );
      expect(JSON.stringify(streamRead?.Resource)).toContain(
        `table/${physicalTableName(config.tablePrefix, 'catalog')}/stream/*`,
      );
      expect(JSON.stringify(streamRead?.Resource)).toContain(
        `table/${physicalTableName(config.tablePrefix, 'ledger')}/stream/*`,
      );
      const writes = statements.filter((s) => asList(s.Action).includes('dynamodb:PutItem'));
      expect(writes.map((s) => s.Resource)).toEqual([
        { 'Fn::GetAtt': [logicalId(regionalTable('projections')), 'Arn'] },
      ]);
    });
  },
);
