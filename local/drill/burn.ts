/**
 * The `burn` scenario's own steps, apart from the other scenarios': both Regions first hold the demo data
 * set; at the fault Region A's store and gateway are killed and its data directory deleted (a fire, not a
 * crash); at the heal A starts on an empty store, replication re-seeds its global-table replicas from B,
 * `npm run ops -- rebuild-projections` (the operator's command, run as a child process) rebuilds its
 * projections, and A is ready (and the front sends it traffic) only once its `/health` answers 200.
 */
import { spawn } from 'node:child_process';
import { rmSync } from 'node:fs';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { join } from 'node:path';
import type { ProjectionKind } from '../../functions/adapters/dynamodb/projection-keys.js';
import { physicalTableName } from '../../functions/adapters/dynamodb/tables.js';
import { compareWhenSettled, differingByKind } from '../../ops/projection-compare.js';
import type { RebuildSummary } from '../../ops/rebuild-projections.js';
import { type DynamoDbLocal, startDynamoDbLocal } from '../dynamodb-local.js';
import { repoRoot } from '../paths.js';
import { TABLE_PREFIX } from '../region.js';
import { completeTables, ensureTables } from '../tables.js';
import { loadDemoStores } from './demo-seed.js';
import type { Replicator } from './replicator.js';

/** What the report shows of the rebuild. */
export interface RebuildFigures {
  readonly items: number;
  readonly seconds: number;
  readonly itemsPerSecond: number;
  readonly unitsPerItem: number;
  /** The rebuild's own comparison with the other Region found them equal. */
  readonly matched: boolean;
  /** Where the time went: each phase, and the comparison with the other Region (all its rounds). */
  readonly phaseSeconds: { copy: number; catalog: number; ledger: number; compare: number | null };
}

const storeClient = (endpoint: string) =>
  new DynamoDBClient({
    endpoint,
    region: 'local',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });

/**
 * Makes the tables in every store and loads the same demo data (or a share of it) into each, as `npm
 * start`'s first start does: into bare tables, completed with their streams and indexes after the load.
 */
export async function seedDemoStores(endpoints: readonly string[], share: number, region: string) {
  const clients = endpoints.map(storeClient);
  try {
    for (const client of clients) await ensureTables(client, TABLE_PREFIX, { bare: true });
    const loaded = await loadDemoStores(clients, { share, region, tablePrefix: TABLE_PREFIX });
    await Promise.all(clients.map((client) => completeTables(client, TABLE_PREFIX)));
    return loaded;
  } finally {
    for (const client of clients) client.destroy();
  }
}

/** The fire: the store's process and its data go; what the Region had not yet replicated goes too. */
export function burnStore(replicator: Replicator, region: string, dataDir: string): void {
  rmSync(dataDir, { recursive: true, force: true });
  replicator.burn(region);
}

/** A new, empty store where the old one was, with the schema's tables, re-seeded by replication. */
export async function restartEmpty(
  replicator: Replicator,
  region: string,
  dataDir: string,
  port: number,
): Promise<{ store: DynamoDbLocal; reseeded: number }> {
  // It takes the rebuild's bulk writes, as `npm start`'s store takes the first start's load: C2 pays off.
  const store = await startDynamoDbLocal({ dataDir, port, compiler: 'optimizing' });
  const client = storeClient(store.endpoint);
  try {
    await ensureTables(client, TABLE_PREFIX);
  } finally {
    client.destroy();
  }
  return { store, reseeded: await replicator.reseed(region) };
}

/**
 * Runs the operator's command against the Region's endpoint (through the stand-in, as its functions
 * reach their store) with the other Region's projections as the source of the change records.
 */
export async function runRebuildCommand(
  own: { region: string; endpoint: string },
  peer: { region: string; endpoint: string },
  capacityUnitsPerSecond: number,
): Promise<RebuildSummary> {
  const args = [
    '--import',
    'tsx',
    join(repoRoot, 'ops/cli.ts'),
    'rebuild-projections',
    '--region',
    own.region,
    '--from-region',
    peer.region,
    '--endpoint',
    own.endpoint,
    '--peer-endpoint',
    peer.endpoint,
    '--table-prefix',
    TABLE_PREFIX,
    '--capacity-units-per-second',
    String(capacityUnitsPerSecond),
    '--json',
  ];
  const child = spawn(process.execPath, args, { cwd: repoRoot, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr = (stderr + chunk.toString()).slice(-4000)));
  await new Promise((resolve) => child.once('exit', resolve));
  const line = stdout.trim().split('\n').at(-1) ?? '';
  try {
    return JSON.parse(line) as RebuildSummary;
  } catch {
    throw new Error(`rebuild-projections gave no summary: ${stderr}`);
  }
}

export const rebuildFigures = (summary: RebuildSummary): RebuildFigures => ({
  items: summary.items,
  seconds: summary.seconds,
  itemsPerSecond: summary.itemsPerSecond,
  unitsPerItem: summary.unitsPerItem,
  matched: summary.comparison?.equal === true,
  phaseSeconds: {
    copy: summary.phases.copy.seconds,
    catalog: summary.phases.catalog.seconds,
    ledger: summary.phases.ledger.seconds,
    compare: summary.comparison?.seconds ?? null,
  },
});

/**
 * Differing projection keys per kind between the two stores, once the streams have projected what was
 * written last.
 */
export async function projectionDiff(
  endpoints: readonly [string, string],
  settleMs = 30_000,
): Promise<Record<ProjectionKind, number>> {
  const clients = endpoints.map(storeClient);
  const [a, b] = clients.map((client) => ({
    db: DynamoDBDocumentClient.from(client),
    table: physicalTableName(TABLE_PREFIX, 'projections'),
  })) as [{ db: DynamoDBDocumentClient; table: string }, { db: DynamoDBDocumentClient; table: string }];
  try {
    return differingByKind(await compareWhenSettled(a, b, 4, settleMs));
  } finally {
    for (const client of clients) client.destroy();
  }
}
