import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Template } from 'aws-cdk-lib/assertions';
import { projectRoot } from '../../infra/constructs/handler-function.js';
import type { RegionStack } from '../../infra/stacks/region-stack.js';
import { logicalId, resourcesOf, synthesizeMarketplace, synthesizeRegionStack } from './support.js';

/*
 * The region stack as the committed cdk.json context builds it (prefix "dsm", Regions ap-northeast-2 and
 * ap-northeast-1), with every expectation written literally: adding an alarm, a drill or a firewall rule
 * must show up here as a changed expectation, not pass because the test reads the same list as the code.
 * The tests only read the template, so each Region’s stack is synthesized once, by this file
 * (a stack per test cost about 50 s of CPU here for nothing a read-only test can observe).
 */

const operations = readFileSync(join(projectRoot, 'OPERATIONS.md'), 'utf8');

type Props = Record<string, unknown>;
const props = (resource: { Properties?: Props } | undefined) => (resource?.Properties ?? {}) as Props;

/** The API functions (each with its own error alarm) and the background ones. */
const API_FUNCTIONS = [
  'health',
  'registry',
  'services',
  'reviews',
  'contracts',
  'cases',
  'stats',
  'audit',
  'events',
  'webhooks',
  'docs',
];
const BACKGROUND_FUNCTIONS = ['authorizer', 'projector', 'selection-expiry', 'webhook-delivery'];
const OTHER_REGION = { 'ap-northeast-2': 'ap-northeast-1', 'ap-northeast-1': 'ap-northeast-2' } as const;

const synthesized = new Map<string, ReturnType<typeof synthesizeRegionStack>>();

/** Given the stack for one Region: its template and the lookups the tests share. */
function givenRegion(region: keyof typeof OTHER_REGION) {
  const { stack, template: t } =
    synthesized.get(region) ?? synthesized.set(region, synthesizeRegionStack(region)).get(region)!;
  const alarms = Object.entries(resourcesOf(t, 'AWS::CloudWatch::Alarm'));
  const alarmNamed = (kind: string) => {
    const found = alarms.find(([, alarm]) => props(alarm).AlarmName === `dsm-${region}-${kind}`);
    if (!found) throw new Error(`No alarm dsm-${region}-${kind}`);
    return { id: found[0], props: props(found[1]) };
  };
  return { region, stack, t, alarms, alarmNamed };
}

describe.each(['ap-northeast-2', 'ap-northeast-1'] as const)(
  'region stack in %s: protection, monitoring and drills',
  (regionName) => {
    // Synthesis loads most of aws-cdk-lib the first time: done here, outside any one test's time limit.
    beforeAll(() => void givenRegion(regionName), 120_000);

    describe('web application firewall', () => {
      const webAcl = (t: Template) =>
        props(Object.values(resourcesOf(t, 'AWS::WAFv2::WebACL'))[0]) as {
          Scope: string;
          DefaultAction: unknown;
          Rules: {
            Name: string;
            Priority: number;
            Statement: {
              ManagedRuleGroupStatement?: {
                VendorName: string;
                Name: string;
                RuleActionOverrides?: { Name: string }[];
              };
              RateBasedStatement?: { Limit: number; EvaluationWindowSec: number; AggregateKeyType: string };
            };
            Action?: {
              Block?: {
                CustomResponse?: { ResponseCode: number; ResponseHeaders: { Name: string; Value: string }[] };
              };
            };
          }[];
        };

      it('is a REGIONAL web ACL with the AWS managed rule groups and a per-IP rate limit', () => {
        const acl = webAcl(givenRegion(regionName).t);
        expect(acl.Scope).toBe('REGIONAL');
        expect(acl.DefaultAction).toEqual({ Allow: {} });
        const managed = acl.Rules.flatMap((rule) =>
          rule.Statement.ManagedRuleGroupStatement ? [rule.Statement.ManagedRuleGroupStatement] : [],
        );
        expect(managed.map((group) => `${group.VendorName}/${group.Name}`).sort()).toEqual([
          'AWS/AWSManagedRulesAmazonIpReputationList',
          'AWS/AWSManagedRulesCommonRuleSet',
          'AWS/AWSManagedRulesKnownBadInputsRuleSet',
        ]);
        const rate = acl.Rules.find((rule) => rule.Statement.RateBasedStatement);
        expect(rate?.Statement.RateBasedStatement).toEqual({
          Limit: 3000,
          EvaluationWindowSec: 300,
          AggregateKeyType: 'IP',
        });
        expect(rate?.Action?.Block?.CustomResponse?.ResponseCode).toBe(429);
        expect(rate?.Action?.Block?.CustomResponse?.ResponseHeaders).toEqual(
          expect.arrayContaining([
            { Name: 'Retry-After', Value: '60' },
            { Name: 'Cache-Control', Value: 'no-store' },
            { Name: 'x-content-type-options', Value: 'nosniff' },
            { Name: 'strict-transport-security', Value: expect.stringMatching(/^max-age=\d+/) },
          ]),
        );
        expect(new Set(acl.Rules.map((rule) => rule.Priority)).size).toBe(acl.Rules.length);
      });

      it('lets the 64 KiB bodies the API accepts through the common rule set', () => {
        const acl = webAcl(givenRegion(regionName).t);
        const common = acl.Rules.find(
          (rule) => rule.Statement.ManagedRuleGroupStatement?.Name === 'AWSManagedRulesCommonRuleSet',
        );
        expect(
          common?.Statement.ManagedRuleGroupStatement?.RuleActionOverrides?.map((override) => override.Name),
        ).toContain('SizeRestrictions_BODY');
      });

      it('is associated with the API stage and logs blocked requests without the Authorization header', () => {
        const { t, region } = givenRegion(regionName);
        const association = props(Object.values(resourcesOf(t, 'AWS::WAFv2::WebACLAssociation'))[0]);
        const stageId = Object.keys(resourcesOf(t, 'AWS::ApiGateway::Stage'))[0];
        const restApiId = Object.keys(resourcesOf(t, 'AWS::ApiGateway::RestApi'))[0];
        const arn = JSON.stringify(association.ResourceArn);
        expect(arn).toContain(`:apigateway:${region}::/restapis/`);
        expect(arn).toContain(`{"Ref":"${restApiId}"}`);
        expect(arn).toContain(`/stages/",{"Ref":"${stageId}"}`);
        const logging = props(Object.values(resourcesOf(t, 'AWS::WAFv2::LoggingConfiguration'))[0]);
        expect(JSON.stringify(logging.LogDestinationConfigs)).toContain(':log-group:aws-waf-logs-');
        expect(logging.RedactedFields).toEqual([{ SingleHeader: { Name: 'authorization' } }]);
      });
    });

    it('logs API Gateway execution errors for every method (no bodies), kept three months', () => {
      const { t } = givenRegion(regionName);
      const stage = props(Object.values(resourcesOf(t, 'AWS::ApiGateway::Stage'))[0]) as {
        MethodSettings: {
          HttpMethod: string;
          ResourcePath: string;
          LoggingLevel: string;
          DataTraceEnabled: boolean;
        }[];
      };
      expect(stage.MethodSettings[0]).toMatchObject({
        HttpMethod: '*',
        ResourcePath: '/*',
        LoggingLevel: 'ERROR',
        DataTraceEnabled: false,
      });
      const executionLogs = Object.values(resourcesOf(t, 'AWS::Logs::LogGroup')).find((group) =>
        String(JSON.stringify(props(group).LogGroupName)).includes('API-Gateway-Execution-Logs_'),
      );
      expect(props(executionLogs).RetentionInDays).toBe(90);
    });

    describe('alarms', () => {
      it('has every kind, each to the Region’s encrypted topic on alarm and on recovery', () => {
        const { t, alarms, alarmNamed } = givenRegion(regionName);
        const topicId = Object.keys(resourcesOf(t, 'AWS::SNS::Topic'));
        expect(topicId).toHaveLength(1);
        expect(props(resourcesOf(t, 'AWS::SNS::Topic')[topicId[0] as string]).KmsMasterKeyId).toBeDefined();
        const kinds = [
          'api-5xx-rate',
          'api-latency-p99',
          'health-endpoint-failing',
          'lambda-throttles',
          'dynamodb-throttles',
          'ledger-write-conflicts',
          'store-unavailable',
          'store-access-denied',
          'catalog-replication-latency',
          'projector-iterator-age',
          'projector-dlq',
          'webhook-delivery-backlog',
          'webhook-delivery-dlq',
          'webhook-deliveries-failed',
          ...[...API_FUNCTIONS, ...BACKGROUND_FUNCTIONS].map((fn) => `lambda-errors-${fn}`),
        ];
        for (const kind of kinds) {
          const alarm = alarmNamed(kind).props;
          expect(alarm.AlarmActions, kind).toEqual([{ Ref: topicId[0] }]);
          expect(alarm.OKActions, kind).toEqual([{ Ref: topicId[0] }]);
        }
        expect(alarms).toHaveLength(kinds.length);
      });

      it('says at 3 a.m. what happened, what to do first, and where the runbook section is', () => {
        const { alarms } = givenRegion(regionName);
        for (const [, alarm] of alarms) {
          const description = String(props(alarm).AlarmDescription);
          expect(description).toMatch(/FIRST: .{20,}/);
          const anchor = /RUNBOOK: OPERATIONS\.md#(alarm-[a-z0-9-]+)/.exec(description)?.[1];
          expect(anchor, description).toBeDefined();
          expect(operations, `OPERATIONS.md has no section for #${anchor}`).toContain(
            `<a id="${anchor}"></a>`,
          );
        }
      });

      it('measures the user-facing 5xx rate, leaving out the health checks', () => {
        const { alarmNamed } = givenRegion(regionName);
        const metrics = alarmNamed('api-5xx-rate').props.Metrics as {
          Expression?: string;
          MetricStat?: { Metric: { MetricName: string; Dimensions: { Name: string; Value: string }[] } };
        }[];
        expect(metrics.find((metric) => metric.Expression)?.Expression).toContain(
          'errors - FILL(healthErrors, 0)',
        );
        const health = metrics.filter((metric) =>
          metric.MetricStat?.Metric.Dimensions.some((d) => d.Name === 'Resource' && d.Value === '/health'),
        );
        expect(health.map((metric) => metric.MetricStat?.Metric.MetricName).sort()).toEqual([
          '5XXError',
          'Count',
        ]);
      });

      it('tracks p99 latency, catalog replication latency to the other Region and the projector', () => {
        const { alarmNamed, region } = givenRegion(regionName);
        expect(alarmNamed('api-latency-p99').props).toMatchObject({
          MetricName: 'Latency',
          ExtendedStatistic: 'p99',
        });
        const replication = JSON.stringify(alarmNamed('catalog-replication-latency').props.Metrics);
        const other = OTHER_REGION[region];
        expect(replication).toContain('"ReplicationLatency"');
        expect(replication).toContain(`{"Name":"ReceivingRegion","Value":"${other}"}`);
        expect(replication).toContain('{"Name":"TableName","Value":"dsm-catalog"}');
        expect(alarmNamed('projector-iterator-age').props).toMatchObject({ MetricName: 'IteratorAge' });
        expect(alarmNamed('projector-dlq').props).toMatchObject({
          MetricName: 'ApproximateNumberOfMessagesVisible',
        });
        expect(JSON.stringify(alarmNamed('dynamodb-throttles').props.Metrics)).toContain(
          'WriteThrottleEvents',
        );
        expect(alarmNamed('lambda-throttles').props).toMatchObject({
          MetricName: 'Throttles',
          Namespace: 'AWS/Lambda',
        });
      });

      it('sees a paused catalog replication: writes here with no latency reported count as paused', () => {
        const { alarmNamed, region } = givenRegion(regionName);
        const other = OTHER_REGION[region];
        const replication = alarmNamed('catalog-replication-latency').props as {
          Metrics: {
            Id: string;
            Expression?: string;
            MetricStat?: { Metric: { MetricName: string; Dimensions: { Name: string; Value: string }[] } };
          }[];
          Threshold: number;
          EvaluationPeriods: number;
          DatapointsToAlarm: number;
          TreatMissingData: string;
        };
        expect(replication).toMatchObject({
          Threshold: 30_000,
          EvaluationPeriods: 5,
          DatapointsToAlarm: 3,
          TreatMissingData: 'notBreaching',
        });
        const expressions = Object.fromEntries(
          replication.Metrics.filter((m) => m.Expression).map((m) => [m.Id, m.Expression]),
        );
        expect(expressions.l0).toBe(
          'IF((FILL(w0, 0) + FILL(w1, 0) + FILL(w2, 0) + FILL(w3, 0) + FILL(w4, 0)) > 0 AND FILL(r0, 0) == 0, 600000, FILL(r0, 0))',
        );

        const stat = (id: string) => replication.Metrics.find((m) => m.Id === id)?.MetricStat?.Metric;
        expect(stat('r0')).toEqual({
          Namespace: 'AWS/DynamoDB',
          MetricName: 'ReplicationLatency',
          Dimensions: [
            { Name: 'ReceivingRegion', Value: other },
            { Name: 'TableName', Value: 'dsm-catalog' },
          ],
        });
        expect(['w0', 'w1', 'w2', 'w3', 'w4'].map((id) => stat(id)?.Dimensions[0]?.Value)).toEqual([
          'PutItem',
          'UpdateItem',
          'DeleteItem',
          'BatchWriteItem',
          'TransactWriteItems',
        ]);
        expect(stat('w0')?.MetricName).toBe('SuccessfulRequestLatency');
      });

      it('alarms on the first AccessDeniedException the store answers (a ledger replica that is not ACTIVE)', () => {
        const { t, alarmNamed } = givenRegion(regionName);
        const filters = Object.values(resourcesOf(t, 'AWS::Logs::MetricFilter'))
          .map((filter) => props(filter))
          .filter(
            (filter) =>
              (filter.MetricTransformations as { MetricName: string }[])[0]?.MetricName ===
              'StoreAccessDenied',
          );
        expect(filters).toHaveLength(API_FUNCTIONS.length);
        expect(new Set(filters.map((filter) => filter.FilterPattern))).toEqual(
          new Set(['{ ($.message = "store unavailable") && ($.error = "AccessDeniedException") }']),
        );
        expect(alarmNamed('store-access-denied').props).toMatchObject({
          Namespace: 'DigitalServiceMarketplace',
          MetricName: 'StoreAccessDenied',
          Threshold: 1,
          EvaluationPeriods: 1,
        });
      });

      it('counts MRSC write conflicts from the contract writers’ logs, as the API logs them', () => {
        const { t, alarmNamed, stack } = givenRegion(regionName);
        const filters = Object.values(resourcesOf(t, 'AWS::Logs::MetricFilter')).map((filter) =>
          props(filter),
        );
        const conflicts = filters.filter(
          (filter) =>
            (filter.MetricTransformations as { MetricName: string }[])[0]?.MetricName ===
            'LedgerWriteConflicts',
        );
        // One per function that writes the ledger: contracts, cases, the audit feed's acknowledgements,
        // and webhooks (a redelivery).
        expect(conflicts).toHaveLength(4);
        for (const conflict of conflicts) {
          expect(conflict.FilterPattern).toBe(
            '{ ($.message = "store unavailable") && ($.error = "ReplicatedWriteConflictException") }',
          );
        }
        expect(conflicts.map((conflict) => conflict.LogGroupName)).toEqual(
          expect.arrayContaining(
            ['ContractsApi', 'AuditApi', 'WebhooksApi'].map((fn) => ({
              Ref: logicalId(stack.node.findChild(fn).node.findChild('Logs')),
            })),
          ),
        );
        expect(alarmNamed('ledger-write-conflicts').props).toMatchObject({
          Namespace: 'DigitalServiceMarketplace',
          MetricName: 'LedgerWriteConflicts',
        });
        // The log line the filters match is the API's own: pinned here so a change there fails this test.
        // (whichever module of the HTTP layer holds it)
        const httpLayer = join(projectRoot, 'functions', 'http');
        const api = readdirSync(httpLayer)
          .filter((file) => file.endsWith('.ts'))
          .map((file) => readFileSync(join(httpLayer, file), 'utf8'))
          .join('\n');
        expect(api).toContain("logger.warn('store unavailable', { ...logKeys, error: name || code })");
        expect(api).toContain("'ReplicatedWriteConflictException'");
        expect(api).toContain("'AccessDeniedException'");
      });
    });

    it('has a dashboard named after the Region', () => {
      const { t, region } = givenRegion(regionName);
      const dashboards = Object.values(resourcesOf(t, 'AWS::CloudWatch::Dashboard')).map((d) => props(d));
      expect(dashboards.map((d) => d.DashboardName)).toEqual([`dsm-${region}`]);
    });

    describe('drills', () => {
      const drillsIn = (t: Template, region: string) => {
        const experiments = Object.values(resourcesOf(t, 'AWS::FIS::ExperimentTemplate')).map(
          (resource) =>
            props(resource) as {
              Tags: Record<string, string>;
              StopConditions: { Source: string; Value: unknown }[];
              Targets: Record<
                string,
                { ResourceType: string; ResourceArns?: unknown[]; ResourceTags?: unknown }
              >;
              Actions: Record<
                string,
                { ActionId: string; Parameters: Record<string, string>; Targets: Record<string, string> }
              >;
              LogConfiguration: { CloudWatchLogsConfiguration: unknown };
            },
        );
        const experiment = (name: string) => {
          const found = experiments.find((e) => e.Tags.Name === `dsm-${region}-${name}`);
          if (!found) throw new Error(`No drill ${name}`);
          return found;
        };
        return { experiments, experiment };
      };

      it('has every drill, each stopped by the user-facing 5xx alarm and logged', () => {
        const { alarmNamed, t, region } = givenRegion(regionName);

        const { experiments, experiment } = drillsIn(t, region);
        expect(experiments).toHaveLength(4);
        const stopAlarm = alarmNamed('api-5xx-rate').id;
        for (const name of [
          'pause-catalog-replication',
          'pause-ledger-replication',
          'api-lambda-errors',
          'region-evacuation',
        ]) {
          const drill = experiment(name);
          expect(drill.StopConditions).toEqual([
            { Source: 'aws:cloudwatch:alarm', Value: { 'Fn::GetAtt': [stopAlarm, 'Arn'] } },
          ]);
          expect(drill.LogConfiguration.CloudWatchLogsConfiguration).toBeDefined();
          for (const target of Object.values(drill.Targets)) {
            expect(target.ResourceTags).toBeUndefined();
            expect(target.ResourceArns?.length).toBeGreaterThan(0);
          }
        }
      });

      it('pauses replication of this Region’s replicas of the catalog and of the ledger', () => {
        const { region, t } = givenRegion(regionName);

        const { experiment } = drillsIn(t, region);
        for (const [name, table] of [
          ['pause-catalog-replication', 'catalog'],
          ['pause-ledger-replication', 'ledger'],
        ] as const) {
          const drill = experiment(name);
          const [action] = Object.values(drill.Actions);
          expect(action?.ActionId).toBe('aws:dynamodb:global-table-pause-replication');
          expect(action?.Parameters).toEqual({ duration: 'PT10M' });
          const target = drill.Targets[action?.Targets.Tables as string];
          expect(target?.ResourceType).toBe('aws:dynamodb:global-table');
          expect(JSON.stringify(target?.ResourceArns)).toContain(
            `:dynamodb:${region}:111111111111:table/dsm-${table}"`,
          );
        }
      });

      it('fails a share of the API functions, or every health check, through the FIS extension', () => {
        const { t, stack, region } = givenRegion(regionName);

        const { experiment } = drillsIn(t, region);
        const errors = experiment('api-lambda-errors');
        const [action] = Object.values(errors.Actions);
        expect(action).toMatchObject({
          ActionId: 'aws:lambda:invocation-error',
          Parameters: { invocationPercentage: '10', preventExecution: 'true' },
        });
        const targeted = errors.Targets[action?.Targets.Functions as string]?.ResourceArns?.map((arn) =>
          JSON.stringify(arn),
        );
        const expected = API_FUNCTIONS.filter((fn) => fn !== 'health').map((fn) =>
          JSON.stringify({
            'Fn::GetAtt': [logicalId(stack.functions[fn as keyof RegionStack['functions']]), 'Arn'],
          }),
        );
        expect(targeted?.sort()).toEqual(expected.sort());

        const evacuation = experiment('region-evacuation');
        const [evacuate] = Object.values(evacuation.Actions);
        expect(evacuate?.Parameters.invocationPercentage).toBe('100');
        expect(evacuation.Targets[evacuate?.Targets.Functions as string]?.ResourceArns).toEqual([
          { 'Fn::GetAtt': [logicalId(stack.functions.health), 'Arn'] },
        ]);

        const parameters = (t.toJSON().Parameters ?? {}) as Record<string, { Default?: string }>;
        const layerParameter = Object.entries(parameters).find(
          ([, parameter]) =>
            parameter.Default === '/aws/service/fis/lambda-extension/AWS-FIS-extension-arm64/1.x.x',
        )?.[0];
        for (const fn of API_FUNCTIONS) {
          const lambda = props(
            resourcesOf(t, 'AWS::Lambda::Function')[
              logicalId(stack.functions[fn as keyof RegionStack['functions']])
            ],
          ) as {
            Layers: unknown[];
            Environment: { Variables: Record<string, unknown> };
          };
          expect(lambda.Layers).toEqual([{ Ref: layerParameter }]);
          expect(lambda.Environment.Variables.AWS_LAMBDA_EXEC_WRAPPER).toBe('/opt/aws-fis/bootstrap');
        }
      });

      it('lets the replication drill pause the MRSC ledger: dynamodb:InjectError on the ledger replica only', () => {
        const { t, region } = givenRegion(regionName);
        const replicationRole = Object.entries(resourcesOf(t, 'AWS::IAM::Role')).find(
          ([, role]) => props(role).Description === 'FIS: pause global table replication in this Region',
        )?.[0];
        const statements = Object.values(resourcesOf(t, 'AWS::IAM::Policy'))
          .filter(
            (policy) => JSON.stringify(props(policy).Roles) === JSON.stringify([{ Ref: replicationRole }]),
          )
          .flatMap(
            (policy) =>
              (
                props(policy).PolicyDocument as {
                  Statement: { Action: string | string[]; Resource: unknown }[];
                }
              ).Statement,
          );
        const ledgerArn = `:dynamodb:${region}:111111111111:table/dsm-ledger"`;
        const injectError = statements.filter((statement) =>
          [statement.Action].flat().includes('dynamodb:InjectError'),
        );
        expect(injectError).toHaveLength(1);
        expect(injectError[0]?.Action).toBe('dynamodb:InjectError');
        expect(JSON.stringify(injectError[0]?.Resource)).toContain(ledgerArn);
        expect(JSON.stringify(injectError[0]?.Resource)).not.toContain('-catalog');
        const resourcePolicy = statements.find((statement) =>
          [statement.Action].flat().includes('dynamodb:PutResourcePolicy'),
        );
        expect(resourcePolicy?.Action).toEqual([
          'dynamodb:DeleteResourcePolicy',
          'dynamodb:DescribeTable',
          'dynamodb:GetResourcePolicy',
          'dynamodb:PutResourcePolicy',
        ]);
        expect(statements.some((statement) => [statement.Action].flat().includes('tag:GetResources'))).toBe(
          true,
        );
      });

      it('gives the drill roles no action on every resource except the ones that take no ARN', () => {
        const { t } = givenRegion(regionName);
        const roles = Object.entries(resourcesOf(t, 'AWS::IAM::Role')).filter(([, role]) =>
          JSON.stringify(props(role).AssumeRolePolicyDocument).includes('fis.amazonaws.com'),
        );
        expect(roles).toHaveLength(2);
        const policies = Object.values(resourcesOf(t, 'AWS::IAM::Policy')).filter((policy) =>
          roles.some(([id]) => JSON.stringify(props(policy).Roles).includes(`"${id}"`)),
        );
        const statements = policies.flatMap(
          (policy) =>
            (
              props(policy).PolicyDocument as {
                Statement: { Action: string | string[]; Resource: unknown }[];
              }
            ).Statement,
        );
        for (const statement of statements) {
          if (statement.Resource !== '*') continue;
          for (const action of [statement.Action].flat()) {
            expect(action).toMatch(
              /^(tag:GetResources|logs:(CreateLogDelivery|PutResourcePolicy|DescribeResourcePolicies|DescribeLogGroups))$/,
            );
          }
        }
      });
    });
  },
);

describe('without a custom domain', () => {
  it('builds no DNS failover, no routing controls and no custom domain', () => {
    const { marketplace, template } = synthesizeMarketplace();
    expect(marketplace.failover).toBeUndefined();
    for (const stack of [marketplace.data, ...marketplace.regions, ...marketplace.backups]) {
      const types = Object.values(resourcesOf(template(stack))).map((resource) => resource.Type);
      for (const type of [
        'AWS::Route53::HealthCheck',
        'AWS::Route53::RecordSet',
        'AWS::ApiGateway::DomainName',
        'AWS::CertificateManager::Certificate',
      ]) {
        expect(types, `${stack.stackName} ${type}`).not.toContain(type);
      }
      expect(types.some((type) => type.startsWith('AWS::Route53RecoveryControl::'))).toBe(false);
    }
  }, 120_000);
});
