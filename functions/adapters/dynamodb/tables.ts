/**
 * The one table schema. The CDK stacks and the local runtime both build their tables from this list,
 * so what runs locally on DynamoDB Local is what is deployed.
 */
export type Replication =
  /** Global table, multi-Region eventual consistency: last writer wins, local-latency writes, transactions. */
  | 'MREC'
  /** Global table, multi-Region strong consistency: a write returns once another Region has it (RPO 0). */
  | 'MRSC'
  /** One table per Region, derived from the global tables' streams; rebuilt from them if lost. */
  | 'REGIONAL';

export interface IndexSpec {
  readonly indexName: string;
  readonly partitionKey: string;
  readonly sortKey: string;
}

export interface TableSpec {
  readonly id: 'catalog' | 'ledger' | 'projections';
  /** Environment variable through which functions learn the physical table name. */
  readonly envVar: string;
  readonly partitionKey: 'pk';
  readonly sortKey: 'sk';
  readonly globalSecondaryIndexes: readonly IndexSpec[];
  /** Projections are fed from these streams, so every source-of-truth write stays one conditional write. */
  readonly stream: boolean;
  readonly replication: Replication;
  readonly purpose: string;
}

export const tables = {
  /**
   * Providers, agencies, services and review sessions. MREC because catalog writes are single-owner edits
   * guarded by version conditions, where a cross-Region round trip per edit buys nothing, while MREC keeps
   * transactions (used for unique business registration numbers and institution codes).
   */
  catalog: {
    id: 'catalog',
    envVar: 'CATALOG_TABLE',
    partitionKey: 'pk',
    sortKey: 'sk',
    globalSecondaryIndexes: [],
    stream: true,
    replication: 'MREC',
    purpose: 'providers, agencies, services, review sessions',
  },
  /**
   * Contracts, procurement cases and their snapshots, and their idempotency keys. MRSC: an acknowledged contract exists in two Regions before the
   * client hears of it. MRSC has no transactions, TTL or LSIs, so every write here is one conditional write.
   */
  ledger: {
    id: 'ledger',
    envVar: 'LEDGER_TABLE',
    partitionKey: 'pk',
    sortKey: 'sk',
    globalSecondaryIndexes: [
      { indexName: 'byAgency', partitionKey: 'agencyId', sortKey: 'requestedAt' },
      { indexName: 'byProvider', partitionKey: 'providerId', sortKey: 'requestedAt' },
      // An administrator's whole feed and its status filter (a constant `feed` on every contract).
      { indexName: 'contractFeed', partitionKey: 'feed', sortKey: 'requestedAt' },
      { indexName: 'byStatus', partitionKey: 'status', sortKey: 'requestedAt' },
      // `serviceId#planId#status`: whether an open contract uses a plan, in one read of one key.
      { indexName: 'byPlanStatus', partitionKey: 'planStatus', sortKey: 'requestedAt' },
      // Procurement cases, newest first: one agency's, and every case. Only case items carry these keys
      // (sparse), so contract writes copy nothing into them.
      { indexName: 'casesByAgency', partitionKey: 'caseAgency', sortKey: 'createdAt' },
      { indexName: 'caseFeed', partitionKey: 'caseFeed', sortKey: 'createdAt' },
      // Webhook deliveries still pending, by when each is due (sparse: only pending ones carry `dueShard`).
      { indexName: 'deliveriesDue', partitionKey: 'dueShard', sortKey: 'dueAt' },
    ],
    stream: true,
    replication: 'MRSC',
    purpose: 'contracts ledger, procurement cases, webhook deliveries',
  },
  /**
   * Read models (search postings, statistics, facet counters, audit trail), each Region projecting every
   * change itself. The audit feed's indexes all sort by `feedKey` (`<at>#<event id>`), newest first, each
   * partitioned by one filter, so every feed query reads one index in order and never scans; the feed's
   * items carry these attributes, nothing else does (sparse indexes).
   */
  projections: {
    id: 'projections',
    envVar: 'PROJECTIONS_TABLE',
    partitionKey: 'pk',
    sortKey: 'sk',
    globalSecondaryIndexes: [
      { indexName: 'auditFeed', partitionKey: 'feedAll', sortKey: 'feedKey' },
      { indexName: 'auditByEntity', partitionKey: 'feedEntity', sortKey: 'feedKey' },
      { indexName: 'auditByActor', partitionKey: 'feedActor', sortKey: 'feedKey' },
      { indexName: 'auditByOrg', partitionKey: 'feedOrg', sortKey: 'feedKey' },
      { indexName: 'auditByAction', partitionKey: 'feedAction', sortKey: 'feedKey' },
      { indexName: 'auditByAcknowledgement', partitionKey: 'ackState', sortKey: 'feedKey' },
    ],
    stream: false,
    replication: 'REGIONAL',
    purpose: 'search index, statistics, audit trail',
  },
} as const satisfies Record<string, TableSpec>;

export type TableId = keyof typeof tables;
export const tableList: readonly TableSpec[] = Object.values(tables);

/** Physical table name for a deployment prefix, e.g. `dsm-catalog`. */
export function physicalTableName(prefix: string, id: TableId): string {
  return `${prefix}-${id}`;
}
