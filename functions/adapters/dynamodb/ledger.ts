import { type DynamoDBDocumentClient, QueryCommand } from '@aws-sdk/lib-dynamodb';
import type { CaseQuery, ContractFeedQuery, ContractQuery, Ledger } from '../../domain/ports.js';
import { tableName } from './client.js';
import { planStatusKey, toEntity } from './entity-store.js';
import { tables } from './tables.js';
import type { Case, Contract } from '../../domain/entities.js';

const [byAgency, byProvider, contractFeed, byStatus, byPlanStatus, casesByAgency, caseFeed] =
  tables.ledger.globalSecondaryIndexes;

/** Statuses of a contract that was signed once. */
const SIGNED_STATUSES = ['ACTIVE', 'COMPLETED', 'TERMINATED'] as const;

/** Reads at most this many contracts for one page when a status filter thins them out. */
const READ_BUDGET = 1000;

/** Contracts of one agency or provider, newest first, from the ledger's party indexes (never a scan). */
export class DynamoLedger implements Ledger {
  constructor(private readonly db: DynamoDBDocumentClient) {}

  async listContracts(query: ContractQuery): Promise<{ items: Contract[]; next: string | null }> {
    const index = query.party === 'agency' ? byAgency : byProvider;
    return this.filteredPage<Contract>(index, query.partyId, query);
  }

  /**
   * Every contract newest first from the feed index, or one status's from the status index; `since` bounds
   * the sort key. Nothing is filtered after reading, so a page reads exactly its own items.
   */
  async contractFeed(query: ContractFeedQuery): Promise<{ items: Contract[]; next: string | null }> {
    const index = query.status ? byStatus : contractFeed;
    const response = await this.db.send(
      new QueryCommand({
        TableName: tableName('ledger'),
        IndexName: index.indexName,
        KeyConditionExpression: query.since ? '#pk = :pk AND #at >= :since' : '#pk = :pk',
        ExpressionAttributeNames: {
          '#pk': index.partitionKey,
          ...(query.since ? { '#at': index.sortKey } : {}),
        },
        ExpressionAttributeValues: {
          ':pk': query.status ?? 'contract',
          ...(query.since ? { ':since': query.since } : {}),
        },
        ScanIndexForward: false,
        Limit: query.limit,
        ...(query.after ? { ExclusiveStartKey: JSON.parse(query.after) as Record<string, unknown> } : {}),
      }),
    );
    const items = (response.Items ?? []).map((item) => toEntity<Contract>(item));
    return {
      items,
      next: response.LastEvaluatedKey ? JSON.stringify(response.LastEvaluatedKey) : null,
    };
  }

  /**
   * One agency's cases from its index, or every case from the feed, newest first; a status filter thins
   * the page within the same read budget as the contract lists.
   */
  async listCases(query: CaseQuery): Promise<{ items: Case[]; next: string | null }> {
    return query.agencyId
      ? this.filteredPage<Case>(casesByAgency, query.agencyId, query)
      : this.filteredPage<Case>(caseFeed, 'case', query);
  }

  /**
   * One partition of an index newest first, `since` bounding its sort key and a status filter thinning
   * the page, read until the page is full or the read budget is spent.
   */
  private async filteredPage<T>(
    index: { indexName: string; partitionKey: string; sortKey: string },
    partition: string,
    query: { status?: string; since?: string; limit: number; after?: string },
  ): Promise<{ items: T[]; next: string | null }> {
    const items: T[] = [];
    let startKey = query.after ? (JSON.parse(query.after) as Record<string, unknown>) : undefined;
    let read = 0;
    do {
      const response = await this.db.send(
        new QueryCommand({
          TableName: tableName('ledger'),
          IndexName: index.indexName,
          KeyConditionExpression: query.since ? '#party = :party AND #at >= :since' : '#party = :party',
          ...(query.status ? { FilterExpression: '#status = :status' } : {}),
          ExpressionAttributeNames: {
            '#party': index.partitionKey,
            ...(query.since ? { '#at': index.sortKey } : {}),
            ...(query.status ? { '#status': 'status' } : {}),
          },
          ExpressionAttributeValues: {
            ':party': partition,
            ...(query.since ? { ':since': query.since } : {}),
            ...(query.status ? { ':status': query.status } : {}),
          },
          ScanIndexForward: false,
          Limit: query.limit - items.length,
          ExclusiveStartKey: startKey,
        }),
      );
      read += response.ScannedCount ?? 0;
      items.push(...(response.Items ?? []).map((item) => toEntity<T>(item)));
      startKey = response.LastEvaluatedKey;
    } while (startKey && items.length < query.limit && read < READ_BUDGET);
    return { items, next: startKey ? JSON.stringify(startKey) : null };
  }

  /** Off the request path (the daily job): the whole case feed, keeping those with an award or close under way. */
  async casesWithPendingDecision(): Promise<Case[]> {
    return this.queryAll<Case>({
      IndexName: caseFeed.indexName,
      KeyConditionExpression: '#pk = :pk',
      FilterExpression: 'attribute_type(#decision, :map)',
      ExpressionAttributeNames: { '#pk': caseFeed.partitionKey, '#decision': 'pendingDecision' },
      ExpressionAttributeValues: { ':pk': 'case', ':map': 'M' },
    });
  }

  /** Off the request path (the daily job): ACTIVE contracts whose termination is scheduled by `now`. */
  async terminationsDue(now: string): Promise<Contract[]> {
    return this.queryAll<Contract>({
      IndexName: byStatus.indexName,
      KeyConditionExpression: '#pk = :pk',
      FilterExpression: 'attribute_type(#termination, :map) AND #termination.#effectiveAt <= :now',
      ExpressionAttributeNames: {
        '#pk': byStatus.partitionKey,
        '#termination': 'termination',
        '#effectiveAt': 'effectiveAt',
      },
      ExpressionAttributeValues: { ':pk': 'ACTIVE', ':map': 'M', ':now': now },
    });
  }

  /** Counted from the plan-and-status index: one count query per plan and signed status. */
  async signedContractsOf(serviceId: string, planIds: readonly string[]): Promise<number> {
    const counts = await Promise.all(
      planIds.flatMap((planId) =>
        SIGNED_STATUSES.map(async (status) => {
          let total = 0;
          let startKey: Record<string, unknown> | undefined;
          do {
            const response = await this.db.send(
              new QueryCommand({
                TableName: tableName('ledger'),
                IndexName: byPlanStatus.indexName,
                KeyConditionExpression: '#pk = :pk',
                ExpressionAttributeNames: { '#pk': byPlanStatus.partitionKey },
                ExpressionAttributeValues: { ':pk': planStatusKey(serviceId, planId, status) },
                Select: 'COUNT',
                ExclusiveStartKey: startKey,
              }),
            );
            total += response.Count ?? 0;
            startKey = response.LastEvaluatedKey;
          } while (startKey);
          return total;
        }),
      ),
    );
    return counts.reduce((sum, n) => sum + n, 0);
  }

  private async queryAll<T>(
    query: Omit<ConstructorParameters<typeof QueryCommand>[0], 'TableName' | 'ExclusiveStartKey'>,
  ): Promise<T[]> {
    const items: T[] = [];
    let startKey: Record<string, unknown> | undefined;
    do {
      const response = await this.db.send(
        new QueryCommand({ ...query, TableName: tableName('ledger'), ExclusiveStartKey: startKey }),
      );
      items.push(...(response.Items ?? []).map((item) => toEntity<T>(item)));
      startKey = response.LastEvaluatedKey;
    } while (startKey);
    return items;
  }

  /** One read of at most one item per status, whatever the number of contracts. */
  async planInUse(serviceId: string, planId: string, statuses: readonly string[]): Promise<boolean> {
    const found = await Promise.all(
      statuses.map(async (status) => {
        const { Items } = await this.db.send(
          new QueryCommand({
            TableName: tableName('ledger'),
            IndexName: byPlanStatus.indexName,
            KeyConditionExpression: '#pk = :pk',
            ExpressionAttributeNames: { '#pk': byPlanStatus.partitionKey },
            ExpressionAttributeValues: { ':pk': planStatusKey(serviceId, planId, status) },
            Limit: 1,
          }),
        );
        return (Items ?? []).length > 0;
      }),
    );
    return found.some(Boolean);
  }
}
