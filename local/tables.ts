import {
  CreateTableCommand,
  type CreateTableCommandInput,
  type DynamoDBClient,
  DescribeTableCommand,
  ResourceInUseException,
  UpdateTableCommand,
} from '@aws-sdk/client-dynamodb';
import {
  physicalTableName,
  type TableId,
  type TableSpec,
  tableList,
} from '../functions/adapters/dynamodb/tables.js';

/** CreateTable input for one table of the shared schema; the CDK builds its tables from the same specs. */
export function createTableInput(spec: TableSpec, prefix: string): CreateTableCommandInput {
  const keyAttributes = new Set<string>([
    spec.partitionKey,
    spec.sortKey,
    ...spec.globalSecondaryIndexes.flatMap((index) => [index.partitionKey, index.sortKey]),
  ]);
  return {
    TableName: physicalTableName(prefix, spec.id),
    BillingMode: 'PAY_PER_REQUEST',
    AttributeDefinitions: [...keyAttributes].map((AttributeName) => ({ AttributeName, AttributeType: 'S' })),
    KeySchema: [
      { AttributeName: spec.partitionKey, KeyType: 'HASH' },
      { AttributeName: spec.sortKey, KeyType: 'RANGE' },
    ],
    ...(spec.globalSecondaryIndexes.length
      ? {
          GlobalSecondaryIndexes: spec.globalSecondaryIndexes.map((index) => ({
            IndexName: index.indexName,
            KeySchema: [
              { AttributeName: index.partitionKey, KeyType: 'HASH' as const },
              { AttributeName: index.sortKey, KeyType: 'RANGE' as const },
            ],
            Projection: { ProjectionType: 'ALL' as const },
          })),
        }
      : {}),
    ...(spec.stream
      ? { StreamSpecification: { StreamEnabled: true, StreamViewType: 'NEW_AND_OLD_IMAGES' } }
      : {}),
  };
}

/**
 * Creates every table of the schema that does not exist yet. With `bare: true` they are created without
 * their global secondary indexes and streams, for a bulk load that `completeTables` completes: DynamoDB
 * Local writes an item several times slower into a table with indexes, even one that has none of their
 * keys, and slower again into one with a stream. Measured here with the demo data (27,098 items): 26 s with
 * the indexes, 17–19 s without them, 14–16 s without streams either, and 6–7 s to add them after.
 */
export async function ensureTables(
  client: DynamoDBClient,
  prefix: string,
  { bare = false }: { readonly bare?: boolean } = {},
): Promise<void> {
  for (const spec of tableList) {
    const input = createTableInput(spec, prefix);
    try {
      await client.send(new CreateTableCommand(bare ? bareTable(input) : input));
    } catch (error) {
      if (!(error instanceof ResourceInUseException)) throw error;
    }
  }
}

function bareTable(input: CreateTableCommandInput): CreateTableCommandInput {
  const keys = new Set(input.KeySchema?.map((key) => key.AttributeName));
  return {
    ...input,
    AttributeDefinitions: input.AttributeDefinitions?.filter((a) => keys.has(a.AttributeName)),
    GlobalSecondaryIndexes: undefined,
    StreamSpecification: undefined,
  };
}

/**
 * Gives the tables what `ensureTables`' `bare` left out (after a bulk load, or one cut short): each stream
 * the schema names, then each global secondary index, waiting until it is active. DynamoDB adds one index
 * per table at a time; the tables proceed in parallel. A stream enabled here starts empty: the load's
 * writes are projected already.
 */
export async function completeTables(client: DynamoDBClient, prefix: string): Promise<void> {
  await Promise.all(
    tableList.map(async (spec) => {
      const input = createTableInput(spec, prefix);
      const { Table } = await client.send(new DescribeTableCommand({ TableName: input.TableName }));
      if (input.StreamSpecification && !Table?.StreamSpecification?.StreamEnabled) {
        await client.send(
          new UpdateTableCommand({
            TableName: input.TableName,
            StreamSpecification: input.StreamSpecification,
          }),
        );
      }
      for (const index of input.GlobalSecondaryIndexes ?? []) {
        const present = await indexStatuses(client, input.TableName);
        if (!present.has(index.IndexName)) {
          await client.send(
            new UpdateTableCommand({
              TableName: input.TableName,
              AttributeDefinitions: input.AttributeDefinitions,
              GlobalSecondaryIndexUpdates: [{ Create: index }],
            }),
          );
        }
        while ((await indexStatuses(client, input.TableName)).get(index.IndexName) !== 'ACTIVE') {
          await new Promise((resolve) => setTimeout(resolve, 25));
        }
      }
    }),
  );
}

async function indexStatuses(client: DynamoDBClient, tableName: string | undefined) {
  const { Table } = await client.send(new DescribeTableCommand({ TableName: tableName }));
  return new Map(Table?.GlobalSecondaryIndexes?.map((index) => [index.IndexName, index.IndexStatus]));
}

/** Environment variables through which functions find the tables. */
export function tableEnvironment(prefix: string): Record<string, string> {
  return Object.fromEntries(
    tableList.map((spec) => [spec.envVar, physicalTableName(prefix, spec.id as TableId)]),
  );
}
