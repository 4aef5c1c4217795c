import {
  CreateTableCommand,
  type CreateTableCommandInput,
  type DynamoDBClient,
  ResourceInUseException,
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

/** Creates every table of the schema that does not exist yet. */
export async function ensureTables(client: DynamoDBClient, prefix: string): Promise<void> {
  for (const spec of tableList) {
    try {
      await client.send(new CreateTableCommand(createTableInput(spec, prefix)));
    } catch (error) {
      if (!(error instanceof ResourceInUseException)) throw error;
    }
  }
}

/** Environment variables through which functions find the tables. */
export function tableEnvironment(prefix: string): Record<string, string> {
  return Object.fromEntries(
    tableList.map((spec) => [spec.envVar, physicalTableName(prefix, spec.id as TableId)]),
  );
}
