/**
 * `npm run bench [-- --quick] [--json]`: speed and cost per operation as ratios against a floor measured
 * in the same run, so results hold on a noisy machine. Writes bench/results/<time>.json and latest.md.
 */
import { execSync, spawn } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { type AttributeValue, ScanCommand } from '@aws-sdk/client-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import { tableName } from '../functions/adapters/dynamodb/client.js';
import { toEntity } from '../functions/adapters/dynamodb/entity-store.js';
import { generateDemoData } from '../local/demo-data.js';
import { loadDemoData } from '../local/demo-load.js';
import { startDynamoDbLocal } from '../local/dynamodb-local.js';
import { repoRoot } from '../local/paths.js';
import { startLocalRegion } from '../local/region.js';
import { generateSigningKeys } from '../local/tokens.js';
import { measureApi, type OperationResult } from './api.js';
import { formatColdStartMarkdown, measureColdStart } from './cold-start.js';
import type { ScaleReport } from './scale.js';
import type { Agency, Service } from '../functions/domain/entities.js';

const { values } = parseArgs({
  options: { quick: { type: 'boolean', default: false }, json: { type: 'boolean', default: false } },
  strict: true,
});
const quick = values.quick;
const say = values.json ? () => undefined : (line: string) => process.stderr.write(`${line}\n`);
const started = performance.now();

process.env.DSM_EXPOSE_CAPACITY = 'true';
process.env.POWERTOOLS_LOG_LEVEL = 'SILENT';
const dynamodb = await startDynamoDbLocal();
const keys = await generateSigningKeys();
const region = await startLocalRegion({ endpoint: dynamodb.endpoint, tablePrefix: 'bench', keys });
try {
  say('Loading the demo catalog …');
  const data = generateDemoData({ now: new Date() });
  await loadDemoData(region, data);

  say('Measuring API latency and capacity against the floor …');
  const operations = await measureApi(region, keys, await catalogOf(region), quick ? 150 : 1000);

  const sizes = quick ? [1000, 10_000] : [1000, 10_000, 100_000];
  say(`Measuring catalog queries at ${sizes.join(', ')} services …`);
  const scale = await scaleInChild(sizes, quick ? 15 : 40);

  say('Measuring bundles and cold imports …');
  // First requests reach this DynamoDB Local (tables of their own name that need not exist: see cold-start.ts).
  const coldStart = await measureColdStart({ quick, dynamodb: { endpoint: dynamodb.endpoint } });

  const result = {
    at: new Date().toISOString(),
    quick,
    machine: { cpu: cpus()[0]?.model ?? 'unknown', cores: cpus().length, node: process.version },
    commit: execSync('git rev-parse --short HEAD', { cwd: repoRoot }).toString().trim(),
    durationSeconds: Math.round((performance.now() - started) / 1000),
    operations,
    scale,
    coldStart,
  };
  const dir = join(repoRoot, 'bench', 'results');
  mkdirSync(dir, { recursive: true });
  writeFileSync(
    join(dir, `${result.at.replaceAll(':', '-')}${quick ? '-quick' : ''}.json`),
    `${JSON.stringify(result, null, 2)}\n`,
  );
  const markdown = summary(result, operations, scale, formatColdStartMarkdown(coldStart));
  writeFileSync(join(dir, 'latest.md'), markdown);
  process.stdout.write(values.json ? `${JSON.stringify(result)}\n` : markdown);
} finally {
  await region.stop();
  await dynamodb.stop();
}

/** See scale-main.ts for why the scale section gets a process and a DynamoDB Local of its own. */
function scaleInChild(sizes: readonly number[], samples: number): Promise<ScaleReport> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', join(repoRoot, 'bench', 'scale-main.ts'), sizes.join(','), String(samples)],
      { cwd: repoRoot, stdio: ['ignore', 'pipe', 'inherit'] },
    );
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => {
      out += chunk.toString();
    });
    child.once('exit', (code) =>
      code === 0 ? resolve(JSON.parse(out) as ScaleReport) : reject(new Error(`scale exited with ${code}`)),
    );
  });
}

async function catalogOf(localRegion: typeof region): Promise<{ services: Service[]; agencies: Agency[] }> {
  const items: Record<string, unknown>[] = [];
  let start: Record<string, AttributeValue> | undefined;
  do {
    const page = await localRegion.client.send(
      new ScanCommand({ TableName: tableName('catalog'), ExclusiveStartKey: start }),
    );
    items.push(...(page.Items ?? []).map((item) => unmarshall(item)));
    start = page.LastEvaluatedKey;
  } while (start);
  const ofKind = <T>(kind: string) => items.filter((i) => i.entityKind === kind).map((i) => toEntity<T>(i));
  return { services: ofKind<Service>('service'), agencies: ofKind<Agency>('agency') };
}

function summary(
  result: {
    at: string;
    commit: string;
    machine: { cpu: string; cores: number; node: string };
    quick: boolean;
    durationSeconds: number;
  },
  operations: Record<string, OperationResult>,
  scale: ScaleReport,
  coldStart: string,
): string {
  const rows = Object.entries(operations).map(
    ([name, o]) =>
      `| ${name} | ${o.p50Ms} | ${o.p99Ms} | ${o.requestsPerSecond} | ${o.floorP50Ms} | ${o.floorP99Ms} | ${o.floorRequestsPerSecond} | **${o.ratio}×** | ${o.transportFloorP50Ms} | ${o.ratioToTransport}× | ${o.capacityUnits} | ${o.minimumCapacityUnits} |`,
  );
  const notes = Object.entries(operations).map(([name, o]) => `- **${name}**: ${o.capacityNote}.`);
  const scaleRows = Object.entries(scale.ratio).map(([name, r]) => {
    const cells = Object.keys(scale.sizes).map((size) => {
      const m = scale.sizes[size]?.[name as keyof ScaleReport['ratio']];
      return `${m?.p50Ms} ms / ${m?.capacityUnits} CU`;
    });
    return `| ${name} | ${cells.join(' | ')} | **${r.p50}×** / ${r.capacity}× |`;
  });
  return [
    `# Benchmark ${result.quick ? '(quick) ' : ''}— ${result.at}`,
    '',
    `Commit ${result.commit}; ${result.machine.cpu} × ${result.machine.cores}; Node ${result.machine.node}; ${result.durationSeconds} s.`,
    'Ratios compare with a floor measured in the same run, so they hold on a noisy machine; absolute times do not.',
    '',
    '## API through the local gateway vs the floor (the same DynamoDB calls, direct)',
    '',
    "Each figure is the median of three interleaved rounds. The transport floor serves the floor's calls from a bare",
    'HTTP server under the same load generator: what any HTTP API pays on this machine before gateway or handler code.',
    '',
    '| operation | p50 ms | p99 ms | req/s | floor p50 | floor p99 | floor req/s | p50 ratio | transport floor p50 | ratio to transport | capacity units | minimum |',
    '|---|---|---|---|---|---|---|---|---|---|---|---|',
    ...rows,
    '',
    ...notes,
    '',
    `## Catalog at ${Object.keys(scale.sizes).join(' / ')} services (p50 / capacity per page of 20)`,
    '',
    `| query | ${Object.keys(scale.sizes).join(' | ')} | ${scale.largest}/${scale.smallest} |`,
    `|---|${Object.keys(scale.sizes)
      .map(() => '---|')
      .join('')}---|`,
    ...scaleRows,
    '',
    '## Cold start',
    '',
    coldStart,
    '',
  ].join('\n');
}
