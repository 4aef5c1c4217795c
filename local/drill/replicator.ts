/**
 * The replication stand-in for global tables, local tooling only (DynamoDB Local does not replicate).
 * Each Region's functions talk to DynamoDB through this Region's proxy; the proxy forwards everything to
 * the Region's own DynamoDB Local and, for writes to the global tables, carries the written items to the
 * other Region:
 *
 * - `strong` (MRSC's rule): the write is acknowledged only once the other Region has it. Items being
 *   written are locked across Regions, and a write that races one from the other Region is answered with
 *   `ReplicatedWriteConflictException`, which clients retry, as MRSC does. While a Region is down the
 *   survivor keeps writing (the witness keeps its quorum); the Region rejoins by copying the survivor's
 *   state, dropping what it holds that the survivor never had (writes that were never acknowledged).
 * - `eventual` (MREC): the write is acknowledged at once and reaches the other Region after `lagMs`,
 *   last writer wins (higher version, then later change time). What a Region wrote but had not yet sent
 *   waits with it while it is down, as records wait in its stream, and flows once it is back.
 */
import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { canonicalJson } from '../../functions/domain/ids.js';
import {
  type AttributeValue,
  ConditionalCheckFailedException,
  DeleteItemCommand,
  DynamoDBClient,
  GetItemCommand,
  PutItemCommand,
  ScanCommand,
} from '@aws-sdk/client-dynamodb';
import { percentiles } from '../percentiles.js';

export type ReplicationMode = 'strong' | 'eventual';
type Key = Record<string, AttributeValue>;
type Item = Record<string, AttributeValue>;

export interface ReplicatorOptions {
  readonly mode: ReplicationMode;
  readonly lagMs?: number;
  /** The two Regions and their DynamoDB Local endpoints. */
  readonly regions: readonly { readonly name: string; readonly endpoint: string }[];
  /** Physical names of the global tables; everything else (projections) stays in its Region. */
  readonly replicatedTables: readonly string[];
}

interface PendingWrite {
  readonly table: string;
  readonly key: Key;
  readonly item: Item | undefined;
  readonly writtenAt: number;
  readonly wallClock: number;
  readonly availableAt: number;
}

interface RegionLink {
  readonly name: string;
  readonly client: DynamoDBClient;
  readonly endpoint: URL;
  up: boolean;
  /** Writes this Region made that the other has not applied yet (eventual mode). */
  outbox: PendingWrite[];
  proxy?: Server;
  proxyUrl?: string;
}

/** The parts of DynamoDB's write requests that say which items they touch. */
interface WriteRequest {
  readonly TableName?: string;
  readonly Item?: Item;
  readonly Key?: Key;
  readonly TransactItems?: readonly Record<
    'Put' | 'Update' | 'Delete' | 'ConditionCheck',
    TableAction | undefined
  >[];
  readonly RequestItems?: Readonly<
    Record<string, readonly { PutRequest?: { Item: Item }; DeleteRequest?: { Key: Key } }[]>
  >;
}

interface TableAction {
  readonly TableName: string;
  readonly Item?: Item;
  readonly Key?: Key;
}

const WRITE_OPERATIONS = new Set([
  'PutItem',
  'UpdateItem',
  'DeleteItem',
  'TransactWriteItems',
  'BatchWriteItem',
]);

export class Replicator {
  private readonly links: RegionLink[];
  private readonly locks = new Set<string>();
  private readonly lagSamples: number[] = [];
  /** Writes that waited out an outage; kept apart so they do not pass for replication lag. */
  private backlog = 0;
  private readonly outages: { from: number; to?: number }[] = [];
  private applier: NodeJS.Timeout | undefined;
  private applying = false;

  constructor(private readonly options: ReplicatorOptions) {
    if (options.regions.length !== 2) throw new Error('The stand-in replicates between exactly two Regions');
    this.links = options.regions.map((region) => ({
      name: region.name,
      endpoint: new URL(region.endpoint),
      client: new DynamoDBClient({
        endpoint: region.endpoint,
        region: region.name,
        credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
        maxAttempts: 1,
      }),
      up: true,
      outbox: [],
    }));
  }

  async start(): Promise<void> {
    for (const link of this.links) {
      link.proxy = createServer((req, res) => {
        const chunks: Buffer[] = [];
        req.on('data', (chunk: Buffer) => chunks.push(chunk));
        req.on('end', () => {
          this.handle(link, req.headers, req.url ?? '/', Buffer.concat(chunks))
            .then(({ status, headers, body }) => {
              res.writeHead(status, headers);
              res.end(body);
            })
            .catch(() => res.destroy());
        });
      });
      await new Promise<void>((resolve) => link.proxy?.listen(0, '127.0.0.1', resolve));
      link.proxyUrl = `http://127.0.0.1:${(link.proxy.address() as AddressInfo).port}`;
    }
    if (this.options.mode === 'eventual') this.applier = setInterval(() => void this.applyDue(), 10);
  }

  /** The endpoint a Region's functions use for DynamoDB. */
  proxyUrl(region: string): string {
    const url = this.link(region).proxyUrl;
    if (!url) throw new Error('replicator not started');
    return url;
  }

  /** A Region has gone: nothing more reaches it, and what it had not sent stays with it. */
  regionDown(region: string): void {
    this.link(region).up = false;
    this.outages.push({ from: Date.now() });
  }

  /** A Region is back: in strong mode it first copies the survivor's state; in eventual mode its outbox flows again. */
  async regionUp(region: string): Promise<void> {
    const link = this.link(region);
    for (const outage of this.outages) outage.to ??= Date.now();
    if (this.options.mode === 'strong') {
      link.up = true; // From here on, new writes reach it synchronously; the copy below fills in the rest.
      await this.copyState(this.other(link), link);
    } else {
      link.up = true;
    }
  }

  /** Whether every write made before `since` (a `Date.now()` time) has reached the other Region. */
  caughtUp(since: number): boolean {
    return this.links.every((link) => link.outbox.every((write) => write.wallClock > since));
  }

  /** Writes made but not yet applied in the other Region. */
  pending(): number {
    return this.links.reduce((sum, link) => sum + link.outbox.length, 0);
  }

  lagPercentiles(): { p50: number; p99: number; samples: number; backlog: number } {
    return { ...percentiles(this.lagSamples), samples: this.lagSamples.length, backlog: this.backlog };
  }

  /** Every item of every global table in a Region, keyed `table|pk|sk`, for comparing Regions. */
  async tableContents(region: string): Promise<Map<string, string>> {
    const link = this.link(region);
    const contents = new Map<string, string>();
    for (const table of this.options.replicatedTables) {
      for (const item of await scanAll(link.client, table))
        contents.set(itemId(table, item), canonicalJson(item));
    }
    return contents;
  }

  async close(): Promise<void> {
    if (this.applier) clearInterval(this.applier);
    for (const link of this.links) {
      await new Promise<void>((resolve) => {
        if (!link.proxy) return resolve();
        link.proxy.close(() => resolve());
        link.proxy.closeAllConnections();
      });
      link.client.destroy();
    }
  }

  private link(region: string): RegionLink {
    const link = this.links.find((l) => l.name === region);
    if (!link) throw new Error(`unknown region ${region}`);
    return link;
  }

  private other(link: RegionLink): RegionLink {
    return this.links.find((l) => l !== link) as RegionLink;
  }

  private async handle(link: RegionLink, headers: Record<string, unknown>, path: string, body: Buffer) {
    const operation = String(headers['x-amz-target'] ?? '').split('.')[1] ?? '';
    const keys = WRITE_OPERATIONS.has(operation) ? this.writtenKeys(operation, body) : [];
    if (keys.length === 0) return forward(link.endpoint, headers, path, body);

    const lockIds = keys.map(({ table, key }) => itemId(table, key));
    if (this.options.mode === 'strong') {
      if (lockIds.some((id) => this.locks.has(id))) return replicatedWriteConflict();
      for (const id of lockIds) this.locks.add(id);
    }
    try {
      const answer = await forward(link.endpoint, headers, path, body);
      if (answer.status !== 200) return answer;
      const writtenAt = performance.now();
      const written = await Promise.all(
        keys.map(async ({ table, key }) => ({ table, key, item: await getItem(link.client, table, key) })),
      );
      const peer = this.other(link);
      if (this.options.mode === 'strong') {
        // Acknowledge only once the other Region has it; while it is down, the survivor and the witness
        // are the quorum, and the Region copies the survivor's state when it rejoins.
        if (peer.up) {
          for (const write of written) await applyExactly(peer.client, write.table, write.key, write.item);
          this.lagSamples.push(performance.now() - writtenAt);
        }
      } else {
        const wallClock = Date.now();
        const availableAt = wallClock + (this.options.lagMs ?? 0);
        for (const write of written) link.outbox.push({ ...write, writtenAt, wallClock, availableAt });
      }
      return answer;
    } finally {
      if (this.options.mode === 'strong') for (const id of lockIds) this.locks.delete(id);
    }
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

  /** Eventual mode: deliver what is due, from Regions that are up, to Regions that are up. */
  private async applyDue(): Promise<void> {
    if (this.applying) return;
    this.applying = true;
    try {
      for (const link of this.links) {
        const peer = this.other(link);
        if (!link.up || !peer.up) continue;
        while (link.outbox.length && (link.outbox[0]?.availableAt ?? Infinity) <= Date.now()) {
          const write = link.outbox[0] as PendingWrite;
          try {
            await applyIfNewer(peer.client, write.table, write.item);
          } catch {
            break; // The peer stopped answering; try again on the next tick.
          }
          link.outbox.shift();
          const waitedOutOutage = this.outages.some(
            (o) => o.from <= Date.now() && (o.to ?? Infinity) >= write.wallClock,
          );
          if (waitedOutOutage) this.backlog += 1;
          else this.lagSamples.push(performance.now() - write.writtenAt);
        }
      }
    } finally {
      this.applying = false;
    }
  }

  /** Strong mode rejoin: the survivor's items where they are newer, and nothing the survivor never had. */
  private async copyState(from: RegionLink, to: RegionLink): Promise<void> {
    for (const table of this.options.replicatedTables) {
      for (const item of await scanAll(from.client, table)) {
        await applyIfNewer(to.client, table, item);
      }
      for (const item of await scanAll(to.client, table)) {
        const key = { pk: item.pk as AttributeValue, sk: item.sk as AttributeValue };
        if (!(await getItem(from.client, table, key))) {
          await to.client.send(new DeleteItemCommand({ TableName: table, Key: key }));
        }
      }
    }
  }
}

async function forward(target: URL, headers: Record<string, unknown>, path: string, body: Buffer) {
  return new Promise<{ status: number; headers: Record<string, string | string[]>; body: Buffer }>(
    (resolve, reject) => {
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
    },
  );
}

function replicatedWriteConflict() {
  const body = Buffer.from(
    JSON.stringify({
      __type: 'com.amazonaws.dynamodb.v20120810#ReplicatedWriteConflictException',
      message: 'The item is being written in another Region.',
    }),
  );
  return { status: 400, headers: { 'content-type': 'application/x-amz-json-1.0' }, body };
}

async function getItem(client: DynamoDBClient, table: string, key: Key): Promise<Item | undefined> {
  const { Item } = await client.send(
    new GetItemCommand({ TableName: table, Key: key, ConsistentRead: true }),
  );
  return Item;
}

/** Makes the peer hold exactly this item (or none): strong mode's synchronous copy. */
async function applyExactly(client: DynamoDBClient, table: string, key: Key, item: Item | undefined) {
  if (item) await client.send(new PutItemCommand({ TableName: table, Item: item }));
  else await client.send(new DeleteItemCommand({ TableName: table, Key: key }));
}

/** Last writer wins: a higher version, or the same version changed later; unversioned items only if absent. */
async function applyIfNewer(client: DynamoDBClient, table: string, item: Item | undefined) {
  if (!item) return;
  const version = item.version?.N;
  const at = item.change?.M?.at?.S;
  try {
    await client.send(
      new PutItemCommand({
        TableName: table,
        Item: item,
        ConditionExpression: version
          ? at
            ? 'attribute_not_exists(pk) OR version < :v OR (version = :v AND #change.#at < :at)'
            : 'attribute_not_exists(pk) OR version < :v'
          : 'attribute_not_exists(pk)',
        ...(version
          ? {
              ExpressionAttributeValues: { ':v': { N: version }, ...(at ? { ':at': { S: at } } : {}) },
              ...(at ? { ExpressionAttributeNames: { '#change': 'change', '#at': 'at' } } : {}),
            }
          : {}),
      }),
    );
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

function itemId(table: string, key: Key): string {
  return `${table}|${key.pk?.S}|${key.sk?.S}`;
}
