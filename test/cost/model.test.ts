import { describe, expect, it } from 'vitest';
import { cronIntervalDays, type Inventory, inventoryOf, type StackTemplate } from '../../cost/inventory.js';
import {
  alternatives,
  estimate,
  HOURS_PER_MONTH,
  options,
  probesPerMonth,
  SECONDS_PER_MONTH,
  singleRegion,
  tracesRecorded,
} from '../../cost/model.js';
import { loadPriceList, parsePriceList, type Price, type PriceList, priceOf } from '../../cost/prices.js';
import { buildReport } from '../../cost/report.js';
import {
  backgroundProfiles,
  type BenchMeasurements,
  operationProfiles,
  type Scenario,
  todayTraffic,
} from '../../cost/workload.js';

const price = (id: Price['id'], usd: number | null, per = 1, regions = ['*']): Price => ({
  id,
  regions,
  usd,
  per,
  unit: 'unit',
  exact: usd !== null,
  source: 'test',
  read: '2026-11-26',
  note: '',
});

/** Round numbers so every expected figure can be worked out by hand. */
const prices: PriceList = {
  currency: 'USD',
  prices: [
    price('apigw.rest.request', 1, 1_000_000),
    price('lambda.request', 1, 1_000_000),
    price('lambda.arm.gbSecond', 1, 1000),
    price('dynamodb.rru', 1, 1_000_000),
    price('dynamodb.wru', 2, 1_000_000, ['ap-northeast-2']),
    price('dynamodb.wru', 3, 1_000_000, ['ap-northeast-1']),
    price('dynamodb.rwru', 2, 1_000_000, ['ap-northeast-2']),
    price('dynamodb.rwru', 3, 1_000_000, ['ap-northeast-1']),
    price('dynamodb.mrsc.witness', null),
    price('waf.webAcl', 5),
    price('waf.rule', 1),
    price('waf.request', 1, 1_000_000),
    price('arc.cluster', 2),
    price('kms.key', 1),
  ],
};

const bench: BenchMeasurements = {
  file: 'bench/results/test.json',
  operations: {
    catalogRead: { p50Ms: 100, capacityUnits: 0.5 },
    search: { p50Ms: 100, capacityUnits: 12 },
    contractCreate: { p50Ms: 100, capacityUnits: 14 },
    sign: { p50Ms: 100, capacityUnits: 16.5 },
  },
};

const fn = (name: string) => ({ name, memoryMb: 1024, arm: true, tracing: false });
const region = (name: string) => ({
  region: name,
  functions: ['services', 'contracts', 'health', 'projector', 'authorizer', 'selection-expiry'].map(fn),
  alarms: 0,
  alarmMetrics: 0,
  dashboards: 0,
  logGroups: 0,
  kmsKeys: 1,
  webAcls: 1,
  wafRules: 4,
  apiTracing: false,
  regionalTables: [],
});

const inventory: Inventory = {
  activeRegions: ['ap-northeast-2', 'ap-northeast-1'],
  witness: 'ap-northeast-3',
  regions: [region('ap-northeast-2'), region('ap-northeast-1')],
  tables: [
    {
      name: 'dsm-catalog',
      consistency: 'EVENTUAL',
      replicas: ['ap-northeast-1', 'ap-northeast-2'],
      gsis: 0,
      pitr: false,
      stream: true,
    },
    {
      name: 'dsm-ledger',
      consistency: 'STRONG',
      replicas: ['ap-northeast-1', 'ap-northeast-2'],
      witness: 'ap-northeast-3',
      gsis: 2,
      pitr: false,
      stream: true,
    },
  ],
  backups: [],
  failover: {
    alarms: 0,
    alarmMetrics: 0,
    dashboards: 0,
    logGroups: 0,
    kmsKeys: 0,
    clusters: 1,
    routingControls: 2,
    regionSwitchPlans: 0,
    healthChecks: [],
    records: 2,
  },
};

const quiet = backgroundProfiles(bench);
/** No probes, no projector, no schedule, no authorizer: only what the test's scenario asks for. */
const background = {
  ...quiet,
  projectorPerWrite: { ...quiet.projectorPerWrite, durationMs: 0, wru: {} },
  selectionExpiryRun: { ...quiet.selectionExpiryRun, durationMs: 0, rru: {} },
  authorizerMissRate: 0,
};

const only = (monthly: Partial<Scenario['monthly']>): Scenario => ({
  name: 'test',
  description: '',
  monthly: { ...todayTraffic(0), ...monthly },
  services: 0,
  agencies: 0,
  contractsPerYear: 0,
});

const usdOf = (e: ReturnType<typeof estimate>, group: string, item: string, region?: string) =>
  e.lines
    .filter((l) => l.group === group && l.item === item && (region === undefined || l.region === region))
    .reduce((s, l) => s + (l.usd ?? 0), 0);

describe('cost model arithmetic', () => {
  const profiles = operationProfiles(bench);

  it('prices API calls, WAF and Lambda in the Region that serves them', () => {
    // 1 M catalog reads in Seoul (all traffic goes to the primary by default).
    const e = estimate(inventory, only({ catalogRead: 1_000_000 }), profiles, background, prices);
    expect(usdOf(e, 'API Gateway', 'REST API calls', 'ap-northeast-2')).toBeCloseTo(1);
    expect(usdOf(e, 'API Gateway', 'REST API calls', 'ap-northeast-1')).toBe(0);
    expect(usdOf(e, 'WAF', 'requests inspected', 'ap-northeast-2')).toBeCloseTo(1);
    // Fixed WAF charges in both Regions: an ACL ($5) and 4 rules ($1 each).
    expect(usdOf(e, 'WAF', 'web ACLs')).toBe(10);
    expect(usdOf(e, 'WAF', 'rules')).toBe(8);
    // 1 M invocations; 1 M × 0.1 s × 1 GB = 100,000 GB-s at $1 per 1,000.
    expect(usdOf(e, 'Lambda', 'requests', 'ap-northeast-2')).toBeCloseTo(1);
    expect(usdOf(e, 'Lambda', 'duration (arm64)', 'ap-northeast-2')).toBeCloseTo(100);
    // 0.5 RRU each: 500,000 RRU at $1 per million.
    expect(usdOf(e, 'DynamoDB', 'catalog: reads', 'ap-northeast-2')).toBeCloseTo(0.5);
    // ARC: one cluster × 730 h × $2.
    expect(usdOf(e, 'ARC', 'routing-control cluster')).toBe(2 * HOURS_PER_MONTH);
  });

  it('bills a global table write in every replica, index writes in every Region, and leaves the witness unpriced', () => {
    // 1 M contract creates: 2 base units and 4 index units each.
    const e = estimate(inventory, only({ contractCreate: 1_000_000 }), profiles, background, prices);
    // 2 M rWRU in Seoul at $2/M and again in Tokyo at $3/M.
    expect(usdOf(e, 'DynamoDB', 'ledger: replicated writes (MRSC)', 'ap-northeast-2')).toBeCloseTo(4);
    expect(usdOf(e, 'DynamoDB', 'ledger: replicated writes (MRSC)', 'ap-northeast-1')).toBeCloseTo(6);
    // 4 M index WRU in each Region.
    expect(usdOf(e, 'DynamoDB', 'ledger: index writes', 'ap-northeast-2')).toBeCloseTo(8);
    expect(usdOf(e, 'DynamoDB', 'ledger: index writes', 'ap-northeast-1')).toBeCloseTo(12);
    const witness = e.unpriced.find((l) => l.item === 'ledger: MRSC witness');
    expect(witness).toMatchObject({ region: 'ap-northeast-3', quantity: 2_000_000, usd: null });
    // An unpriced line never reaches the total.
    expect(e.totalUsd).toBeCloseTo(e.lines.reduce((s, l) => s + (l.usd ?? 0), 0));
  });

  it('counts Route 53 probes of /health as traffic in the probed Region', () => {
    expect(probesPerMonth(10, 5, 1)).toBe((SECONDS_PER_MONTH / 10) * 5);
    const withChecks: Inventory = {
      ...inventory,
      failover: {
        ...(inventory.failover as NonNullable<Inventory['failover']>),
        healthChecks: [
          { type: 'HTTPS', intervalSeconds: 10, checkerRegions: 5, measureLatency: true, https: true },
          { type: 'HTTPS', intervalSeconds: 30, checkerRegions: 5, measureLatency: true, https: true },
        ],
      },
    };
    const e = estimate(
      withChecks,
      only({}),
      profiles,
      { ...background, healthProbe: quiet.healthProbe },
      prices,
    );
    const calls = (r: string) => e.lines.find((l) => l.item === 'REST API calls' && l.region === r)?.quantity;
    expect(calls('ap-northeast-2')).toBeCloseTo(probesPerMonth(10, 5, 1));
    expect(calls('ap-northeast-1')).toBeCloseTo(probesPerMonth(30, 5, 1));
  });

  it('samples X-Ray traces: one a second, then a share of the rest', () => {
    expect(tracesRecorded(1000, 0.05)).toBe(1000);
    expect(tracesRecorded(SECONDS_PER_MONTH + 100, 0.05)).toBeCloseTo(SECONDS_PER_MONTH + 5);
  });

  it('takes a single-Region variant and the alternatives from the inventory', () => {
    const single = singleRegion(inventory);
    expect(single.activeRegions).toEqual(['ap-northeast-2']);
    expect(single.tables.every((t) => t.consistency === 'SINGLE' && t.witness === undefined)).toBe(true);
    expect(single.failover).toBeUndefined();
    const withoutCluster: Inventory = {
      ...inventory,
      failover: {
        ...(inventory.failover as NonNullable<Inventory['failover']>),
        clusters: 0,
        routingControls: 0,
      },
    };
    const withCluster = options.find((o) => o.id === 'routing-control-cluster')?.apply(withoutCluster);
    expect(withCluster?.failover?.clusters).toBe(1);
    expect(withCluster?.failover?.routingControls).toBe(2);
    expect(withCluster?.failover?.healthChecks.filter((h) => h.type === 'RECOVERY_CONTROL')).toHaveLength(2);
    expect(alternatives.map((a) => a.id)).not.toContain('region-switch-no-cluster');

    const report = buildReport({
      inventory: withoutCluster,
      scenarios: [{ ...only({ contractCreate: 1_000_000 }), name: 'today' }],
      profiles,
      background,
      prices,
      benchFile: bench.file,
    });
    const dr = report.drPremium;
    expect(dr.premiumUsd).toBeCloseTo(dr.deployedUsd - dr.singleRegionUsd);
    // The cluster, an option, adds exactly its hours (the routing-control checks have no price here).
    expect(dr.options.find((o) => o.id === 'routing-control-cluster')?.addsUsd).toBeCloseTo(
      2 * HOURS_PER_MONTH,
    );
    expect(dr.unpricedOnlyInDr.some((k) => k.includes('MRSC witness'))).toBe(true);
  });

  it("refuses a bench result whose capacity no longer matches the model's split", () => {
    const changed = { ...bench, operations: { ...bench.operations, sign: { p50Ms: 1, capacityUnits: 7 } } };
    expect(() => operationProfiles(changed)).toThrow(/sign: the bench measured 7/);
  });
});

describe('prices', () => {
  it('prefers a Region entry over the stand-in and refuses an "exact" unknown price', () => {
    expect(priceOf(prices, 'dynamodb.wru', 'ap-northeast-1')?.usd).toBe(3);
    expect(priceOf(prices, 'dynamodb.rru', 'ap-northeast-1')?.regions).toEqual(['*']);
    expect(() =>
      parsePriceList({ currency: 'USD', prices: [{ ...price('kms.key', null), exact: true }] }),
    ).toThrow(/unknown price cannot be exact/);
  });

  it('the committed price list names a source and a read date for every price', () => {
    const list = loadPriceList();
    for (const p of list.prices) {
      expect(p.source).not.toBe('');
      expect(p.read).toMatch(/^\d{4}-\d{2}-\d{2}$/);
      if (p.usd === null) expect(p.exact).toBe(false);
    }
    // Every price the model asks for has an entry (known or explicitly unknown).
    const ids = new Set(list.prices.map((p) => p.id));
    for (const id of ['apigw.rest.request', 'lambda.arm.gbSecond', 'dynamodb.rwru', 'arc.cluster'] as const) {
      expect(ids.has(id)).toBe(true);
    }
  });
});

describe('inventory from templates', () => {
  it('counts functions, alarm metrics, tables, backups and health checks', () => {
    const regionStack = (r: string): StackTemplate => ({
      name: `dsm-region-${r}`,
      region: r,
      resources: {
        Api: { Type: 'AWS::ApiGateway::RestApi' },
        Fn: {
          Type: 'AWS::Lambda::Function',
          Properties: {
            MemorySize: 512,
            Architectures: ['arm64'],
            Environment: { Variables: { POWERTOOLS_SERVICE_NAME: 'marketplace-health' } },
          },
        },
        Deploy: { Type: 'AWS::Lambda::Function', Properties: {} },
        A1: { Type: 'AWS::CloudWatch::Alarm', Properties: {} },
        A2: {
          Type: 'AWS::CloudWatch::Alarm',
          Properties: { Metrics: [{ MetricStat: {} }, { MetricStat: {} }, { Expression: 'a+b' }] },
        },
        Acl: { Type: 'AWS::WAFv2::WebACL', Properties: { Rules: [{}, {}, {}] } },
      },
    });
    const stacks: StackTemplate[] = [
      {
        name: 'dsm-data',
        region: 'ap-northeast-2',
        resources: {
          Ledger: {
            Type: 'AWS::DynamoDB::GlobalTable',
            Properties: {
              TableName: 'dsm-ledger',
              MultiRegionConsistency: 'STRONG',
              GlobalTableWitnesses: [{ Region: 'ap-northeast-3' }],
              GlobalSecondaryIndexes: [{}, {}],
              Replicas: [
                {
                  Region: 'ap-northeast-1',
                  PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
                },
                {
                  Region: 'ap-northeast-2',
                  PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
                },
              ],
            },
          },
        },
      },
      regionStack('ap-northeast-2'),
      regionStack('ap-northeast-1'),
      {
        name: 'dsm-backup-ap-northeast-2',
        region: 'ap-northeast-2',
        resources: {
          Plan: {
            Type: 'AWS::Backup::BackupPlan',
            Properties: {
              BackupPlan: {
                BackupPlanRule: [
                  {
                    ScheduleExpression: 'cron(0 18 * * ? *)',
                    Lifecycle: { DeleteAfterDays: 35 },
                    CopyActions: [
                      { DestinationBackupVaultArn: 'arn:aws:backup:ap-northeast-1:1:backup-vault:v' },
                    ],
                  },
                  { ScheduleExpression: 'cron(0 19 1 * ? *)', Lifecycle: { DeleteAfterDays: 365 } },
                ],
              },
            },
          },
        },
      },
      {
        name: 'dsm-failover-dns',
        region: 'us-east-1',
        resources: {
          Hc: {
            Type: 'AWS::Route53::HealthCheck',
            Properties: {
              HealthCheckConfig: {
                Type: 'HTTPS',
                RequestInterval: 10,
                MeasureLatency: true,
                Regions: ['a', 'b', 'c'],
              },
            },
          },
        },
      },
    ];
    const inv = inventoryOf(stacks, ['ap-northeast-2', 'ap-northeast-1']);
    expect(inv.regions[0]?.functions).toEqual([{ name: 'health', memoryMb: 512, arm: true, tracing: false }]);
    expect(inv.regions[0]).toMatchObject({ alarms: 2, alarmMetrics: 3, webAcls: 1, wafRules: 3 });
    expect(inv.tables).toEqual([
      expect.objectContaining({
        name: 'dsm-ledger',
        consistency: 'STRONG',
        witness: 'ap-northeast-3',
        gsis: 2,
        pitr: true,
      }),
    ]);
    expect(inv.backups).toEqual([
      { region: 'ap-northeast-2', copyTo: ['ap-northeast-1'], recoveryPointsKept: 35 + 13 },
    ]);
    expect(inv.failover?.healthChecks).toEqual([
      { type: 'HTTPS', intervalSeconds: 10, measureLatency: true, checkerRegions: 3, https: true },
    ]);
    expect(cronIntervalDays('cron(0 18 * * ? *)')).toBe(1);
    expect(cronIntervalDays('cron(0 19 1 * ? *)')).toBe(30);
  });
});
