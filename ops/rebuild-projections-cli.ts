/**
 * `npm run ops -- rebuild-projections --region R [--from-region P] [--dry-run] [--json]
 *   [--segments N] [--capacity-units-per-second N] [--settle-seconds N] [--accept-incomplete]
 *   [--table-prefix dsm] [--endpoint URL] [--peer-endpoint URL]`
 *
 * Rebuilds Region R's projections (see `rebuild-projections.ts`); P defaults to the other of cdk.json's
 * two Regions. `--endpoint`/`--peer-endpoint` point it at DynamoDB Local (or LocalStack) instead of AWS,
 * which is how the local drill runs the very same command. A progress bar with ETA on a terminal, a JSON
 * summary with `--json`; the exit code is 1 when anything could not be rebuilt or the Regions differ.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { Presets, SingleBar } from 'cli-progress';
import { rebuildProjections, type RebuildSummary } from './rebuild-projections.js';

export async function rebuildProjectionsCommand(argv: readonly string[]): Promise<number> {
  const { values } = parseArgs({
    args: [...argv],
    options: {
      region: { type: 'string' },
      'from-region': { type: 'string' },
      'dry-run': { type: 'boolean', default: false },
      json: { type: 'boolean', default: false },
      segments: { type: 'string', default: '4' },
      'capacity-units-per-second': { type: 'string', default: '1000' },
      'settle-seconds': { type: 'string', default: '30' },
      'accept-incomplete': { type: 'boolean', default: false },
      'table-prefix': { type: 'string' },
      endpoint: { type: 'string' },
      'peer-endpoint': { type: 'string' },
    },
    strict: true,
  });
  const context = deploymentContext();
  const region = values.region;
  if (!region) throw new Error('rebuild-projections needs --region');
  const fromRegion =
    values['from-region'] ?? [context.primary, context.secondary].find((name) => name !== region);
  const tablePrefix = values['table-prefix'] ?? context.tablePrefix;
  const bar =
    !values.json && process.stderr.isTTY
      ? new SingleBar(
          {
            format: 'rebuild {bar} {percentage}% | {value}/{total} items | {phase} | ETA {eta_formatted}',
            stream: process.stderr,
            etaBuffer: 50,
          },
          Presets.shades_classic,
        )
      : undefined;
  bar?.start(1, 0, { phase: 'starting' });
  const abort = new AbortController();
  // Ctrl-C ends the pages in progress and keeps the checkpoint; the next run resumes from it.
  process.once('SIGINT', () => abort.abort());
  const summary = await rebuildProjections({
    own: { region, tablePrefix, ...(values.endpoint ? { endpoint: values.endpoint } : {}) },
    ...(fromRegion
      ? {
          peer: {
            region: fromRegion,
            tablePrefix,
            ...(values['peer-endpoint'] ? { endpoint: values['peer-endpoint'] } : {}),
          },
        }
      : {}),
    segments: Number(values.segments),
    capacityUnitsPerSecond: Number(values['capacity-units-per-second']),
    settleMs: Number(values['settle-seconds']) * 1000,
    dryRun: values['dry-run'],
    acceptIncomplete: values['accept-incomplete'],
    signal: abort.signal,
    onProgress: ({ phase, read, total }) => {
      bar?.setTotal(total);
      bar?.update(read, { phase });
    },
  });
  bar?.stop();
  process.stdout.write(values.json ? `${JSON.stringify(summary)}\n` : describe(summary));
  const clean = summary.complete && summary.notRebuilt.length === 0 && summary.comparison?.equal === true;
  return clean ? 0 : 1;
}

function describe(s: RebuildSummary): string {
  const lines = [
    `${s.dryRun ? 'Dry run: would rebuild' : 'Rebuilt'} ${s.region}'s projections${s.fromRegion ? ` (change records from ${s.fromRegion})` : ''}${s.resumed ? ', resuming an interrupted run' : ''}`,
    `  ${s.items} items in ${s.seconds} s (${s.itemsPerSecond} items/s), ${s.capacityUnits} capacity units (${s.unitsPerItem} per item)`,
    ...Object.entries(s.phases).map(
      ([phase, p]) =>
        `  ${phase}: ${p.done ? 'done' : 'NOT done'} in ${p.seconds} s, ${p.read} read, ${p.applied} ${phase === 'copy' ? 'copied' : 'projected'}${p.alreadyThere ? `, ${p.alreadyThere} already there` : ''}`,
    ),
    ...s.notRebuilt.map((n) => `  NOT rebuilt: ${n.kinds.join(', ')}: ${n.reason}`),
    ...(s.comparison
      ? [`  compared with ${s.fromRegion} in ${s.comparison.seconds} s (${s.comparison.rounds} rounds)`]
      : []),
    ...(s.comparison
      ? Object.entries(s.comparison.kinds).map(
          ([kind, c]) =>
            `  ${kind}: ${c.count.rebuilt} here, ${c.count.other} there, checksums ${c.checksum.rebuilt} / ${c.checksum.other}, ${c.differing} differing`,
        )
      : ['  not compared with the other Region']),
    s.interrupted
      ? '  Interrupted: run the same command again to resume.'
      : s.ready
        ? '  /health reports the store again: the Region may take traffic.'
        : '  The Region stays `starting` (no traffic): run again once the other Region answers, or --accept-incomplete.',
  ];
  return `${lines.join('\n')}\n`;
}

/** The deployment's two Regions and table prefix, from cdk.json's context. */
function deploymentContext(): { primary: string; secondary: string; tablePrefix: string } {
  const { context } = JSON.parse(readFileSync(join(import.meta.dirname, '..', 'cdk.json'), 'utf8')) as {
    context: Record<string, unknown>;
  };
  const regions = context['marketplace:regions'] as { primary: string; secondary: string };
  return { ...regions, tablePrefix: String(context['marketplace:tablePrefix'] ?? 'dsm') };
}
