/**
 * Latency, throughput and capacity per route family through the local gateway, next to the floor: the same
 * DynamoDB calls made directly through the same adapters against the same DynamoDB Local, with no gateway,
 * handler or domain in between. Both run at the same concurrency for the same number of operations.
 *
 * A third run puts the floor's calls behind a bare HTTP server and drives it with the same load generator:
 * on a 2-core machine the HTTP hop and the load generator share the CPUs with DynamoDB Local, so this
 * "transport floor" separates what any HTTP API would pay here from what the gateway and handler add.
 */
import { spawn } from 'node:child_process';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { documentClient } from '../functions/adapters/dynamodb/client.js';
import { DynamoEntityStore } from '../functions/adapters/dynamodb/entity-store.js';
import { DynamoSearchIndex } from '../functions/adapters/dynamodb/search-index.js';
import type { User } from '../functions/domain/caller.js';
import { leadTimeDays, requestedContract } from '../functions/domain/contract.js';
import { drivingTerm, postingPartition, words } from '../functions/domain/search.js';
import { apiClient, bearer, type Schemas } from '../local/api-client/client.js';
import type { LocalRegion } from '../local/region.js';
import { repoRoot } from '../local/paths.js';
import { median, percentiles } from '../local/percentiles.js';
import { mintToken, type SigningKeys } from '../local/tokens.js';
import type { LoadJob, LoadResult } from './load-child.js';
import type { Agency, Contract, Service } from '../functions/domain/entities.js';

export interface OperationResult {
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly requestsPerSecond: number;
  readonly floorP50Ms: number;
  readonly floorP99Ms: number;
  readonly floorRequestsPerSecond: number;
  /** API p50 ÷ floor p50. */
  readonly ratio: number;
  /**
   * The floor's calls behind a bare Node HTTP server, driven by the same load generator: what HTTP and the
   * load generator cost on this machine before any gateway or handler code runs.
   */
  readonly transportFloorP50Ms: number;
  /** API p50 ÷ transport floor p50: what the gateway, handler and domain add. */
  readonly ratioToTransport: number;
  readonly capacityUnits: number;
  readonly minimumCapacityUnits: number;
  readonly capacityNote: string;
}

const CONNECTIONS = 8;
const SEARCH_WORD = '문서';
/** Untimed operations before measuring, as a share of one round. */
const WARMUP_SHARE = 0.25;
/**
 * Untimed reads before measuring, at least: V8 moves the request path's functions to its optimizing tiers
 * only after thousands of calls, and the gateway, handler and SDK code of a read is many functions.
 * Measured here (`node --cpu-prof` and CPU time per request, catalog read): the API's CPU per request fell
 * over its first ~2,500 requests, to within 5–10 % of the bare server's, which is warm after a few hundred.
 * The first operations measured (the reads) would otherwise pay the whole process's compilation: with a
 * quick run's 38 warm-up reads the catalog read measured 1.55× the transport floor, warm 1.0–1.1×.
 */
const READ_WARMUP = 2000;
/**
 * Catalog reads per measured round, at least. A quick run's 150 reads last ~0.2 s at 8 connections, so one
 * scheduler hiccup on the shared machine moved that round's p50: seven quick runs of the same code measured
 * the ratio to the transport floor anywhere from 1.12× to 1.34×. A round of 1,000 lasts about a second.
 */
const CATALOG_READS_PER_ROUND = 1000;
/** Measured rounds per operation; each side's median round is kept. */
const ROUNDS = 3;

export async function measureApi(
  region: LocalRegion,
  keys: SigningKeys,
  catalog: { services: Service[]; agencies: Agency[] },
  amount: number,
): Promise<Record<string, OperationResult>> {
  // The client the functions build, so the floor's calls are the same requests (consumed capacity included).
  const db = documentClient();
  const entities = new DynamoEntityStore(db);
  const search = new DynamoSearchIndex(db);
  const service = catalog.services.find(
    (s) => s.status === 'LISTED' && s.networks.includes('INTERNET'),
  ) as Service;
  const agency = catalog.agencies.find((a) => a.network === 'INTERNET') as Agency;
  /** Who the floor's writes are recorded as, as the API records the calling agency. */
  const floorAgent: User = { kind: 'user', sub: 'bench', role: 'agency', org: agency.id };
  const agencyToken = await mintToken(keys, { sub: 'bench-agency', role: 'agency', org: agency.id });
  const providerToken = await mintToken(keys, {
    sub: 'bench-provider',
    role: 'provider',
    org: service.providerId,
  });
  const results: Record<string, OperationResult> = {};
  // Set-up calls and capacity probes go through the typed client; the timed load is autocannon's (load-child).
  const api = apiClient(region.url);

  // Catalog read: one service by id.
  const catalogRead = await compare(
    { method: 'GET', paths: [`/v1/services/${service.id}`], headers: {} },
    () => entities.get('service', service.id),
    Math.max(amount, CATALOG_READS_PER_ROUND),
  );
  results.catalogRead = {
    ...catalogRead.measured,
    ...(await capacity(api.GET('/v1/services/{id}', { params: { path: { id: service.id } } }))),
    minimumCapacityUnits: 0.5,
    capacityNote: 'one eventually consistent read of one item under 4 KB',
  };

  // Search: a Korean word, first page of 20.
  const term = postingPartition('LISTED', drivingTerm({ q: SEARCH_WORD }));
  const searchPath = `/v1/services?q=${encodeURIComponent(SEARCH_WORD)}&limit=20`;
  const searched = await compare({ method: 'GET', paths: [searchPath], headers: {} }, async () => {
    const page = await search.queryPostings({ term, filters: { words: words(SEARCH_WORD) }, limit: 20 });
    return { items: await entities.getMany('service', page.ids) };
  });
  results.search = {
    ...searched.measured,
    ...(await capacity(api.GET('/v1/services', { params: { query: { q: SEARCH_WORD, limit: 20 } } }))),
    minimumCapacityUnits: 0.5 + 20 * 0.5,
    capacityNote:
      'a query of the posting list plus one batch read of the 20 services (0.5 each); postings carry the ' +
      'searchable text, so 21 of them can pass 4 KB, and embedding whole services in postings would save the ' +
      'batch read at the cost of ~45 copies of every service',
  };

  // Contract create: every request a new Idempotency-Key, so every one creates.
  const agencyAuth = bearer(agencyToken);
  const contractInput: Schemas['ContractInput'] = {
    serviceId: service.id,
    planId: service.plans[0]?.id ?? 'basic',
    quantity: 1,
    months: 12,
    method: 'CATALOG',
  };
  const contractBody = JSON.stringify(contractInput);
  const createCapacity = await capacity(
    api.POST('/v1/contracts', {
      headers: agencyAuth,
      params: { header: { 'Idempotency-Key': 'bench-capacity' } },
      body: contractInput,
    }),
  );
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
      const contract = floorContract(id, agency, service);
      await entities.create('contract', contract, {
        change: { actor: floorAgent, action: 'create' },
        idempotency: { key: id, fingerprint: 'f' },
      });
      return contract;
    },
  );
  results.contractCreate = {
    ...creates.measured,
    ...createCapacity,
    minimumCapacityUnits: 1 + 2 * 6,
    capacityNote:
      'agency and service reads (0.5 each) and one conditional put of a ~1.5 KB item (2 write units) that ' +
      'the five ledger indexes copy in full (2 more each: the two party lists, the admin feed, status, and ' +
      'plan-in-use; they project every attribute so a list page needs no second read); the one unit over ' +
      'the minimum is the strongly consistent look-up of an earlier create, so a retry replays its original ' +
      'answer before the rules are checked again',
  };

  // Sign: each request signs one contract created above, quoted by its provider first.
  const created = creates.ids;
  const toQuote = [...created];
  await pool(
    () =>
      api.POST('/v1/contracts/{id}/quote', {
        headers: bearer(providerToken),
        params: { path: { id: String(toQuote.pop()) } },
        body: { amountKrw: 1 },
      }),
    toQuote.length,
  );
  const signCapacity = await capacity(
    api.POST('/v1/contracts/{id}/sign', {
      headers: agencyAuth,
      params: { path: { id: String(created.pop()) } },
    }),
  );
  const signPaths = created.map((id) => `/v1/contracts/${id}/sign`);
  const signCount = Math.floor((signPaths.length - 1) / (ROUNDS + WARMUP_SHARE));
  let floorSignSeq = 0;
  const signs = await compare(
    { method: 'POST', paths: signPaths, onePathPerRequest: true, headers: agencyAuth },
    async () => {
      const id = `ctr_floor${(floorSignSeq++ % floorSeq) + 1}`;
      const current = await entities.get<Contract>('contract', id);
      if (!current) throw new Error(`${id} is missing`);
      const signedAt = new Date().toISOString();
      // The same change the API writes, so the streams carry the same projection work.
      const signed: Contract = {
        ...current,
        status: 'ACTIVE',
        signedAt,
        leadTimeDays: leadTimeDays(current.requestedAt, signedAt),
        version: current.version + 1,
      };
      await entities.update('contract', signed, { actor: floorAgent, action: 'sign' });
      return signed;
    },
    signCount,
  );
  results.sign = {
    ...signs.measured,
    ...signCapacity,
    minimumCapacityUnits: 0.5 + 2 * 4 + 4 * 2,
    capacityNote:
      'one read of the contract and one conditional update of it (~1.5 KB: 2 write units), copied in full ' +
      'to the party indexes and the admin feed (2 more each) and moved in the status and plan-in-use ' +
      'indexes, whose keys hold the status (a delete and a put: 4 each)',
  };
  return results;

  /** The capacity one call consumed, as the local gateway reports it (`DSM_EXPOSE_CAPACITY`). */
  async function capacity(call: Promise<{ response: Response }>) {
    const { response } = await call;
    return { capacityUnits: Number(response.headers.get('x-consumed-capacity') ?? Number.NaN) };
  }

  /**
   * Warms all three sides up, then measures them in {@link ROUNDS} interleaved rounds (API, floor, transport
   * floor) and keeps each side's median, so a burst of load on the machine lands on one round of one side
   * rather than on the result. Without the warm-up the API would pay for importing its function and for
   * compiling the hot paths that the floor, measured after it, would find compiled (reads: {@link
   * READ_WARMUP}).
   *
   * With `onePathPerRequest` every request takes a path of its own (a contract signs once), so `paths` must
   * hold a warm-up's worth plus `count` per round.
   */
  async function compare(
    api: Omit<LoadJob, 'url' | 'connections' | 'amount'> & { readonly onePathPerRequest?: boolean },
    floor: () => Promise<unknown>,
    count = amount,
  ) {
    const { onePathPerRequest, ...job } = api;
    const warmup = Math.max(Math.ceil(count * WARMUP_SHARE), job.method === 'GET' ? READ_WARMUP : 0);
    let used = 0;
    const nextPaths = (n: number) => {
      if (!onePathPerRequest) return job.paths;
      used += n;
      if (used > job.paths.length) throw new Error(`${job.paths.length} paths are too few`);
      return job.paths.slice(used - n, used);
    };
    const apiRun = (n: number, label: string) =>
      load(
        {
          ...job,
          paths: nextPaths(n),
          ...(job.idempotencyKeyPrefix
            ? { idempotencyKeyPrefix: `${job.idempotencyKeyPrefix}-${label}` }
            : {}),
        },
        n,
      );
    return behindBareServer(floor, async (bareUrl) => {
      const transportRun = (n: number) =>
        load({ ...job, paths: job.paths.slice(0, 1), collectIds: false }, n, bareUrl);
      await apiRun(warmup, 'warmup');
      await pool(floor, warmup);
      await transportRun(warmup);
      await region.poller.drain();
      // Writes are projected from the streams in this process; each run starts once the last one's are.
      const settled = async <T>(run: Promise<T>) => {
        const result = await run;
        await region.poller.drain();
        return result;
      };
      const rounds = [];
      for (let round = 0; round < ROUNDS; round++) {
        rounds.push({
          api: await settled(apiRun(count, String(round))),
          floor: await settled(pool(floor, count)),
          transport: await settled(transportRun(count)),
        });
      }
      const apiP50 = median(rounds.map((r) => r.api.p50Ms));
      const floorP50 = median(rounds.map((r) => r.floor.p50));
      const transportP50 = median(rounds.map((r) => r.transport.p50Ms));
      return {
        measured: {
          p50Ms: apiP50,
          p99Ms: median(rounds.map((r) => r.api.p99Ms)),
          requestsPerSecond: median(rounds.map((r) => Math.round((count / r.api.seconds) * 10) / 10)),
          floorP50Ms: floorP50,
          floorP99Ms: median(rounds.map((r) => r.floor.p99)),
          floorRequestsPerSecond: median(rounds.map((r) => r.floor.rps)),
          ratio: ratio(apiP50, floorP50),
          transportFloorP50Ms: transportP50,
          ratioToTransport: ratio(apiP50, transportP50),
        },
        ids: rounds.flatMap((r) => r.api.ids),
      };
    });
  }

  async function load(job: Omit<LoadJob, 'url' | 'connections' | 'amount'>, count: number, url = region.url) {
    const run = await loadInChild({ ...job, url, connections: CONNECTIONS, amount: count });
    if (run.non2xx > 0) throw new Error(`${job.method} ${job.paths[0]}: ${run.non2xx} non-2xx answers`);
    return run;
  }
}

/**
 * Serves every request with `work` alone (body read, its result answered as JSON, so as many bytes travel
 * as from the API) while `use` runs against it.
 */
function ratio(value: number, floor: number): number {
  return Math.round((value / Math.max(floor, 0.01)) * 100) / 100;
}

async function behindBareServer<T>(
  work: () => Promise<unknown>,
  use: (url: string) => Promise<T>,
): Promise<T> {
  const server = createServer((request, response) => {
    request.resume();
    request.once('end', () => {
      work().then(
        (result) =>
          response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(result)),
        () => response.writeHead(500).end(),
      );
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  try {
    return await use(`http://127.0.0.1:${(server.address() as AddressInfo).port}`);
  } finally {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
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

function floorContract(id: string, agency: Agency, service: Service): Contract {
  const requestedAt = new Date().toISOString();
  const plan = service.plans[0];
  const contract = requestedContract({
    id,
    agencyId: agency.id,
    serviceId: service.id,
    serviceVersion: service.version,
    providerId: service.providerId,
    planId: plan?.id ?? 'basic',
    quantity: 1,
    months: 12,
    method: 'CATALOG',
    catalogAmountKrw: (plan?.unitPriceKrw ?? 1) * 12,
    requestedAt,
  });
  // Stored quoted, so the floor's sign has a contract to sign.
  return { ...contract, status: 'QUOTED', quotedAt: requestedAt };
}
