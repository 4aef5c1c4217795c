import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { addConsumedCapacity } from '../../request-context.js';

/** Calls that can report what they consumed. */
const METERED = new Set([
  'GetItemCommand',
  'PutItemCommand',
  'UpdateItemCommand',
  'DeleteItemCommand',
  'QueryCommand',
  'ScanCommand',
  'BatchGetItemCommand',
  'BatchWriteItemCommand',
  'TransactWriteItemsCommand',
  'TransactGetItemsCommand',
]);

type ConsumedCapacity = { CapacityUnits?: number } | { CapacityUnits?: number }[] | undefined;

/**
 * Asks every data call for its consumed capacity (free in DynamoDB) and adds it to the current request's
 * count (`request-context.ts`), so each API request's cost is logged and can be compared with the minimum it needs.
 */
export function meterCapacity(client: DynamoDBClient): void {
  client.middlewareStack.add(
    (next, context) => async (args) => {
      if (!METERED.has(context.commandName ?? '')) return next(args);
      const input = args.input as { ReturnConsumedCapacity?: string };
      input.ReturnConsumedCapacity ??= 'TOTAL';
      const result = await next(args);
      const consumed = (result.output as { ConsumedCapacity?: ConsumedCapacity }).ConsumedCapacity;
      for (const entry of Array.isArray(consumed) ? consumed : consumed ? [consumed] : [])
        addConsumedCapacity(entry.CapacityUnits ?? 0);
      return result;
    },
    { step: 'initialize', name: 'meterConsumedCapacity' },
  );
}
