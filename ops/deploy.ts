/**
 * `npm run deploy -- --plan` prints the release order; `--dry-run` walks it as a release would (same runner,
 * nothing deployed, bakes not waited, no alarm firing); without either it releases: `cdk deploy` of each
 * step's stacks, then the bake, polling the Region's alarms every minute, stopping at the first failure.
 *
 * Options: `--bake-minutes <n>` (default 30), `-c key=value` (as for cdk; passed on to every cdk deploy).
 * Offline for `--plan` and `--dry-run`: they only build the app's stacks (no synthesis, no AWS call).
 * A release needs the AWS CLI (`aws cloudwatch describe-alarms`) and credentials for both Regions.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { App } from 'aws-cdk-lib';
import { contextKeys, loadConfig } from '../infra/config.js';
import { projectRoot } from '../infra/constructs/handler-function.js';
import { buildMarketplace } from '../infra/marketplace.js';
import {
  alarmCheckArgs,
  cdkDeployArgs,
  DEFAULT_BAKE_MINUTES,
  type DeployExecutor,
  type DeployTopology,
  deployPlan,
  formatPlan,
  runRelease,
} from './deploy-plan.js';

interface Options {
  mode: 'plan' | 'dry-run' | 'release';
  bakeMinutes: number;
  contextArgs: string[];
  overrides: Record<string, unknown>;
}

function parseArgs(argv: readonly string[]): Options {
  const options: Options = {
    mode: 'release',
    bakeMinutes: DEFAULT_BAKE_MINUTES,
    contextArgs: [],
    overrides: {},
  };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--plan') options.mode = 'plan';
    else if (arg === '--dry-run') options.mode = 'dry-run';
    else if (arg === '--bake-minutes') options.bakeMinutes = Number(argv[++i]);
    else if (arg === '-c' || arg === '--context') {
      const pair = argv[++i] ?? '';
      const at = pair.indexOf('=');
      if (at < 1) throw new Error(`-c needs key=value, got "${pair}"`);
      const raw = pair.slice(at + 1);
      let value: unknown = raw;
      try {
        value = JSON.parse(raw);
      } catch {
        // a plain string, as cdk takes it
      }
      options.overrides[pair.slice(0, at)] = value;
      options.contextArgs.push('-c', pair);
    } else throw new Error(`unknown option ${arg}`);
  }
  if (!Number.isFinite(options.bakeMinutes) || options.bakeMinutes < 0)
    throw new Error('--bake-minutes needs n >= 0');
  return options;
}

/** The stack names and Regions the app builds from this context (no synthesis). */
function topologyOf(context: Record<string, unknown>): DeployTopology {
  const app = new App({ context: { ...context, 'aws:cdk:bundling-stacks': [] } });
  const config = loadConfig(
    Object.fromEntries(Object.values(contextKeys).map((key) => [key, app.node.tryGetContext(key)])),
  );
  const marketplace = buildMarketplace(app, config);
  const regionStacks: Record<string, string[]> = {};
  for (const stack of [...marketplace.regions, ...marketplace.backups]) {
    (regionStacks[stack.region] ??= []).push(stack.stackName);
  }
  return {
    prefix: config.tablePrefix,
    primary: config.regions.primary,
    secondary: config.regions.secondary,
    dataStack: marketplace.data.stackName,
    regionStacks,
    globalStacks: marketplace.failover
      ? [marketplace.failover.control, marketplace.failover.dns].flatMap((stack) =>
          stack ? [stack.stackName] : [],
        )
      : [],
  };
}

function run(command: readonly string[]): string {
  const result = spawnSync(command[0] as string, command.slice(1), {
    cwd: projectRoot,
    stdio: ['inherit', 'pipe', 'inherit'],
    encoding: 'utf8',
  });
  if (result.error) throw result.error;
  if (result.status !== 0)
    throw new Error(`${command.slice(0, 3).join(' ')} exited ${String(result.status)}`);
  return result.stdout;
}

const realExecutor = (contextArgs: readonly string[]): DeployExecutor => ({
  async deploy(step) {
    process.stdout.write(run(['npx', ...cdkDeployArgs(step, contextArgs)]));
  },
  async bake(step) {
    for (let minute = 0; ; minute++) {
      const firing = JSON.parse(run(alarmCheckArgs(step)) || '[]') as string[];
      if (firing.length > 0 || minute >= step.minutes) return firing;
      await sleep(60_000);
    }
  },
});

/** Walks the release as `realExecutor` would, saying what it would run; deploys nothing, no alarm fires. */
const dryRunExecutor = (contextArgs: readonly string[]): DeployExecutor => ({
  async deploy(step) {
    console.log(`  would run: npx ${cdkDeployArgs(step, contextArgs).join(' ')}`);
  },
  async bake(step) {
    console.log(`  would wait ${step.minutes} min, polling: ${alarmCheckArgs(step).join(' ')}`);
    return [];
  },
});

async function main(argv: readonly string[]): Promise<void> {
  const options = parseArgs(argv);
  const cdkJson = JSON.parse(readFileSync(join(projectRoot, 'cdk.json'), 'utf8')) as {
    context: Record<string, unknown>;
  };
  const topology = topologyOf({ ...cdkJson.context, ...options.overrides });
  const steps = deployPlan(topology, options.bakeMinutes);
  if (options.mode === 'plan') {
    console.log(formatPlan(steps, options.contextArgs));
    return;
  }
  const executor =
    options.mode === 'dry-run' ? dryRunExecutor(options.contextArgs) : realExecutor(options.contextArgs);
  const outcome = await runRelease(steps, executor, (line) => console.log(line));
  console.log(
    options.mode === 'dry-run'
      ? `dry run: ${outcome.status === 'released' ? outcome.steps : outcome.atStep} steps walked, nothing deployed`
      : JSON.stringify(outcome),
  );
  if (outcome.status !== 'released') process.exitCode = 1;
}

main(process.argv.slice(2)).catch((error: unknown) => {
  console.error((error as Error).message);
  process.exitCode = 1;
});
