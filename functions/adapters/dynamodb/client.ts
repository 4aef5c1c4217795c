import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { meterCapacity } from './capacity.js';
import { type TableId, tables } from './tables.js';

/**
 * Attempts per DynamoDB call, the first included. The SDK's standard strategy retries throttling and
 * `ReplicatedWriteConflictException` (modelled as retryable: two Regions wrote one MRSC item at once) with
 * exponential backoff and full jitter; past this bound the API answers 503 with Retry-After, and the
 * client's own retry lands on the same conditional write, so it cannot apply twice.
 */
export const DYNAMODB_MAX_ATTEMPTS = 4;

/**
 * The Region's DynamoDB client. Endpoints follow the SDK's standard `AWS_ENDPOINT_URL_DYNAMODB` /
 * `AWS_ENDPOINT_URL`, which is how the local runtime (and LocalStack) points it elsewhere.
 */
export function documentClient(): DynamoDBDocumentClient {
  const client = new DynamoDBClient({ maxAttempts: DYNAMODB_MAX_ATTEMPTS, retryMode: 'standard' });
  meterCapacity(client);
  return DynamoDBDocumentClient.from(client, {
    marshallOptions: { removeUndefinedValues: true, convertClassInstanceToMap: false },
  });
}

export function tableName(id: TableId): string {
  const name = process.env[tables[id].envVar];
  if (!name) throw new Error(`${tables[id].envVar} is not set`);
  return name;
}

export function currentRegion(): string {
  return process.env.AWS_REGION ?? process.env.AWS_DEFAULT_REGION ?? 'unknown';
}
