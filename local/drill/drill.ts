/**
 * The disaster-recovery drill: two local Regions behind a failover front, a replication stand-in with an
 * MRSC witness between them, contract traffic, and one of the failures that really happen:
 *
 * - `kill`: Region A's store and gateway are SIGKILLed, and restarted at the heal time;
 * - `stall`: Region A's store is SIGSTOPped (its gateway stays up), and SIGCONTed at the heal time;
 * - `slow`: Region A's store answers every call `storeLatencyMs` late until the heal time;
 * - `partition`: Region A loses the other Region and the witness (the front still reaches it), healed later;
 * - `deploy`: each Region's gateway process is replaced by a fresh one, one Region at a time, under load;
 * - `burn`: both Regions first hold the demo data set; Region A's store and gateway are SIGKILLed and its
 *   data deleted, and at the heal it starts empty, is re-seeded by replication and has its projections
 *   rebuilt (`burn.ts`), taking traffic again only once its `/health` answers 200.
 *
 * Then the load ends, replication drains, and both Regions are compared with every write the client saw
 * acknowledged.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { physicalTableName, tables } from '../../functions/adapters/dynamodb/tables.js';
import { type DynamoDbLocal, startDynamoDbLocal } from '../dynamodb-local.js';
import { repoRoot } from '../paths.js';
import { percentiles } from '../percentiles.js';
import { TABLE_PREFIX } from '../region.js';
import { localSigningKeys, mintToken, type SigningKeys } from '../tokens.js';
import { FailoverFront } from './front.js';
import { type Acknowledged, LoadDriver, type RequestRecord } from './load.js';
import { type ReplicationMode, Replicator } from './replicator.js';
import {
  burnStore,
  projectionDiff,
  type RebuildFigures,
  rebuildFigures,
  restartEmpty,
  runRebuildCommand,
  seedDemoStores,
} from './burn.js';
import type { ProjectionKind } from '../../functions/adapters/dynamodb/projection-keys.js';
import { differingByKind } from '../../ops/projection-compare.js';
import { type EventFigures, WebhookReceiver } from './webhooks.js';

/**
 * The `burn` rebuild's budget locally. The command's default (1,000 units/s) protects a deployed table's
 * throughput; DynamoDB Local has none to protect, and at seed scale (~27,600 items at 1.65 units each) that
 * default alone would hold the rebuild to at least 46 s, so the machine, not the budget, should bound it.
 */
export const LOCAL_REBUILD_UNITS_PER_SECOND = 5000;

export const SCENARIOS = ['kill', 'stall', 'slow', 'partition', 'deploy', 'burn'] as const;
export type Scenario = (typeof SCENARIOS)[number];

export interface DrillOptions {
  readonly scenario: Scenario;
  readonly mode: ReplicationMode;
  /** How long new contracts keep being started. */
  readonly durationMs: number;
  /** When the fault strikes (the deploy starts), counted from the start of the load. */
  readonly faultAtMs: number;
  /** When it is healed: restart, SIGCONT, normal speed, links restored. A deploy ends when it is done. */
  readonly healAtMs: number;
  readonly rate: number;
  /** Replication delay of eventually consistent tables. */
  readonly lagMs: number;
  readonly probeIntervalMs: number;
  readonly failureThreshold: number;
  /** The `slow` scenario's added store latency. */
  readonly storeLatencyMs: number;
  /** The `burn` scenario's share of the demo data set in both Regions (1: all of it, seed scale). */
  readonly demoShare?: number;
  /** The `burn` rebuild's capacity budget (default {@link LOCAL_REBUILD_UNITS_PER_SECOND}). */
  readonly rebuildCapacityUnitsPerSecond?: number;
  readonly log?: (line: string) => void;
}

export interface DrillReport {
  readonly scenario: Scenario;
  readonly mode: ReplicationMode;
  /** Every client request, sent → outcome (a hung one counts as the time it was given). */
  readonly latencyMs: { p50: number; p99: number; max: number };
  readonly requests: number;
  /** Requests with no answer within five seconds. */
  readonly hung: number;
  /** Fault → first success, through the front, of a request sent after the fault. */
  readonly rtoMs: number | null;
  readonly acknowledged: number;
  /** Acknowledged writes missing from a Region after convergence. */
  readonly lost: number;
  /** Acknowledged before the fault, missing from the other Region right after it (what RPO > 0 looks like). */
  readonly missingAtFailover: number;
  /** Contracts beyond the first for one agency's idempotency key. */
  readonly duplicates: number;
  /** Both Regions hold the same items once the load is over and replication has drained. */
  readonly converged: boolean;
  /** Heal (restart included) → every write made anywhere before it has reached both Regions. */
  readonly reconvergeMs: number | null;
  readonly errors: Readonly<Record<string, number>>;
  /** Write → applied in the other Region, for writes made while both were reachable; the outage backlog apart. */
  readonly replicationLagMs: { p50: number; p99: number; samples: number; backlog: number };
  readonly flows: {
    started: number;
    completed: number;
    failed: number;
    /** Failed flows by the last answer they got. */
    failedBy: Readonly<Record<string, number>>;
  };
  /**
   * `partition` only: ledger writes sent after the cut that the cut-off Region acknowledged, and how many of them the
   * survivor lacked just before the heal (MRSC: none; MREC: what a failover then would lose).
   */
  readonly cutOff: { region: string; acknowledged: number; missingFromSurvivor: number } | null;
  /**
   * `burn` only: the rebuild of the burnt Region's projections, and how many requests the front sent it
   * between its restart and its `/health` answering 200 (none: no traffic reaches a half-rebuilt Region).
   */
  readonly rebuild: (RebuildFigures & { readonly servedBeforeHealthy: number }) | null;
  /** `burn` only: heal → the burnt Region's `/health` answers 200 again. */
  readonly reprotectMs: number | null;
  /** `burn` only: differing projection keys per kind between the Regions after convergence. */
  readonly projectionDiff: Readonly<Record<ProjectionKind, number>> | null;
  /** Webhook deliveries of the load's contract events to both parties (see `webhooks.ts`). */
  readonly events: EventFigures;
}

/** What happened when, for the operators' chart. */
export interface DrillTimeline {
  readonly startedAt: number;
  readonly endedAt: number;
  readonly regions: readonly string[];
  readonly events: readonly DrillEvent[];
  readonly requests: readonly RequestRecord[];
}

/** A moment, or with `until` a span (the rebuild). */
export interface DrillEvent {
  readonly at: number;
  readonly until?: number;
  readonly kind: 'fault' | 'heal' | 'step' | 'rebuild';
  readonly label: string;
}

export interface DrillResult {
  readonly report: DrillReport;
  readonly timeline: DrillTimeline;
}

/** How long the deliveries may take after convergence: a lost Region's lease (30 s), then a retry's wait. */
const EVENTS_SETTLE_MS = 120_000;

export const REGION_A = 'ap-northeast-2';
export const REGION_B = 'ap-northeast-1';
const WITNESS = 'ap-northeast-3';
const replicatedTables = [tables.catalog, tables.ledger].map((t) => physicalTableName(TABLE_PREFIX, t.id));
const ledgerTable = physicalTableName(TABLE_PREFIX, tables.ledger.id);
/** A deploy's pause between Regions, so a bad release shows in one before it reaches the other. */
const DEPLOY_BAKE_MS = 1000;

export async function runDrill(options: DrillOptions): Promise<DrillResult> {
  const log = options.log ?? (() => undefined);
  // The stores keep their data in files, so a killed store restarts with what it had; in memory-backed
  // files where the machine has them: on disk every write waits for its fsync (a put's median went from
  // ~5 ms to ~18 ms here), which the drill would measure instead of the failure it injects.
  const work = mkdtempSync(join(existsSync('/dev/shm') ? '/dev/shm' : tmpdir(), 'dsm-drill-'));
  const keysDir = join(work, 'keys');
  const keys = await localSigningKeys(keysDir);
  const cleanup: (() => Promise<unknown> | unknown)[] = [
    () => rmSync(work, { recursive: true, force: true }),
  ];
  const events: DrillEvent[] = [];
  const mark = (kind: 'fault' | 'heal' | 'step', label: string, at = Date.now()) => {
    events.push({ at, kind, label });
    log(label);
  };
  try {
    log(`Starting two Regions (${REGION_A}, ${REGION_B}) and a witness (${WITNESS}), ${options.mode} mode …`);
    const stores: Record<string, DynamoDbLocal> = {};
    [stores[REGION_A], stores[REGION_B]] = await Promise.all([
      startDynamoDbLocal({ dataDir: join(work, 'a') }),
      startDynamoDbLocal({ dataDir: join(work, 'b') }),
    ]);
    cleanup.unshift(() => Promise.all(Object.values(stores).map((s) => s.stop('SIGKILL'))));
    const replicator = new Replicator({
      regions: [REGION_A, REGION_B].map((name) => ({ name, endpoint: storeOf(stores, name).endpoint })),
      witness: WITNESS,
      replicatedTables,
      // As deployed, the ledger is MRSC and the catalog MREC; the eventual drill makes the ledger MREC too.
      strongTables: options.mode === 'strong' ? [ledgerTable] : [],
      lagMs: options.lagMs,
    });
    await replicator.start();
    cleanup.unshift(() => replicator.close());
    const burning = options.scenario === 'burn';
    if (burning) {
      const share = options.demoShare ?? 1;
      log(
        `Loading ${share === 1 ? 'the demo data set' : `${share} of the demo data set`} into both Regions …`,
      );
      const data = await seedDemoStores(
        [REGION_A, REGION_B].map((name) => storeOf(stores, name).endpoint),
        share,
        REGION_A,
      );
      log(
        `  ${data.services.length} services, ${data.agencies.length} agencies, ${data.contracts.length} contracts`,
      );
    }

    const gateways: Record<string, RegionProcess> = {};
    cleanup.unshift(() => Object.values(gateways).forEach((g) => g.process.kill('SIGKILL')));
    // The demo data came with its projections: each Region projects only what is written from now on.
    const startFlags = burning ? ['--seeded'] : [];
    [gateways[REGION_A], gateways[REGION_B]] = await Promise.all([
      startRegionProcess(REGION_A, replicator.proxyUrl(REGION_A), keysDir, 0, startFlags),
      startRegionProcess(REGION_B, replicator.proxyUrl(REGION_B), keysDir, 0, startFlags),
    ]);
    await Promise.all(Object.values(gateways).map((g) => waitUntilReady(g.url)));
    const front = new FailoverFront({
      regions: [REGION_A, REGION_B].map((name) => ({ name, url: gatewayOf(gateways, name).url })),
      intervalMs: options.probeIntervalMs,
      failureThreshold: options.failureThreshold,
    });
    await front.start();
    cleanup.unshift(() => front.close());

    const { providerId, ...parties } = await seed(front.url, keys);
    const receiver = new WebhookReceiver();
    await receiver.start();
    cleanup.unshift(() => receiver.close());
    await receiver.subscribe(front.url, providerId, parties.providerToken);
    for (const agency of parties.agencies) await receiver.subscribe(front.url, agency.id, agency.token);
    await waitFor(() => replicator.pending() === 0, 30_000);
    log(`Seeded; load at ${options.rate} contracts/s for ${options.durationMs} ms through ${front.url}`);

    const driver = new LoadDriver({
      frontUrl: front.url,
      ...parties,
      rate: options.rate,
      durationMs: options.durationMs,
      runId: `drill-${Date.now()}`,
      routedTo: (id) => front.routedTo(id),
    });
    const startedAt = Date.now();
    const load = driver.run();

    await sleepUntil(startedAt + options.faultAtMs);
    const faultAt = Date.now();
    const regionA = {
      store: () => storeOf(stores, REGION_A),
      gateway: () => gatewayOf(gateways, REGION_A),
    };
    switch (options.scenario) {
      case 'kill':
        regionA.gateway().process.kill('SIGKILL');
        await regionA.store().stop('SIGKILL');
        mark('fault', `SIGKILLed ${REGION_A}'s store and gateway`);
        break;
      case 'stall':
        regionA.store().process.kill('SIGSTOP');
        mark('fault', `SIGSTOPped ${REGION_A}'s store; its gateway stays up`);
        break;
      case 'slow':
        replicator.setStoreLatency(REGION_A, options.storeLatencyMs);
        mark('fault', `${REGION_A}'s store answers ${options.storeLatencyMs} ms late`);
        break;
      case 'partition':
        replicator.network.cut(REGION_A, REGION_B);
        replicator.network.cut(REGION_A, WITNESS);
        mark('fault', `Cut ${REGION_A} off from ${REGION_B} and the witness; the front still reaches it`);
        break;
      case 'deploy':
        mark('fault', 'Rolling deploy starts');
        break;
      case 'burn':
        regionA.gateway().process.kill('SIGKILL');
        await regionA.store().stop('SIGKILL');
        burnStore(replicator, REGION_A, join(work, 'a'));
        mark('fault', `${REGION_A} burnt: store and gateway SIGKILLed, its data deleted`);
        break;
    }
    const survivorAtFault = await replicator.tableContents(REGION_B);
    const missingAtFailover = driver.acknowledged
      .filter((a) => a.at <= faultAt)
      .filter((a) => (versionIn(survivorAtFault, a.contractId) ?? 0) < a.version).length;

    let cutOff: DrillReport['cutOff'] = null;
    let burnt: Awaited<ReturnType<typeof rebuildBurntRegion>> | undefined;
    let healedAt: number;
    if (options.scenario === 'deploy') {
      for (const region of [REGION_A, REGION_B]) {
        const next = await startRegionProcess(region, replicator.proxyUrl(region), keysDir);
        await waitUntilReady(next.url);
        const old = gatewayOf(gateways, region);
        front.replace(region, next.url);
        gateways[region] = next;
        mark('step', `${region}: new process ready and serving; the old one drains`);
        old.process.kill('SIGTERM');
        await old.exited;
        if (region === REGION_A) await new Promise((resolve) => setTimeout(resolve, DEPLOY_BAKE_MS));
      }
      healedAt = Date.now();
    } else {
      await sleepUntil(startedAt + options.healAtMs);
      healedAt = Date.now();
      switch (options.scenario) {
        case 'kill':
          stores[REGION_A] = await startDynamoDbLocal({
            dataDir: join(work, 'a'),
            port: regionA.store().port,
          });
          gateways[REGION_A] = await startRegionProcess(
            REGION_A,
            replicator.proxyUrl(REGION_A),
            keysDir,
            regionA.gateway().port,
          );
          break;
        case 'stall':
          regionA.store().process.kill('SIGCONT');
          break;
        case 'slow':
          replicator.setStoreLatency(REGION_A, 0);
          break;
        case 'partition': {
          const survivor = await replicator.tableContents(REGION_B);
          const acked = latestAcks(
            driver.acknowledged.filter((a) => a.region === REGION_A && a.sentAt >= faultAt),
          );
          cutOff = {
            region: REGION_A,
            acknowledged: acked.size,
            missingFromSurvivor: [...acked].filter(([id, v]) => (versionIn(survivor, id) ?? 0) < v).length,
          };
          replicator.network.heal(REGION_A, REGION_B);
          replicator.network.heal(REGION_A, WITNESS);
          break;
        }
        case 'burn':
          burnt = await rebuildBurntRegion({
            replicator,
            stores,
            gateways,
            work,
            keysDir,
            capacityUnitsPerSecond: options.rebuildCapacityUnitsPerSecond ?? LOCAL_REBUILD_UNITS_PER_SECOND,
            log,
          });
          break;
      }
    }
    mark(
      'heal',
      {
        kill: `Restarted ${REGION_A}`,
        stall: `SIGCONT to ${REGION_A}'s store`,
        slow: `${REGION_A}'s store at normal speed`,
        partition: 'Partition healed',
        deploy: 'Rolling deploy done',
        burn: `${REGION_A} restarted empty; replicas re-seeded from ${REGION_B}`,
      }[options.scenario],
      healedAt,
    );
    if (burnt) {
      const { summary, rebuildStartedAt, healthyAt } = burnt;
      events.push({
        at: rebuildStartedAt,
        until: rebuildStartedAt + summary.seconds * 1000,
        kind: 'rebuild',
        label: `Projections rebuilt: ${summary.items} items in ${summary.seconds} s`,
      });
      mark('step', `${REGION_A} /health 200 again`, healthyAt);
    }
    await waitFor(() => replicator.caughtUp(healedAt), 60_000);
    const reconvergeMs = Date.now() - healedAt;
    log(`Every write made before the heal is in both Regions ${reconvergeMs} ms after it`);

    await load;
    const endedAt = Date.now();
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
    // Deliveries follow the projection, and a Region's lost lease is taken over once it expires.
    const expectedDeliveries = WebhookReceiver.expectedOf(a, ledgerTable, providerId);
    await waitFor(() => receiver.figures(expectedDeliveries).missing === 0, EVENTS_SETTLE_MS).catch(
      () => undefined,
    );
    const deliveries = receiver.figures(expectedDeliveries);
    log(
      `Webhooks: ${deliveries.delivered} of ${deliveries.expected} deliveries, ${deliveries.deliveredTwice} twice, ${deliveries.badSignatures} badly signed`,
    );
    const projectionDiffs = burnt
      ? await projectionDiff([storeOf(stores, REGION_A).endpoint, storeOf(stores, REGION_B).endpoint])
      : null;
    const firstSuccess = driver.firstSuccessAfter(faultAt);
    let lost = 0;
    for (const [contractId, version] of latestAcks(driver.acknowledged)) {
      if ((versionIn(a, contractId) ?? 0) < version || (versionIn(b, contractId) ?? 0) < version) lost += 1;
    }
    const waits = driver.requests.map((r) => r.doneAt - r.sentAt);
    const report: DrillReport = {
      scenario: options.scenario,
      mode: options.mode,
      latencyMs: { ...percentiles(waits), max: Math.max(0, ...waits) },
      requests: driver.requests.length,
      hung: driver.requests.filter((r) => r.outcome === 'hung').length,
      rtoMs: firstSuccess === undefined ? null : firstSuccess - faultAt,
      acknowledged: driver.acknowledged.length,
      lost,
      missingAtFailover,
      duplicates: Math.max(countDuplicates(a), countDuplicates(b)),
      converged,
      reconvergeMs: converged ? reconvergeMs : null,
      errors: driver.errors,
      replicationLagMs: replicator.lagPercentiles(),
      flows: driver.flows,
      cutOff,
      rebuild: burnt
        ? {
            ...rebuildFigures(burnt.summary),
            servedBeforeHealthy: driver.requests.filter(
              (r) => r.region === REGION_A && r.sentAt >= healedAt && r.sentAt < (burnt?.healthyAt ?? 0),
            ).length,
          }
        : null,
      reprotectMs: burnt ? burnt.healthyAt - healedAt : null,
      projectionDiff: projectionDiffs,
      events: deliveries,
    };
    return {
      report,
      timeline: { startedAt, endedAt, regions: [REGION_A, REGION_B], events, requests: driver.requests },
    };
  } finally {
    for (const step of cleanup) await Promise.resolve(step()).catch(() => undefined);
  }
}

/**
 * `burn`'s heal: A starts on an empty store re-seeded by replication, its gateway comes up `starting`,
 * the operator's rebuild runs, and A counts as back once its `/health` answers 200.
 */
async function rebuildBurntRegion(burning: {
  readonly replicator: Replicator;
  readonly stores: Record<string, DynamoDbLocal>;
  readonly gateways: Record<string, RegionProcess>;
  readonly work: string;
  readonly keysDir: string;
  readonly capacityUnitsPerSecond: number;
  readonly log: (line: string) => void;
}) {
  const { replicator, stores, gateways, work, keysDir, log } = burning;
  const { store, reseeded } = await restartEmpty(
    replicator,
    REGION_A,
    join(work, 'a'),
    storeOf(stores, REGION_A).port,
  );
  stores[REGION_A] = store;
  log(`  ${reseeded} items re-seeded into ${REGION_A}'s replicas from ${REGION_B}`);
  gateways[REGION_A] = await startRegionProcess(
    REGION_A,
    replicator.proxyUrl(REGION_A),
    keysDir,
    gatewayOf(gateways, REGION_A).port,
    ['--rebuild'],
  );
  const rebuildStartedAt = Date.now();
  // Straight to the stores, as the operator's command reaches DynamoDB's Regional endpoints: it writes only
  // A's projections table, which no replication carries, and a write replicated into A's replicas while it
  // scans reaches A's stream, which A's projector follows. Through the stand-in's proxy, forwarding its
  // pages and copies took the drill's process nearly half a core (`--cpu-prof`) of this machine's two.
  const summary = await runRebuildCommand(
    { region: REGION_A, endpoint: storeOf(stores, REGION_A).endpoint },
    { region: REGION_B, endpoint: storeOf(stores, REGION_B).endpoint },
    burning.capacityUnitsPerSecond,
  );
  log(`  rebuild: ${summary.items} items in ${summary.seconds} s, ready ${summary.ready}`);
  if (!summary.ready) {
    const differing = summary.comparison
      ? JSON.stringify(differingByKind(summary.comparison))
      : 'not compared';
    throw new Error(
      `the rebuild left ${REGION_A} starting: differing ${differing}, ${JSON.stringify(summary.notRebuilt)}`,
    );
  }
  await waitUntilReady(gatewayOf(gateways, REGION_A).url);
  return { summary, rebuildStartedAt, healthyAt: Date.now() };
}

interface RegionProcess {
  readonly process: ChildProcess;
  readonly url: string;
  readonly port: number;
  readonly exited: Promise<void>;
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
  flags: readonly string[] = [],
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
      ...flags,
    ],
    {
      cwd: repoRoot,
      stdio: ['pipe', 'pipe', 'pipe'],
      env: { ...process.env, POWERTOOLS_LOG_LEVEL: 'SILENT' },
    },
  );
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr = (stderr + chunk.toString()).slice(-4000);
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const url = await new Promise<string>((resolve, reject) => {
    const lines = createInterface({ input: child.stdout as NodeJS.ReadableStream });
    lines.on('line', (line) => {
      if (line.startsWith('READY ')) resolve(line.slice(6).trim());
    });
    child.once('exit', (code) => reject(new Error(`${region} exited with ${code}: ${stderr}`)));
  });
  return { process: child, url, port: Number(new URL(url).port), exited };
}

/** Until the gateway's `/health` answers 200: a Region still `starting` gets no traffic. */
async function waitUntilReady(url: string): Promise<void> {
  await waitFor(
    async () =>
      fetch(new URL('/health', url), { signal: AbortSignal.timeout(1000) })
        .then((res) => res.status === 200)
        .catch(() => false),
    60_000,
  );
}

/** A provider with one listed service and three agencies, created through the API like anyone would. */
async function seed(frontUrl: string, keys: SigningKeys) {
  const token = (role: 'admin' | 'committee' | 'provider' | 'agency', org?: string) =>
    mintToken(keys, { sub: `drill-${role}-${org ?? ''}`, role, ...(org ? { org } : {}) });
  let calls = 0;
  // Keyed and retried like the load's writes: a busy store answers 503, and the retry must not write twice.
  const call = async (method: string, path: string, bearer: string, body?: unknown) => {
    const idempotencyKey = `seed-${Date.now()}-${++calls}`;
    for (let attempt = 1; ; attempt++) {
      const response = await fetch(`${frontUrl}${path}`, {
        method,
        headers: {
          authorization: `Bearer ${bearer}`,
          'idempotency-key': idempotencyKey,
          ...(body ? { 'content-type': 'application/json' } : {}),
        },
        ...(body ? { body: JSON.stringify(body) } : {}),
      }).catch(() => undefined);
      const json = response && ((await response.json()) as { id: string });
      if (response?.ok) return json as { id: string };
      const retryable = !response || response.status >= 500 || response.status === 429;
      if (!retryable || attempt === 20) {
        throw new Error(`seed ${method} ${path}: ${response?.status} ${JSON.stringify(json)}`);
      }
      await new Promise((resolve) => setTimeout(resolve, 250 * attempt));
    }
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
  return {
    agencies,
    providerId: String(provider.id),
    providerToken,
    serviceId: String(service.id),
    planId: 'basic',
  };
}

/** The highest acknowledged version of each contract. */
function latestAcks(acknowledged: readonly Acknowledged[]): Map<string, number> {
  const latest = new Map<string, number>();
  for (const ack of acknowledged)
    latest.set(ack.contractId, Math.max(latest.get(ack.contractId) ?? 0, ack.version));
  return latest;
}

function versionIn(contents: Map<string, string>, contractId: string): number | undefined {
  const item = contents.get(`${ledgerTable}|contract#${contractId}|contract`);
  return item ? Number((JSON.parse(item) as { version?: { N?: string } }).version?.N) : undefined;
}

/** Contracts beyond the first that share an agency and an idempotency key. */
function countDuplicates(contents: Map<string, string>): number {
  const seen = new Map<string, number>();
  for (const [id, json] of contents) {
    if (!id.startsWith(`${ledgerTable}|contract#`)) continue;
    const item = JSON.parse(json) as {
      agencyId?: { S?: string };
      idempotency?: { M?: { key?: { S?: string } } };
    };
    // Only the load's contracts carry a key; the demo data's (the burn scenario's seed) have none.
    const idempotencyKey = item.idempotency?.M?.key?.S;
    if (idempotencyKey === undefined) continue;
    const key = `${item.agencyId?.S}|${idempotencyKey}`;
    seen.set(key, (seen.get(key) ?? 0) + 1);
  }
  return [...seen.values()].reduce((sum, n) => sum + n - 1, 0);
}

function sameContents(a: Map<string, string>, b: Map<string, string>): boolean {
  if (a.size !== b.size) return false;
  for (const [id, json] of a) if (b.get(id) !== json) return false;
  return true;
}

async function waitFor(condition: () => boolean | Promise<boolean>, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error('timed out waiting');
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

const sleepUntil = (at: number) =>
  new Promise((resolve) => setTimeout(resolve, Math.max(0, at - Date.now())));
