/**
 * Latency, throughput and capacity per route family through the local gateway, next to the floor: the same
 * DynamoDB calls made directly through the same adapters against the same DynamoDB Local, with no gateway,
 * handler or domain in between. Both run at the same concurrency for the same number of operations.
 */
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { DynamoEntityStore } from '../functions/adapters/dynamodb/entity-store.js';
import { DynamoSearchIndex } from '../functions/adapters/dynamodb/search-index.js';
import type { Contract } from '../functions/domain/contract.js';
import type { Agency } from '../functions/domain/registry.js';
import { drivingTerm, postingPartition, words } from '../functions/domain/search.js';
import type { Service } from '../functions/domain/service.js';
import type { LocalRegion } from '../local/region.js';
import { repoRoot } from '../local/paths.js';
import { mintToken, type SigningKeys } from '../local/tokens.js';
import type { LoadJob, LoadResult } from './load-child.js';

export interface OperationResult {
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly requestsPerSecond: number;
  readonly floorP50Ms: number;
  readonly floorP99Ms: number;
  readonly floorRequestsPerSecond: number;
  /** API p50 ÷ floor p50. */
  readonly ratio: number;
  readonly capacityUnits: number;
  readonly minimumCapacityUnits: number;
  readonly capacityNote: string;
}

const CONNECTIONS = 8;
const SEARCH_WORD = '문서';

export async function measureApi(
  region: LocalRegion,
  keys: SigningKeys,
  catalog: { services: Service[]; agencies: Agency[] },
  amount: number,
): Promise<Record<string, OperationResult>> {
  const db = DynamoDBDocumentClient.from(region.client);
  const entities = new DynamoEntityStore(db);
  const search = new DynamoSearchIndex(db);
  const service = catalog.services.find(
    (s) => s.status === 'LISTED' && s.networks.includes('INTERNET'),
  ) as Service;
  const agency = catalog.agencies.find((a) => a.network === 'INTERNET') as Agency;
  const agencyToken = await mintToken(keys, { sub: 'bench-agency', role: 'agency', org: agency.id });
  const providerToken = await mintToken(keys, {
    sub: 'bench-provider',
    role: 'provider',
    org: service.providerId,
  });
  const results: Record<string, OperationResult> = {};

  // Catalog read: one service by id.
  const catalogRead = await compare(
    { method: 'GET', paths: [`/v1/services/${service.id}`], headers: {} },
    () => entities.get('service', service.id),
  );
  results.catalogRead = {
    ...catalogRead.measured,
    ...(await capacity('GET', `/v1/services/${service.id}`)),
    minimumCapacityUnits: 0.5,
    capacityNote: 'one eventually consistent read of one item under 4 KB',
  };

  // Search: a Korean word, first page of 20.
  const term = postingPartition('LISTED', drivingTerm({ q: SEARCH_WORD }));
  const searchPath = `/v1/services?q=${encodeURIComponent(SEARCH_WORD)}&limit=20`;
  const searched = await compare({ method: 'GET', paths: [searchPath], headers: {} }, async () => {
    const page = await search.queryPostings({ term, filters: { words: words(SEARCH_WORD) }, limit: 20 });
    await entities.getMany('service', page.ids);
  });
  results.search = {
    ...searched.measured,
    ...(await capacity('GET', searchPath)),
    minimumCapacityUnits: 0.5 + 20 * 0.5,
    capacityNote:
      'a query of the posting list plus one batch read of the 20 services (0.5 each); postings carry the ' +
      'searchable text, so 21 of them can pass 4 KB, and embedding whole services in postings would save the ' +
      'batch read at the cost of ~45 copies of every service',
  };

  // Contract create: every request a new Idempotency-Key, so every one creates.
  const agencyAuth = { authorization: `Bearer ${agencyToken}` };
  const contractBody = JSON.stringify({
    serviceId: service.id,
    planId: service.plans[0]?.id,
    quantity: 1,
    months: 12,
    method: 'CATALOG',
  });
  const createCapacity = await capacity('POST', '/v1/contracts', contractBody, {
    ...agencyAuth,
    'idempotency-key': 'bench-capacity',
  });
  let floorSeq = 0;
  const creates = await compare(
    {
      method: 'POST',
      paths: ['/v1/contracts'],
      headers: { ...agencyAuth, 'content-type': 'application/json' },
      body: contractBody,
      idempotencyKeyPrefix: `bench-${Date.now()}`,
      collectIds: true,
    },
    async () => {
      const id = `ctr_floor${++floorSeq}`;
      await entities.findCreated('contract', id);
      await Promise.all([entities.get('agency', agency.id), entities.get('service', service.id)]);
      await entities.create('contract', floorContract(id, agency, service), {
        change: { actor: { kind: 'user', sub: 'bench', role: 'agency', org: agency.id }, action: 'create' },
        idempotency: { key: id, fingerprint: 'f' },
      });
    },
  );
  results.contractCreate = {
    ...creates.measured,
    ...createCapacity,
    minimumCapacityUnits: 1 + 2 * 3,
    capacityNote:
      'agency and service reads (0.5 each) and one conditional put of a ~1.5 KB item (2 write units) that ' +
      'both party indexes copy in full (2 more each: they project every attribute so a list page needs no ' +
      'second read); the one unit over the minimum is the strongly consistent look-up of an earlier create, ' +
      'so a retry replays its original answer before the rules are checked again',
  };

  // Sign: each request signs one contract created above, quoted by its provider first.
  const created = creates.ids;
  await Promise.all(
    created.map((id) =>
      fetch(`${region.url}/v1/contracts/${id}/quote`, {
        method: 'POST',
        headers: { authorization: `Bearer ${providerToken}`, 'content-type': 'application/json' },
        body: JSON.stringify({ amountKrw: 1 }),
      }).then((response) => response.text()),
    ),
  );
  const signCapacity = await capacity('POST', `/v1/contracts/${created.pop()}/sign`, undefined, agencyAuth);
  let floorSignSeq = 0;
  const signs = await compare(
    { method: 'POST', paths: created.map((id) => `/v1/contracts/${id}/sign`), headers: agencyAuth },
    async () => {
      const id = `ctr_floor${(floorSignSeq++ % floorSeq) + 1}`;
      const current = await entities.get<Contract>('contract', id);
      if (current) {
        await entities.update(
          'contract',
          { ...current, version: current.version + 1 },
          { actor: { kind: 'user', sub: 'bench', role: 'agency', org: agency.id }, action: 'sign' },
        );
      }
    },
    created.length,
  );
  results.sign = {
    ...signs.measured,
    ...signCapacity,
    minimumCapacityUnits: 0.5 + 2 * 3,
    capacityNote:
      'one read of the contract and one conditional update of it (~1.5 KB: 2 write units), copied in full ' +
      'to both party indexes (2 more each)',
  };
  return results;

  async function capacity(method: string, path: string, body?: string, headers: Record<string, string> = {}) {
    const response = await fetch(`${region.url}${path}`, {
      method,
      headers: { ...headers, ...(body ? { 'content-type': 'application/json' } : {}) },
      ...(body ? { body } : {}),
    });
    await response.text();
    return { capacityUnits: Number(response.headers.get('x-consumed-capacity') ?? Number.NaN) };
  }

  async function compare(
    api: Omit<LoadJob, 'url' | 'connections' | 'amount'>,
    floor: () => Promise<unknown>,
    count = amount,
  ) {
    const run = await loadInChild({ ...api, url: region.url, connections: CONNECTIONS, amount: count });
    if (run.non2xx > 0) throw new Error(`${api.method} ${api.paths[0]}: ${run.non2xx} non-2xx answers`);
    const floorRun = await pool(floor, count);
    return {
      measured: {
        p50Ms: run.p50Ms,
        p99Ms: run.p99Ms,
        requestsPerSecond: Math.round((count / run.seconds) * 10) / 10,
        floorP50Ms: floorRun.p50,
        floorP99Ms: floorRun.p99,
        floorRequestsPerSecond: floorRun.rps,
        ratio: Math.round((run.p50Ms / Math.max(floorRun.p50, 0.01)) * 100) / 100,
      },
      ids: run.ids,
    };
  }
}

/** autocannon in a child process (see load-child.ts). */
function loadInChild(job: LoadJob): Promise<LoadResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', join(repoRoot, 'bench', 'load-child.ts')], {
      cwd: repoRoot,
      stdio: ['pipe', 'pipe', 'inherit'],
    });
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => {
      out += chunk.toString();
    });
    child.once('exit', (code) =>
      code === 0
        ? resolve(JSON.parse(out) as LoadResult)
        : reject(new Error(`load child exited with ${code}`)),
    );
    child.stdin.end(JSON.stringify(job));
  });
}

/** Runs `work` `count` times with CONNECTIONS at once; latencies in milliseconds. */
export async function pool(work: () => Promise<unknown>, count: number) {
  const latencies: number[] = [];
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: CONNECTIONS }, async () => {
      while (next < count) {
        next += 1;
        const t = performance.now();
        await work();
        latencies.push(performance.now() - t);
      }
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  return { ...percentiles(latencies), rps: Math.round((count / seconds) * 10) / 10 };
}

export function percentiles(samples: number[]): { p50: number; p99: number } {
  const sorted = [...samples].sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? 0;
  return { p50: Math.round(at(0.5) * 100) / 100, p99: Math.round(at(0.99) * 100) / 100 };
}

function floorContract(id: string, agency: Agency, service: Service): Contract {
  const now = new Date().toISOString();
  const plan = service.plans[0];
  const amountKrw = (plan?.unitPriceKrw ?? 1) * 12;
  return {
    id,
    agencyId: agency.id,
    serviceId: service.id,
    providerId: service.providerId,
    planId: plan?.id ?? 'basic',
    quantity: 1,
    months: 12,
    method: 'CATALOG',
    catalogAmountKrw: amountKrw,
    amountKrw,
    status: 'QUOTED',
    requestedAt: now,
    quotedAt: now,
    signedAt: null,
    closedAt: null,
    leadTimeDays: null,
    createdAt: now,
    version: 1,
  };
}
