import type { IAlarm } from 'aws-cdk-lib/aws-cloudwatch';
import {
  type ILambdaDeploymentConfig,
  LambdaApplication,
  LambdaDeploymentConfig,
  LambdaDeploymentGroup,
} from 'aws-cdk-lib/aws-codedeploy';
import type { Alias } from 'aws-cdk-lib/aws-lambda';
import { Construct } from 'constructs';
import { acknowledge } from '../nag.js';
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

  constructor(
    scope: Construct,
    id: string,
    props: { applicationName: string; targets: readonly SafeDeploymentTarget[] },
  ) {
    super(scope, id);
    this.application = new LambdaApplication(this, 'Application', { applicationName: props.applicationName });
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
      });
      acknowledge(
        group.role,
        'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSCodeDeployRoleForLambdaLimited]',
        'The role CodeDeploy assumes to shift a Lambda alias; AWSCodeDeployRoleForLambdaLimited is the policy AWS documents for Lambda deployments (alias updates and invoking hook functions only) and follows the service as it changes.',
      );
      this.groups.set(target.name, group);
      this.aliases.set(target.name, target.handler.alias);
    }
  }
}
