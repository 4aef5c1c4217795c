import { BatchGetCommand, BatchWriteCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { jitteredBackoffMs, sleep } from '../../domain/contention.js';

type WriteRequest =
  { PutRequest: { Item: Record<string, unknown> } } | { DeleteRequest: { Key: Record<string, unknown> } };

const BATCH_SIZE = 25;
const PARALLEL_BATCHES = 4;
const MAX_ATTEMPTS = 8;

/** Idempotent puts and deletes in batches of 25, retrying unprocessed items with backoff. */
export async function batchWrite(
  db: DynamoDBDocumentClient,
  table: string,
  requests: readonly WriteRequest[],
): Promise<void> {
  const batches: WriteRequest[][] = [];
  for (let i = 0; i < requests.length; i += BATCH_SIZE) batches.push(requests.slice(i, i + BATCH_SIZE));
  let next = 0;
  const worker = async () => {
    while (next < batches.length) {
      let pending = batches[next++] ?? [];
      for (let attempt = 0; pending.length > 0; attempt++) {
        if (attempt >= MAX_ATTEMPTS) throw new Error(`BatchWrite to ${table} left items unprocessed`);
        if (attempt > 0) await sleep(jitteredBackoffMs(attempt, 25));
        const response = await db.send(new BatchWriteCommand({ RequestItems: { [table]: pending } }));
        pending = (response.UnprocessedItems?.[table] ?? []) as WriteRequest[];
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(PARALLEL_BATCHES, batches.length) }, worker));
}

const GET_BATCH_SIZE = 100;

/**
 * Every item found under `keys`, in batches of 100, asking again (with backoff) for what DynamoDB left
 * unprocessed; missing keys are simply absent from the result.
 */
export async function batchGet(
  db: DynamoDBDocumentClient,
  table: string,
  keys: readonly Record<string, unknown>[],
): Promise<Record<string, unknown>[]> {
  const found: Record<string, unknown>[] = [];
  for (let i = 0; i < keys.length; i += GET_BATCH_SIZE) {
    let pending = keys.slice(i, i + GET_BATCH_SIZE);
    for (let attempt = 0; pending.length > 0; attempt++) {
      if (attempt >= MAX_ATTEMPTS) throw new Error(`BatchGet from ${table} left keys unprocessed`);
      if (attempt > 0) await sleep(jitteredBackoffMs(attempt, 25));
      const response = await db.send(
        new BatchGetCommand({ RequestItems: { [table]: { Keys: [...pending] } } }),
      );
      found.push(...(response.Responses?.[table] ?? []));
      pending = response.UnprocessedKeys?.[table]?.Keys ?? [];
    }
  }
  return found;
}
