/**
 * `npm run drill [-- --scenario kill|stall|slow|partition|deploy|burn | --all] [--mode strong|eventual] [--json]
 * [--html FILE] [--duration-ms N] [--fault-at-ms N] [--heal-at-ms N] [--rate N] [--lag-ms N]
 * [--store-latency-ms N] [--probe-interval-ms N] [--failure-threshold N] [--demo-share F]
 * [--rebuild-units-per-second N]`
 */
import { writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import {
  type DrillResult,
  LOCAL_REBUILD_UNITS_PER_SECOND,
  runDrill,
  type Scenario,
  SCENARIOS,
} from './drill.js';
import { htmlPage, textTable } from './report.js';

const { values } = parseArgs({
  options: {
    scenario: { type: 'string', default: 'kill' },
    all: { type: 'boolean', default: false },
    mode: { type: 'string', default: 'strong' },
    json: { type: 'boolean', default: false },
    html: { type: 'string' },
    'duration-ms': { type: 'string', default: '20000' },
    'fault-at-ms': { type: 'string', default: '6000' },
    'heal-at-ms': { type: 'string', default: '14000' },
    // What one Region of the stand-in carries alone with room to spare on a two-core machine, so a drill
    // measures the failover, not the machine's capacity: at 10/s a no-fault run already has p99 ~1.2 s and
    // the survivor saturates once it takes all traffic plus the retries (hung requests, 503s for 10+ s).
    // Real load is ~2,000 contracts a year; --rate raises it for a capacity drill.
    rate: { type: 'string', default: '5' },
    'lag-ms': { type: 'string', default: '500' },
    'store-latency-ms': { type: 'string', default: '1500' },
    'probe-interval-ms': { type: 'string', default: '1000' },
    'failure-threshold': { type: 'string', default: '3' },
    // `burn`: the share of the demo data set both Regions hold (1: all of it) and the rebuild's budget.
    'demo-share': { type: 'string', default: '1' },
    'rebuild-units-per-second': { type: 'string', default: String(LOCAL_REBUILD_UNITS_PER_SECOND) },
  },
  strict: true,
});
const mode = values.mode;
if (mode !== 'strong' && mode !== 'eventual') usage('--mode must be strong or eventual');
const isScenario = (name: string): name is Scenario => (SCENARIOS as readonly string[]).includes(name);
const scenario = values.scenario;
if (!isScenario(scenario)) usage(`--scenario must be one of ${SCENARIOS.join(', ')}`);

const numberOf = (name: keyof typeof values) => Number(values[name]);
const log = values.json ? undefined : (line: string) => process.stdout.write(`${line}\n`);
const results: DrillResult[] = [];
for (const each of values.all ? SCENARIOS : [scenario]) {
  log?.(`\n== ${each} (${mode}) ==`);
  results.push(
    await runDrill({
      scenario: each,
      mode,
      durationMs: numberOf('duration-ms'),
      faultAtMs: numberOf('fault-at-ms'),
      healAtMs: numberOf('heal-at-ms'),
      rate: numberOf('rate'),
      lagMs: numberOf('lag-ms'),
      storeLatencyMs: numberOf('store-latency-ms'),
      probeIntervalMs: numberOf('probe-interval-ms'),
      failureThreshold: numberOf('failure-threshold'),
      demoShare: numberOf('demo-share'),
      rebuildCapacityUnitsPerSecond: numberOf('rebuild-units-per-second'),
      ...(log ? { log } : {}),
    }),
  );
}
const reports = results.map((r) => r.report);
if (values.html) {
  writeFileSync(values.html, htmlPage(results));
  log?.(`Wrote ${values.html}`);
}
if (values.json) {
  process.stdout.write(`${JSON.stringify(values.all ? { mode, scenarios: reports } : reports[0])}\n`);
} else {
  process.stdout.write(textTable(reports));
}
process.exit(0);

function usage(message: string): never {
  process.stderr.write(`${message}\n`);
  process.exit(2);
}
