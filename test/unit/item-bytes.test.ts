import { describe, expect, it } from 'vitest';
import { itemBytes, transactionalPutUnits } from '../../functions/adapters/dynamodb/capacity.js';

describe('an item’s size as DynamoDB counts it for capacity', () => {
  it('counts names and values in UTF-8 bytes', () => {
    expect(itemBytes({ pk: 'abc' })).toBe(2 + 3);
    expect(itemBytes({ name: '한국' })).toBe(4 + 6);
    expect(itemBytes({ yes: true, none: null })).toBe(3 + 1 + 4 + 1);
  });

  it('counts a number as one byte per two significant digits, plus one', () => {
    expect(itemBytes({ n: 123.45 })).toBe(1 + 3 + 1);
    expect(itemBytes({ n: 1_000_000 })).toBe(1 + 1 + 1);
    expect(itemBytes({ n: -0.005 })).toBe(1 + 1 + 1);
    expect(itemBytes({ n: 0 })).toBe(1 + 1 + 1);
  });

  it('gives lists and maps 3 bytes, and each of their elements 1 byte, of overhead', () => {
    expect(itemBytes({ l: ['a', 'bc'] })).toBe(1 + 3 + (1 + 1) + (1 + 2));
    expect(itemBytes({ m: { a: 'x', gone: undefined } })).toBe(1 + 3 + (1 + 1 + 1));
    expect(itemBytes({ m: {}, l: [] })).toBe(1 + 3 + 1 + 3);
  });

  it('charges a transactional put two units per KB, rounded up, and one per KB in each index it enters', () => {
    expect(transactionalPutUnits({ pk: 'k' }, [])).toBe(2);
    expect(transactionalPutUnits({ p: 'x'.repeat(1023) }, [])).toBe(2);
    expect(transactionalPutUnits({ p: 'x'.repeat(1024) }, [])).toBe(4);
    expect(transactionalPutUnits({ p: 'x'.repeat(3000) }, [])).toBe(6);
    const indexes = [
      { partitionKey: 'feedAll', sortKey: 'feedKey' },
      { partitionKey: 'feedActor', sortKey: 'feedKey' },
      { partitionKey: 'ackState' },
    ];
    expect(
      transactionalPutUnits({ pk: 'k', feedAll: 'all', feedKey: 'x', ackState: 'pending' }, indexes),
    ).toBe(4);
    expect(transactionalPutUnits({ pk: 'k', feedAll: 'all' }, indexes)).toBe(2);
  });
});
