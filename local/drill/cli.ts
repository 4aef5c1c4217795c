/**
 * `npm run drill [-- --mode strong|eventual] [--json] [--duration-ms N] [--kill-at-ms N] [--restart-at-ms N]
 * [--rate N] [--lag-ms N] [--probe-interval-ms N] [--failure-threshold N]`
 */
import { parseArgs } from 'node:util';
import { type DrillReport, runDrill } from './drill.js';

const { values } = parseArgs({
  options: {
    mode: { type: 'string', default: 'strong' },
    json: { type: 'boolean', default: false },
    'duration-ms': { type: 'string', default: '20000' },
    'kill-at-ms': { type: 'string', default: '6000' },
    'restart-at-ms': { type: 'string', default: '14000' },
    rate: { type: 'string', default: '10' },
    'lag-ms': { type: 'string', default: '500' },
    'probe-interval-ms': { type: 'string', default: '1000' },
    'failure-threshold': { type: 'string', default: '3' },
  },
  strict: true,
});
if (values.mode !== 'strong' && values.mode !== 'eventual') {
  process.stderr.write('--mode must be strong or eventual\n');
  process.exit(2);
}
const numberOf = (name: keyof typeof values) => Number(values[name]);
const log = values.json ? undefined : (line: string) => process.stdout.write(`${line}\n`);
const report = await runDrill({
  mode: values.mode,
  durationMs: numberOf('duration-ms'),
  killAtMs: numberOf('kill-at-ms'),
  restartAtMs: numberOf('restart-at-ms'),
  rate: numberOf('rate'),
  lagMs: numberOf('lag-ms'),
  probeIntervalMs: numberOf('probe-interval-ms'),
  failureThreshold: numberOf('failure-threshold'),
  ...(log ? { log } : {}),
});
process.stdout.write(values.json ? `${JSON.stringify(report)}\n` : table(report));
process.exit(0);

function table(report: DrillReport): string {
  const rows: [string, string][] = [
    ['mode', report.mode],
    ['RTO (kill → first success through the front)', report.rtoMs === null ? 'never' : `${report.rtoMs} ms`],
    ['acknowledged writes', String(report.acknowledged)],
    ['lost after convergence (RPO)', String(report.lost)],
    ['acknowledged before the kill, missing from the survivor', String(report.missingAtFailover)],
    ['duplicate contracts for one idempotency key', String(report.duplicates)],
    ['converged', String(report.converged)],
    ['time to reconverge after restart', report.reconvergeMs === null ? '—' : `${report.reconvergeMs} ms`],
    [
      'replication lag p50 / p99',
      `${report.replicationLagMs.p50.toFixed(1)} / ${report.replicationLagMs.p99.toFixed(1)} ms (${report.replicationLagMs.samples} writes; ${report.replicationLagMs.backlog} more waited out the outage)`,
    ],
    [
      'flows started / completed / failed',
      `${report.flows.started} / ${report.flows.completed} / ${report.flows.failed}`,
    ],
    [
      'client-visible errors',
      Object.entries(report.errors)
        .map(([code, n]) => `${code}×${n}`)
        .join(', ') || 'none',
    ],
  ];
  const width = Math.max(...rows.map(([k]) => k.length));
  return `\n${rows.map(([k, v]) => `${k.padEnd(width)}  ${v}`).join('\n')}\n`;
}
