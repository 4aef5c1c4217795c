import { randomBytes } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { DynamoDBClient, GetItemCommand } from '@aws-sdk/client-dynamodb';
import { BatchWriteCommand, DynamoDBDocumentClient, ScanCommand as DocScan } from '@aws-sdk/lib-dynamodb';
import { marshall } from '@aws-sdk/util-dynamodb';
import { beforeAll, describe, expect, inject, it } from 'vitest';
import { changeKinds, regionLoadingKey } from '../../functions/adapters/dynamodb/projection-keys.js';
import { physicalTableName } from '../../functions/adapters/dynamodb/tables.js';
import { canonicalJson } from '../../functions/domain/ids.js';
import { loadDemoStores } from '../../local/drill/demo-seed.js';
import { freePort } from '../../local/dynamodb-local.js';
import { regionEnvironment } from '../../local/region.js';
import { ensureTables } from '../../local/tables.js';
import { compareProjections } from '../../ops/projection-compare.js';
import { rebuildProjections, type RebuildOptions } from '../../ops/rebuild-projections.js';

const OWN = 'ap-northeast-2';
const PEER = 'ap-northeast-1';
let endpoint: string;
let client: DynamoDBClient;
let db: DynamoDBDocumentClient;
/** The surviving Region: the demo data and the projections its projector makes of it. */
const peerPrefix = `rp${randomBytes(3).toString('hex')}`;

beforeAll(async () => {
  endpoint = inject('dynamodbEndpoint');
  Object.assign(process.env, regionEnvironment(PEER, endpoint, peerPrefix));
  client = new DynamoDBClient({});
  db = DynamoDBDocumentClient.from(client);
  await ensureTables(client, peerPrefix);
  await loadDemoStores([client], { share: 0.05, region: PEER, tablePrefix: peerPrefix });
}, 180_000);

/** A Region that came back empty, its global-table replicas re-seeded by replication from the peer. */
async function burntRegion(): Promise<string> {
  const prefix = `rb${randomBytes(3).toString('hex')}`;
  await ensureTables(client, prefix);
  for (const id of ['catalog', 'ledger'] as const) {
    const items = await scanAll(physicalTableName(peerPrefix, id));
    for (let i = 0; i < items.length; i += 25) {
      await db.send(
        new BatchWriteCommand({
          RequestItems: {
            [physicalTableName(prefix, id)]: items.slice(i, i + 25).map((Item) => ({ PutRequest: { Item } })),
          },
        }),
      );
    }
  }
  return prefix;
}

async function scanAll(table: string): Promise<Record<string, unknown>[]> {
  const items: Record<string, unknown>[] = [];
  let start: Record<string, unknown> | undefined;
  do {
    const page = await db.send(new DocScan({ TableName: table, ExclusiveStartKey: start }));
    items.push(...(page.Items ?? []));
    start = page.LastEvaluatedKey;
  } while (start);
  return items;
}

/** Every projection item, in key order, the Region's own marker left out. */
async function projections(prefix: string): Promise<string[]> {
  return (await scanAll(physicalTableName(prefix, 'projections')))
    .filter((item) => item.pk !== regionLoadingKey.pk)
    .map((item) => canonicalJson(item))
    .sort();
}

const rebuild = (prefix: string, more: Partial<RebuildOptions> = {}) =>
  rebuildProjections({
    own: { region: OWN, endpoint, tablePrefix: prefix },
    peer: { region: PEER, endpoint, tablePrefix: peerPrefix },
    settleMs: 0,
    ...more,
  });

const compare = (prefix: string) =>
  compareProjections(
    { db, table: physicalTableName(prefix, 'projections') },
    { db, table: physicalTableName(peerPrefix, 'projections') },
  );

async function loading(prefix: string): Promise<boolean> {
  const { Item } = await client.send(
    new GetItemCommand({
      TableName: physicalTableName(prefix, 'projections'),
      Key: marshall(regionLoadingKey),
    }),
  );
  return Item !== undefined;
}

describe('rebuilding a lost Region’s projections', () => {
  it(
    'rebuilds every kind to match the other Region, and a second run changes nothing',
    { timeout: 180_000 },
    async () => {
      const prefix = await burntRegion();
      const first = await rebuild(prefix);
      expect(first).toMatchObject({ complete: true, ready: true, notRebuilt: [] });
      expect(first.comparison?.equal).toBe(true);
      for (const kind of Object.values(first.comparison?.kinds ?? {})) {
        expect(kind.count.rebuilt).toBeGreaterThan(0);
      }
      // Each copied record is a transactional put: at least two units, whatever the store reports.
      expect(first.capacityUnits).toBeGreaterThanOrEqual(2 * first.phases.copy.applied);
      expect(await loading(prefix)).toBe(false);

      const before = await projections(prefix);
      const second = await rebuild(prefix);
      expect(second.comparison?.equal).toBe(true);
      expect(second.phases.copy.applied).toBe(0);
      expect(second.phases.copy.alreadyThere).toBe(first.phases.copy.applied);
      expect(await projections(prefix)).toEqual(before);
    },
  );

  it(
    'a record already here is left as it is, and one here in part (an acknowledgement first) gains only what it lacks',
    { timeout: 180_000 },
    async () => {
      const prefix = await burntRegion();
      const peerItems = await scanAll(physicalTableName(peerPrefix, 'projections'));
      const auditEvent = peerItems.find((item) => String(item.pk).startsWith('audit#'));
      const version = peerItems.find((item) => String(item.pk).startsWith('history#'));
      if (!auditEvent || !version) throw new Error('the demo data has no audit event or history version');
      const acknowledgement = {
        acknowledged: { by: 'committee-first', at: '2026-12-01T00:00:00.000Z' },
        ackState: 'acknowledged',
      };
      const ownTable = physicalTableName(prefix, 'projections');
      const copiedBefore = { ...version, changes: 'as an earlier run left it' };
      await db.send(
        new BatchWriteCommand({
          RequestItems: {
            [ownTable]: [
              { PutRequest: { Item: { pk: auditEvent.pk, sk: auditEvent.sk, ...acknowledgement } } },
              { PutRequest: { Item: copiedBefore } },
            ],
          },
        }),
      );

      const summary = await rebuild(prefix);
      const copied = await scanAll(ownTable);
      const own = (key: Record<string, unknown>) =>
        copied.find((item) => item.pk === key.pk && item.sk === key.sk);
      expect(own(auditEvent)).toEqual({ ...auditEvent, ...acknowledgement });
      expect(own(version)).toEqual(copiedBefore);
      expect(summary.phases.copy.alreadyThere).toBe(1);
      const changeRecords = peerItems.filter((item) =>
        changeKinds.some(({ prefix }) => String(item.pk).startsWith(prefix)),
      );
      expect(summary.phases.copy.applied).toBe(changeRecords.length - 1);
    },
  );

  it(
    'an interrupted rebuild keeps the Region starting and resumes from its checkpoint to the same tables',
    { timeout: 180_000 },
    async () => {
      const reference = await burntRegion();
      const whole = await rebuild(reference);
      const prefix = await burntRegion();
      const abort = new AbortController();
      const cut = await rebuild(prefix, {
        segments: 2,
        signal: abort.signal,
        onProgress: () => abort.abort(),
      });
      expect(cut).toMatchObject({ interrupted: true, complete: false, ready: false });
      expect(await loading(prefix)).toBe(true);

      const resumed = await rebuild(prefix, { segments: 4 });
      expect(resumed).toMatchObject({ resumed: true, complete: true, ready: true });
      // It went on from where the first run stopped instead of starting again.
      expect(cut.items).toBeGreaterThan(0);
      expect(resumed.phases.copy.read).toBe(whole.phases.copy.read - cut.phases.copy.read);
      expect(await projections(prefix)).toEqual(await projections(reference));
    },
  );

  it(
    'with the other Region unreachable it rebuilds what the replicas give, says what it could not, and stays starting',
    { timeout: 180_000 },
    async () => {
      const prefix = await burntRegion();
      const unreachable = `http://127.0.0.1:${await freePort()}`;
      const partial = await rebuild(prefix, {
        peer: { region: PEER, endpoint: unreachable, tablePrefix: peerPrefix },
      });
      expect(partial.ready).toBe(false);
      expect(partial.comparison).toBeNull();
      expect(partial.notRebuilt).toEqual([
        {
          kinds: ['history', 'auditFeed', 'events', 'eventFeeds', 'servicePlans'],
          reason: expect.stringContaining(`${PEER} did not answer`),
        },
      ]);
      expect(await loading(prefix)).toBe(true);
      const now = await compare(prefix);
      for (const kind of ['searchPostings', 'listIndexes', 'statistics', 'facets'] as const) {
        expect(now.kinds[kind].differing).toBe(0);
      }
      expect(now.kinds.history.count.rebuilt).toBe(0);
      expect(now.kinds.auditFeed.differing).toBeGreaterThan(0);
      expect(now.kinds.events.count.rebuilt).toBe(0);
      expect(now.kinds.events.count.other).toBeGreaterThan(0);

      // Once the other Region answers, the same command completes the rebuild.
      const completed = await rebuild(prefix);
      expect(completed).toMatchObject({ resumed: true, complete: true, ready: true });
      expect((await compare(prefix)).equal).toBe(true);
    },
  );

  it(
    'a page whose statistics keep losing races is projected again, as a stream delivers a failed batch again',
    { timeout: 180_000 },
    async () => {
      const prefix = await burntRegion();
      // More cancelled transactions in a row than the projector's own eight tries.
      const contended = await cancellingTransactions(endpoint, 9);
      try {
        const summary = await rebuild(prefix, {
          own: { region: OWN, endpoint: contended.url, tablePrefix: prefix },
          // One segment: every cancellation falls on the same page's tries.
          segments: 1,
        });
        expect(contended.cancelled()).toBe(9);
        expect(summary).toMatchObject({ complete: true, ready: true });
        expect((await compare(prefix)).equal).toBe(true);
      } finally {
        contended.close();
      }
    },
  );
});

/**
 * A proxy in front of DynamoDB Local that answers the first `count` of the projector's TransactWriteItems
 * (those that update, as statistics do; the copy's only put) as DynamoDB does when another writer moved an
 * item the transaction reads first, and forwards everything else.
 */
async function cancellingTransactions(target: string, count: number) {
  let cancelled = 0;
  const server = createServer(async (request, response) => {
    const chunks: Buffer[] = [];
    for await (const chunk of request) chunks.push(chunk as Buffer);
    const body = Buffer.concat(chunks);
    const projecting =
      request.headers['x-amz-target'] === 'DynamoDB_20120810.TransactWriteItems' &&
      body.includes('"Update":');
    if (projecting && cancelled < count) {
      cancelled += 1;
      response.writeHead(400, { 'content-type': 'application/x-amz-json-1.0' });
      response.end(
        JSON.stringify({
          __type: 'com.amazonaws.dynamodb.v20120810#TransactionCanceledException',
          message:
            'Transaction cancelled, please refer cancellation reasons for specific reasons [ConditionalCheckFailed]',
          CancellationReasons: [{ Code: 'ConditionalCheckFailed' }],
        }),
      );
      return;
    }
    const headers = Object.fromEntries(
      Object.entries(request.headers).filter(
        ([name]) => !['host', 'connection', 'content-length'].includes(name),
      ),
    ) as Record<string, string>;
    const answer = await fetch(target, { method: request.method, headers, body });
    response.writeHead(answer.status, {
      'content-type': answer.headers.get('content-type') ?? 'application/json',
    });
    response.end(Buffer.from(await answer.arrayBuffer()));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    cancelled: () => cancelled,
    close: () => server.close(),
  };
}
