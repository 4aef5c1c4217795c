import { AsyncLocalStorage } from 'node:async_hooks';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';

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

interface Meter {
  units: number;
}

const meters = new AsyncLocalStorage<Meter>();

/** Runs `work`, summing the DynamoDB capacity units every call within it consumed (read and write). */
export async function metered<T>(work: () => Promise<T>): Promise<{ result: T; capacityUnits: number }> {
  const meter: Meter = { units: 0 };
  const result = await meters.run(meter, work);
  return { result, capacityUnits: meter.units };
}

type ConsumedCapacity = { CapacityUnits?: number } | { CapacityUnits?: number }[] | undefined;

/**
 * Asks every data call for its consumed capacity (free in DynamoDB) and adds it to the current request's
 * meter, so each API request's cost is logged and can be compared with the minimum it needs.
 */
export function meterCapacity(client: DynamoDBClient): void {
  client.middlewareStack.add(
    (next, context) => async (args) => {
      if (!METERED.has(context.commandName ?? '')) return next(args);
      const input = args.input as { ReturnConsumedCapacity?: string };
      input.ReturnConsumedCapacity ??= 'TOTAL';
      const result = await next(args);
      const consumed = (result.output as { ConsumedCapacity?: ConsumedCapacity }).ConsumedCapacity;
      const meter = meters.getStore();
      if (meter && consumed) {
        for (const entry of Array.isArray(consumed) ? consumed : [consumed])
          meter.units += entry.CapacityUnits ?? 0;
      }
      return result;
    },
    { step: 'initialize', name: 'meterConsumedCapacity' },
  );
}
