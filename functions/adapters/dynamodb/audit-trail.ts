import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import {
  type DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  QueryCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import type { Acknowledgement, AuditEvent, AuditQuery, AuditTrail } from '../../domain/ports.js';
import { tableName } from './client.js';
import { acknowledgementKey, auditPartition, auditSortKey } from './projection-keys.js';
import { type IndexSpec, tables } from './tables.js';

const [feed, byEntity, byActor, byOrg, byAction, byAcknowledgement] =
  tables.projections.globalSecondaryIndexes;

/** Attributes of an event item that only index it. */
const INDEX_ATTRIBUTES = [
  'pk',
  'sk',
  'feedAll',
  'feedKey',
  'feedEntity',
  'feedActor',
  'feedOrg',
  'feedAction',
  'ackState',
];

/** Reads at most this many events for one page when filters beyond the index's own thin them out. */
const READ_BUDGET = 1000;

/** Event ids name their entity and version: `<entity>:<id>:v<version>`. */
export function parseEventId(eventId: string) {
  const match = /^([a-z]+):(.+):v(\d{1,10})$/.exec(eventId);
  return match ? { entity: match[1] ?? '', entityId: match[2] ?? '', version: Number(match[3]) } : undefined;
}

/**
 * The audit feed. Events are appended by the projector (one per stored version); the API writes only
 * acknowledgements, to the MRSC ledger (see `acknowledge`), never an event. Every query reads one index in
 * `feedKey` order, newest first: the entity's own partition when `entity` and `id` are named, else the index
 * of the most selective filter named (actor, org, action, acknowledgement, entity, else the whole feed);
 * the other filters are applied while reading, `since`/`until` bound the sort key.
 */
export class DynamoAuditTrail implements AuditTrail {
  constructor(private readonly db: DynamoDBDocumentClient) {}

  async query(query: AuditQuery): Promise<{ items: AuditEvent[]; next: string | null }> {
    const plan = planQuery(query);
    const items: AuditEvent[] = [];
    let startKey = query.after ? (JSON.parse(query.after) as Record<string, unknown>) : undefined;
    let read = 0;
    do {
      const response = await this.db.send(
        new QueryCommand({
          TableName: tableName('projections'),
          ...(plan.index ? { IndexName: plan.index } : {}),
          KeyConditionExpression: plan.keyCondition,
          ...(plan.filters.length ? { FilterExpression: plan.filters.join(' AND ') } : {}),
          ...(Object.keys(plan.names).length ? { ExpressionAttributeNames: plan.names } : {}),
          ExpressionAttributeValues: plan.values,
          ScanIndexForward: false,
          Limit: query.limit - items.length,
          ExclusiveStartKey: startKey,
        }),
      );
      read += response.ScannedCount ?? 0;
      items.push(...(response.Items ?? []).map(eventOf));
      startKey = response.LastEvaluatedKey;
    } while (startKey && items.length < query.limit && read < READ_BUDGET);
    return { items, next: startKey ? JSON.stringify(startKey) : null };
  }

  async get(eventId: string): Promise<AuditEvent | undefined> {
    const parsed = parseEventId(eventId);
    if (!parsed) return undefined;
    const { Item } = await this.db.send(
      new GetCommand({
        TableName: tableName('projections'),
        Key: { pk: auditPartition(parsed.entity, parsed.entityId), sk: auditSortKey(parsed.version) },
      }),
    );
    return Item?.feedKey ? eventOf(Item) : undefined;
  }

  /**
   * One conditional put into the MRSC ledger: it returns only once another Region has it, and only the
   * first acknowledgement of an event is ever stored, so acknowledging again (here, in the other Region, or
   * as a retry after a lost answer) answers the same record. The projector copies it onto the event in each
   * Region's feed from the ledger's stream (the API function writes no read model), so the feed shows it
   * a moment after the answer.
   */
  async acknowledge(eventId: string, acknowledgement: Acknowledgement): Promise<Acknowledgement> {
    let recorded = acknowledgement;
    try {
      await this.db.send(
        new PutCommand({
          TableName: tableName('ledger'),
          Item: { ...acknowledgementKey(eventId), eventId, ...acknowledgement },
          ConditionExpression: 'attribute_not_exists(pk)',
        }),
      );
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
      const { Item } = await this.db.send(
        new GetCommand({
          TableName: tableName('ledger'),
          Key: acknowledgementKey(eventId),
          ConsistentRead: true,
        }),
      );
      recorded = { by: String(Item?.by), at: String(Item?.at) };
    }
    return recorded;
  }
}

/**
 * Marks the event acknowledged in this Region's feed. It may arrive before the event itself (the ledger's
 * and the catalog's streams are not ordered with each other): the update then leaves an item with only the
 * acknowledgement, which no feed index holds (no `feedKey`), and the event's own projection keeps it
 * (`ackState` and `acknowledged` are set there only if absent).
 */
export async function applyAcknowledgement(
  db: DynamoDBDocumentClient,
  eventId: string,
  acknowledgement: Acknowledgement,
): Promise<void> {
  const marked = acknowledgedEvent(eventId, acknowledgement);
  if (!marked) return;
  const { key, ...fields } = marked;
  await db.send(
    new UpdateCommand({
      TableName: tableName('projections'),
      Key: key,
      UpdateExpression: 'SET acknowledged = :ack, ackState = :acknowledged',
      ExpressionAttributeValues: { ':ack': fields.acknowledged, ':acknowledged': fields.ackState },
    }),
  );
}

/** The event item an acknowledgement marks, and the attributes it sets there. */
export function acknowledgedEvent(eventId: string, acknowledgement: Acknowledgement) {
  const parsed = parseEventId(eventId);
  if (!parsed) return undefined;
  return {
    key: { pk: auditPartition(parsed.entity, parsed.entityId), sk: auditSortKey(parsed.version) },
    acknowledged: { by: acknowledgement.by, at: acknowledgement.at },
    ackState: 'acknowledged',
  };
}

function eventOf(item: Record<string, unknown>): AuditEvent {
  const event = { ...item };
  for (const name of INDEX_ATTRIBUTES) delete event[name];
  return { changes: [], acknowledged: null, ...event } as unknown as AuditEvent;
}

interface QueryPlan {
  index?: string;
  keyCondition: string;
  filters: string[];
  names: Record<string, string>;
  values: Record<string, unknown>;
}

function planQuery(query: AuditQuery): QueryPlan {
  const names: Record<string, string> = {};
  const values: Record<string, unknown> = {};
  const filters: string[] = [];
  const filter = (attribute: string, value: unknown) => {
    const n = `#f${filters.length}`;
    names[n] = attribute;
    values[`:f${filters.length}`] = value;
    filters.push(`${n} = :f${filters.length}`);
  };
  const ackState =
    query.acknowledged === undefined ? undefined : query.acknowledged ? 'acknowledged' : 'pending';
  if (query.entity && query.id) {
    // The entity's own events, by version; the time bounds and the rest filter.
    if (query.actor) filter('feedActor', query.actor);
    if (query.org) filter('feedOrg', query.org);
    if (query.action) filter('feedAction', query.action);
    if (ackState) filter('ackState', ackState);
    if (query.since) {
      names['#at'] = 'at';
      values[':since'] = query.since;
      filters.push('#at >= :since');
    }
    if (query.until) {
      names['#at'] = 'at';
      values[':until'] = query.until;
      filters.push('#at <= :until');
    }
    values[':pk'] = auditPartition(query.entity, query.id);
    return { keyCondition: 'pk = :pk', filters, names, values };
  }
  const candidates: [IndexSpec, string | undefined][] = [
    [byActor, query.actor],
    [byOrg, query.org],
    [byAction, query.action],
    [byAcknowledgement, ackState],
    [byEntity, query.entity],
  ];
  const [index, value]: [IndexSpec, string | undefined] = candidates.find(([, v]) => v !== undefined) ?? [
    feed,
    'audit',
  ];
  for (const [other, v] of candidates) if (other !== index && v !== undefined) filter(other.partitionKey, v);
  names['#pk'] = index.partitionKey;
  if (query.since || query.until) names['#sk'] = index.sortKey;
  values[':pk'] = value;
  let keyCondition = '#pk = :pk';
  // feedKey is `<at>#<id>`: every key of a time at or after `since` sorts at or after it, and every key of a
  // time at or before `until` sorts before `until` followed by a character above '#'.
  if (query.since && query.until) {
    values[':since'] = query.since;
    values[':until'] = `${query.until}$`;
    keyCondition += ' AND #sk BETWEEN :since AND :until';
  } else if (query.since) {
    values[':since'] = query.since;
    keyCondition += ' AND #sk >= :since';
  } else if (query.until) {
    values[':until'] = `${query.until}$`;
    keyCondition += ' AND #sk <= :until';
  }
  return { index: index.indexName, keyCondition, filters, names, values };
}
