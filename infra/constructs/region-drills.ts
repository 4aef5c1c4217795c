import { RemovalPolicy, Stack } from 'aws-cdk-lib';
import type { IAlarm } from 'aws-cdk-lib/aws-cloudwatch';
import { CfnExperimentTemplate } from 'aws-cdk-lib/aws-fis';
import { PolicyStatement, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { acknowledge, wildcardFinding } from '../nag.js';
import type { FisLambdaExtension } from './fis-lambda-extension.js';

/** FIS action IDs used here (from the FIS action reference; FIS validates them when a template is created). */
export const fisActions = {
  /**
   * Target type `aws:dynamodb:global-table`, target key `Tables`, parameter `duration`. FIS adds deny
   * statements for the DynamoDB replication service-linked role to the target replica's resource policy (and,
   * for MREC, its stream's), and removes them when the action ends. Replication may go on for up to 5 minutes
   * after the action starts, so a 10-minute action pauses about 5. An MRSC replica so denied answers writes and
   * strongly consistent reads with AccessDeniedException. FIS needs `dynamodb:InjectError` on MRSC targets,
   * and limits each MRSC table to 5,040 impaired minutes in any 7 days (FIS actions reference, DynamoDB).
   */
  pauseReplication: 'aws:dynamodb:global-table-pause-replication',
  /**
   * Target type `aws:lambda:function`, target key `Functions`; parameters `duration`,
   * `invocationPercentage`, `preventExecution`. Needs the FIS extension on the target functions.
   */
  lambdaInvocationError: 'aws:lambda:invocation-error',
} as const;

export const drillNames = [
  'pause-catalog-replication',
  'pause-ledger-replication',
  'api-lambda-errors',
  'region-evacuation',
] as const;
export type DrillName = (typeof drillNames)[number];

export interface RegionDrillsProps {
  readonly prefix: string;
  /** Every experiment stops when this alarm goes off (the Region's user-facing 5xx rate). */
  readonly stopAlarm: IAlarm;
  /** ARNs of this Region's replicas of the global tables. */
  readonly replicaArns: { readonly catalog: string; readonly ledger: string };
  /** API functions that serve user requests (not the health check). */
  readonly apiFunctions: readonly IFunction[];
  /** The function behind GET /health, which Route 53 probes. */
  readonly healthFunction: IFunction;
  readonly extension: FisLambdaExtension;
}

/**
 * Drills as code: AWS FIS experiment templates for this Region, each with the Region's user-facing 5xx alarm
 * as stop condition (FIS stops the experiment and rolls the fault back when it fires), targets named by ARN
 * (never by tag, so a drill cannot reach anything else), and the experiment log in a log group kept a year
 * as drill evidence. Start one with `aws fis start-experiment` (OPERATIONS.md, "Run a drill").
 */
export class RegionDrills extends Construct {
  readonly templates = new Map<DrillName, CfnExperimentTemplate>();
  readonly logGroup: LogGroup;

  constructor(scope: Construct, id: string, props: RegionDrillsProps) {
    super(scope, id);
    const region = Stack.of(this).region;
    this.logGroup = new LogGroup(this, 'ExperimentLogs', {
      retention: RetentionDays.ONE_YEAR,
      removalPolicy: RemovalPolicy.RETAIN,
    });

    const role = (roleId: string, description: string, statements: PolicyStatement[]) => {
      const created = new Role(this, roleId, {
        assumedBy: new ServicePrincipal('fis.amazonaws.com', {
          conditions: { StringEquals: { 'aws:SourceAccount': Stack.of(this).account } },
        }),
        description,
      });
      for (const statement of statements) created.addToPolicy(statement);
      // FIS resolves targets through the tagging API even when they are named by ARN, and delivers the
      // experiment log through CloudWatch Logs' vended-log APIs; none of these actions takes a resource.
      created.addToPolicy(new PolicyStatement({ actions: ['tag:GetResources'], resources: ['*'] }));
      created.addToPolicy(
        new PolicyStatement({
          actions: [
            'logs:CreateLogDelivery',
            'logs:PutResourcePolicy',
            'logs:DescribeResourcePolicies',
            'logs:DescribeLogGroups',
          ],
          resources: ['*'],
        }),
      );
      acknowledge(
        created,
        'AwsSolutions-IAM5[Resource::*]',
        'tag:GetResources (FIS target resolution) and the CloudWatch Logs vended-delivery actions (CreateLogDelivery, PutResourcePolicy, DescribeResourcePolicies, DescribeLogGroups) support no resource-level permissions; the faults themselves are limited to named ARNs.',
      );
      return created;
    };

    const replicationRole = role(
      'ReplicationDrillRole',
      'FIS: pause global table replication in this Region',
      [
        new PolicyStatement({
          actions: [
            'dynamodb:PutResourcePolicy',
            'dynamodb:DeleteResourcePolicy',
            'dynamodb:GetResourcePolicy',
            'dynamodb:DescribeTable',
          ],
          resources: [props.replicaArns.catalog, props.replicaArns.ledger],
        }),
        // Only the MRSC ledger needs it; without it the ledger drill fails at start.
        new PolicyStatement({ actions: ['dynamodb:InjectError'], resources: [props.replicaArns.ledger] }),
      ],
    );
    const targetFunctions = [...props.apiFunctions, props.healthFunction];
    const lambdaRole = role('LambdaDrillRole', 'FIS: inject Lambda invocation errors in this Region', [
      new PolicyStatement({
        actions: ['lambda:GetFunction'],
        resources: targetFunctions.map((fn) => fn.functionArn),
      }),
      new PolicyStatement({
        actions: ['s3:PutObject', 's3:DeleteObject'],
        resources: [props.extension.configObjectsArn],
      }),
    ]);
    acknowledge(
      lambdaRole,
      wildcardFinding(this, props.extension.configObjectsArn),
      'FIS writes and deletes its fault configuration objects (one per experiment, named by FIS) under the FisConfigs/ prefix of the drill bucket only.',
    );

    const template = (
      name: DrillName,
      description: string,
      roleArn: string,
      target: { type: string; key: string; arns: string[] },
      action: { id: string; parameters: Record<string, string> },
    ) => {
      const created = new CfnExperimentTemplate(this, `Drill-${name}`, {
        description: description.slice(0, 512),
        roleArn,
        stopConditions: [{ source: 'aws:cloudwatch:alarm', value: props.stopAlarm.alarmArn }],
        targets: { [name]: { resourceType: target.type, resourceArns: target.arns, selectionMode: 'ALL' } },
        actions: {
          [name]: { actionId: action.id, parameters: action.parameters, targets: { [target.key]: name } },
        },
        logConfiguration: {
          logSchemaVersion: 2,
          cloudWatchLogsConfiguration: { LogGroupArn: this.logGroup.logGroupArn },
        },
        tags: { Name: `${props.prefix}-${region}-${name}` },
      });
      this.templates.set(name, created);
      return created;
    };

    const table = { type: 'aws:dynamodb:global-table', key: 'Tables' };
    template(
      'pause-catalog-replication',
      `Pause catalog (MREC) replication to and from the ${region} replica for 10 minutes (replication may go on for the first 5). Expect: both Regions keep serving; catalog edits made elsewhere appear here only after the pause; under load the catalog-replication-latency alarm fires; nothing is lost once replication resumes. Afterwards: both replicas ACTIVE, no FIS statement left in the resource policy.`,
      replicationRole.roleArn,
      { ...table, arns: [props.replicaArns.catalog] },
      { id: fisActions.pauseReplication, parameters: { duration: 'PT10M' } },
    );
    template(
      'pause-ledger-replication',
      `Deny ledger (MRSC) replication of the ${region} replica for 10 minutes (effective after up to 5). Expect: here, contract writes and strongly consistent reads get AccessDeniedException, answered 503 with Retry-After; /health fails, so Route 53 drains the Region and clients retry in the other one; the store-access-denied alarm fires; no acknowledged contract is missing. Afterwards: replica ACTIVE, no FIS statement left in the resource policy.`,
      replicationRole.roleArn,
      { ...table, arns: [props.replicaArns.ledger] },
      { id: fisActions.pauseReplication, parameters: { duration: 'PT10M' } },
    );
    const lambda = { type: 'aws:lambda:function', key: 'Functions' };
    template(
      'api-lambda-errors',
      `Fail 10% of invocations of the ${region} API functions (not the health check) for 10 minutes. Expect: callers retry with their Idempotency-Key and no contract is duplicated; the 5xx-rate alarm pages within about 3 minutes, and FIS then stops the experiment (that is the stop condition working).`,
      lambdaRole.roleArn,
      { ...lambda, arns: props.apiFunctions.map((fn) => fn.functionArn) },
      {
        id: fisActions.lambdaInvocationError,
        parameters: { duration: 'PT10M', invocationPercentage: '10', preventExecution: 'true' },
      },
    );
    template(
      'region-evacuation',
      `Fail every GET /health in ${region} for 10 minutes, as a dead Region looks to Route 53. Expect: health checks fail after 30 s, DNS answers only the other Region within about 90 s, user traffic moves with no failed contract; stops if user-facing 5xx here exceed 5%.`,
      lambdaRole.roleArn,
      { ...lambda, arns: [props.healthFunction.functionArn] },
      {
        id: fisActions.lambdaInvocationError,
        parameters: { duration: 'PT10M', invocationPercentage: '100', preventExecution: 'true' },
      },
    );
  }
}
