/**
 * What the deployment does in a month: the scenarios (idle, today's real-world scale, 10×, 100×), and what each
 * operation costs in requests, Lambda time and DynamoDB capacity. Capacity and durations of the benchmarked
 * operations come from the newest `bench/results/*.json`; everything else is an assumption, named as one.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { projectRoot } from '../infra/constructs/handler-function.js';

/** Tables an operation reads or writes. */
export type TableId = 'catalog' | 'ledger' | 'projections';

export interface OperationProfile {
  /** The function that serves it (`functions/handlers/<fn>.ts`). */
  readonly fn: string;
  /** Passes API Gateway and WAF (false for stream and schedule triggers). */
  readonly api: boolean;
  /** Needs a token, so may invoke the authorizer. */
  readonly authorized: boolean;
  /** Billed Lambda duration per call. */
  readonly durationMs: number;
  /** Read request units per call, by table. */
  readonly rru: Partial<Record<TableId, number>>;
  /** Base-table write units per call (every replica of a global table bills them again as rWRU), by table. */
  readonly wru: Partial<Record<TableId, number>>;
  /** Index write units per call (billed as WRU in every replica's Region), by table. */
  readonly gsiWru: Partial<Record<TableId, number>>;
  /** Where the figures come from. */
  readonly basis: string;
}

export type OperationId =
  | 'catalogRead'
  | 'search'
  | 'contractCreate'
  | 'contractTransition'
  | 'contractRead'
  | 'serviceWrite'
  | 'statsRead'
  | 'auditRead';

export interface BenchOperation {
  readonly p50Ms: number;
  readonly capacityUnits: number;
}

/** What the newest bench result measured per operation, and which file it came from. */
export interface BenchMeasurements {
  readonly file: string;
  readonly operations: Readonly<Record<'catalogRead' | 'search' | 'contractCreate' | 'sign', BenchOperation>>;
}

/** Reads the newest `bench/results/*.json` that has the four measured operations. */
export function latestBench(dir = join(projectRoot, 'bench', 'results')): BenchMeasurements {
  const files = readdirSync(dir)
    .filter((f) => f.endsWith('.json'))
    .sort()
    .reverse();
  for (const file of files) {
    const result = JSON.parse(readFileSync(join(dir, file), 'utf8')) as {
      operations?: Record<string, BenchOperation>;
    };
    const ops = result.operations;
    if (ops?.catalogRead && ops.search && ops.contractCreate && ops.sign) {
      return {
        file: `bench/results/${file}`,
        operations: {
          catalogRead: ops.catalogRead,
          search: ops.search,
          contractCreate: ops.contractCreate,
          sign: ops.sign,
        },
      };
    }
  }
  throw new Error(`no bench result with catalogRead, search, contractCreate and sign in ${dir}`);
}

/**
 * Per-operation profiles. The four benchmarked operations take their total capacity and median duration from
 * the bench (the local gateway's p50, which includes its transport: an upper bound of billed Lambda time); how
 * their capacity splits into reads, base writes and index writes follows the bench's capacity notes, and the
 * split must add up to what the bench measured (checked here). The rest are assumptions.
 */
export function operationProfiles(bench: BenchMeasurements): Record<OperationId, OperationProfile> {
  const b = bench.operations;
  const measured = (
    name: keyof BenchMeasurements['operations'],
    split: { rru: number; wru: number; gsiWru: number },
  ) => {
    const sum = split.rru + split.wru + split.gsiWru;
    if (Math.abs(sum - b[name].capacityUnits) > 1e-9) {
      throw new Error(
        `${name}: the bench measured ${b[name].capacityUnits} capacity units but the cost model splits ${sum}; update cost/workload.ts`,
      );
    }
  };
  // catalogRead: one eventually consistent read of one item under 4 KB.
  measured('catalogRead', { rru: 0.5, wru: 0, gsiWru: 0 });
  // search: a posting-list query plus a batch read of 20 services.
  measured('search', { rru: b.search.capacityUnits, wru: 0, gsiWru: 0 });
  // contractCreate: agency and service reads (0.5 each), a strongly consistent idempotency look-up (1), one
  // conditional put of a ~1.5 KB item (2) copied in full by the five ledger indexes (2 each).
  measured('contractCreate', { rru: 2, wru: 2, gsiWru: 10 });
  // sign: a read of the contract (0.5) and a conditional update (2), copied by the party indexes and the admin
  // feed (2 each) and moved, delete and put, in the status and plan-in-use indexes (4 each).
  measured('sign', { rru: 0.5, wru: 2, gsiWru: 14 });
  return {
    catalogRead: {
      fn: 'services',
      api: true,
      authorized: true,
      durationMs: b.catalogRead.p50Ms,
      rru: { catalog: 0.5 },
      wru: {},
      gsiWru: {},
      basis: `bench ${bench.file}: ${b.catalogRead.capacityUnits} units, p50 ${b.catalogRead.p50Ms} ms`,
    },
    search: {
      fn: 'services',
      api: true,
      authorized: true,
      durationMs: b.search.p50Ms,
      rru: { catalog: b.search.capacityUnits },
      wru: {},
      gsiWru: {},
      basis: `bench: ${b.search.capacityUnits} units, p50 ${b.search.p50Ms} ms`,
    },
    contractCreate: {
      fn: 'contracts',
      api: true,
      authorized: true,
      durationMs: b.contractCreate.p50Ms,
      rru: { catalog: 1, ledger: 1 },
      wru: { ledger: 2 },
      gsiWru: { ledger: 4 },
      basis: `bench: ${b.contractCreate.capacityUnits} units, p50 ${b.contractCreate.p50Ms} ms`,
    },
    contractTransition: {
      fn: 'contracts',
      api: true,
      authorized: true,
      durationMs: b.sign.p50Ms,
      rru: { ledger: 0.5 },
      wru: { ledger: 2 },
      gsiWru: { ledger: 4 },
      basis: `bench (sign): ${b.sign.capacityUnits} units, p50 ${b.sign.p50Ms} ms; quote and complete assumed alike`,
    },
    contractRead: {
      fn: 'contracts',
      api: true,
      authorized: true,
      durationMs: b.sign.p50Ms,
      rru: { ledger: 4 },
      wru: {},
      gsiWru: {},
      basis:
        'assumed: a list page of 20 contracts of ~1.5 KB from a party index, eventually consistent (4 units)',
    },
    serviceWrite: {
      fn: 'services',
      api: true,
      authorized: true,
      durationMs: b.contractCreate.p50Ms,
      rru: { catalog: 1 },
      wru: { catalog: 10 },
      gsiWru: {},
      basis:
        'assumed: read, then the service (~2 KB), its version record and changed search postings (10 units)',
    },
    statsRead: {
      fn: 'stats',
      api: true,
      authorized: false,
      durationMs: b.catalogRead.p50Ms,
      rru: { projections: 0.5 },
      wru: {},
      gsiWru: {},
      basis: 'assumed: one eventually consistent read of the statistics projection',
    },
    auditRead: {
      fn: 'audit',
      api: true,
      authorized: true,
      durationMs: b.sign.p50Ms,
      rru: { catalog: 4 },
      wru: {},
      gsiWru: {},
      basis: 'assumed: a page of 20 audit events, eventually consistent (4 units)',
    },
  };
}

/** What runs whatever the traffic: Route 53 probes, the projector per write, the daily expiry job. */
export interface BackgroundProfiles {
  /** One `/health` call: a strongly consistent read of each of the three tables. */
  readonly healthProbe: OperationProfile;
  /** Per write that reaches a Region's streams (both Regions see every write of a global table). */
  readonly projectorPerWrite: OperationProfile;
  /** The daily selection-expiry run in each Region. */
  readonly selectionExpiryRun: OperationProfile;
  /** A token verification (cache miss). */
  readonly authorizerCall: OperationProfile;
  /** Share of authorized calls that reach the authorizer (API Gateway caches its answer per token). */
  readonly authorizerMissRate: number;
}

export function backgroundProfiles(bench: BenchMeasurements): BackgroundProfiles {
  return {
    healthProbe: {
      fn: 'health',
      api: true,
      authorized: false,
      durationMs: bench.operations.catalogRead.p50Ms,
      rru: { catalog: 1, ledger: 1, projections: 1 },
      wru: {},
      gsiWru: {},
      basis:
        'functions/adapters/dynamodb/health-probe.ts: three strongly consistent GetItems; duration as catalogRead',
    },
    projectorPerWrite: {
      fn: 'projector',
      api: false,
      authorized: false,
      durationMs: 50,
      rru: {},
      wru: { projections: 2 },
      gsiWru: {},
      basis:
        'assumed: one invocation per change (no batching: an upper bound), 50 ms, 2 units of projection updates',
    },
    selectionExpiryRun: {
      fn: 'selection-expiry',
      api: false,
      authorized: false,
      durationMs: 1000,
      rru: { catalog: 10 },
      wru: {},
      gsiWru: {},
      basis: 'assumed: one 1 s run a day (infra/constructs/selection-expiry.ts schedule) reading 10 units',
    },
    authorizerCall: {
      fn: 'authorizer',
      api: false,
      authorized: false,
      durationMs: 10,
      rru: {},
      wru: {},
      gsiWru: {},
      basis: 'assumed: 10 ms to verify a JWT with cached keys',
    },
    authorizerMissRate: 0.2,
  };
}

export interface Scenario {
  readonly name: string;
  readonly description: string;
  /** API operations in a month. */
  readonly monthly: Readonly<Record<OperationId, number>>;
  /** Stored data, for storage, PITR and backups. */
  readonly services: number;
  readonly agencies: number;
  readonly contractsPerYear: number;
}

/** Today's real-world scale (DESIGN.md §1). */
export const TODAY = { services: 632, agencies: 685, contractsPerYear: 1964 } as const;

/**
 * Browsing and search traffic at today's scale, per month. There is no published traffic figure; the
 * assumption: each of the 685 agencies' buyers browses the catalog twice a week (25 service pages and 10
 * searches a session, ~4.3 weeks), doubled for providers watching their own listings and the public; each
 * contract (1,964 a year) goes through three transitions (quote, sign, complete) and its parties list their
 * contracts 4 times a month per agency; every service changes twice a month; the statistics page and admins'
 * audit reads are small.
 */
export function todayTraffic(scale = 1): Record<OperationId, number> {
  const weeks = 30.42 / 7;
  const sessions = TODAY.agencies * 2 * weeks * 2;
  const contracts = TODAY.contractsPerYear / 12;
  const monthly: Record<OperationId, number> = {
    catalogRead: sessions * 25,
    search: sessions * 10,
    contractCreate: contracts,
    contractTransition: contracts * 3,
    contractRead: TODAY.agencies * 4 + contracts * 10,
    serviceWrite: TODAY.services * 2,
    statsRead: 10_000,
    auditRead: 2_000,
  };
  return Object.fromEntries(Object.entries(monthly).map(([k, v]) => [k, Math.round(v * scale)])) as Record<
    OperationId,
    number
  >;
}

export function scenarios(): Scenario[] {
  const none = Object.fromEntries(Object.keys(todayTraffic()).map((k) => [k, 0])) as Record<
    OperationId,
    number
  >;
  const scaled = (name: string, factor: number, description: string): Scenario => ({
    name,
    description,
    monthly: todayTraffic(factor),
    services: TODAY.services * factor,
    agencies: TODAY.agencies * factor,
    contractsPerYear: TODAY.contractsPerYear * factor,
  });
  return [
    {
      name: 'idle',
      description: "no API traffic; today's data stored; Route 53 probes, schedules and fixed charges only",
      monthly: none,
      ...TODAY,
    },
    scaled(
      'today',
      1,
      '632 services, 685 agencies, 1,964 contracts a year; browsing as assumed in cost/workload.ts',
    ),
    scaled('10x', 10, "10× today's traffic and data"),
    scaled('100x', 100, "100× today's traffic and data"),
  ];
}

/** How large the stored data is, per table (base items plus index copies), in GB. */
export interface DataSize {
  readonly catalogGb: number;
  readonly ledgerGb: number;
  readonly projectionsGb: number;
}

/**
 * Assumed item sizes: a service with its versions and search postings ~20 KB, an agency ~1 KB, a contract
 * ~1.5 KB stored three times (base and both party indexes) and kept for three years, projections ~1 KB per
 * service and agency.
 */
export function dataSize(s: Pick<Scenario, 'services' | 'agencies' | 'contractsPerYear'>): DataSize {
  const gb = (kb: number) => kb / (1024 * 1024);
  return {
    catalogGb: gb(s.services * 20 + s.agencies * 1),
    ledgerGb: gb(s.contractsPerYear * 3 * 1.5 * 3),
    projectionsGb: gb((s.services + s.agencies) * 1),
  };
}
