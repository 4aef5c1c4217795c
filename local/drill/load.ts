/**
 * The drill's client: creates, quotes and signs contracts through the failover front at a set rate, the
 * way a careful client would. Every write carries an Idempotency-Key of its own (one per create, one per
 * transition step); a request that gets no answer, fails to connect or answers 5xx/429 is sent again
 * unchanged, key included, and no sooner than its Retry-After, so a retry of something that was applied
 * is answered as a replay rather than applied twice. Every acknowledged write and every request's outcome is recorded.
 * It calls the API through the typed client generated from the OpenAPI document (`local/api-client`).
 */
import { type ApiClient, apiClient, bearer, retryAfterMs, type Schemas } from '../api-client/client.js';

export interface Acknowledged {
  readonly contractId: string;
  readonly idempotencyKey: string;
  readonly step: 'create' | 'quote' | 'sign';
  readonly version: number;
  readonly at: number;
  /** When the attempt that was acknowledged was sent. */
  readonly sentAt: number;
  /** The Region that answered. */
  readonly region: string;
}

export type Outcome = '2xx' | '4xx' | '5xx' | 'connection' | 'hung';

/** One request as the client saw it. */
export interface RequestRecord {
  readonly sentAt: number;
  /** When the outcome was known: the answer, the failed connection, or the moment it counted as hung. */
  readonly doneAt: number;
  readonly outcome: Outcome;
  /** The Region that answered (the front's `x-region`), or that the front sent an unanswered request to. */
  readonly region: string;
}

/** A request with no answer within this long is hung (the report's `hung`); the client then retries. */
export const HUNG_AFTER_MS = 5000;
/** How long a 404 for something acknowledged is taken for replication not there yet, rather than a refusal. */
const NOT_FOUND_PATIENCE_MS = 5000;

export interface LoadOptions {
  readonly frontUrl: string;
  readonly agencies: readonly { readonly id: string; readonly token: string }[];
  readonly providerToken: string;
  readonly serviceId: string;
  readonly planId: string;
  /** New contracts started per second. */
  readonly rate: number;
  readonly durationMs: number;
  /** How long one step keeps retrying before the flow gives up. */
  readonly stepDeadlineMs?: number;
  readonly runId: string;
  /** The Region the front sent a request to, by the request id the driver put in `x-drill-request`. */
  readonly routedTo?: (requestId: string) => string | undefined;
}

interface Answer {
  readonly status: number;
  /** The contract, on a success. */
  readonly body: Schemas['Contract'] | undefined;
  readonly region: string;
  readonly sentAt: number;
  /** The server's `Retry-After`, in milliseconds. */
  readonly retryAfterMs?: number;
  /** For status 0, what went wrong on the way. */
  readonly failure?: 'hung' | 'connection';
}

export class LoadDriver {
  readonly acknowledged: Acknowledged[] = [];
  readonly errors: Record<string, number> = {};
  /** `failedBy`: each failed flow counted under the last answer it got (a status, `connection`, `hung`). */
  readonly flows = { started: 0, completed: 0, failed: 0, failedBy: {} as Record<string, number> };
  readonly requests: RequestRecord[] = [];
  private sequence = 0;
  private readonly api: ApiClient;

  constructor(private readonly options: LoadOptions) {
    this.api = apiClient(options.frontUrl);
  }

  async run(): Promise<void> {
    const running: Promise<void>[] = [];
    const started = Date.now();
    const gap = 1000 / this.options.rate;
    for (let i = 0; Date.now() - started < this.options.durationMs; i++) {
      running.push(this.flow(i));
      await sleep(Math.max(0, started + (i + 1) * gap - Date.now()));
    }
    await Promise.all(running);
  }

  /** When the first request sent after `since` was answered with success. */
  firstSuccessAfter(since: number): number | undefined {
    const after = this.requests.filter((r) => r.outcome === '2xx' && r.sentAt >= since).map((r) => r.doneAt);
    return after.length ? Math.min(...after) : undefined;
  }

  private async flow(i: number): Promise<void> {
    this.flows.started += 1;
    const agency = this.options.agencies[i % this.options.agencies.length] as { id: string; token: string };
    const flowKey = `${this.options.runId}-${i}`;
    const created = await this.step(() =>
      this.send((init) =>
        this.api.POST('/v1/contracts', {
          ...init(agency.token),
          params: { header: { 'Idempotency-Key': flowKey } },
          body: {
            serviceId: this.options.serviceId,
            planId: this.options.planId,
            quantity: 1 + (i % 5),
            months: 12,
            method: 'NEGOTIATED',
          },
        }),
      ),
    );
    if (!created.ok) return this.fail(created.lastError);
    const contract = created.answer.body;
    const contractId = String(contract?.id);
    this.ack(contractId, flowKey, 'create', created.answer);
    const id = { id: contractId };
    const quoteKey = `${flowKey}-quote`;
    const quoted = await this.step(() =>
      this.send((init) =>
        this.api.POST('/v1/contracts/{id}/quote', {
          ...init(this.options.providerToken),
          params: { path: id, header: { 'Idempotency-Key': quoteKey } },
          body: { amountKrw: Math.floor(Number(contract?.catalogAmountKrw) * 0.9) },
        }),
      ),
    );
    if (!quoted.ok) return this.fail(quoted.lastError);
    this.ack(contractId, quoteKey, 'quote', quoted.answer);
    const signKey = `${flowKey}-sign`;
    const signed = await this.step(() =>
      this.send((init) =>
        this.api.POST('/v1/contracts/{id}/sign', {
          ...init(agency.token),
          params: { path: id, header: { 'Idempotency-Key': signKey } },
        }),
      ),
    );
    if (!signed.ok) return this.fail(signed.lastError);
    this.ack(contractId, signKey, 'sign', signed.answer);
    this.flows.completed += 1;
  }

  /** Sends until a success or a definite refusal; a retry carries the same key, so it cannot apply twice. */
  private async step(
    send: () => Promise<Answer>,
  ): Promise<{ ok: true; answer: Answer } | { ok: false; lastError: string }> {
    const deadline = Date.now() + (this.options.stepDeadlineMs ?? 30_000);
    let firstNotFound: number | undefined;
    let lastError = 'deadline';
    let retryAfterMs = 0;
    for (let attempt = 0; Date.now() < deadline; attempt++) {
      // Backoff with jitter, never sooner than the server asked: retries must not keep an overload going.
      if (attempt > 0) {
        await sleep(Math.max(retryAfterMs, Math.min(1000, 50 * 2 ** attempt) * (0.5 + Math.random() / 2)));
      }
      const answer = await send();
      retryAfterMs = answer.retryAfterMs ?? 0;
      if (answer.status >= 200 && answer.status < 300) return { ok: true, answer };
      lastError = answer.failure ?? String(answer.status);
      this.count(lastError);
      if (answer.status === 0 || answer.status >= 500 || answer.status === 429) continue;
      // Not (yet) there: the Region that took the retry may not have applied the write yet.
      firstNotFound ??= answer.status === 404 ? Date.now() : undefined;
      if (answer.status === 404 && Date.now() - (firstNotFound ?? 0) < NOT_FOUND_PATIENCE_MS) continue;
      break;
    }
    return { ok: false, lastError };
  }

  /**
   * One attempt: `call` makes the typed request with what `init` gives it for a caller's token (the bearer,
   * this request's `x-drill-request` id, the hung timeout).
   */
  private async send(
    call: (init: (token: string) => { headers: Record<string, string>; signal: AbortSignal }) => Promise<{
      data?: Schemas['Contract'];
      response: Response;
    }>,
  ): Promise<Answer> {
    const requestId = `${this.options.runId}-r${++this.sequence}`;
    const sentAt = Date.now();
    let answer: Answer;
    try {
      const { data, response } = await call((token) => ({
        headers: { ...bearer(token), 'x-drill-request': requestId },
        signal: AbortSignal.timeout(HUNG_AFTER_MS),
      }));
      answer = {
        status: response.status,
        body: data,
        region: response.headers.get('x-region') ?? 'none',
        sentAt,
        ...(response.headers.has('retry-after') ? { retryAfterMs: retryAfterMs(response) } : {}),
      };
    } catch (error) {
      const failure = (error as Error).name === 'TimeoutError' ? 'hung' : 'connection';
      const region = this.options.routedTo?.(requestId) ?? 'none';
      answer = { status: 0, body: undefined, region, sentAt, failure };
    }
    this.requests.push({ sentAt, doneAt: Date.now(), outcome: outcomeOf(answer), region: answer.region });
    return answer;
  }

  private ack(contractId: string, idempotencyKey: string, step: Acknowledged['step'], answer: Answer): void {
    const version = Number(answer.body?.version);
    this.acknowledged.push({
      contractId,
      idempotencyKey,
      step,
      version,
      at: Date.now(),
      sentAt: answer.sentAt,
      region: answer.region,
    });
  }

  private count(code: string): void {
    this.errors[code] = (this.errors[code] ?? 0) + 1;
  }

  private fail(lastError: string): void {
    this.flows.failed += 1;
    this.flows.failedBy[lastError] = (this.flows.failedBy[lastError] ?? 0) + 1;
  }
}

function outcomeOf(answer: Answer): Outcome {
  if (answer.failure) return answer.failure;
  if (answer.status >= 500) return '5xx';
  if (answer.status >= 400) return '4xx';
  return '2xx';
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
