import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import { acknowledgementKey } from '../functions/adapters/dynamodb/projection-keys.js';
import { tableName } from '../functions/adapters/dynamodb/client.js';
import {
  entityItem,
  entityKey,
  type StoredChange,
  tableOf,
  uniqueGuardItem,
} from '../functions/adapters/dynamodb/entity-store.js';
import type { ChangeRecord, Image } from '../functions/adapters/dynamodb/projector.js';
import type { TableId } from '../functions/adapters/dynamodb/tables.js';
import type { EntityKind } from '../functions/domain/ports.js';
import type { Entity } from '../functions/domain/entities.js';
import type { DemoData } from './demo-data.js';
import { projectInMemory } from './demo-projections.js';
import type { StreamPoller } from './stream-poller.js';

/**
 * The local Region to load: its tables' client (their names come from its environment) and its poller.
 * Without a poller (a store loaded before its Region starts, as the drill's), the Region must start its
 * poller from the latest records (`streamsFromLatest`), since the load's records are projected already.
 */
export interface DemoTarget {
  readonly client: DynamoDBClient;
  readonly region: string;
  readonly poller?: StreamPoller;
}

/**
 * The demo entities in the order they are stored, each kind with the uniqueness guards the API would write
 * with it. A new kind of demo entity is one more line here (and its list in `DemoData`).
 */
function demoEntities(data: DemoData): [EntityKind, readonly Entity[], (entity: never) => string[]][] {
  return [
    [
      'provider',
      data.providers,
      (p: { businessRegistrationNumber: string }) => [`brn:${p.businessRegistrationNumber}`],
    ],
    ['agency', data.agencies, (a: { institutionCode: string }) => [`institution:${a.institutionCode}`]],
    ['service', data.services, () => []],
    ['review', data.reviewSessions, () => []],
    ['contract', data.contracts, () => []],
    ['case', data.cases, () => []],
    ['snapshot', data.snapshots, () => []],
  ];
}

/**
 * Every write of the demo data as the entity store would make it, in order, as the table streams would
 * carry it: each entity as first stored (with its uniqueness guards), then the listed services' later
 * versions one by one as their providers made them (old and new image), then the administrators'
 * acknowledgements in the ledger.
 */
export function demoChangeRecords(
  data: DemoData,
  region: string,
): { table: TableId; record: ChangeRecord }[] {
  const seeded = (entity: Entity): StoredChange => ({
    actor: { sub: 'demo-loader', role: 'admin' },
    action: 'seed',
    at: entity.createdAt,
    region,
  });
  const put = (table: TableId, item: Image, oldImage?: Image) => ({
    table,
    record: {
      key: { pk: String(item.pk), sk: String(item.sk) },
      newImage: item,
      ...(oldImage ? { oldImage } : {}),
    },
  });
  const writes = demoEntities(data).flatMap(([kind, entities, uniqueKeys]) =>
    entities.flatMap((entity) => [
      put(tableOf[kind], entityItem(kind, entity, seeded(entity))),
      ...uniqueKeys(entity as never).map((key) => put(tableOf[kind], uniqueGuardItem(kind, key, entity.id))),
    ]),
  );
  const stored = new Map(writes.map(({ record }) => [`${record.key.pk}\n${record.key.sk}`, record.newImage]));
  for (const { versions } of data.serviceEdits) {
    for (const version of versions) {
      const change: StoredChange = {
        actor: { sub: `demo-provider-${version.providerId}`, role: 'provider', org: version.providerId },
        action: 'update',
        at: version.updatedAt,
        region,
      };
      const key = entityKey('service', version.id);
      const item = entityItem('service', version, change);
      writes.push(put(tableOf.service, item, stored.get(`${key.pk}\n${key.sk}`)));
      stored.set(`${key.pk}\n${key.sk}`, item);
    }
  }
  for (const acknowledgement of data.acknowledgements) {
    writes.push(put('ledger', { ...acknowledgementKey(acknowledgement.eventId), ...acknowledgement }));
  }
  return writes;
}

/**
 * Loads the demo data into a local Region in bulk: the entities' final items, and the read models the
 * projector would have made of their writes (computed in memory with its own code, `demo-projections.ts`),
 * all batch-written at once. The poller is paused meanwhile and then moved past the load's stream records,
 * which are projected already. The Region should take no other writes while it loads (its `/health` says
 * `starting`). Returns the number of items written.
 */
export async function loadDemoData(target: DemoTarget, data: DemoData): Promise<number> {
  const db = DynamoDBDocumentClient.from(target.client, {
    marshallOptions: { removeUndefinedValues: true, convertClassInstanceToMap: false },
  });
  const writes = demoChangeRecords(data, target.region);
  const items = new Map<string, { table: TableId; item: Image }>();
  for (const { table, record } of writes) {
    items.set(`${table}\n${record.key.pk}\n${record.key.sk}`, { table, item: record.newImage as Image });
  }
  const projections = (await projectInMemory(writes.map((w) => w.record))).map((item) => ({
    table: 'projections' as const,
    item,
  }));
  // In key order, as DynamoDB Local's SQLite then appends to its B-trees rather than splitting pages all
  // over them: measured here, the load phase 0.4-1.5 s shorter (of ~20 s) in two interleaved pairs.
  const all = [...items.values(), ...projections].sort(byTableAndKey);

  const { poller } = target;
  if (!poller) {
    await putInTransactions(db, all);
    return all.length;
  }
  await poller.pause();
  try {
    await putInTransactions(db, all);
    await poller.skipPending();
  } finally {
    poller.resume();
  }
  return all.length;
}

const compareText = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
const byTableAndKey = (a: { table: TableId; item: Image }, b: { table: TableId; item: Image }) =>
  compareText(a.table, b.table) ||
  compareText(String(a.item.pk), String(b.item.pk)) ||
  compareText(String(a.item.sk), String(b.item.sk));

/** Items per transaction: DynamoDB's limit. */
const TRANSACTION_ITEMS = 100;

/**
 * Puts in transactions of 100 distinct items, two at a time. DynamoDB Local commits, and syncs its file to
 * disk, once per request and once per item of a batch write: measured here, transactions load 5 to 8
 * times faster from a data directory on disk. A local bulk load only (the ledger in AWS is MRSC, which
 * has no transactions, and is never bulk-loaded).
 */
async function putInTransactions(
  db: DynamoDBDocumentClient,
  items: readonly { table: TableId; item: Image }[],
): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const chunk = items.slice(next, (next += TRANSACTION_ITEMS));
      await db.send(
        new TransactWriteCommand({
          TransactItems: chunk.map(({ table, item }) => ({
            Put: { TableName: tableName(table), Item: item },
          })),
        }),
      );
    }
  };
  await Promise.all([worker(), worker()]);
}
