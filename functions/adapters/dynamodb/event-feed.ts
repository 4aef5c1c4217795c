import {
  DeleteCommand,
  type DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  QueryCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import { type EventFeed, type FeedQuery, type WebhookStore } from '../../domain/event-ports.js';
import type { MarketEvent } from '../../domain/events.js';
import { pendingDelivery } from '../../domain/event-ports.js';
import { batchWrite } from './batch.js';
import { tableName } from './client.js';
import { feedEntries } from './event-projection.js';
import { deferredDeliveriesKey as deferredKey, eventFeedPartition, eventKey } from './projection-keys.js';

/**
 * Each Region files every event in its own projections table: once under its id, and once in the feed of
 * each reader (every organisation it reaches, and `*` for administrators), sorted by when this Region filed
 * it (`<filed at>#<event id>`). Arrival order, not the event's own time: a change replicated late from the
 * other Region still lands after every position a reader has already passed.
 *
 * A reader sees only what was filed at least `FEED_SETTLE_MS` ago, and a filing counts only if its feed
 * entries were all written within that time of their stamp (else it is stamped again, later, and written
 * again); so an entry a reader could have skipped past does not exist. Filing an event again (a redelivered
 * stream record) finds it filed and writes nothing more.
 */
export const FEED_SETTLE_MS = 5_000;
/** Items read for one page of a type-filtered feed at most. */
const READ_BUDGET = 1000;
const PARALLEL_EVENTS = 10;

export class DynamoEventFeed implements EventFeed {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly webhooks: WebhookStore,
    private readonly clock: () => Date = () => new Date(),
  ) {}

  async publish(events: readonly MarketEvent[]): Promise<void> {
    for (let i = 0; i < events.length; i += PARALLEL_EVENTS) {
      await Promise.all(events.slice(i, i + PARALLEL_EVENTS).map((event) => this.publishOne(event)));
    }
  }

  async query(query: FeedQuery): Promise<{ items: MarketEvent[]; next: string }> {
    const pk = eventFeedPartition(query.reader);
    // Everything filed up to here is in place for good (see FEED_SETTLE_MS); `$` sorts after `#`.
    const settled = `${new Date(query.now.getTime() - FEED_SETTLE_MS).toISOString()}$`;
    const items: MarketEvent[] = [];
    let start: Record<string, unknown> | undefined = query.after ? { pk, sk: query.after } : undefined;
    let position = query.after ?? '';
    let read = 0;
    for (;;) {
      const page = await this.db.send(
        new QueryCommand({
          TableName: tableName('projections'),
          KeyConditionExpression: 'pk = :pk AND sk <= :settled',
          ...(query.type
            ? { FilterExpression: '#type = :type', ExpressionAttributeNames: { '#type': 'type' } }
            : {}),
          ExpressionAttributeValues: {
            ':pk': pk,
            ':settled': settled,
            ...(query.type ? { ':type': query.type } : {}),
          },
          Limit: query.limit - items.length,
          ExclusiveStartKey: start,
        }),
      );
      read += page.ScannedCount ?? 0;
      for (const item of page.Items ?? []) {
        items.push(item.event as MarketEvent);
        position = String(item.sk);
      }
      start = page.LastEvaluatedKey;
      if (!start) {
        // Read to the settled end: resume from there, even when nothing more is in it yet.
        if (items.length < query.limit && settled > position) position = settled;
        break;
      }
      position = String(start.sk);
      if (items.length >= query.limit || read >= READ_BUDGET) break;
    }
    return { items, next: position };
  }

  async get(eventId: string): Promise<MarketEvent | undefined> {
    const { Item } = await this.db.send(
      new GetCommand({ TableName: tableName('projections'), Key: eventKey(eventId) }),
    );
    return Item?.event as MarketEvent | undefined;
  }

  private async publishOne(proposed: MarketEvent): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      const now = this.clock();
      // The first filing's event and stamp stand; a later derivation of the same change only finds them.
      const { Attributes: filed = {} } = await this.db.send(
        new UpdateCommand({
          TableName: tableName('projections'),
          Key: eventKey(proposed.id),
          UpdateExpression: 'SET #event = if_not_exists(#event, :event), stamp = if_not_exists(stamp, :now)',
          ExpressionAttributeNames: { '#event': 'event' },
          ExpressionAttributeValues: { ':event': proposed, ':now': now.toISOString() },
          ReturnValues: 'ALL_NEW',
        }),
      );
      const event = filed.event as MarketEvent;
      if (filed.filed === true) return this.openOrDefer(event);
      let stamp = String(filed.stamp);
      if (now.getTime() - Date.parse(stamp) > FEED_SETTLE_MS / 2) {
        // Stamped by a filing that did not finish in time: readers may be past it, so file it anew, later.
        await this.writeEntries(event, stamp, 'delete');
        stamp = now.toISOString();
        await this.restamp(event.id, String(filed.stamp), stamp);
      }
      await this.writeEntries(event, stamp, 'put');
      if (this.clock().getTime() - Date.parse(stamp) <= FEED_SETTLE_MS) {
        await this.db.send(
          new UpdateCommand({
            TableName: tableName('projections'),
            Key: eventKey(event.id),
            UpdateExpression: 'SET filed = :true',
            ExpressionAttributeValues: { ':true': true },
          }),
        );
        return this.openOrDefer(event);
      }
      if (attempt >= 10) throw new Error(`Filing event ${event.id} kept outlasting ${FEED_SETTLE_MS} ms`);
    }
  }

  private async restamp(eventId: string, from: string, to: string): Promise<void> {
    await this.db.send(
      new UpdateCommand({
        TableName: tableName('projections'),
        Key: eventKey(eventId),
        UpdateExpression: 'SET stamp = :to',
        ConditionExpression: 'stamp = :from',
        ExpressionAttributeValues: { ':from': from, ':to': to },
      }),
    );
  }

  private async writeEntries(event: MarketEvent, stamp: string, how: 'put' | 'delete'): Promise<void> {
    await batchWrite(
      this.db,
      tableName('projections'),
      feedEntries(event, stamp).map((Item) =>
        how === 'put' ? { PutRequest: { Item } } : { DeleteRequest: { Key: { pk: Item.pk, sk: Item.sk } } },
      ),
    );
  }

  /**
   * Opens the event's deliveries; if the ledger refuses (this Region cut off from the quorum), notes the
   * event in this Region's own table for the delivery sweep to open later, rather than holding up every
   * projection behind it. The other Region opens the same deliveries when it can.
   */
  private async openOrDefer(event: MarketEvent): Promise<void> {
    try {
      await this.openDeliveries(event);
    } catch {
      await this.db.send(
        new PutCommand({
          TableName: tableName('projections'),
          Item: { ...deferredKey(event.id), eventId: event.id },
        }),
      );
    }
  }

  async openDeferred(limit: number): Promise<number> {
    const { Items = [] } = await this.db.send(
      new QueryCommand({
        TableName: tableName('projections'),
        KeyConditionExpression: 'pk = :pk',
        ExpressionAttributeValues: { ':pk': deferredKey('').pk },
        Limit: limit,
      }),
    );
    for (const item of Items) {
      const event = await this.get(String(item.eventId));
      if (event) await this.openDeliveries(event);
      await this.db.send(
        new DeleteCommand({ TableName: tableName('projections'), Key: deferredKey(String(item.eventId)) }),
      );
    }
    return Items.length;
  }

  /**
   * One delivery for every enabled subscription of a receiving organisation that wants the type. Both
   * Regions do this for every event; the delivery's conditional put keeps one.
   */
  private async openDeliveries(event: MarketEvent): Promise<void> {
    for (const org of event.orgs) {
      for (const subscription of await this.webhooks.allOf(org)) {
        if (!subscription.enabled || !subscription.types.includes(event.type)) continue;
        await this.webhooks.openDelivery(pendingDelivery(subscription, event, this.clock()));
      }
    }
  }
}
