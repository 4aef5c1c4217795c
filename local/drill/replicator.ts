/**
 * The replication stand-in for global tables, local tooling only (DynamoDB Local does not replicate).
 * Each Region's functions talk to DynamoDB through this Region's proxy; the proxy forwards everything to
 * the Region's own DynamoDB Local and carries what is written to the global tables to the other Region.
 * Replication messages travel over the drill's `Network`, one link per pair of sites, so what a Region can
 * reach is decided by trying (with a short timeout), never by a flag:
 *
 * - Strong tables (MRSC): a write is acknowledged only with two of three sites, this Region plus the
 *   other Region (the write applied there) or the witness (the write recorded there, for the other Region
 *   to catch up from). A Region that reaches neither refuses ledger writes and strongly consistent ledger
 *   reads with `AccessDeniedException`, as an MRSC replica cut off from replication does; before any
 *   strongly consistent operation a Region applies what was acknowledged without it. Whether a site is
 *   reachable is what the last message to it showed, refreshed by heartbeats over the same links (a
 *   Region whose store does not answer does not answer heartbeats either). A write whose local outcome is
 *   unknown (the store died under it) or that found no quorum is "in doubt": strong operations on it are
 *   refused until the Region takes the other Region's copy of it, so it keeps nothing the others never
 *   saw. Items being written are locked across Regions, and a write that races one from the other Region
 *   is answered with `ReplicatedWriteConflictException`, which clients retry, as MRSC does.
 * - Other global tables (MREC, and every table in `eventual` drills): the write is acknowledged at once
 *   and reaches the other Region after `lagMs`, last writer wins (higher version, then later change time).
 *   Like a stream record, each pending write is read from the writing Region's store when it is sent, so
 *   what a dead or cut-off Region wrote waits with it until it is back.
 */
import { createServer, type IncomingMessage, request, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { canonicalJson } from '../../functions/domain/ids.js';
import {
  type AttributeValue,
  ConditionalCheckFailedException,
  DeleteItemCommand,
  DynamoDBClient,
  GetItemCommand,
  ListTablesCommand,
  PutItemCommand,
  ScanCommand,
} from '@aws-sdk/client-dynamodb';
import { percentiles } from '../percentiles.js';
import { Network } from './network.js';

export type ReplicationMode = 'strong' | 'eventual';
type Key = Record<string, AttributeValue>;
type Item = Record<string, AttributeValue>;

export interface ReplicatorOptions {
  /** The two Regions and their DynamoDB Local endpoints. */
  readonly regions: readonly { readonly name: string; readonly endpoint: string }[];
  /** The MRSC witness's site name (it holds no table, only what one Region acknowledged without the other). */
  readonly witness: string;
  /** Physical names of the global tables; everything else (projections) stays in its Region. */
  readonly replicatedTables: readonly string[];
  /** The global tables replicated with MRSC's quorum rule; the others replicate eventually. */
  readonly strongTables: readonly string[];
  /** Eventual replication's delay. */
  readonly lagMs?: number;
  /** How long a site waits for another over the network before counting it unreachable. */
  readonly linkTimeoutMs?: number;
}

/** One written item, as replicated: its image after the write, or none. */
interface Written {
  readonly table: string;
  readonly key: Key;
  readonly item: Item | undefined;
}

/** A strong write acknowledged with the witness alone, numbered in the order its Region made them. */
interface LoggedWrite extends Written {
  readonly seq: number;
  readonly wallClock: number;
}

interface PendingWrite {
  readonly table: string;
  readonly key: Key;
  readonly writtenAt: number;
  readonly wallClock: number;
  readonly availableAt: number;
  /** A delivery attempt failed: the write waits out an outage, not replication lag. */
  delayed: boolean;
}

type Answer = { status: number; headers: Record<string, string | string[]>; body: Buffer };
type Peer = 'peer' | 'witness';

interface Replica {
  readonly name: string;
  readonly client: DynamoDBClient;
  readonly endpoint: URL;
  proxy?: Server;
  proxyUrl?: string;
  replication?: Server;
  replicationUrl?: string;
  /** Where this Region reaches the other Region's and the witness's replication endpoints. */
  readonly routes: Record<Peer, string>;
  /** Whether the other Region and the witness answered the last message or heartbeat sent to them. */
  readonly reachable: Record<Peer, boolean>;
  readonly heartbeating: Set<Peer>;
  /** Added to every call the Region's functions make (the `slow` drill). */
  storeLatencyMs: number;
  /** Eventual writes made here, not yet applied in the other Region. */
  outbox: PendingWrite[];
  /** Strong writes made here that the other Region has not had directly; the witness holds them too. */
  readonly log: LoggedWrite[];
  nextSeq: number;
  /** The last of the other Region's logged writes applied here. */
  appliedFromPeer: number;
  /** Items whose local state may hold a write no other site saw. */
  readonly doubtful: Map<string, { table: string; key: Key }>;
  /** The catch-up running now, and the next one, which everyone arriving meanwhile joins. */
  catchUpRunning: Promise<boolean> | undefined;
  catchUpNext: Promise<boolean> | undefined;
  /** Records at the witness one at a time, so they arrive in the order of their numbers. */
  recording: Promise<unknown>;
}

const WRITE_OPERATIONS = new Set([
  'PutItem',
  'UpdateItem',
  'DeleteItem',
  'TransactWriteItems',
  'BatchWriteItem',
]);
/** The consistent-read operations MRSC serves only with a quorum. */
const READ_OPERATIONS = new Set(['GetItem', 'Query', 'Scan', 'BatchGetItem']);

/**
 * Long enough that a busy two-core machine does not pass for a partition, short enough that a cut-off
 * Region refuses well within a request's deadline.
 */
const DEFAULT_LINK_TIMEOUT_MS = 1000;
/** Items a re-seed writes at once. */
const RESEED_CONCURRENCY = 16;
/** How often each Region checks that the other sites answer, and catches up or settles doubts. */
const HEARTBEAT_MS = 250;

export class Replicator {
  readonly network = new Network();
  private readonly replicas: Replica[];
  private readonly locks = new Set<string>();
  private readonly lagSamples: number[] = [];
  /** Writes that waited out an outage; kept apart so they do not pass for replication lag. */
  private backlog = 0;
  /** The witness's copy of each Region's logged writes, by the Region that owes them. */
  private readonly witnessLog = new Map<string, LoggedWrite[]>();
  private witnessServer: Server | undefined;
  private timers: NodeJS.Timeout[] = [];
  private delivering = false;

  constructor(private readonly options: ReplicatorOptions) {
    if (options.regions.length !== 2) throw new Error('The stand-in replicates between exactly two Regions');
    this.replicas = options.regions.map((region) => ({
      name: region.name,
      endpoint: new URL(region.endpoint),
      client: new DynamoDBClient({
        endpoint: region.endpoint,
        region: region.name,
        credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
        maxAttempts: 1,
      }),
      routes: { peer: '', witness: '' },
      reachable: { peer: true, witness: true },
      heartbeating: new Set(),
      storeLatencyMs: 0,
      outbox: [],
      log: [],
      nextSeq: 1,
      appliedFromPeer: 0,
      doubtful: new Map(),
      catchUpRunning: undefined,
      catchUpNext: undefined,
      recording: Promise.resolve(),
    }));
  }

  async start(): Promise<void> {
    this.witnessServer = await serve((path, message) => this.witnessHandle(path, message));
    const witnessUrl = urlOf(this.witnessServer);
    for (const replica of this.replicas) {
      replica.proxy = createServer((req, res) => {
        readBody(req)
          .then((body) => this.handle(replica, req.headers, req.url ?? '/', body))
          .then(({ status, headers, body }) => {
            res.writeHead(status, headers);
            res.end(body);
          })
          .catch(() => res.destroy());
      });
      await listen(replica.proxy);
      replica.proxyUrl = urlOf(replica.proxy);
      replica.replication = await serve((path, message) => this.replicationHandle(replica, path, message));
      replica.replicationUrl = urlOf(replica.replication);
    }
    for (const replica of this.replicas) {
      const peer = this.other(replica);
      replica.routes.peer = await this.network.link(replica.name, peer.name, peer.replicationUrl ?? '');
      replica.routes.witness = await this.network.link(replica.name, this.options.witness, witnessUrl);
    }
    this.timers.push(setInterval(() => void this.deliverDue(), 10));
    this.timers.push(
      setInterval(() => {
        for (const replica of this.replicas) {
          void this.heartbeat(replica, 'peer');
          void this.heartbeat(replica, 'witness');
          // A Region back from an outage catches up, and settles its doubts, without waiting for traffic.
          if (this.options.strongTables.length && !replica.catchUpRunning) {
            void this.catchUp(replica).then((ok) => (ok ? this.settleDoubts(replica) : undefined));
          }
        }
      }, HEARTBEAT_MS),
    );
  }

  /** The endpoint a Region's functions use for DynamoDB. */
  proxyUrl(region: string): string {
    const url = this.replica(region).proxyUrl;
    if (!url) throw new Error('replicator not started');
    return url;
  }

  /** Makes a Region's store answer every call from its functions this much later (0 restores it). */
  setStoreLatency(region: string, ms: number): void {
    this.replica(region).storeLatencyMs = ms;
  }

  /** Whether every write made before `since` (a `Date.now()` time) has reached the other Region. */
  caughtUp(since: number): boolean {
    return this.replicas.every(
      (replica) =>
        replica.doubtful.size === 0 &&
        replica.outbox.every((write) => write.wallClock > since) &&
        this.other(replica).log.every(
          (write) => write.seq <= replica.appliedFromPeer || write.wallClock > since,
        ),
    );
  }

  /** Writes made but not yet applied in the other Region, and items in doubt. */
  pending(): number {
    return this.replicas.reduce(
      (sum, replica) =>
        sum +
        replica.outbox.length +
        replica.doubtful.size +
        this.other(replica).log.filter((write) => write.seq > replica.appliedFromPeer).length,
      0,
    );
  }

  lagPercentiles(): { p50: number; p99: number; samples: number; backlog: number } {
    return { ...percentiles(this.lagSamples), samples: this.lagSamples.length, backlog: this.backlog };
  }

  /** Every item of every global table in a Region, keyed `table|pk|sk`, for comparing Regions. */
  async tableContents(region: string): Promise<Map<string, string>> {
    const replica = this.replica(region);
    const contents = new Map<string, string>();
    for (const table of this.options.replicatedTables) {
      for (const item of await scanAll(replica.client, table))
        contents.set(itemId(table, item), canonicalJson(item));
    }
    return contents;
  }

  /**
   * A Region's data burnt with it: what it wrote and had not yet sent (its MREC outbox) is gone, the part of
   * eventual replication's RPO the fire takes. Its strong writes are safe: the other Region or the witness
   * holds every one it acknowledged.
   */
  burn(region: string): void {
    this.replica(region).outbox = [];
  }

  /**
   * Fills a Region that came back empty with the other Region's global-table items (the caller has made
   * the empty tables), newest wins as for any replicated write, so writes replicated meanwhile are kept.
   * In AWS this is two different jobs:
   * - MREC (the catalog): the replica is added back to the existing global table (`UpdateTable` with
   *   `ReplicaUpdates: [{ Create: { RegionName } }]`), and DynamoDB copies the existing items into it;
   *   "you can add replicas to MREC global tables ... or remove them" (DynamoDB developer guide, "How
   *   DynamoDB global tables work", consistency modes).
   * - MRSC (the ledger): no replica can be added to an MRSC table that holds data. MRSC is enabled only on
   *   an empty table ("Table must be empty when enabling MRSC", AWS SDK code examples, "Create and manage
   *   DynamoDB global tables with Multi-Region Strong Consistency"), and its witness only when it is
   *   created (API reference, `GlobalTableWitnessGroupUpdate`: "The witness must be added when creating
   *   the MRSC global table"; deleting it "must be done in conjunction with removing a replica", which
   *   leaves a single-Region table). So the ledger is re-protected by a new, empty MRSC table in three
   *   Regions filled by single conditional writes from the survivor, then the app is pointed at it
   *   (OPERATIONS.md, "A Region came back empty"). The stand-in shortcuts both to this copy.
   */
  async reseed(region: string): Promise<number> {
    const target = this.replica(region);
    const source = this.other(target);
    let copied = 0;
    for (const table of this.options.replicatedTables) {
      const items = await scanAll(source.client, table);
      for (let i = 0; i < items.length; i += RESEED_CONCURRENCY) {
        await Promise.all(
          items
            .slice(i, i + RESEED_CONCURRENCY)
            .map((item) =>
              applyReplicated(target.client, { table, key: { pk: item.pk, sk: item.sk } as Key, item }),
            ),
        );
      }
      copied += items.length;
    }
    return copied;
  }

  async close(): Promise<void> {
    for (const timer of this.timers) clearInterval(timer);
    const servers = [this.witnessServer, ...this.replicas.flatMap((r) => [r.proxy, r.replication])];
    await Promise.all(servers.map((server) => server && closeServer(server)));
    await this.network.close();
    for (const replica of this.replicas) replica.client.destroy();
  }

  private replica(region: string): Replica {
    const replica = this.replicas.find((r) => r.name === region);
    if (!replica) throw new Error(`unknown region ${region}`);
    return replica;
  }

  private other(replica: Replica): Replica {
    return this.replicas.find((r) => r !== replica) as Replica;
  }

  /** One call from a Region's functions to its store. */
  private async handle(replica: Replica, headers: Record<string, unknown>, path: string, body: Buffer) {
    if (replica.storeLatencyMs) await sleep(replica.storeLatencyMs);
    const operation = String(headers['x-amz-target'] ?? '').split('.')[1] ?? '';
    const readStrongly = READ_OPERATIONS.has(operation) ? this.stronglyReadTables(operation, body) : [];
    if (readStrongly.length) {
      if (!(await this.catchUp(replica))) return noQuorum();
      // A strong read must not show an item in doubt, which may hold a write no one acknowledged. A read of
      // one item is held up only by that item; a query or scan by any item of its table. (Without this, one
      // write in doubt while the other Region is down refused every strong read, the health probe's too.)
      const readKey = operation === 'GetItem' ? itemKeyRead(body) : undefined;
      const doubtIn = () =>
        [...replica.doubtful.entries()].some(([id, { table }]) =>
          readKey ? id === readKey : readStrongly.includes(table),
        );
      if (doubtIn()) await this.settleDoubts(replica);
      if (doubtIn()) return noQuorum();
      return forward(replica.endpoint, headers, path, body);
    }
    const keys = WRITE_OPERATIONS.has(operation) ? this.writtenKeys(operation, body) : [];
    const strong = keys.filter(({ table }) => this.options.strongTables.includes(table));
    const eventual = keys.filter(({ table }) => !this.options.strongTables.includes(table));
    if (strong.length === 0) {
      const answer = await forward(replica.endpoint, headers, path, body);
      if (answer.status === 200) this.enqueue(replica, eventual);
      return answer;
    }
    if (!replica.reachable.peer && !replica.reachable.witness) return noQuorum();
    const lockIds = strong.map(({ table, key }) => itemId(table, key));
    if (lockIds.some((id) => this.locks.has(id))) return replicatedWriteConflict();
    for (const id of lockIds) this.locks.add(id);
    try {
      if (!(await this.catchUp(replica))) return noQuorum();
      for (const id of lockIds) if (!(await this.settleDoubt(replica, id))) return noQuorum();
      const imagesOf = () =>
        Promise.all(
          strong.map(async ({ table, key }) => ({
            table,
            key,
            item: await getItem(replica.client, table, key),
          })),
        );
      // What the items hold now, to put back if the write finds no quorum.
      const before = await imagesOf();
      const answer = await forward(replica.endpoint, headers, path, body).catch((error: unknown) => {
        this.doubt(replica, strong);
        throw error;
      });
      if (answer.status !== 200) return answer;
      const written = await imagesOf().catch((error: unknown) => {
        this.doubt(replica, strong);
        throw error;
      });
      if (!(await this.replicateStrongly(replica, written))) {
        // Not acknowledged: no read here may show it. Whether the other sites got it before the link
        // failed is unknown, so the items stay in doubt until the other Region's copy settles them.
        this.doubt(replica, strong);
        await Promise.all(
          before.map((image) => applyReplicated(replica.client, image, { exactly: true })),
        ).catch(() => undefined);
        return noQuorum();
      }
      this.enqueue(replica, eventual);
      return answer;
    } finally {
      for (const id of lockIds) this.locks.delete(id);
    }
  }

  /** Applies the write in the other Region, or else records it at the witness; false without either. */
  private async replicateStrongly(replica: Replica, written: Written[]): Promise<boolean> {
    const started = performance.now();
    if (await this.send(replica, 'peer', '/apply', { writes: written })) {
      this.lagSamples.push(performance.now() - started);
      return true;
    }
    const recorded = replica.recording.then(async () => {
      const wallClock = Date.now();
      const entries = written.map((write) => ({ ...write, seq: replica.nextSeq++, wallClock }));
      const other = this.other(replica).name;
      // Tried even if it did not answer lately: the write is in this Region's store already.
      const message = { for: other, writes: entries };
      if (!(await this.send(replica, 'witness', '/record', message, { evenIfUnreachable: true })))
        return false;
      replica.log.push(...entries);
      this.backlog += entries.length;
      return true;
    });
    replica.recording = recorded;
    return recorded;
  }

  /**
   * Brings a Region up to date before it serves strongly: the other Region's logged writes, from the
   * witness or from that Region itself. False when neither answers. Callers that arrive while a catch-up
   * runs share the next one, which starts after everything they are waiting behind.
   */
  private catchUp(replica: Replica): Promise<boolean> {
    if (!replica.catchUpRunning) return this.startCatchUp(replica);
    replica.catchUpNext ??= replica.catchUpRunning.then(() => {
      replica.catchUpNext = undefined;
      return this.startCatchUp(replica);
    });
    return replica.catchUpNext;
  }

  private startCatchUp(replica: Replica): Promise<boolean> {
    const run: Promise<boolean> = (async () => {
      const after = replica.appliedFromPeer;
      const logged =
        (await this.send<LoggedWrite[]>(replica, 'witness', '/log', { for: replica.name, after })) ??
        (await this.send<LoggedWrite[]>(replica, 'peer', '/log', { after }));
      if (!logged) return false;
      for (const write of logged) {
        await applyReplicated(replica.client, write);
        replica.appliedFromPeer = Math.max(replica.appliedFromPeer, write.seq);
      }
      return true;
    })()
      .catch(() => false)
      .finally(() => {
        if (replica.catchUpRunning === run) replica.catchUpRunning = undefined;
      });
    replica.catchUpRunning = run;
    return run;
  }

  /**
   * Settles an item in doubt (the caller holds its lock) with the other Region's copy, once that Region
   * holds everything logged here. True when the item is not, or no longer, in doubt.
   */
  private async settleDoubt(replica: Replica, id: string): Promise<boolean> {
    const doubt = replica.doubtful.get(id);
    if (!doubt) return true;
    const peer = await this.send<{ item?: Item; appliedFromPeer: number }>(replica, 'peer', '/read', doubt);
    if (!peer || peer.appliedFromPeer < (replica.log.at(-1)?.seq ?? 0)) return false;
    try {
      await applyReplicated(replica.client, { ...doubt, item: peer.item }, { exactly: true });
    } catch {
      return false;
    }
    replica.doubtful.delete(id);
    return true;
  }

  /** Settles every item in doubt that no write holds now. */
  private async settleDoubts(replica: Replica): Promise<void> {
    for (const id of replica.doubtful.keys()) {
      if (this.locks.has(id)) continue;
      this.locks.add(id);
      try {
        if (!(await this.settleDoubt(replica, id))) return;
      } finally {
        this.locks.delete(id);
      }
    }
  }

  /** Checks over the link that a site answers (a Region only if its store answers too). */
  private async heartbeat(replica: Replica, to: Peer): Promise<void> {
    if (replica.heartbeating.has(to)) return;
    replica.heartbeating.add(to);
    try {
      const answered = await this.send(replica, to, '/ping', {}, { evenIfUnreachable: true });
      replica.reachable[to] = answered !== undefined;
    } finally {
      replica.heartbeating.delete(to);
    }
  }

  private doubt(replica: Replica, keys: readonly { table: string; key: Key }[]): void {
    for (const { table, key } of keys) replica.doubtful.set(itemId(table, key), { table, key });
  }

  private enqueue(replica: Replica, keys: readonly { table: string; key: Key }[]): void {
    const wallClock = Date.now();
    const availableAt = wallClock + (this.options.lagMs ?? 0);
    for (const { table, key } of keys) {
      replica.outbox.push({
        table,
        key,
        writtenAt: performance.now(),
        wallClock,
        availableAt,
        delayed: false,
      });
    }
  }

  /** Eventual replication: sends what is due, read from the writing Region's store as a stream would. */
  private async deliverDue(): Promise<void> {
    if (this.delivering) return;
    this.delivering = true;
    try {
      for (const replica of this.replicas) {
        while (replica.outbox.length && (replica.outbox[0]?.availableAt ?? Infinity) <= Date.now()) {
          const write = replica.outbox[0] as PendingWrite;
          const item = await getItem(replica.client, write.table, write.key, this.linkTimeoutMs()).catch(
            () => null,
          );
          const sent =
            item !== null &&
            (await this.send(replica, 'peer', '/apply', { writes: [{ ...write, item }] })) !== undefined;
          if (!sent) {
            write.delayed = true;
            break; // Its store or the other Region is out of reach; try again on the next tick.
          }
          replica.outbox.shift();
          if (write.delayed) this.backlog += 1;
          else this.lagSamples.push(performance.now() - write.writtenAt);
        }
      }
    } finally {
      this.delivering = false;
    }
  }

  /** A Region's replication endpoint, as the other Region reaches it. */
  private async replicationHandle(replica: Replica, path: string, message: Record<string, unknown>) {
    switch (path) {
      case '/ping':
        await replica.client.send(new ListTablesCommand({ Limit: 1 }));
        return {};
      case '/apply':
        for (const write of message.writes as Written[]) await applyReplicated(replica.client, write);
        return {};
      case '/log':
        return replica.log.filter((write) => write.seq > Number(message.after));
      case '/read': {
        const item = await getItem(replica.client, String(message.table), message.key as Key);
        return { item, appliedFromPeer: replica.appliedFromPeer };
      }
    }
    return undefined;
  }

  /** The witness: it keeps what one Region acknowledged without the other, for that one to catch up from. */
  private witnessHandle(path: string, message: Record<string, unknown>) {
    const region = String(message.for);
    const log = this.witnessLog.get(region) ?? [];
    this.witnessLog.set(region, log);
    switch (path) {
      case '/ping':
        return {};
      case '/record':
        log.push(...(message.writes as LoggedWrite[]));
        return {};
      case '/log':
        return log.filter((write) => write.seq > Number(message.after));
    }
    return undefined;
  }

  /** A replication message to the other Region or the witness, over this Region's link; undefined if unanswered. */
  private async send<T = unknown>(
    replica: Replica,
    to: Peer,
    path: string,
    message: object,
    { evenIfUnreachable = false } = {},
  ): Promise<T | undefined> {
    if (!replica.reachable[to] && !evenIfUnreachable) return undefined;
    try {
      const response = await fetch(`${replica.routes[to]}${path}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(message),
        signal: AbortSignal.timeout(this.linkTimeoutMs()),
      });
      if (response.ok) return (await response.json()) as T;
    } catch {
      // Unreachable or too slow: the same thing to a replication protocol.
    }
    replica.reachable[to] = false;
    return undefined;
  }

  private linkTimeoutMs(): number {
    return this.options.linkTimeoutMs ?? DEFAULT_LINK_TIMEOUT_MS;
  }

  /** The strong tables a read asks to read with strong consistency. */
  private stronglyReadTables(operation: string, body: Buffer): string[] {
    const read = JSON.parse(body.toString('utf8')) as {
      TableName?: string;
      ConsistentRead?: boolean;
      RequestItems?: Record<string, { ConsistentRead?: boolean }>;
    };
    const strong = (table: string | undefined) =>
      table !== undefined && this.options.strongTables.includes(table);
    if (operation === 'BatchGetItem') {
      return Object.entries(read.RequestItems ?? {})
        .filter(([table, r]) => strong(table) && r.ConsistentRead)
        .map(([table]) => table);
    }
    return strong(read.TableName) && read.ConsistentRead === true ? [read.TableName as string] : [];
  }

  /** The items a write request touches in the global tables. */
  private writtenKeys(operation: string, body: Buffer): { table: string; key: Key }[] {
    const request = JSON.parse(body.toString('utf8')) as WriteRequest;
    const replicated = (table: string | undefined): table is string =>
      table !== undefined && this.options.replicatedTables.includes(table);
    const keyOf = (item: Item): Key => ({ pk: item.pk as AttributeValue, sk: item.sk as AttributeValue });
    const found: { table: string; key: Key }[] = [];
    switch (operation) {
      case 'PutItem':
        if (replicated(request.TableName) && request.Item)
          found.push({ table: request.TableName, key: keyOf(request.Item) });
        break;
      case 'UpdateItem':
      case 'DeleteItem':
        if (replicated(request.TableName) && request.Key)
          found.push({ table: request.TableName, key: keyOf(request.Key) });
        break;
      case 'TransactWriteItems':
        for (const entry of request.TransactItems ?? []) {
          const action = entry.Put ?? entry.Update ?? entry.Delete;
          if (action && replicated(action.TableName)) {
            found.push({ table: action.TableName, key: keyOf(action.Item ?? action.Key ?? {}) });
          }
        }
        break;
      case 'BatchWriteItem':
        for (const [table, writes] of Object.entries(request.RequestItems ?? {})) {
          if (!replicated(table)) continue;
          for (const write of writes) {
            found.push({ table, key: keyOf(write.PutRequest?.Item ?? write.DeleteRequest?.Key ?? {}) });
          }
        }
        break;
    }
    return found;
  }
}

/** The parts of DynamoDB's write requests that say which items they touch. */
interface WriteRequest {
  readonly TableName?: string;
  readonly Item?: Item;
  readonly Key?: Key;
  readonly TransactItems?: readonly Record<
    'Put' | 'Update' | 'Delete' | 'ConditionCheck',
    { readonly TableName: string; readonly Item?: Item; readonly Key?: Key } | undefined
  >[];
  readonly RequestItems?: Readonly<
    Record<string, readonly { PutRequest?: { Item: Item }; DeleteRequest?: { Key: Key } }[]>
  >;
}

function forward(target: URL, headers: Record<string, unknown>, path: string, body: Buffer): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const upstream = request(
      {
        host: target.hostname,
        port: target.port,
        path,
        method: 'POST',
        headers: headers as Record<string, string>,
      },
      (answer) => {
        const chunks: Buffer[] = [];
        answer.on('data', (chunk: Buffer) => chunks.push(chunk));
        answer.on('end', () =>
          resolve({
            status: answer.statusCode ?? 502,
            headers: answer.headers as Record<string, string | string[]>,
            body: Buffer.concat(chunks),
          }),
        );
        answer.on('error', reject);
      },
    );
    upstream.on('error', reject);
    upstream.end(body);
  });
}

function dynamoDbError(type: string, message: string): Answer {
  const body = Buffer.from(JSON.stringify({ __type: `com.amazonaws.dynamodb.v20120810#${type}`, message }));
  return { status: 400, headers: { 'content-type': 'application/x-amz-json-1.0' }, body };
}

const replicatedWriteConflict = () =>
  dynamoDbError('ReplicatedWriteConflictException', 'The item is being written in another Region.');

/** What an MRSC replica cut off from replication answers for writes and strongly consistent reads. */
const noQuorum = () =>
  dynamoDbError(
    'AccessDeniedException',
    'This replica reaches neither the other Region nor the witness; strongly consistent operations are refused.',
  );

async function getItem(client: DynamoDBClient, table: string, key: Key, timeoutMs?: number) {
  const { Item } = await client.send(
    new GetItemCommand({ TableName: table, Key: key, ConsistentRead: true }),
    timeoutMs ? { abortSignal: AbortSignal.timeout(timeoutMs) } : {},
  );
  return Item;
}

/**
 * Applies a replicated item image. Last writer wins (a higher version, or the same version changed later),
 * so a late or repeated delivery never rolls a versioned item back; an unversioned item (a webhook
 * delivery, updated in place by its lease and attempts) takes every image, in the order they come, as the
 * global tables apply them; `exactly` makes the item equal the image whatever it holds (settling an item
 * in doubt). No image: delete.
 */
async function applyReplicated(
  client: DynamoDBClient,
  { table, key, item }: Written,
  { exactly = false } = {},
): Promise<void> {
  if (!item) {
    await client.send(new DeleteItemCommand({ TableName: table, Key: key }));
    return;
  }
  const version = item.version?.N;
  const at = item.change?.M?.at?.S;
  const condition = exactly
    ? {}
    : {
        ...(version
          ? {
              ConditionExpression: at
                ? 'attribute_not_exists(pk) OR version < :v OR (version = :v AND #change.#at < :at)'
                : 'attribute_not_exists(pk) OR version < :v',
            }
          : {}),
        ...(version
          ? {
              ExpressionAttributeValues: { ':v': { N: version }, ...(at ? { ':at': { S: at } } : {}) },
              ...(at ? { ExpressionAttributeNames: { '#change': 'change', '#at': 'at' } } : {}),
            }
          : {}),
      };
  try {
    await client.send(new PutItemCommand({ TableName: table, Item: item, ...condition }));
  } catch (error) {
    if (!(error instanceof ConditionalCheckFailedException)) throw error;
  }
}

async function scanAll(client: DynamoDBClient, table: string): Promise<Item[]> {
  const items: Item[] = [];
  let start: Key | undefined;
  do {
    const page = await client.send(
      new ScanCommand({ TableName: table, ExclusiveStartKey: start, ConsistentRead: true }),
    );
    items.push(...(page.Items ?? []));
    start = page.LastEvaluatedKey;
  } while (start);
  return items;
}

/** The item a GetItem reads, as `itemId` names it. */
function itemKeyRead(body: Buffer): string {
  const read = JSON.parse(body.toString('utf8')) as { TableName: string; Key: Key };
  return itemId(read.TableName, read.Key);
}

function itemId(table: string, key: Key): string {
  return `${table}|${key.pk?.S}|${key.sk?.S}`;
}

/** A small JSON-over-HTTP endpoint for replication messages. */
async function serve(
  handle: (path: string, message: Record<string, unknown>) => Promise<unknown> | unknown,
): Promise<Server> {
  const server = createServer((req, res) => {
    readBody(req)
      .then(async (body) =>
        handle(req.url ?? '/', JSON.parse(body.toString('utf8')) as Record<string, unknown>),
      )
      .then((answer) => reply(res, answer === undefined ? 404 : 200, answer ?? {}))
      .catch(() => reply(res, 503, {}));
  });
  await listen(server);
  return server;
}

function reply(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
}

async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

const listen = (server: Server) => new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
const urlOf = (server: Server) => `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

function closeServer(server: Server): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections();
  });
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
