import type { IAlarm } from 'aws-cdk-lib/aws-cloudwatch';
import {
  type ILambdaDeploymentConfig,
  LambdaApplication,
  LambdaDeploymentConfig,
  LambdaDeploymentGroup,
} from 'aws-cdk-lib/aws-codedeploy';
import { Duration } from 'aws-cdk-lib';
import { PolicyStatement, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import {
  type Alias,
  Architecture,
  Code,
  Function as LambdaFunction,
  type IVersion,
  Runtime,
} from 'aws-cdk-lib/aws-lambda';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { acknowledge, wildcardFinding } from '../nag.js';
import type { HandlerFunction } from './handler-function.js';

/** How one function's new versions reach its `live` alias. */
export interface SafeDeploymentTarget {
  /** Short name, as in the function's alarms (`lambda-errors-<name>`). */
  readonly name: string;
  readonly handler: HandlerFunction;
  /**
   * The alarms that stop the shift and move the alias back: the function's own error alarm and what its
   * callers see (for the API: the 5xx rate and p99 latency of the whole API). At most 10 (CodeDeploy's limit).
   */
  readonly rollbackAlarms: readonly IAlarm[];
  /**
   * `canary` for anything invoked all day (API functions, the authorizer, the projector); `allAtOnce` for
   * the daily job, whose one run a day a canary's minutes would never see.
   */
  readonly traffic: 'canary' | 'allAtOnce';
}

/**
 * Why 10 % for 10 minutes, then the rest:
 * - 10 %: at most one request in ten meets a bad version, and a caller's retry (same Idempotency-Key) lands on
 *   the old version nine times in ten. A canary that fails more than half its requests alone pushes the
 *   Region's 5xx rate past the 5 % of `api-5xx-rate`; a function failing 5 times a minute trips its own
 *   `lambda-errors-<name>` even at low traffic.
 * - 10 minutes: the slowest rollback alarm, `api-latency-p99`, needs 3 bad minutes out of 5 and CloudWatch
 *   publishes a minute or two late, so 5 minutes (the CDK default) can end the canary before that alarm has
 *   seen a full window of the new version's traffic. 10 minutes covers every rollback alarm's window plus
 *   the delay, and keeps one Region's rollout (all functions shift in parallel) near a quarter of an hour.
 * The primary and the secondary use the same configuration: the bake time between Regions is the deploy
 * command's (`ops/deploy.ts`), not CodeDeploy's.
 */
export const CANARY: ILambdaDeploymentConfig = LambdaDeploymentConfig.CANARY_10PERCENT_10MINUTES;

/**
 * One CodeDeploy application per Region stack and, per function, a deployment group that shifts the `live`
 * alias to each newly published version ({@link CANARY}) and rolls back on its own when the deployment
 * fails, is stopped, or any of its alarms fires during the shift. CloudFormation hands the alias update to
 * CodeDeploy (`UpdatePolicy: CodeDeployLambdaAliasUpdate`), so `cdk deploy` of a Region stack returns only
 * once every function has finished shifting or rolled back (then the stack update fails and rolls back too).
 */
export class SafeDeployments extends Construct {
  readonly application: LambdaApplication;
  readonly groups = new Map<string, LambdaDeploymentGroup>();
  /** The `live` alias of each function, by the same names as {@link groups}. */
  readonly aliases = new Map<string, Alias>();

  /** Runs before each group shifts any traffic: the new health version must answer 200 (see below). */
  readonly preTrafficHook: LambdaFunction;

  constructor(
    scope: Construct,
    id: string,
    props: {
      applicationName: string;
      targets: readonly SafeDeploymentTarget[];
      /** The version of the health function this deployment publishes (its `currentVersion`). */
      readonly healthVersion: IVersion;
    },
  ) {
    super(scope, id);
    this.application = new LambdaApplication(this, 'Application', { applicationName: props.applicationName });
    this.preTrafficHook = preTrafficHealthHook(this, props.healthVersion);
    for (const target of props.targets) {
      if (target.rollbackAlarms.length === 0 || target.rollbackAlarms.length > 10) {
        throw new Error(`${target.name}: a deployment group needs 1 to 10 rollback alarms`);
      }
      const group = new LambdaDeploymentGroup(target.handler, 'Deployment', {
        application: this.application,
        alias: target.handler.alias,
        deploymentConfig: target.traffic === 'canary' ? CANARY : LambdaDeploymentConfig.ALL_AT_ONCE,
        alarms: [...target.rollbackAlarms],
        autoRollback: { failedDeployment: true, stoppedDeployment: true, deploymentInAlarm: true },
        preHook: this.preTrafficHook,
      });
      acknowledge(
        group.role,
        'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSCodeDeployRoleForLambdaLimited]',
        'The role CodeDeploy assumes to shift a Lambda alias; AWSCodeDeployRoleForLambdaLimited is the policy AWS documents for Lambda deployments (alias updates and invoking hook functions only) and follows the service as it changes.',
      );
      acknowledge(
        group.role,
        wildcardFinding(group, `${this.preTrafficHook.functionArn}:*`),
        'CodeDeploy invokes the pre-traffic hook of this one function by name or qualified ARN; "<hook ARN>:*" (added by the CDK for the hook) covers its versions and nothing else.',
      );
      this.groups.set(target.name, group);
      this.aliases.set(target.name, target.handler.alias);
    }
  }
}

/**
 * The pre-traffic hook: before CodeDeploy shifts any traffic of any function, it invokes the **new version**
 * of the health function directly (not through `live`, which still points at the old one) with the event API
 * Gateway sends for `GET /health`, and lets the shift start only on a 200: the new release reaches every
 * table of this Region. A 503 (`starting`, `unhealthy`), a crash or a timeout fails the deployment, which
 * rolls back before a single request met the new code. Inline code on the runtime's own AWS SDK: it has no
 * dependency to bundle, and it is not an API function (CodeDeploy alone invokes it, by name).
 */
function preTrafficHealthHook(scope: Construct, healthVersion: IVersion): LambdaFunction {
  const logGroup = new LogGroup(scope, 'PreTrafficHookLogs', { retention: RetentionDays.THREE_MONTHS });
  const role = new Role(scope, 'PreTrafficHookRole', {
    assumedBy: new ServicePrincipal('lambda.amazonaws.com'),
    description: 'Pre-traffic hook: invoke the new health version, report to CodeDeploy, write its own logs',
  });
  role.addToPolicy(
    new PolicyStatement({
      actions: ['logs:CreateLogStream', 'logs:PutLogEvents'],
      resources: [logGroup.logGroupArn],
    }),
  );
  const hook = new LambdaFunction(scope, 'PreTrafficHook', {
    description: 'CodeDeploy pre-traffic hook: the new health version must answer GET /health with 200',
    runtime: Runtime.NODEJS_22_X,
    architecture: Architecture.ARM_64,
    handler: 'index.handler',
    role,
    logGroup,
    memorySize: 256,
    // The health check's own deadline is within the API function timeout; this leaves room for a cold start.
    timeout: Duration.seconds(60),
    environment: { HEALTH_VERSION_ARN: healthVersion.functionArn },
    code: Code.fromInline(PRE_TRAFFIC_HOOK_SOURCE),
  });
  healthVersion.grantInvoke(role);
  acknowledge(
    hook,
    'AwsSolutions-L1',
    'Node.js 22 is the runtime the project targets and tests (esbuild target node22, issue 4); the hook runs on the same one.',
  );
  return hook;
}

/** The hook's code (CommonJS, AWS SDK v3 from the Lambda runtime). */
export const PRE_TRAFFIC_HOOK_SOURCE = `
const { LambdaClient, InvokeCommand } = require('@aws-sdk/client-lambda');
const { CodeDeployClient, PutLifecycleEventHookExecutionStatusCommand } = require('@aws-sdk/client-codedeploy');
const lambda = new LambdaClient({});
const codedeploy = new CodeDeployClient({});
const healthEvent = {
  resource: '/health', path: '/health', httpMethod: 'GET', headers: {}, multiValueHeaders: {},
  queryStringParameters: null, multiValueQueryStringParameters: null, pathParameters: null,
  stageVariables: null, body: null, isBase64Encoded: false,
  requestContext: { requestId: 'codedeploy-pre-traffic', resourcePath: '/health', httpMethod: 'GET', stage: 'live' },
};
exports.handler = async (event) => {
  let status = 'Failed';
  let detail;
  try {
    const out = await lambda.send(new InvokeCommand({
      FunctionName: process.env.HEALTH_VERSION_ARN,
      Payload: Buffer.from(JSON.stringify(healthEvent)),
    }));
    const answer = JSON.parse(Buffer.from(out.Payload ?? []).toString('utf8') || '{}');
    detail = { statusCode: answer.statusCode, functionError: out.FunctionError, body: String(answer.body ?? '').slice(0, 500) };
    if (!out.FunctionError && answer.statusCode === 200) status = 'Succeeded';
  } catch (error) {
    detail = { error: String(error) };
  }
  console.log(JSON.stringify({
    level: status === 'Succeeded' ? 'INFO' : 'ERROR', message: 'pre-traffic health check', status,
    version: process.env.HEALTH_VERSION_ARN, deploymentId: event.DeploymentId, ...detail,
  }));
  await codedeploy.send(new PutLifecycleEventHookExecutionStatusCommand({
    deploymentId: event.DeploymentId,
    lifecycleEventHookExecutionId: event.LifecycleEventHookExecutionId,
    status,
  }));
};
`;
