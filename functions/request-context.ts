/**
 * What each API request carries through every `await`: its deadline, whether it is a dry run, and the
 * DynamoDB capacity its calls consumed. So the layers that need them (the store client's HTTP handler, the
 * domain's contention retries, the composition root, the capacity meter) read them without a parameter
 * threaded through every call. One AsyncLocalStorage for all three: Node copies every enabled store into
 * each promise an async function creates, so each store costs on every `await` of every request. Outside a
 * request nothing is bounded, no dry run applies and nothing is metered.
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

interface RequestContext {
  readonly deadlineAt: number;
  readonly dryRun: boolean;
  capacityUnits: number;
}

const requests = new AsyncLocalStorage<RequestContext>();

/**
 * Runs `work` as one API request: with a deadline `REQUEST_DEADLINE_MS` from now, or earlier when the
 * invocation itself has less time left (`remainingInvocationMs`, from Lambda's context); answers its
 * result and the capacity units (read and write) every DynamoDB call within it consumed.
 */
export async function withRequest<T>(
  options: { readonly remainingInvocationMs: number | undefined; readonly dryRun: boolean },
  work: () => Promise<T>,
): Promise<{ result: T; capacityUnits: number }> {
  const { remainingInvocationMs, dryRun } = options;
  const budget = Math.min(
    REQUEST_DEADLINE_MS,
    remainingInvocationMs === undefined ? Infinity : remainingInvocationMs - RESPONSE_MARGIN_MS,
  );
  return within({ deadlineAt: Date.now() + Math.max(0, budget), dryRun, capacityUnits: 0 }, work);
}

/**
 * Runs `work` outside any API request, counting the capacity units its DynamoDB calls consumed (a
 * background job keeping to a capacity budget): no deadline, no dry run.
 */
export function metered<T>(work: () => Promise<T>): Promise<{ result: T; capacityUnits: number }> {
  return within({ deadlineAt: Infinity, dryRun: false, capacityUnits: 0 }, work);
}

async function within<T>(context: RequestContext, work: () => Promise<T>) {
  const result = await requests.run(context, work);
  return { result, capacityUnits: context.capacityUnits };
}

/** Milliseconds left before the current request's deadline; Infinity without one. */
export function remainingMs(): number {
  const context = requests.getStore();
  return context ? Math.max(0, context.deadlineAt - Date.now()) : Infinity;
}

/**
 * Whether the request being served is a dry run; the composition root then hands the use cases a store
 * that answers each write with what it would do, and writes nothing (`domain/dry-run.ts`).
 */
export function isDryRun(): boolean {
  return requests.getStore()?.dryRun === true;
}

/** Adds what a DynamoDB call consumed to the current request's count; nothing outside a request. */
export function addConsumedCapacity(units: number): void {
  const context = requests.getStore();
  if (context) context.capacityUnits += units;
}
