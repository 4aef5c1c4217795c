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

/**
 * Write capacity units a put of a new `item` in a transaction consumes: two per KB of the item, rounded up,
 * in the table (developer guide, "DynamoDB item sizes and formats" and "Amazon DynamoDB Transactions: How
 * it works", capacity management), and one per KB in each global secondary index whose keys it carries (as
 * any write to an index; no AWS page we found says a transaction doubles those). DynamoDB Local reports
 * less for a transaction, so a caller that must count what AWS would charge takes the larger of the two.
 */
export function transactionalPutUnits(
  item: Readonly<Record<string, unknown>>,
  indexes: readonly { readonly partitionKey: string; readonly sortKey?: string }[],
): number {
  const kilobytes = Math.max(1, Math.ceil(itemBytes(item) / 1024));
  const entered = indexes.filter(
    (index) =>
      item[index.partitionKey] !== undefined &&
      (index.sortKey === undefined || item[index.sortKey] !== undefined),
  ).length;
  return (2 + entered) * kilobytes;
}

/** An item's size as DynamoDB counts it: each attribute's name and value, lists and maps with their overhead. */
export function itemBytes(item: Readonly<Record<string, unknown>>): number {
  let bytes = 0;
  for (const [name, value] of Object.entries(item)) {
    if (value !== undefined) bytes += utf8Bytes(name) + valueBytes(value);
  }
  return bytes;
}

function valueBytes(value: unknown): number {
  if (typeof value === 'string') return utf8Bytes(value);
  if (typeof value === 'number' || typeof value === 'bigint') return numberBytes(String(value));
  if (typeof value === 'boolean' || value === null) return 1;
  if (value instanceof Uint8Array) return value.byteLength;
  if (value instanceof Set) return [...value].reduce((sum: number, member) => sum + valueBytes(member), 0);
  if (Array.isArray(value))
    return 3 + value.reduce((sum: number, element) => sum + 1 + valueBytes(element), 0);
  if (typeof value === 'object') {
    // A map's entries are attributes: name and value, plus a byte each.
    return (
      3 +
      itemBytes(value as Record<string, unknown>) +
      Object.values(value).filter((v) => v !== undefined).length
    );
  }
  return 0;
}

/** One byte per two significant digits, plus one. */
function numberBytes(text: string): number {
  const digits = text
    .replace(/^-/, '')
    .replace(/e.*$/i, '')
    .replace('.', '')
    .replace(/^0+/, '')
    .replace(/0+$/, '');
  return Math.ceil(Math.max(digits.length, 1) / 2) + 1;
}

const utf8Bytes = (text: string) => Buffer.byteLength(text, 'utf8');
