/**
 * Each API request's deadline, carried with the request through every `await` (AsyncLocalStorage), so the
 * layers that wait (the store client's HTTP handler, the domain's contention retries) all stop at the same
 * moment without threading a parameter through every call. Outside a request nothing is bounded here.
 */
import { AsyncLocalStorage } from 'node:async_hooks';

/**
 * How long one API request may take before it answers 503 with Retry-After. A healthy Region answers in
 * tens of milliseconds (the bench's p99s are all under 100 ms locally), so 3 s leaves room for a slow
 * store's retries and for contention, and still lets a client retry (perhaps in the other Region) well
 * inside the 5 s after which a person or a router treats a request as hung.
 */
export const REQUEST_DEADLINE_MS = 3000;

/** Kept back from the function's own remaining time, to log and answer before Lambda stops the invocation. */
export const RESPONSE_MARGIN_MS = 500;

interface RequestTimer {
  readonly deadlineAt: number;
  signal?: AbortSignal;
}

const timers = new AsyncLocalStorage<RequestTimer>();

/**
 * Runs `work` with a deadline `REQUEST_DEADLINE_MS` from now, or earlier when the invocation itself has
 * less time left (`remainingInvocationMs`, from Lambda's context).
 */
export function withRequestDeadline<T>(remainingInvocationMs: number | undefined, work: () => Promise<T>) {
  const budget = Math.min(
    REQUEST_DEADLINE_MS,
    remainingInvocationMs === undefined ? Infinity : remainingInvocationMs - RESPONSE_MARGIN_MS,
  );
  return timers.run({ deadlineAt: Date.now() + Math.max(0, budget) }, work);
}

/** Milliseconds left before the current request's deadline; Infinity outside a request. */
export function remainingMs(): number {
  const timer = timers.getStore();
  return timer ? Math.max(0, timer.deadlineAt - Date.now()) : Infinity;
}

/** Aborts when the current request's deadline passes; undefined outside a request. */
export function deadlineSignal(): AbortSignal | undefined {
  const timer = timers.getStore();
  if (!timer) return undefined;
  timer.signal ??= AbortSignal.timeout(Math.max(0, timer.deadlineAt - Date.now()));
  return timer.signal;
}
