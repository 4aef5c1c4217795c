import { type DynamoDBDocumentClient, GetCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { changesBetween } from '../../domain/version-changes.js';
import type { ServiceHistory, ServiceVersion } from '../../domain/ports.js';
import { tableName } from './client.js';
import { entityKey, type StoredChange, tableOf, toEntity } from './entity-store.js';
import { auditSortKey, historyPartition } from './projection-keys.js';
import type { Service } from '../../domain/entities.js';

/**
 * A service's versions, one item per version in a partition of its own (projected from the catalog's
 * stream, see `projector.ts`): a page is one query of that partition, newest first, whatever the length
 * of the history.
 *
 * The projection trails the write by the stream's delay, but the writer must see what it wrote: the
 * newest version also comes from the service's own item (one strongly consistent read), so it is listed
 * and readable at once. Its `changes` need the version before it, so it is added once that one is
 * projected (or when it is the first); older versions trail by the projection delay, as documented.
 */
export class DynamoServiceHistory implements ServiceHistory {
  constructor(private readonly db: DynamoDBDocumentClient) {}

  async list(serviceId: string, limit: number, before?: number): Promise<ServiceVersion[]> {
    const [projected, latest] = await Promise.all([
      this.projectedPage(serviceId, limit, before),
      before === undefined ? this.latest(serviceId) : undefined,
    ]);
    const newest = projected[0]?.version ?? 0;
    if (!latest || latest.version <= newest) return projected;
    const merged = await this.withChanges(latest, projected);
    return merged ? [merged, ...projected].slice(0, limit) : projected;
  }

  async get(serviceId: string, version: number): Promise<Service | undefined> {
    const projected = await this.projected(serviceId, version);
    if (projected) return projected.service;
    const latest = await this.latest(serviceId);
    return latest?.version === version ? latest.service : undefined;
  }

  private async projectedPage(serviceId: string, limit: number, before?: number) {
    const { Items } = await this.db.send(
      new QueryCommand({
        TableName: tableName('projections'),
        KeyConditionExpression: before === undefined ? 'pk = :pk' : 'pk = :pk AND sk < :before',
        ExpressionAttributeValues: {
          ':pk': historyPartition(serviceId),
          ...(before === undefined ? {} : { ':before': auditSortKey(before) }),
        },
        ScanIndexForward: false,
        Limit: limit,
      }),
    );
    return (Items ?? []).map(versionOf);
  }

  private async projected(serviceId: string, version: number): Promise<ServiceVersion | undefined> {
    const { Item } = await this.db.send(
      new GetCommand({
        TableName: tableName('projections'),
        Key: { pk: historyPartition(serviceId), sk: auditSortKey(version) },
      }),
    );
    return Item ? versionOf(Item) : undefined;
  }

  /** The service's current version as its own item holds it, `changes` not yet known. */
  private async latest(serviceId: string): Promise<Omit<ServiceVersion, 'changes'> | undefined> {
    const { Item } = await this.db.send(
      new GetCommand({
        TableName: tableName(tableOf.service),
        Key: entityKey('service', serviceId),
        ConsistentRead: true,
      }),
    );
    const change = Item?.change as StoredChange | undefined;
    if (!Item || !change) return undefined;
    const service = toEntity<Service>(Item);
    return { version: service.version, at: change.at, actor: change.actor, action: change.action, service };
  }

  /** The latest version with its patch from the one before, if that one is known here. */
  private async withChanges(
    latest: Omit<ServiceVersion, 'changes'>,
    page: readonly ServiceVersion[],
  ): Promise<ServiceVersion | undefined> {
    if (latest.version === 1) return { ...latest, changes: changesBetween(undefined, latest.service) };
    const previous =
      page.find((entry) => entry.version === latest.version - 1) ??
      (await this.projected(latest.service.id, latest.version - 1));
    return previous ? { ...latest, changes: changesBetween(previous.service, latest.service) } : undefined;
  }
}

function versionOf(item: Record<string, unknown>): ServiceVersion {
  return {
    version: Number(item.version),
    at: String(item.at),
    actor: item.actor as ServiceVersion['actor'],
    action: String(item.action),
    changes: (item.changes as ServiceVersion['changes'] | undefined) ?? [],
    service: item.snapshot as Service,
  };
}
