import { DomainError } from './errors.js';
import type { Deps } from './ports.js';

/** Delay before the next try: exponential from `baseMs`, capped at `capMs`, with full jitter. */
export function jitteredBackoffMs(attempt: number, baseMs: number, capMs = Infinity): number {
  return Math.random() * Math.min(capMs, baseMs * 2 ** attempt);
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Time one more read-check-write needs at least; a try started later would only be cut off. */
const ATTEMPT_BUDGET_MS = 100;

/** Seconds a client is told to wait when contention outlasted its request. */
const BUSY_RETRY_AFTER_SECONDS = 1;

/**
 * Runs `attempt` until it returns a result; `undefined` means it lost a race for the item (another legal
 * write got there first) and saw nothing wrong, so it is tried again from a fresh read after a jittered
 * pause. Contention is not a conflict: a legal request is never answered 409 for having been concurrent.
 * When the request's deadline leaves no room for another try it is answered 503 with Retry-After, and
 * nothing was written.
 */
export async function retryContention<T>(
  deps: Pick<Deps, 'remainingMs'>,
  what: string,
  attempt: (attemptNumber: number) => Promise<T | undefined>,
): Promise<T> {
  for (let attemptNumber = 0; ; attemptNumber++) {
    const result = await attempt(attemptNumber);
    if (result !== undefined) return result;
    const pause = jitteredBackoffMs(attemptNumber, 10, 250);
    if (deps.remainingMs() < pause + ATTEMPT_BUDGET_MS) {
      throw new DomainError(
        'unavailable',
        `${what} is being changed by many requests at once; retry shortly.`,
        [],
        BUSY_RETRY_AFTER_SECONDS,
      );
    }
    await sleep(pause);
  }
}
