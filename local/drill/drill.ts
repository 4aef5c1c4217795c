/**
 * The disaster-recovery drill: two local Regions behind a failover front, contract traffic, and a fire.
 * Steady load → SIGKILL Region A's DynamoDB Local and gateway → traffic continues through B → A restarts
 * → wait for convergence → compare both Regions with every write the client saw acknowledged.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { physicalTableName } from '../../functions/adapters/dynamodb/tables.js';
import { type DynamoDbLocal, startDynamoDbLocal } from '../dynamodb-local.js';
import { repoRoot } from '../paths.js';
import { TABLE_PREFIX } from '../region.js';
import { localSigningKeys, mintToken, type SigningKeys } from '../tokens.js';
import { FailoverFront } from './front.js';
import { LoadDriver } from './load.js';
import { type ReplicationMode, Replicator } from './replicator.js';

export interface DrillOptions {
  readonly mode: ReplicationMode;
  /** How long new contracts keep being started. */
  readonly durationMs: number;
  readonly killAtMs: number;
  readonly restartAtMs: number;
  readonly rate: number;
  /** Replication delay in eventual mode. */
  readonly lagMs: number;
  readonly probeIntervalMs: number;
  readonly failureThreshold: number;
  readonly log?: (line: string) => void;
}

export interface DrillReport {
  readonly mode: ReplicationMode;
  /** Kill → first success, through the front, of a request sent after the kill. */
  readonly rtoMs: number | null;
  readonly acknowledged: number;
  /** Acknowledged writes missing from a Region after convergence. */
  readonly lost: number;
  /** Acknowledged before the kill, missing from the survivor right after it (what RPO > 0 looks like). */
  readonly missingAtFailover: number;
  /** Contracts beyond the first for one agency's idempotency key. */
  readonly duplicates: number;
  /** Both Regions hold the same items once the load is over and replication has drained. */
  readonly converged: boolean;
  /** Restart (starting its store and gateway included) → it holds everything written anywhere before. */
  readonly reconvergeMs: number | null;
  readonly errors: Readonly<Record<string, number>>;
  /** Write → applied in the other Region, for writes made while both were up; the outage backlog apart. */
  readonly replicationLagMs: { p50: number; p99: number; samples: number; backlog: number };
  readonly flows: { started: number; completed: number; failed: number };
}

const REGION_A = 'ap-northeast-2';
const REGION_B = 'ap-northeast-1';
const replicatedTables = [
  physicalTableName(TABLE_PREFIX, 'catalog'),
  physicalTableName(TABLE_PREFIX, 'ledger'),
];

export async function runDrill(options: DrillOptions): Promise<DrillReport> {
  const log = options.log ?? (() => undefined);
  const work = mkdtempSync(join(tmpdir(), 'dsm-drill-'));
  const keysDir = join(work, 'keys');
  const keys = await localSigningKeys(keysDir);
  const cleanup: (() => Promise<unknown> | unknown)[] = [
    () => rmSync(work, { recursive: true, force: true }),
  ];
  try {
    log(`Starting two Regions (${REGION_A}, ${REGION_B}) in ${options.mode} mode …`);
    const stores: Record<string, DynamoDbLocal> = {};
    [stores[REGION_A], stores[REGION_B]] = await Promise.all([
      startDynamoDbLocal({ dataDir: join(work, 'a') }),
      startDynamoDbLocal({ dataDir: join(work, 'b') }),
    ]);
    cleanup.unshift(() => Promise.all(Object.values(stores).map((s) => s.stop('SIGKILL'))));
    const replicator = new Replicator({
      mode: options.mode,
      lagMs: options.lagMs,
      regions: [REGION_A, REGION_B].map((name) => ({ name, endpoint: storeOf(stores, name).endpoint })),
      replicatedTables,
    });
    await replicator.start();
    cleanup.unshift(() => replicator.close());

    const [gatewayA, gatewayB] = await Promise.all([
      startRegionProcess(REGION_A, replicator.proxyUrl(REGION_A), keysDir),
      startRegionProcess(REGION_B, replicator.proxyUrl(REGION_B), keysDir),
    ]);
    const gateways: Record<string, RegionProcess> = { [REGION_A]: gatewayA, [REGION_B]: gatewayB };
    cleanup.unshift(() => Object.values(gateways).forEach((g) => g.process.kill('SIGKILL')));
    const front = new FailoverFront({
      regions: [REGION_A, REGION_B].map((name) => ({ name, url: gatewayOf(gateways, name).url })),
      intervalMs: options.probeIntervalMs,
      failureThreshold: options.failureThreshold,
      probeTimeoutMs: Math.max(200, options.probeIntervalMs),
    });
    await front.start();
    cleanup.unshift(() => front.close());

    const parties = await seed(front.url, keys);
    await waitFor(() => replicator.pending() === 0, 30_000);
    log(`Seeded; load at ${options.rate} contracts/s for ${options.durationMs} ms through ${front.url}`);

    const driver = new LoadDriver({
      frontUrl: front.url,
      ...parties,
      rate: options.rate,
      durationMs: options.durationMs,
      runId: `drill-${Date.now()}`,
    });
    const started = Date.now();
    const load = driver.run();

    await sleepUntil(started + options.killAtMs);
    const killedAt = Date.now();
    gatewayOf(gateways, REGION_A).process.kill('SIGKILL');
    await storeOf(stores, REGION_A).stop('SIGKILL');
    replicator.regionDown(REGION_A);
    log(`SIGKILLed ${REGION_A}'s store and gateway; traffic fails over to ${REGION_B}`);
    const ackedBeforeKill = driver.acknowledged.filter((a) => a.at <= killedAt);
    const survivorAtKill = await replicator.tableContents(REGION_B);
    const missingAtFailover = ackedBeforeKill.filter(
      (a) => (versionIn(survivorAtKill, a.contractId) ?? 0) < a.version,
    ).length;

    await sleepUntil(started + options.restartAtMs);
    const restartedAt = Date.now();
    stores[REGION_A] = await startDynamoDbLocal({
      dataDir: join(work, 'a'),
      port: storeOf(stores, REGION_A).port,
    });
    gateways[REGION_A] = await startRegionProcess(
      REGION_A,
      replicator.proxyUrl(REGION_A),
      keysDir,
      gatewayOf(gateways, REGION_A).port,
    );
    await replicator.regionUp(REGION_A);
    await waitFor(() => replicator.caughtUp(restartedAt), 60_000);
    const reconvergeMs = Date.now() - restartedAt;
    log(
      `Restarted ${REGION_A}; it caught up with everything written before its restart in ${reconvergeMs} ms`,
    );

    await load;
    log(
      `Load done: ${driver.acknowledged.length} acknowledged writes; waiting for the Regions to converge …`,
    );
    let converged = false;
    let a = new Map<string, string>();
    let b = new Map<string, string>();
    const deadline = Date.now() + 60_000;
    while (Date.now() < deadline) {
      if (replicator.pending() === 0) {
        [a, b] = await Promise.all([replicator.tableContents(REGION_A), replicator.tableContents(REGION_B)]);
        if (sameContents(a, b)) {
          converged = true;
          break;
        }
      }
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    const firstSuccess = driver.firstSuccessAfter(killedAt);

    const latestAck = new Map<string, number>();
    for (const ack of driver.acknowledged)
      latestAck.set(ack.contractId, Math.max(latestAck.get(ack.contractId) ?? 0, ack.version));
    let lost = 0;
    for (const [contractId, version] of latestAck) {
      if ((versionIn(a, contractId) ?? 0) < version || (versionIn(b, contractId) ?? 0) < version) lost += 1;
    }
    return {
      mode: options.mode,
      rtoMs: firstSuccess === undefined ? null : firstSuccess - killedAt,
      acknowledged: driver.acknowledged.length,
      lost,
      missingAtFailover,
      duplicates: Math.max(countDuplicates(a), countDuplicates(b)),
      converged,
      reconvergeMs: converged ? reconvergeMs : null,
      errors: driver.errors,
      replicationLagMs: replicator.lagPercentiles(),
      flows: driver.flows,
    };
  } finally {
    for (const step of cleanup) await Promise.resolve(step()).catch(() => undefined);
  }
}

interface RegionProcess {
  readonly process: ChildProcess;
  readonly url: string;
  readonly port: number;
}

function storeOf(stores: Record<string, DynamoDbLocal>, name: string): DynamoDbLocal {
  return stores[name] as DynamoDbLocal;
}

function gatewayOf(gateways: Record<string, RegionProcess>, name: string): RegionProcess {
  return gateways[name] as RegionProcess;
}

/** A Region's gateway, stream poller and projector in a child process, as the unchanged handlers need. */
async function startRegionProcess(
  region: string,
  endpoint: string,
  keysDir: string,
  port = 0,
): Promise<RegionProcess> {
  const child = spawn(
    process.execPath,
    [
      '--import',
      'tsx',
      join(repoRoot, 'local/drill/region-main.ts'),
      '--region',
      region,
      '--endpoint',
      endpoint,
      '--keys-dir',
      keysDir,
      '--port',
      String(port),
    ],
    {
      cwd: repoRoot,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, POWERTOOLS_LOG_LEVEL: 'SILENT' },
    },
  );
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr = (stderr + chunk.toString()).slice(-4000);
  });
  const url = await new Promise<string>((resolve, reject) => {
    const lines = createInterface({ input: child.stdout as NodeJS.ReadableStream });
    lines.on('line', (line) => {
      if (line.startsWith('READY ')) resolve(line.slice(6).trim());
    });
    child.once('exit', (code) => reject(new Error(`${region} exited with ${code}: ${stderr}`)));
  });
  return { process: child, url, port: Number(new URL(url).port) };
}

/** A provider with one listed service and three agencies, created through the API like anyone would. */
async function seed(frontUrl: string, keys: SigningKeys) {
  const token = (role: 'admin' | 'committee' | 'provider' | 'agency', org?: string) =>
    mintToken(keys, { sub: `drill-${role}-${org ?? ''}`, role, ...(org ? { org } : {}) });
  const call = async (method: string, path: string, bearer: string, body?: unknown) => {
    const response = await fetch(`${frontUrl}${path}`, {
      method,
      headers: { authorization: `Bearer ${bearer}`, ...(body ? { 'content-type': 'application/json' } : {}) },
      ...(body ? { body: JSON.stringify(body) } : {}),
    });
    const json = (await response.json()) as { id: string };
    if (!response.ok) throw new Error(`seed ${method} ${path}: ${response.status} ${JSON.stringify(json)}`);
    return json;
  };
  const admin = await token('admin');
  const provider = await call('POST', '/v1/providers', admin, {
    name: '(주)드릴클라우드',
    businessRegistrationNumber: '1248100998',
    contactEmail: 'drill@example.kr',
  });
  const providerToken = await token('provider', provider.id);
  const service = await call('POST', '/v1/services', providerToken, {
    name: '재해복구 훈련용 서비스',
    summary: '훈련용 클라우드 서비스',
    category: 'SAAS',
    ai: false,
    networks: ['INTERNET'],
    csap: null,
    plans: [{ id: 'basic', name: '기본', unit: '월', unitPriceKrw: 100_000 }],
  });
  await call('POST', `/v1/services/${service.id}/submit`, providerToken);
  const committee = await token('committee');
  await call('POST', '/v1/review-sessions', committee, { number: 1, date: '2026-11-23' });
  await call('POST', '/v1/review-sessions/1/agenda', committee, { serviceId: service.id });
  await call('POST', '/v1/review-sessions/1/decisions', committee, {
    serviceId: service.id,
    decision: 'SELECTED',
    reason: '훈련',
  });
  const agencies = [];
  for (const code of ['7000001', '7000002', '7000003']) {
    const agency = await call('POST', '/v1/agencies', admin, {
      name: `훈련 기관 ${code}`,
      institutionCode: code,
      kind: 'LOCAL',
      network: 'INTERNET',
    });
    agencies.push({ id: String(agency.id), token: await token('agency', agency.id) });
  }
  return { agencies, providerToken, serviceId: String(service.id), planId: 'basic' };
}

function versionIn(contents: Map<string, string>, contractId: string): number | undefined {
  const item = contents.get(`${replicatedTables[1]}|contract#${contractId}|contract`);
  return item ? Number((JSON.parse(item) as { version?: { N?: string } }).version?.N) : undefined;
}

/** Contracts beyond the first that share an agency and an idempotency key. */
function countDuplicates(contents: Map<string, string>): number {
  const seen = new Map<string, number>();
  for (const [id, json] of contents) {
    if (!id.startsWith(`${replicatedTables[1]}|contract#`)) continue;
    const item = JSON.parse(json) as {
      agencyId?: { S?: string };
      idempotency?: { M?: { key?: { S?: string } } };
    };
    const key = `${item.agencyId?.S}|${item.idempotency?.M?.key?.S}`;
    seen.set(key, (seen.get(key) ?? 0) + 1);
  }
  return [...seen.values()].reduce((sum, n) => sum + n - 1, 0);
}

function sameContents(a: Map<string, string>, b: Map<string, string>): boolean {
  if (a.size !== b.size) return false;
  for (const [id, json] of a) if (b.get(id) !== json) return false;
  return true;
}

async function waitFor(condition: () => boolean, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('timed out waiting for replication');
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

const sleepUntil = (at: number) =>
  new Promise((resolve) => setTimeout(resolve, Math.max(0, at - Date.now())));
