import { type DynamoDBDocumentClient, GetCommand } from '@aws-sdk/lib-dynamodb';
import type { Statistics, StatsSnapshot } from '../../domain/ports.js';
import { tableName } from './client.js';
import { statsTotalsKey } from './projection-keys.js';

/** One read of the Region's running totals, which the projector keeps (see projector.ts). */
export class DynamoStatistics implements Statistics {
  constructor(private readonly db: DynamoDBDocumentClient) {}

  async read(): Promise<StatsSnapshot> {
    const { Item } = await this.db.send(
      new GetCommand({ TableName: tableName('projections'), Key: statsTotalsKey }),
    );
    const { pk: _pk, sk: _sk, ...counters } = Item ?? {};
    return { counters: counters as Record<string, number> };
  }
}
