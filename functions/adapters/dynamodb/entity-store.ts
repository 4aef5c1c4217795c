import { ConditionalCheckFailedException, TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import {
  type DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  TransactWriteCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import { createHash } from 'node:crypto';
import type {
  Change,
  ChangeReceipt,
  CreateOptions,
  CreateResult,
  EntityKind,
  EntityStore,
  EntityUpdate,
  IdempotentCreate,
  ListAppend,
  UpdateResult,
} from '../../domain/ports.js';
import { batchGet } from './batch.js';
import { currentRegion, tableName } from './client.js';
import type { TableId } from './tables.js';
import type { Entity } from '../../domain/entities.js';

export const tableOf: Record<EntityKind, TableId> = {
  provider: 'catalog',
  agency: 'catalog',
  service: 'catalog',
  review: 'catalog',
  contract: 'ledger',
  case: 'ledger',
  snapshot: 'ledger',
};

export const entityKey = (kind: string, id: string) => ({ pk: `${kind}#${id}`, sk: kind });

/**
 * Attributes the store adds to an entity's item; never part of what the API returns. The entity's kind is
 * `entityKind`, not `kind`, which is an agency's own field (CENTRAL, LOCAL, …).
 */
const internal: ReadonlySet<string> = new Set([
  'pk',
  'sk',
  'entityKind',
  'change',
  'idempotency',
  'original',
  'feed',
  'planStatus',
  'caseAgency',
  'caseFeed',
]);

export interface StoredChange {
  readonly actor: { sub: string; role: string; org?: string };
  readonly action: string;
  readonly at: string;
  readonly region: string;
}

const STALE_REASONS = new Set(['ConditionalCheckFailed', 'TransactionConflict']);

/** Receipts of keyed changes are attributes of their own, so writing one never rewrites the others. */
const RECEIPT_PREFIX = 'receipt:';

/** The attribute holding a receipt: a digest of the scoped key keeps names short whatever the key. */
export function receiptAttribute(key: string): string {
  return `${RECEIPT_PREFIX}${createHash('sha256').update(key).digest('base64url').slice(0, 22)}`;
}

export function toEntity<T>(item: Record<string, unknown>): T {
  // Copied name by name rather than copied whole and deleted from: an object that loses properties turns
  // into a slow dictionary for every later read of it (views, JSON) on the request path.
  const entity: Record<string, unknown> = {};
  for (const name of Object.keys(item)) {
    if (!internal.has(name) && !name.startsWith(RECEIPT_PREFIX)) entity[name] = item[name];
  }
  return entity as T;
}

/** The item an entity is stored as; the demo loader writes the same items in bulk. */
export function entityItem(
  kind: EntityKind,
  entity: Entity,
  change: StoredChange,
  idempotency?: IdempotentCreate,
) {
  return {
    ...entity,
    ...derivedAttributes(kind, entity),
    ...entityKey(kind, entity.id),
    entityKind: kind,
    change,
    ...(idempotency ? { idempotency, original: JSON.stringify(entity) } : {}),
  };
}

/**
 * Index keys computed from an entity, written with it in the same write: a contract's place in the
 * administrators' feed (`feed`) and the plan-and-status key the "plan in use" check reads (`planStatus`);
 * a case's place in its agency's list and in the feed of every case (`caseAgency`, `caseFeed`).
 * Contracts change only through versioned updates that write every field, so these always match.
 */
function derivedAttributes(kind: EntityKind, entity: Entity): Record<string, string> {
  if (kind === 'case')
    return { caseAgency: (entity as Entity & { agencyId: string }).agencyId, caseFeed: 'case' };
  if (kind !== 'contract') return {};
  const contract = entity as Entity & { serviceId: string; planId: string; status: string };
  return {
    feed: 'contract',
    planStatus: planStatusKey(contract.serviceId, contract.planId, contract.status),
  };
}

export const planStatusKey = (serviceId: string, planId: string, status: string) =>
  `${serviceId}#${planId}#${status}`;

export function uniqueGuardItem(kind: EntityKind, uniqueKey: string, ownerId: string) {
  return { pk: `unique#${kind}#${uniqueKey}`, sk: 'unique', ownerId };
}

export function stamp(change: Change, at: string): StoredChange {
  const { sub, role, org } = change.actor;
  return {
    actor: { sub, role, ...(org ? { org } : {}) },
    action: change.action,
    at,
    region: currentRegion(),
  };
}

export class DynamoEntityStore implements EntityStore {
  constructor(private readonly db: DynamoDBDocumentClient) {}

  /**
   * One conditional put (a transaction with the uniqueness guards where there are some): it creates the
   * item or reports what is already there, so retrying it can never make a second entity.
   */
  async create<T extends Entity>(
    kind: EntityKind,
    entity: T,
    options: CreateOptions,
  ): Promise<CreateResult<T>> {
    const TableName = tableName(tableOf[kind]);
    const item = entityItem(kind, entity, stamp(options.change, entity.createdAt), options.idempotency);
    const put = {
      TableName,
      Item: item,
      ConditionExpression: 'attribute_not_exists(pk)',
      ReturnValuesOnConditionCheckFailure: 'ALL_OLD' as const,
    };
    const uniqueKeys = options.uniqueKeys ?? [];
    try {
      if (uniqueKeys.length === 0) {
        await this.db.send(new PutCommand(put));
      } else {
        await this.db.send(
          new TransactWriteCommand({
            TransactItems: [
              { Put: put },
              ...uniqueKeys.map((key) => ({
                Put: {
                  TableName,
                  Item: uniqueGuardItem(kind, key, entity.id),
                  ConditionExpression: 'attribute_not_exists(pk)',
                },
              })),
            ],
          }),
        );
      }
      return { outcome: 'created', entity };
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) {
        return this.existing(kind, entity.id, error.Item);
      }
      if (error instanceof TransactionCanceledException) {
        const [entityReason, ...guardReasons] = error.CancellationReasons ?? [];
        if (entityReason?.Code === 'ConditionalCheckFailed')
          return this.existing(kind, entity.id, entityReason.Item);
        const taken = guardReasons.findIndex((reason) => reason.Code === 'ConditionalCheckFailed');
        if (taken >= 0) return { outcome: 'duplicate-key', uniqueKey: uniqueKeys[taken] ?? 'key' };
      }
      throw error;
    }
  }

  private async existing<T extends Entity>(
    kind: EntityKind,
    id: string,
    raw: Record<string, unknown> | undefined,
  ): Promise<CreateResult<T>> {
    const item = raw
      ? unmarshall(raw as Parameters<typeof unmarshall>[0])
      : ((
          await this.db.send(
            new GetCommand({ TableName: tableName(tableOf[kind]), Key: entityKey(kind, id) }),
          )
        ).Item ?? {});
    return createdFrom<T>(item);
  }

  async findCreated<T extends Entity>(kind: EntityKind, id: string) {
    const { Item } = await this.db.send(
      new GetCommand({ TableName: tableName(tableOf[kind]), Key: entityKey(kind, id), ConsistentRead: true }),
    );
    return Item ? createdFrom<T>(Item) : undefined;
  }

  async get<T extends Entity>(kind: EntityKind, id: string): Promise<T | undefined> {
    const { Item } = await this.db.send(
      new GetCommand({ TableName: tableName(tableOf[kind]), Key: entityKey(kind, id) }),
    );
    return Item ? toEntity<T>(Item) : undefined;
  }

  async getForChange<T extends Entity>(
    kind: EntityKind,
    id: string,
    options: { receiptKey: string | undefined; consistent: boolean },
  ) {
    const { Item } = await this.db.send(
      new GetCommand({
        TableName: tableName(tableOf[kind]),
        Key: entityKey(kind, id),
        ConsistentRead: options.consistent,
      }),
    );
    if (!Item) return undefined;
    const receipt = options.receiptKey ? Item[receiptAttribute(options.receiptKey)] : undefined;
    return { entity: toEntity<T>(Item), receipt: receipt as ChangeReceipt | undefined };
  }

  async uniqueKeyTaken(kind: EntityKind, key: string): Promise<boolean> {
    const guard = uniqueGuardItem(kind, key, '');
    const { Item } = await this.db.send(
      new GetCommand({
        TableName: tableName(tableOf[kind]),
        Key: { pk: guard.pk, sk: guard.sk },
        ConsistentRead: true,
      }),
    );
    return Item !== undefined;
  }

  async getMany<T extends Entity>(kind: EntityKind, ids: readonly string[]): Promise<T[]> {
    const keys = [...new Set(ids)].map((id) => entityKey(kind, id));
    const found = new Map(
      (await batchGet(this.db, tableName(tableOf[kind]), keys)).map((item) => {
        const entity = toEntity<T>(item);
        return [entity.id, entity];
      }),
    );
    return ids.flatMap((id) => found.get(id) ?? []);
  }

  /**
   * One conditional update: it applies only if the stored version is the one the change was computed from,
   * so a retry after an unknown outcome either applies once or reports the newer version.
   */
  async update<T extends Entity>(kind: EntityKind, next: T, change: Change): Promise<UpdateResult<T>> {
    try {
      await this.db.send(new UpdateCommand(versionedUpdate(kind, next, change)));
      return { outcome: 'updated', entity: next };
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) {
        return { outcome: 'stale', current: await this.get<T>(kind, next.id) };
      }
      throw error;
    }
  }

  async updateFields<T extends Entity>(
    kind: EntityKind,
    id: string,
    fields: Partial<T>,
    statuses: readonly string[],
    change: Change,
  ): Promise<UpdateResult<T>> {
    const assignments = Object.entries({
      ...fields,
      change: stamp(change, new Date().toISOString()),
      ...receiptField(change.receipt),
    });
    try {
      const { Attributes } = await this.db.send(
        new UpdateCommand({
          TableName: tableName(tableOf[kind]),
          Key: entityKey(kind, id),
          UpdateExpression: `SET ${assignments.map((_, i) => `#f${i} = :f${i}`).join(', ')}, #version = #version + :one`,
          ConditionExpression: `#status IN (${statuses.map((_, i) => `:s${i}`).join(', ')})`,
          ExpressionAttributeNames: {
            '#version': 'version',
            '#status': 'status',
            ...Object.fromEntries(assignments.map(([name], i) => [`#f${i}`, name])),
          },
          ExpressionAttributeValues: {
            ':one': 1,
            ...Object.fromEntries(statuses.map((status, i) => [`:s${i}`, status])),
            ...Object.fromEntries(assignments.map(([, value], i) => [`:f${i}`, value])),
          },
          ReturnValues: 'ALL_NEW',
        }),
      );
      return { outcome: 'updated', entity: toEntity<T>(Attributes ?? {}) };
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return { outcome: 'stale', current: undefined };
      throw error;
    }
  }

  /** The same versioned updates as `update` and the append, applied together or not at all. */
  async updateTogether(
    updates: readonly EntityUpdate[],
    change: Change,
    append?: ListAppend,
  ): Promise<'updated' | 'stale'> {
    const { receipt: _receipt, ...unreceipted } = change;
    const receiptOnAppend = append !== undefined;
    try {
      await this.db.send(
        new TransactWriteCommand({
          TransactItems: [
            ...(append ? [{ Update: appendUpdate(append, change) }] : []),
            ...updates.map(({ kind, next }, i) => ({
              Update: versionedUpdate(kind, next, !receiptOnAppend && i === 0 ? change : unreceipted),
            })),
          ],
        }),
      );
      return 'updated';
    } catch (error) {
      const reasons = error instanceof TransactionCanceledException ? (error.CancellationReasons ?? []) : [];
      // Another write to one of the items was under way: contention, as a failed condition is.
      if (reasons.some((reason) => STALE_REASONS.has(reason.Code ?? ''))) return 'stale';
      throw error;
    }
  }
}

/**
 * One conditional update: it applies only if the stored version is the one the change was computed from,
 * so a retry after an unknown outcome either applies once or reports the newer version.
 */
function versionedUpdate(kind: EntityKind, next: Entity, change: Change) {
  const { id: _id, createdAt: _createdAt, ...fields } = next as Entity & Record<string, unknown>;
  const assignments = Object.entries({
    ...fields,
    ...derivedAttributes(kind, next),
    change: stamp(change, new Date().toISOString()),
    ...receiptField(change.receipt),
  });
  return {
    TableName: tableName(tableOf[kind]),
    Key: entityKey(kind, next.id),
    UpdateExpression: `SET ${assignments.map((_, i) => `#f${i} = :f${i}`).join(', ')}`,
    ConditionExpression: '#version = :expected',
    ExpressionAttributeNames: {
      '#version': 'version',
      ...Object.fromEntries(assignments.map(([name], i) => [`#f${i}`, name])),
    },
    ExpressionAttributeValues: {
      ':expected': next.version - 1,
      ...Object.fromEntries(assignments.map(([, value], i) => [`:f${i}`, value])),
    },
  };
}

function receiptField(receipt: ChangeReceipt | undefined): Record<string, ChangeReceipt> {
  return receipt ? { [receiptAttribute(receipt.key)]: receipt } : {};
}

/** `SET list = list_append(list, [element])`, version + 1, on the conditions the append requires. */
function appendUpdate(append: ListAppend, change: Change) {
  const { status, membership, version } = append.requires;
  const receipt = Object.entries(receiptField(change.receipt));
  return {
    TableName: tableName(tableOf[append.kind]),
    Key: entityKey(append.kind, append.id),
    UpdateExpression: [
      'SET #list = list_append(#list, :element)',
      '#version = #version + :one',
      '#change = :change',
      ...receipt.map(() => '#receipt = :receipt'),
    ].join(', '),
    ConditionExpression: [
      '#status = :status',
      `${membership.present ? '' : 'NOT '}contains(#member, :value)`,
      ...(version === undefined ? [] : ['#version = :expected']),
    ].join(' AND '),
    ExpressionAttributeNames: {
      '#list': append.list,
      '#version': 'version',
      '#change': 'change',
      '#status': 'status',
      '#member': membership.list,
      ...Object.fromEntries(receipt.map(([name]) => ['#receipt', name])),
    },
    ExpressionAttributeValues: {
      ':element': [append.element],
      ':one': 1,
      ':change': stamp(change, new Date().toISOString()),
      ':status': status,
      ':value': membership.value,
      ...(version === undefined ? {} : { ':expected': version }),
      ...Object.fromEntries(receipt.map(([, value]) => [':receipt', value])),
    },
  };
}

function createdFrom<T extends Entity>(item: Record<string, unknown>) {
  const original = typeof item.original === 'string' ? (JSON.parse(item.original) as T) : toEntity<T>(item);
  return {
    outcome: 'exists' as const,
    original,
    idempotency: item.idempotency as IdempotentCreate | undefined,
  };
}
