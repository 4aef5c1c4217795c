import { describe, expect, it } from 'vitest';
import {
  addConsumedCapacity,
  deadlineSignal,
  isDryRun,
  metered,
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

  it('aborts with a TimeoutError at the deadline, which the invocation may bring forward', async () => {
    let signal: AbortSignal | undefined;
    await withRequest({ remainingInvocationMs: RESPONSE_MARGIN_MS + 30, dryRun: false }, async () => {
      expect(remainingMs()).toBeLessThanOrEqual(30);
      signal = deadlineSignal();
      expect(deadlineSignal()).toBe(signal);
      await new Promise((resolve) => signal?.addEventListener('abort', resolve));
    });
    expect(signal?.reason).toMatchObject({ name: 'TimeoutError' });
  });

  it('leaves no timer behind once a request has answered in time', async () => {
    let signal: AbortSignal | undefined;
    await withRequest({ remainingInvocationMs: RESPONSE_MARGIN_MS + 30, dryRun: false }, async () => {
      signal = deadlineSignal();
    });
    await pause(60);
    expect(signal?.aborted).toBe(false);
  });

  it('bounds nothing outside a request, and meters background work without a deadline', async () => {
    expect(deadlineSignal()).toBeUndefined();
    expect(remainingMs()).toBe(Infinity);
    const background = await metered(async () => {
      addConsumedCapacity(3);
      return [deadlineSignal(), remainingMs(), isDryRun()];
    });
    expect(background).toEqual({ result: [undefined, Infinity, false], capacityUnits: 3 });
  });
});
