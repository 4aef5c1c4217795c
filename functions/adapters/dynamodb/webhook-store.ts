import { ConditionalCheckFailedException, TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import {
  type DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  QueryCommand,
  TransactWriteCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import { randomUUID } from 'node:crypto';
import type {
  AttemptOutcome,
  Delivery,
  DeliveryKey,
  DeliveryStatus,
  Lease,
  SigningSubscription,
  Subscription,
  WebhookStore,
} from '../../domain/event-ports.js';
import type { Page } from '../../domain/ports.js';
import { tableName } from './client.js';
import { tables } from './tables.js';

/**
 * Subscriptions live in the catalog (MREC, replicated): both Regions sign and deliver with them, and an
 * edit is one organisation changing its own item, where last-writer-wins between Regions loses nothing a
 * version condition would keep. Each is stored twice in one transaction: under its id (reads and edits),
 * and in its organisation's partition (the list, and the projector's look-up of who wants an event).
 *
 * Deliveries live in the ledger (MRSC): the record whose conditional writes decide which Region sends. A
 * strongly consistent conditional write is acknowledged only once another Region has it, so two Regions
 * claiming one delivery cannot both win, which an eventually consistent table (last writer wins) could
 * not promise. A pending delivery is in the sparse `deliveriesDue` index by when it is due.
 */
const subscriptionKey = (id: string) => ({ pk: `webhook#${id}`, sk: 'webhook' });
const orgListKey = (org: string, id: string) => ({ pk: `webhooks#${org}`, sk: id });
const deliveryKey = (key: DeliveryKey) => ({ pk: `delivery#${key.subscriptionId}`, sk: key.eventId });

const dueIndex = tables.ledger.globalSecondaryIndexes.find((index) => index.indexName === 'deliveriesDue');
/** The one partition of the due index; deliveries due at once are few, and the sort key spreads reads. */
const DUE = 'due';
/** Items read for one page of a filtered delivery list at most. */
const READ_BUDGET = 1000;

export class DynamoWebhookStore implements WebhookStore {
  constructor(private readonly db: DynamoDBDocumentClient) {}

  async create(subscription: SigningSubscription): Promise<'created' | 'exists'> {
    try {
      await this.db.send(
        new TransactWriteCommand({
          TransactItems: [
            subscriptionKey(subscription.id),
            orgListKey(subscription.org, subscription.id),
          ].map((key) => ({
            Put: {
              TableName: tableName('catalog'),
              Item: { ...subscription, ...key },
              ConditionExpression: 'attribute_not_exists(pk)',
            },
          })),
        }),
      );
      return 'created';
    } catch (error) {
      if (error instanceof TransactionCanceledException) return 'exists';
      throw error;
    }
  }

  async get(id: string): Promise<SigningSubscription | undefined> {
    const { Item } = await this.db.send(
      new GetCommand({ TableName: tableName('catalog'), Key: subscriptionKey(id), ConsistentRead: true }),
    );
    return Item ? signingSubscriptionOf(Item) : undefined;
  }

  async list(org: string, limit: number, after?: string): Promise<Page<Subscription>> {
    const { Items, LastEvaluatedKey } = await this.db.send(
      new QueryCommand({
        TableName: tableName('catalog'),
        KeyConditionExpression: 'pk = :pk',
        ExpressionAttributeValues: { ':pk': orgListKey(org, '').pk },
        Limit: limit,
        ...(after ? { ExclusiveStartKey: orgListKey(org, after) } : {}),
      }),
    );
    return {
      items: (Items ?? []).map((item) => subscriptionOf(item)),
      next: LastEvaluatedKey ? String(LastEvaluatedKey.sk) : null,
    };
  }

  async allOf(org: string): Promise<SigningSubscription[]> {
    const out: SigningSubscription[] = [];
    let start: Record<string, unknown> | undefined;
    do {
      const page = await this.db.send(
        new QueryCommand({
          TableName: tableName('catalog'),
          KeyConditionExpression: 'pk = :pk',
          ExpressionAttributeValues: { ':pk': orgListKey(org, '').pk },
          ExclusiveStartKey: start,
        }),
      );
      out.push(...(page.Items ?? []).map(signingSubscriptionOf));
      start = page.LastEvaluatedKey;
    } while (start);
    return out;
  }

  async update(next: SigningSubscription): Promise<'updated' | 'stale'> {
    try {
      await this.db.send(
        new TransactWriteCommand({
          TransactItems: [subscriptionKey(next.id), orgListKey(next.org, next.id)].map((key) => ({
            Put: {
              TableName: tableName('catalog'),
              Item: { ...next, ...key },
              ConditionExpression: 'version = :previous',
              ExpressionAttributeValues: { ':previous': next.version - 1 },
            },
          })),
        }),
      );
      return 'updated';
    } catch (error) {
      if (error instanceof TransactionCanceledException) return 'stale';
      throw error;
    }
  }

  async deliveries(
    subscriptionId: string,
    query: { status?: DeliveryStatus; limit: number; after?: string },
  ): Promise<Page<Delivery>> {
    const items: Delivery[] = [];
    const pk = deliveryKey({ subscriptionId, eventId: '' }).pk;
    let start: Record<string, unknown> | undefined = query.after ? { pk, sk: query.after } : undefined;
    let read = 0;
    do {
      const page = await this.db.send(
        new QueryCommand({
          TableName: tableName('ledger'),
          KeyConditionExpression: 'pk = :pk',
          ...(query.status ? { FilterExpression: '#status = :status' } : {}),
          ...(query.status ? { ExpressionAttributeNames: { '#status': 'status' } } : {}),
          ExpressionAttributeValues: { ':pk': pk, ...(query.status ? { ':status': query.status } : {}) },
          Limit: query.limit - items.length,
          ExclusiveStartKey: start,
        }),
      );
      read += page.ScannedCount ?? 0;
      items.push(...(page.Items ?? []).map(deliveryOf));
      start = page.LastEvaluatedKey;
    } while (start && items.length < query.limit && read < READ_BUDGET);
    return { items, next: start ? String(start.sk) : null };
  }

  async getDelivery(key: DeliveryKey): Promise<Delivery | undefined> {
    const { Item } = await this.db.send(
      new GetCommand({ TableName: tableName('ledger'), Key: deliveryKey(key), ConsistentRead: true }),
    );
    return Item ? deliveryOf(Item) : undefined;
  }

  async openDelivery(delivery: Delivery): Promise<void> {
    try {
      await this.db.send(
        new PutCommand({
          TableName: tableName('ledger'),
          Item: deliveryItem(delivery),
          ConditionExpression: 'attribute_not_exists(pk)',
        }),
      );
    } catch (error) {
      // Opened already: by this Region's earlier pass over the same record, or by the other Region.
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
    }
  }

  async redeliver(delivery: Delivery): Promise<Delivery> {
    await this.db.send(new PutCommand({ TableName: tableName('ledger'), Item: deliveryItem(delivery) }));
    return delivery;
  }

  async claim(
    key: DeliveryKey,
    claim: { owner: string; now: Date; leaseMs: number },
  ): Promise<Lease | undefined> {
    const token = randomUUID();
    const now = claim.now.toISOString();
    try {
      const { Attributes } = await this.db.send(
        new UpdateCommand({
          TableName: tableName('ledger'),
          Key: deliveryKey(key),
          UpdateExpression: 'SET leaseOwner = :owner, leaseUntil = :until, leaseToken = :token',
          ConditionExpression:
            '#status = :pending AND dueAt <= :now AND (attribute_not_exists(leaseUntil) OR leaseUntil < :now)',
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: {
            ':owner': claim.owner,
            ':until': new Date(claim.now.getTime() + claim.leaseMs).toISOString(),
            ':token': token,
            ':pending': 'pending',
            ':now': now,
          },
          ReturnValues: 'ALL_NEW',
        }),
      );
      return Attributes ? { delivery: deliveryOf(Attributes), token } : undefined;
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return undefined;
      throw error;
    }
  }

  async finish(lease: Lease, outcome: AttemptOutcome): Promise<boolean> {
    const pending = outcome.status === 'pending';
    try {
      await this.db.send(
        new UpdateCommand({
          TableName: tableName('ledger'),
          Key: deliveryKey(lease.delivery),
          UpdateExpression: [
            'SET #status = :status, attempts = :attempts, lastStatusCode = :code, lastAttemptAt = :at, nextAttemptAt = :next',
            ...(pending ? [', dueShard = :due, dueAt = :next'] : []),
            ' REMOVE leaseOwner, leaseUntil, leaseToken',
            ...(pending ? [] : [', dueShard, dueAt']),
          ].join(''),
          ConditionExpression: 'leaseToken = :token',
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: {
            ':status': outcome.status,
            ':attempts': outcome.attempts,
            ':code': outcome.lastStatusCode,
            ':at': outcome.lastAttemptAt,
            ':next': outcome.nextAttemptAt,
            ':token': lease.token,
            ...(pending ? { ':due': DUE } : {}),
          },
        }),
      );
      return true;
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return false;
      throw error;
    }
  }

  async due(now: Date, limit: number): Promise<(DeliveryKey & { dueAt: string })[]> {
    const { Items } = await this.db.send(
      new QueryCommand({
        TableName: tableName('ledger'),
        IndexName: dueIndex?.indexName,
        KeyConditionExpression: 'dueShard = :due AND dueAt <= :now',
        ExpressionAttributeValues: { ':due': DUE, ':now': now.toISOString() },
        Limit: limit,
      }),
    );
    return (Items ?? []).map((item) => ({
      subscriptionId: String(item.subscriptionId),
      eventId: String(item.eventId),
      dueAt: String(item.dueAt),
    }));
  }
}

function deliveryItem(delivery: Delivery) {
  return {
    ...deliveryKey(delivery),
    ...delivery,
    ...(delivery.status === 'pending' && delivery.nextAttemptAt
      ? { dueShard: DUE, dueAt: delivery.nextAttemptAt }
      : {}),
  };
}

function subscriptionOf(item: Record<string, unknown>): Subscription {
  return {
    id: String(item.id),
    org: String(item.org),
    url: String(item.url),
    types: item.types as Subscription['types'],
    enabled: item.enabled === true,
    createdAt: String(item.createdAt),
    updatedAt: String(item.updatedAt),
    version: Number(item.version),
  };
}

function signingSubscriptionOf(item: Record<string, unknown>): SigningSubscription {
  return { ...subscriptionOf(item), secret: String(item.secret), createdWith: String(item.createdWith) };
}

function deliveryOf(item: Record<string, unknown>): Delivery {
  return {
    subscriptionId: String(item.subscriptionId),
    eventId: String(item.eventId),
    org: String(item.org),
    type: item.type as Delivery['type'],
    status: item.status as DeliveryStatus,
    attempts: Number(item.attempts ?? 0),
    lastStatusCode: typeof item.lastStatusCode === 'number' ? item.lastStatusCode : null,
    lastAttemptAt: typeof item.lastAttemptAt === 'string' ? item.lastAttemptAt : null,
    nextAttemptAt: typeof item.nextAttemptAt === 'string' ? item.nextAttemptAt : null,
    windowStart: String(item.windowStart),
    event: item.event as Delivery['event'],
  };
}
