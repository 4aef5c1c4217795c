import { type DynamoDBDocumentClient, GetCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import type { ServiceHistory, ServiceVersion } from '../../domain/ports.js';
import { tableName } from './client.js';
import { auditSortKey, historyPartition } from './projection-keys.js';
import type { Service } from '../../domain/entities.js';

/**
 * A service's versions, one item per version in a partition of its own (projected from the catalog's
 * stream, see `projector.ts`): a page is one query of that partition, newest first, whatever the length
 * of the history.
 */
export class DynamoServiceHistory implements ServiceHistory {
  constructor(private readonly db: DynamoDBDocumentClient) {}

  async list(serviceId: string, limit: number, before?: number): Promise<ServiceVersion[]> {
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

  async get(serviceId: string, version: number): Promise<ServiceVersion | undefined> {
    const { Item } = await this.db.send(
      new GetCommand({
        TableName: tableName('projections'),
        Key: { pk: historyPartition(serviceId), sk: auditSortKey(version) },
      }),
    );
    return Item ? versionOf(Item) : undefined;
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
