import { describe, expect, it } from 'vitest';
import {
  addConsumedCapacity,
  isDryRun,
  metered,
  REQUEST_DEADLINE_MS,
  remainingMs,
  RESPONSE_MARGIN_MS,
  withRequest,
} from '../../functions/request-context.js';

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('the request context', () => {
  it('carries the dry run and counts the capacity of each request apart, across awaits', async () => {
    const [dry, real] = await Promise.all([
      withRequest({ remainingInvocationMs: undefined, dryRun: true }, async () => {
        addConsumedCapacity(0.5);
        await pause(5);
        addConsumedCapacity(1);
        return isDryRun();
      }),
      withRequest({ remainingInvocationMs: undefined, dryRun: false }, async () => {
        await pause(1);
        addConsumedCapacity(2);
        return isDryRun();
      }),
    ]);
    expect(dry).toEqual({ result: true, capacityUnits: 1.5 });
    expect(real).toEqual({ result: false, capacityUnits: 2 });
    expect(isDryRun()).toBe(false);
  });

  it('counts down to the deadline, which the invocation may bring forward', async () => {
    await withRequest({ remainingInvocationMs: RESPONSE_MARGIN_MS + 30, dryRun: false }, async () => {
      expect(remainingMs()).toBeLessThanOrEqual(30);
      await pause(40);
      expect(remainingMs()).toBe(0);
    });
    await withRequest({ remainingInvocationMs: undefined, dryRun: false }, async () => {
      expect(remainingMs()).toBeGreaterThan(REQUEST_DEADLINE_MS - 50);
      expect(remainingMs()).toBeLessThanOrEqual(REQUEST_DEADLINE_MS);
    });
  });

  it('bounds nothing outside a request, and meters background work without a deadline', async () => {
    expect(remainingMs()).toBe(Infinity);
    const background = await metered(async () => {
      addConsumedCapacity(3);
      return [remainingMs(), isDryRun()];
    });
    expect(background).toEqual({ result: [Infinity, false], capacityUnits: 3 });
  });
});
