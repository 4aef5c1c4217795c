/**
 * The event projection: from each stream record of a stored change, the event it makes (see
 * `domain/events.ts`), filed in this Region's feed with a delivery opened for each subscription that wants
 * it. Events are change records, like the history and the audit feed: each is made from one change's
 * record (its old image included), so a scan of the items as they are now cannot give them back; the
 * projector derives them in `projectChanges`, and a projections rebuild copies them (with their feed
 * entries and the plan ids below) from the other Region instead (`projectionKinds`).
 *
 * The item-building half is pure and exported, so the local demo loader makes the same items in memory
 * (`local/demo-projections.ts`).
 */
import { type DynamoDBDocumentClient, QueryCommand } from '@aws-sdk/lib-dynamodb';
import type { EventFeed } from '../../domain/event-ports.js';
import { EVERY_ORG } from '../../domain/event-ports.js';
import { type Audience, eventOfChange, type MarketEvent } from '../../domain/events.js';
import type { Service } from '../../domain/entities.js';
import { batchWrite } from './batch.js';
import { tableName } from './client.js';
import { planStatusKey, type StoredChange, toEntity } from './entity-store.js';
import { eventFeedPartition, eventKey, servicePlanKey, servicePlansPartition } from './projection-keys.js';
import type { ChangeRecord, Image } from './projector.js';
import { tables } from './tables.js';

const byPlanStatus = tables.ledger.globalSecondaryIndexes.find((index) => index.indexName === 'byPlanStatus');

/** Finds the agencies with an `ACTIVE` contract on one plan of a service. */
export type ActiveAgenciesOfPlan = (serviceId: string, planId: string) => Promise<readonly string[]>;

export class EventProjection {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly feed: EventFeed,
  ) {}

  async project(records: readonly ChangeRecord[]): Promise<void> {
    await batchWrite(
      this.db,
      tableName('projections'),
      servicePlanItems(records).map((Item) => ({ PutRequest: { Item } })),
    );
    const events: MarketEvent[] = [];
    for (const record of records) {
      const derived = derivedEvent(record);
      if (!derived) continue;
      const planIds = derived.audience.activeAgenciesOfService
        ? await this.planIdsOf(derived.audience.activeAgenciesOfService)
        : [];
      const agencies = await agenciesOf(derived.audience, planIds, (serviceId, planId) =>
        this.activeAgencies(serviceId, planId),
      );
      events.push({ ...derived.event, orgs: recipients(derived.audience, agencies) });
    }
    await this.feed.publish(events);
  }

  private async planIdsOf(serviceId: string): Promise<string[]> {
    const planIds: string[] = [];
    let start: Record<string, unknown> | undefined;
    do {
      const page = await this.db.send(
        new QueryCommand({
          TableName: tableName('projections'),
          KeyConditionExpression: 'pk = :pk',
          ExpressionAttributeValues: { ':pk': servicePlansPartition(serviceId) },
          ExclusiveStartKey: start,
        }),
      );
      for (const item of page.Items ?? []) planIds.push(String(item.planId));
      start = page.LastEvaluatedKey;
    } while (start);
    return planIds;
  }

  /** One index read per plan (`serviceId#planId#ACTIVE`), never a scan. */
  private async activeAgencies(serviceId: string, planId: string): Promise<string[]> {
    const agencies: string[] = [];
    let start: Record<string, unknown> | undefined;
    do {
      const page = await this.db.send(
        new QueryCommand({
          TableName: tableName('ledger'),
          IndexName: byPlanStatus?.indexName,
          KeyConditionExpression: 'planStatus = :key',
          ExpressionAttributeValues: { ':key': planStatusKey(serviceId, planId, 'ACTIVE') },
          ProjectionExpression: 'agencyId',
          ExclusiveStartKey: start,
        }),
      );
      for (const item of page.Items ?? []) agencies.push(String(item.agencyId));
      start = page.LastEvaluatedKey;
    } while (start);
    return agencies;
  }
}

/** The event a stream record of a stored change makes and who hears of it; undefined when none. */
export function derivedEvent(record: ChangeRecord): ReturnType<typeof eventOfChange> {
  const image = record.newImage;
  const change = image?.change as StoredChange | undefined;
  if (!image || !change) return undefined;
  return eventOfChange({
    entity: String(image.entityKind),
    before: record.oldImage ? toEntity(record.oldImage) : undefined,
    after: toEntity(image),
    at: change.at,
  });
}

/**
 * Every plan a service ever had, one item per plan (writing one again changes nothing), since an `ACTIVE`
 * contract may use a plan the service no longer offers.
 */
export function servicePlanItems(records: readonly ChangeRecord[]): Image[] {
  const items = new Map<string, Image>();
  for (const record of records) {
    const image = record.newImage;
    if (image?.entityKind !== 'service') continue;
    const service = toEntity<Service>(image);
    for (const plan of service.plans) {
      const key = servicePlanKey(service.id, plan.id);
      items.set(`${key.pk}\n${key.sk}`, { ...key, planId: plan.id });
    }
  }
  return [...items.values()];
}

/** The agencies of a service's audience with an `ACTIVE` contract on any of its plans. */
export async function agenciesOf(
  audience: Audience,
  planIds: readonly string[],
  activeAgencies: ActiveAgenciesOfPlan,
): Promise<string[]> {
  const serviceId = audience.activeAgenciesOfService;
  if (!serviceId) return [];
  const found = await Promise.all(planIds.map((planId) => activeAgencies(serviceId, planId)));
  return found.flat();
}

export const recipients = (audience: Audience, agencies: readonly string[]): string[] =>
  [...new Set([...audience.orgs, ...agencies])].sort();

/** An event's entry in one reader's feed, at the position its filing stamp gives it. */
export function feedEntries(event: MarketEvent, stamp: string): Image[] {
  return [...event.orgs, EVERY_ORG].map((reader) => ({
    pk: eventFeedPartition(reader),
    sk: `${stamp}#${event.id}`,
    type: event.type,
    event,
  }));
}

/** The event's own item once its filing at `stamp` is complete (see `DynamoEventFeed`). */
export const filedEventItem = (event: MarketEvent, stamp: string): Image => ({
  ...eventKey(event.id),
  event,
  stamp,
  filed: true,
});
