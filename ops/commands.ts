/**
 * The commands of `npm run ops`, as a function of the arguments (cli.ts runs it): drain or restore a Region
 * through whichever failover is deployed, the Region switch plan (default) or the routing-control cluster
 * (`marketplace:routingControlCluster`), each read from the configuration recorded after deploy.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  defaultRegionSwitchOptions,
  healthCheckStates,
  loadRegionSwitchConfig,
  runPlan,
} from './region-switch.js';
import { defaultSwitchOptions, loadArcSwitchConfig, readStates, switchRegion } from './routing-control.js';

export const opsDir = dirname(fileURLToPath(import.meta.url));

export const usage = `usage: npm run ops -- <command> [--config <file>]

  drain <region>     take the Region out of DNS (Region switch plan: deactivate; cluster: routing control OFF)
  restore <region>   put it back (activate; routing control ON)
  status             each Region's switch, as the plan's health checks or the cluster report it
  rebuild-projections --region <region> [--from-region <region>] [--dry-run] [--json]
                     rebuild a Region's projections after it came back empty (OPERATIONS.md runbook)
  --help             this text

The failover deployed decides how: ops/region-switch.json (the default Region switch plan) or
ops/arc-cluster.json (with marketplace:routingControlCluster); --config names another file of either shape.
Credentials come from the usual AWS chain (OPERATIONS.md, "Break-glass credentials").`;

const missing = `No failover configuration: neither ops/region-switch.json nor ops/arc-cluster.json exists.
Record it once after deploying (OPERATIONS.md, "After the first deploy"):
  - default failover (Region switch plan): copy ops/region-switch.example.json to ops/region-switch.json and
    put in the failover DNS stack's output RegionSwitchPlanArn and the active Regions;
  - with marketplace:routingControlCluster: copy ops/arc-cluster.example.json to ops/arc-cluster.json with the
    cluster's endpoints (aws route53-recovery-control-config describe-cluster) and the RoutingControlArn<region>
    outputs of the failover control stack.
Or pass --config <file>.`;

export interface OpsIo {
  readonly out: (text: string) => void;
  readonly err: (text: string) => void;
  /** Where the recorded configuration files are looked for. */
  readonly dir?: string;
}

/** Runs one command; returns the exit code. */
export async function runOps(argv: readonly string[], io: OpsIo): Promise<number> {
  const args = [...argv];
  if (args.length === 0 || args.includes('--help') || args.includes('-h')) {
    io.out(usage);
    return args.length === 0 ? 1 : 0;
  }
  const configAt = args.indexOf('--config');
  const given = configAt >= 0 ? args.splice(configAt, 2)[1] : undefined;
  const [command, region, ...rest] = args;
  const known = command === 'status' ? !region : (command === 'drain' || command === 'restore') && !!region;
  if (!known || rest.length > 0 || (configAt >= 0 && !given)) {
    io.err(usage);
    return 1;
  }
  const dir = io.dir ?? opsDir;
  const path = given ?? [join(dir, 'arc-cluster.json'), join(dir, 'region-switch.json')].find(existsSync);
  if (!path || !existsSync(path)) {
    io.err(path ? `${path} does not exist.\n${missing}` : missing);
    return 1;
  }
  const log = (line: string) => io.err(line);
  const shape = JSON.parse(readFileSync(path, 'utf8')) as Record<string, unknown>;
  if ('planArn' in shape) {
    const config = loadRegionSwitchConfig(path);
    const options = { ...defaultRegionSwitchOptions, log };
    const result =
      command === 'status'
        ? { healthChecks: await healthCheckStates(config, options) }
        : await runPlan(config, region as string, command === 'drain' ? 'deactivate' : 'activate', options);
    io.out(JSON.stringify(result, null, 2));
    return 0;
  }
  const config = loadArcSwitchConfig(path);
  const options = { ...defaultSwitchOptions, log };
  if (command === 'status') {
    io.out(JSON.stringify(await readStates(config, options), null, 2));
    return 0;
  }
  const result = await switchRegion(config, region as string, command === 'drain' ? 'Off' : 'On', options);
  io.out(
    JSON.stringify(
      { confirmed: `${result.region} ${result.state}`, states: result.states, via: result.changedThrough },
      null,
      2,
    ),
  );
  return 0;
}
