/**
 * The release order as code: which stacks deploy in which step, and what must hold between steps.
 *
 * One Region at a time. The data stack first, alone (table and index changes reach both replicas through
 * DynamoDB, whatever Region's code runs). Then the secondary Region's stacks, in one step, each function
 * shifted by CodeDeploy (10 % for 10 minutes, rolled back on its alarms); a bake time in which no alarm of
 * that Region may fire; only then the primary Region, and its own bake. The global failover stacks (with a
 * domain) come last: they only probe and point at what the Region stacks built.
 *
 * Why a command and not a CDK Pipelines pipeline: OPERATIONS.md, "Releases".
 */

/** One step of a release. */
export type DeployStep =
  | {
      readonly kind: 'deploy';
      /** What this step changes, for the operator. */
      readonly title: string;
      /** The Region whose resources change ("global" for the Route 53 / ARC stacks). */
      readonly region: string;
      /** Stacks deployed together, with `--exclusively` (nothing else, no dependency pulled in). */
      readonly stacks: readonly string[];
    }
  | {
      readonly kind: 'bake';
      readonly title: string;
      readonly region: string;
      /** How long the Region runs the new code, under all its traffic, before the next step. */
      readonly minutes: number;
      /** Alarms named `<prefix>-<region>-*`: any of them in ALARM stops the release. */
      readonly alarmPrefix: string;
    };

/** What the plan needs to know of the app: names and Regions, as `buildMarketplace` makes them. */
export interface DeployTopology {
  readonly prefix: string;
  readonly primary: string;
  readonly secondary: string;
  readonly dataStack: string;
  /** Per active Region: its region stack and backup stack. */
  readonly regionStacks: Readonly<Record<string, readonly string[]>>;
  /** With a domain: the ARC control stack and the DNS stack, in that order. */
  readonly globalStacks: readonly string[];
}

/**
 * 30 minutes of bake per Region: six windows of the slowest rollback alarm (p99 latency, 5 minutes), time for
 * the projector's and replication's 5-minute alarms to see the new code under the Region's full traffic, and
 * for a slow leak (memory, connections, a growing backlog) to show before the other Region takes the same
 * code. A release crosses both Regions in about 1.5 hours.
 */
export const DEFAULT_BAKE_MINUTES = 30;

export function deployPlan(
  topology: DeployTopology,
  bakeMinutes: number = DEFAULT_BAKE_MINUTES,
): DeployStep[] {
  const regionSteps = (region: string, role: string): DeployStep[] => [
    {
      kind: 'deploy',
      title: `${role} Region ${region}: API, functions (canary per function), alarms, backups`,
      region,
      stacks: topology.regionStacks[region] ?? [],
    },
    {
      kind: 'bake',
      title: `bake ${region}: ${bakeMinutes} min under all its traffic, stop on any alarm`,
      region,
      minutes: bakeMinutes,
      alarmPrefix: `${topology.prefix}-${region}-`,
    },
  ];
  const steps: DeployStep[] = [
    {
      kind: 'deploy',
      title: 'data: global tables and their indexes (both replicas, through DynamoDB), alone',
      region: topology.primary,
      stacks: [topology.dataStack],
    },
    ...regionSteps(topology.secondary, 'secondary'),
    ...regionSteps(topology.primary, 'primary'),
  ];
  if (topology.globalStacks.length > 0) {
    steps.push({
      kind: 'deploy',
      title: 'global failover: ARC routing controls (us-west-2), then health checks and records (us-east-1)',
      region: 'global',
      stacks: topology.globalStacks,
    });
  }
  return steps;
}

/** The `cdk deploy` of one step: only its stacks, no approval prompt (the plan is the approval). */
export function cdkDeployArgs(step: Extract<DeployStep, { kind: 'deploy' }>, contextArgs: readonly string[]) {
  return ['cdk', 'deploy', ...step.stacks, '--exclusively', '--require-approval', 'never', ...contextArgs];
}

/** What a release does to the outside world; the real one runs cdk and asks CloudWatch, a dry run records. */
export interface DeployExecutor {
  deploy(step: Extract<DeployStep, { kind: 'deploy' }>): Promise<void>;
  /** Waits `minutes` (polling as it likes); returns the names of alarms found in ALARM, empty if none. */
  bake(step: Extract<DeployStep, { kind: 'bake' }>): Promise<readonly string[]>;
}

export type ReleaseOutcome =
  | { readonly status: 'released'; readonly steps: number }
  | { readonly status: 'stopped'; readonly atStep: number; readonly reason: string };

/**
 * Runs the plan in order and stops at the first failure: a `cdk deploy` that fails (CodeDeploy rolled a
 * function back, so CloudFormation rolled the stack back) or a bake that found an alarm. Nothing after the
 * stopping step runs, so the other Region keeps the old code.
 */
export async function runRelease(
  steps: readonly DeployStep[],
  executor: DeployExecutor,
  log: (line: string) => void,
): Promise<ReleaseOutcome> {
  for (const [index, step] of steps.entries()) {
    const number = index + 1;
    log(`step ${number}/${steps.length} ${step.title}`);
    if (step.kind === 'deploy') {
      try {
        await executor.deploy(step);
      } catch (error) {
        const reason = `deploy of ${step.stacks.join(', ')} failed: ${(error as Error).message}`;
        log(`STOPPED at step ${number}: ${reason}`);
        return { status: 'stopped', atStep: number, reason };
      }
    } else {
      const firing = await executor.bake(step);
      if (firing.length > 0) {
        const reason = `alarm in ${step.region}: ${firing.join(', ')}`;
        log(`STOPPED at step ${number}: ${reason}`);
        return { status: 'stopped', atStep: number, reason };
      }
    }
    log(`step ${number}/${steps.length} done`);
  }
  return { status: 'released', steps: steps.length };
}

/** The AWS CLI call that lists this Region's alarms in ALARM (names only, as JSON). */
export function alarmCheckArgs(step: Extract<DeployStep, { kind: 'bake' }>): string[] {
  return [
    'aws',
    'cloudwatch',
    'describe-alarms',
    '--region',
    step.region,
    '--alarm-name-prefix',
    step.alarmPrefix,
    '--state-value',
    'ALARM',
    '--query',
    'MetricAlarms[].AlarmName',
    '--output',
    'json',
  ];
}

/** An argument as a shell would need it, for the printed plan. */
const shellQuote = (arg: string) => (/^[\w@%+=:,./-]+$/.test(arg) ? arg : `'${arg}'`);

/** The plan as the operator reads it before a release (`npm run deploy -- --plan`). */
export function formatPlan(steps: readonly DeployStep[], contextArgs: readonly string[]): string {
  return steps
    .map((step, index) => {
      const head = `${index + 1}. [${step.region}] ${step.title}`;
      if (step.kind === 'deploy') return `${head}\n     npx ${cdkDeployArgs(step, contextArgs).join(' ')}`;
      return `${head}\n     each minute for ${step.minutes} min: ${alarmCheckArgs(step).map(shellQuote).join(' ')} (stop if not [])`;
    })
    .join('\n');
}
