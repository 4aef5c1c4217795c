import { type DynamoDBDocumentClient, QueryCommand } from '@aws-sdk/lib-dynamodb';
import type { ContractQuery, Ledger } from '../../domain/ports.js';
import { tableName } from './client.js';
import { toEntity } from './entity-store.js';
import { tables } from './tables.js';
import type { Contract } from '../../domain/entities.js';

const [byAgency, byProvider] = tables.ledger.globalSecondaryIndexes;

/** Reads at most this many contracts for one page when a status filter thins them out. */
const READ_BUDGET = 1000;

/** Contracts of one agency or provider, newest first, from the ledger's party indexes (never a scan). */
export class DynamoLedger implements Ledger {
  constructor(private readonly db: DynamoDBDocumentClient) {}

  async listContracts(query: ContractQuery): Promise<{ items: Contract[]; next: string | null }> {
    const index = query.party === 'agency' ? byAgency : byProvider;
    const items: Contract[] = [];
    let startKey = query.after ? (JSON.parse(query.after) as Record<string, unknown>) : undefined;
    let read = 0;
    do {
      const response = await this.db.send(
        new QueryCommand({
          TableName: tableName('ledger'),
          IndexName: index.indexName,
          KeyConditionExpression: '#party = :party',
          ...(query.status ? { FilterExpression: '#status = :status' } : {}),
          ExpressionAttributeNames: {
            '#party': index.partitionKey,
            ...(query.status ? { '#status': 'status' } : {}),
          },
          ExpressionAttributeValues: {
            ':party': query.partyId,
            ...(query.status ? { ':status': query.status } : {}),
          },
          ScanIndexForward: false,
          Limit: query.limit - items.length,
          ExclusiveStartKey: startKey,
        }),
      );
      read += response.ScannedCount ?? 0;
      items.push(...(response.Items ?? []).map((item) => toEntity<Contract>(item)));
      startKey = response.LastEvaluatedKey;
    } while (startKey && items.length < query.limit && read < READ_BUDGET);
    return { items, next: startKey ? JSON.stringify(startKey) : null };
  }
}
