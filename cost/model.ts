/**
 * The arithmetic: an {@link Inventory} (what is deployed), a {@link Scenario} (what it does in a month) and a
 * {@link PriceList} give one line per resource, Region and meter. Pure, so the tests can feed it small inputs.
 * A line whose price is unknown keeps its quantity and has `usd: null`; totals add only priced lines and say
 * how many were left out.
 */
import type { Inventory, TableInventory } from './inventory.js';
import { type PriceId, type PriceList, priceOf } from './prices.js';
import {
  type BackgroundProfiles,
  dataSize,
  type OperationId,
  type OperationProfile,
  type Scenario,
  type TableId,
} from './workload.js';

/** Hours and seconds in an average month (AWS bills monthly fees prorated hourly over 730 hours). */
export const HOURS_PER_MONTH = 730;
export const SECONDS_PER_MONTH = HOURS_PER_MONTH * 3600;

export interface CostLine {
  readonly group: string;
  readonly item: string;
  /** AWS Region, or `global`. */
  readonly region: string;
  readonly quantity: number;
  readonly unit: string;
  readonly priceId: PriceId;
  /** Null when the price is unknown. */
  readonly usd: number | null;
  /** Priced from a stand-in (nearest documented) price. */
  readonly standIn: boolean;
}

export interface Estimate {
  readonly scenario: string;
  readonly lines: readonly CostLine[];
  /** Sum of the priced lines. */
  readonly totalUsd: number;
  /** Lines with no price: their cost is not in the total. */
  readonly unpriced: readonly CostLine[];
  /** Part of the total priced from stand-in prices. */
  readonly standInUsd: number;
}

export interface ModelOptions {
  /** Share of API traffic each active Region serves (latency routing: Korean callers reach Seoul). */
  readonly trafficShare: Readonly<Record<string, number>>;
  /** Log bytes ingested per Lambda invocation, per API access-log line, per WAF log record. */
  readonly logBytes: {
    readonly perInvocation: number;
    readonly perAccessLog: number;
    readonly perWafLog: number;
  };
  /** X-Ray default sampling: the first request each second, then this share of the rest. */
  readonly xraySampleRate: number;
  /** Route 53 health checkers per checker Region that probe an endpoint every interval. */
  readonly checkersPerRegion: number;
}

export const defaultModelOptions = (inventory: Inventory): ModelOptions => ({
  trafficShare: Object.fromEntries(inventory.activeRegions.map((r, i) => [r, i === 0 ? 1 : 0])),
  logBytes: { perInvocation: 600, perAccessLog: 700, perWafLog: 1500 },
  xraySampleRate: 0.05,
  checkersPerRegion: 1,
});

const GB = 1024 ** 3;

/** Builds lines and prices them. */
class Ledger {
  readonly lines: CostLine[] = [];
  constructor(private readonly prices: PriceList) {}

  add(group: string, item: string, region: string, quantity: number, unit: string, priceId: PriceId) {
    if (quantity <= 0) return;
    const price = priceOf(this.prices, priceId, region === 'global' ? '*' : region);
    const usd = price && price.usd !== null ? (quantity / price.per) * price.usd : null;
    this.lines.push({
      group,
      item,
      region,
      quantity,
      unit,
      priceId,
      usd,
      standIn: usd !== null && price?.exact === false,
    });
  }
}

/** Monthly requests one endpoint health check sends: checkers × (month ÷ interval). */
export function probesPerMonth(intervalSeconds: number, checkerRegions: number, checkersPerRegion: number) {
  return (SECONDS_PER_MONTH / intervalSeconds) * checkerRegions * checkersPerRegion;
}

/** X-Ray traces recorded under the default rule: one a second, then `rate` of the rest. */
export function tracesRecorded(requests: number, rate: number): number {
  const reservoir = Math.min(requests, SECONDS_PER_MONTH);
  return reservoir + Math.max(0, requests - SECONDS_PER_MONTH) * rate;
}

/** The table an operation's table id lands in, from the inventory. */
function tableFor(inventory: Inventory, id: TableId, region: string): TableInventory | undefined {
  if (id === 'projections') {
    return inventory.regions.find((r) => r.region === region)?.regionalTables[0];
  }
  return inventory.tables.find((t) => t.name.endsWith(`-${id}`));
}

export function estimate(
  inventory: Inventory,
  scenario: Scenario,
  profiles: Readonly<Record<OperationId, OperationProfile>>,
  background: BackgroundProfiles,
  prices: PriceList,
  options: ModelOptions = defaultModelOptions(inventory),
): Estimate {
  const ledger = new Ledger(prices);
  const add = ledger.add.bind(ledger);

  // Per Region: calls per function, GB-seconds, API requests, read and write units per table.
  type Usage = {
    invocations: Map<string, number>;
    gbSeconds: Map<string, number>;
    apiRequests: number;
    rru: Map<TableId, number>;
    /** Writes that originate in this Region, base table. */
    wru: Map<TableId, number>;
    gsiWru: Map<TableId, number>;
    /** Calls that write a global table (each becomes a stream record in every replica's Region). */
    globalWrites: number;
  };
  const usage = new Map<string, Usage>(
    inventory.activeRegions.map((r) => [
      r,
      {
        invocations: new Map(),
        gbSeconds: new Map(),
        apiRequests: 0,
        rru: new Map(),
        wru: new Map(),
        gsiWru: new Map(),
        globalWrites: 0,
      },
    ]),
  );
  const bump = <K>(map: Map<K, number>, key: K, by: number) => map.set(key, (map.get(key) ?? 0) + by);
  const memoryOf = (region: string, fn: string) =>
    inventory.regions.find((r) => r.region === region)?.functions.find((f) => f.name === fn)?.memoryMb ??
    1024;
  const run = (region: string, profile: OperationProfile, calls: number) => {
    const u = usage.get(region);
    if (!u || calls <= 0) return;
    bump(u.invocations, profile.fn, calls);
    bump(
      u.gbSeconds,
      profile.fn,
      calls * (profile.durationMs / 1000) * (memoryOf(region, profile.fn) / 1024),
    );
    if (profile.api) u.apiRequests += calls;
    for (const [t, units] of Object.entries(profile.rru)) bump(u.rru, t as TableId, calls * (units ?? 0));
    for (const [t, units] of Object.entries(profile.wru)) bump(u.wru, t as TableId, calls * (units ?? 0));
    for (const [t, units] of Object.entries(profile.gsiWru))
      bump(u.gsiWru, t as TableId, calls * (units ?? 0));
    if (profile.wru.catalog || profile.wru.ledger) u.globalWrites += calls;
  };

  for (const region of inventory.activeRegions) {
    const share = options.trafficShare[region] ?? 0;
    let authorized = 0;
    for (const [id, calls] of Object.entries(scenario.monthly) as [OperationId, number][]) {
      const profile = profiles[id];
      run(region, profile, calls * share);
      if (profile.authorized) authorized += calls * share;
    }
    run(region, background.authorizerCall, authorized * background.authorizerMissRate);
    run(region, background.selectionExpiryRun, 30);
  }
  // Route 53 probes each Region's /health.
  for (const check of inventory.failover?.healthChecks ?? []) {
    if (!check.type.startsWith('HTTP') || !check.intervalSeconds) continue;
    // Endpoint checks come in Region order, one per active Region.
    const index = inventory.failover?.healthChecks
      .filter((h) => h.type.startsWith('HTTP'))
      .indexOf(check) as number;
    const region = inventory.activeRegions[index];
    if (region) {
      const probes = probesPerMonth(
        check.intervalSeconds,
        check.checkerRegions ?? 1,
        options.checkersPerRegion,
      );
      run(region, background.healthProbe, probes);
    }
  }
  // Every write to a global table reaches the streams of its replica in every active Region, whose projector
  // updates that Region's projections.
  const globalWrites = [...usage.values()].reduce((sum, u) => sum + u.globalWrites, 0);
  for (const region of inventory.activeRegions) run(region, background.projectorPerWrite, globalWrites);

  // API Gateway, WAF, Lambda, X-Ray, logs per Region.
  for (const [region, u] of usage) {
    const inv = inventory.regions.find((r) => r.region === region);
    add('API Gateway', 'REST API calls', region, u.apiRequests, 'calls', 'apigw.rest.request');
    add('WAF', 'web ACLs', region, inv?.webAcls ?? 0, 'ACL-months', 'waf.webAcl');
    add('WAF', 'rules', region, inv?.wafRules ?? 0, 'rule-months', 'waf.rule');
    add('WAF', 'requests inspected', region, u.apiRequests, 'requests', 'waf.request');
    const invocations = [...u.invocations.values()].reduce((a, b) => a + b, 0);
    const gbSeconds = [...u.gbSeconds.values()].reduce((a, b) => a + b, 0);
    add('Lambda', 'requests', region, invocations, 'invocations', 'lambda.request');
    add('Lambda', 'duration (arm64)', region, gbSeconds, 'GB-s', 'lambda.arm.gbSecond');
    if (inv?.apiTracing) {
      add(
        'X-Ray',
        'traces recorded',
        region,
        tracesRecorded(u.apiRequests, options.xraySampleRate),
        'traces',
        'xray.traceRecorded',
      );
    }
    const logGb =
      (invocations * options.logBytes.perInvocation +
        u.apiRequests * (options.logBytes.perAccessLog + options.logBytes.perWafLog)) /
      GB;
    add('CloudWatch', 'logs ingested', region, logGb, 'GB', 'cloudwatch.logs.ingest');
    add('CloudWatch', 'logs stored (90 days)', region, logGb * 3, 'GB-months', 'cloudwatch.logs.storage');
    add(
      'CloudWatch',
      'alarm metrics',
      region,
      inv?.alarmMetrics ?? 0,
      'alarm metric-months',
      'cloudwatch.alarmMetric',
    );
    add('CloudWatch', 'dashboards', region, inv?.dashboards ?? 0, 'dashboard-months', 'cloudwatch.dashboard');
    add('KMS', 'keys', region, inv?.kmsKeys ?? 0, 'key-months', 'kms.key');
  }

  // DynamoDB: reads where they happen; writes in every replica; indexes in every replica; storage per replica.
  const size = dataSize(scenario);
  const sizeOf = (id: TableId) =>
    id === 'catalog' ? size.catalogGb : id === 'ledger' ? size.ledgerGb : size.projectionsGb;
  for (const [region, u] of usage) {
    for (const [id, units] of u.rru) add('DynamoDB', `${id}: reads`, region, units, 'RRU', 'dynamodb.rru');
  }
  for (const id of ['catalog', 'ledger', 'projections'] as const) {
    for (const region of inventory.activeRegions) {
      const table = tableFor(inventory, id, region);
      if (!table) continue;
      const origin =
        id === 'projections'
          ? [usage.get(region)]
          : table.replicas.map((r) => usage.get(r)).filter((u) => u !== undefined);
      const writes = origin.reduce((s, u) => s + (u?.wru.get(id) ?? 0), 0);
      const gsiWrites = origin.reduce((s, u) => s + (u?.gsiWru.get(id) ?? 0), 0);
      if (table.consistency === 'SINGLE') {
        add('DynamoDB', `${id}: writes`, region, writes, 'WRU', 'dynamodb.wru');
      } else if (table.replicas.includes(region)) {
        const mode = table.consistency === 'STRONG' ? 'MRSC' : 'MREC';
        add('DynamoDB', `${id}: replicated writes (${mode})`, region, writes, 'rWRU', 'dynamodb.rwru');
        add('DynamoDB', `${id}: index writes`, region, gsiWrites, 'WRU', 'dynamodb.wru');
        // What this Region sends to the other replicas (1 WRU ≈ 1 KB).
        const sent = (usage.get(region)?.wru.get(id) ?? 0) * 1024 * (table.replicas.length - 1);
        add('Data transfer', `${id}: replication out`, region, sent / GB, 'GB', 'transfer.interRegion');
      }
      if (table.replicas.includes(region) || table.consistency === 'SINGLE') {
        add('DynamoDB', `${id}: storage`, region, sizeOf(id), 'GB-months', 'dynamodb.storage');
        if (table.pitr) add('DynamoDB', `${id}: PITR`, region, sizeOf(id), 'GB-months', 'dynamodb.pitr');
      }
    }
    const table = tableFor(inventory, id, inventory.activeRegions[0] ?? '');
    if (table?.witness) {
      const writes = [...usage.values()].reduce((s, u) => s + (u.wru.get(id) ?? 0), 0);
      add('DynamoDB', `${id}: MRSC witness`, table.witness, writes, 'write units', 'dynamodb.mrsc.witness');
    }
  }

  // AWS Backup: the global tables' replicas in each Region, every recovery point a full copy, copied over.
  for (const backup of inventory.backups) {
    const gb =
      inventory.tables
        .filter((t) => t.replicas.includes(backup.region))
        .reduce((s, t) => {
          const id = t.name.endsWith('-ledger') ? 'ledger' : 'catalog';
          return s + sizeOf(id);
        }, 0) * backup.recoveryPointsKept;
    add('AWS Backup', 'recovery points', backup.region, gb, 'GB-months', 'backup.dynamodb.warm');
    for (const to of backup.copyTo) {
      add('AWS Backup', `copies from ${backup.region}`, to, gb, 'GB-months', 'backup.dynamodb.warm');
      // Each month ~31 new recovery points (30 daily, 1 monthly) cross over.
      const newGb = (gb / Math.max(1, backup.recoveryPointsKept)) * 31;
      add('Data transfer', `backup copies to ${to}`, backup.region, newGb, 'GB', 'transfer.interRegion');
    }
  }

  // Failover: health checks, ARC, the us-east-1 alarms and dashboard.
  const f = inventory.failover;
  if (f) {
    for (const check of f.healthChecks) {
      if (check.type.startsWith('HTTP')) {
        add(
          'Route 53',
          'endpoint health checks',
          'global',
          1,
          'check-months',
          'route53.healthCheck.awsEndpoint',
        );
        const features =
          (check.https ? 1 : 0) +
          ((check.intervalSeconds ?? 30) < 30 ? 1 : 0) +
          (check.measureLatency ? 1 : 0);
        add(
          'Route 53',
          'health check options (HTTPS, 10 s, latency)',
          'global',
          features,
          'feature-months',
          'route53.healthCheck.optionalFeature',
        );
      } else if (check.type === 'CALCULATED') {
        add(
          'Route 53',
          'calculated health checks',
          'global',
          1,
          'check-months',
          'route53.healthCheck.calculated',
        );
      } else if (check.type === 'RECOVERY_CONTROL') {
        add(
          'Route 53',
          'routing-control health checks',
          'global',
          1,
          'check-months',
          'route53.healthCheck.recoveryControl',
        );
      }
    }
    // Resolvers cache the 60 s records; assume one latency query per 10 API calls.
    const calls = [...usage.values()].reduce((s, u) => s + u.apiRequests, 0);
    add(
      'Route 53',
      'latency-routed queries (assumed 1 per 10 calls)',
      'global',
      calls / 10,
      'queries',
      'route53.query.latency',
    );
    add(
      'ARC',
      'routing-control cluster',
      'global',
      f.clusters * HOURS_PER_MONTH,
      'cluster-hours',
      'arc.cluster',
    );
    add('ARC', 'Region switch plan', 'global', f.regionSwitchPlans, 'plan-months', 'arc.regionSwitchPlan');
    add(
      'CloudWatch',
      'alarm metrics (Route 53)',
      'us-east-1',
      f.alarmMetrics,
      'alarm metric-months',
      'cloudwatch.alarmMetric',
    );
    add(
      'CloudWatch',
      'dashboards (failover)',
      'us-east-1',
      f.dashboards,
      'dashboard-months',
      'cloudwatch.dashboard',
    );
    add('KMS', 'keys (alarm topic)', 'us-east-1', f.kmsKeys, 'key-months', 'kms.key');
  }

  const lines = ledger.lines;
  const priced = lines.filter((l) => l.usd !== null);
  return {
    scenario: scenario.name,
    lines,
    totalUsd: priced.reduce((s, l) => s + (l.usd ?? 0), 0),
    unpriced: lines.filter((l) => l.usd === null),
    standInUsd: priced.filter((l) => l.standIn).reduce((s, l) => s + (l.usd ?? 0), 0),
  };
}

/** The same system in one Region: no second Region, no replication or witness, no copies, no failover. */
export function singleRegion(inventory: Inventory): Inventory {
  const primary = inventory.activeRegions[0] as string;
  const single = (t: TableInventory): TableInventory => {
    const { witness: _witness, ...rest } = t;
    return { ...rest, consistency: 'SINGLE', replicas: [primary] };
  };
  return {
    activeRegions: [primary],
    witness: '',
    regions: inventory.regions.filter((r) => r.region === primary),
    tables: inventory.tables.map(single),
    backups: inventory.backups.filter((b) => b.region === primary).map((b) => ({ ...b, copyTo: [] })),
  };
}

/** Cheaper failover and protection choices, each as a change to the deployed inventory. */
export interface Alternative {
  readonly id: string;
  readonly title: string;
  readonly givesUp: string;
  readonly apply: (inventory: Inventory) => Inventory;
}

const withFailover = (
  inventory: Inventory,
  change: (f: NonNullable<Inventory['failover']>) => Inventory['failover'],
) => (inventory.failover ? { ...inventory, failover: change(inventory.failover) } : inventory);

export const alternatives: readonly Alternative[] = [
  {
    id: 'health-checks-only',
    title: 'Route 53 health checks alone (no ARC at all)',
    givesUp:
      "any manual override short of editing records through Route 53's control plane (us-east-1) during the event; failover is only as good as /health's view",
    apply: (inv) =>
      withFailover(inv, (f) => ({
        ...f,
        clusters: 0,
        routingControls: 0,
        regionSwitchPlans: 0,
        healthChecks: f.healthChecks.filter((h) => h.type !== 'RECOVERY_CONTROL' && h.type !== 'CALCULATED'),
      })),
  },
  {
    id: 'slow-health-checks',
    title: 'Health checks every 30 s without latency measurement',
    givesUp: 'detection time: 3 failures × 30 s = 90 s instead of 30 s before DNS moves; the latency graphs',
    apply: (inv) =>
      withFailover(inv, (f) => ({
        ...f,
        healthChecks: f.healthChecks.map((h) =>
          h.type.startsWith('HTTP') ? { ...h, intervalSeconds: 30, measureLatency: false } : h,
        ),
      })),
  },
  {
    id: 'no-backup-copies',
    title: 'AWS Backup without cross-Region copies (PITR and same-Region vaults only)',
    givesUp:
      "a recovery point that survives the loss of its Region's vault; with both replicas carrying every bad write, the only copy older than 35 days would sit in the Region that may be gone",
    apply: (inv) => ({ ...inv, backups: inv.backups.map((b) => ({ ...b, copyTo: [] })) }),
  },
];

/** What an option adds to the default deployment, and what it buys. */
export interface DeploymentOption {
  readonly id: string;
  readonly title: string;
  readonly gives: string;
  readonly apply: (inventory: Inventory) => Inventory;
}

/** Options that cost more than the default stacks, each as a change to the deployed inventory. */
export const options: readonly DeploymentOption[] = [
  {
    id: 'routing-control-cluster',
    title:
      'ARC routing-control cluster (`marketplace:routingControlCluster: true`): a routing control per Region and its health check',
    gives:
      "a manual switch on the cluster's five-Region data plane (100% SLA, tolerates two of its Regions offline) that works while any Region of ours is down, with a safety rule keeping one Region on; the default Region switch plan needs a Region of the plan up to run",
    apply: (inv) =>
      withFailover(inv, (f) => ({
        ...f,
        clusters: 1,
        routingControls: inv.activeRegions.length,
        healthChecks: [...f.healthChecks, ...inv.activeRegions.map(() => ({ type: 'RECOVERY_CONTROL' }))],
      })),
  },
];
