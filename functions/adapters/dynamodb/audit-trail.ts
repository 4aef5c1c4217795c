import { type DynamoDBDocumentClient, QueryCommand } from '@aws-sdk/lib-dynamodb';
import type { AuditEvent, AuditTrail } from '../../domain/ports.js';
import { tableName } from './client.js';
import { auditPartition } from './projection-keys.js';

/** Events the projector appended (one per stored version); nothing in the API writes or deletes them. */
export class DynamoAuditTrail implements AuditTrail {
  constructor(private readonly db: DynamoDBDocumentClient) {}

  async list(entity: string, entityId: string, limit: number, after?: string) {
    const response = await this.db.send(
      new QueryCommand({
        TableName: tableName('projections'),
        KeyConditionExpression: after ? 'pk = :pk AND sk < :after' : 'pk = :pk',
        ExpressionAttributeValues: {
          ':pk': auditPartition(entity, entityId),
          ...(after ? { ':after': after } : {}),
        },
        ScanIndexForward: false,
        Limit: limit,
      }),
    );
    const items = (response.Items ?? []).map(({ pk: _pk, sk: _sk, ...event }) => event as AuditEvent);
    const last = response.Items?.at(-1);
    return { items, next: response.LastEvaluatedKey && last ? String(last.sk) : null };
  }
}
