/**
 * The drill's client: creates, quotes and signs contracts through the failover front at a set rate, the
 * way a careful client would. Every create carries an Idempotency-Key; a request that times out, fails to
 * connect or answers 5xx/429 is sent again unchanged; a transition that answers 409 on a retry is read
 * back, since the earlier attempt may have applied it. Every acknowledged write is recorded.
 */
export interface Acknowledged {
  readonly contractId: string;
  readonly idempotencyKey: string;
  readonly step: 'create' | 'quote' | 'sign';
  readonly version: number;
  readonly at: number;
}

export interface LoadOptions {
  readonly frontUrl: string;
  readonly agencies: readonly { readonly id: string; readonly token: string }[];
  readonly providerToken: string;
  readonly serviceId: string;
  readonly planId: string;
  /** New contracts started per second. */
  readonly rate: number;
  readonly durationMs: number;
  readonly requestTimeoutMs?: number;
  /** How long one step keeps retrying before the flow gives up. */
  readonly stepDeadlineMs?: number;
  readonly runId: string;
}

/** The fields of a contract (or problem) the driver reads. */
interface Body {
  readonly id?: string;
  readonly version?: number;
  readonly status?: string;
  readonly catalogAmountKrw?: number;
}

interface Answer {
  readonly status: number;
  /** The parsed body, or for status 0 what went wrong on the way (`timeout`, `connection`). */
  readonly body: Body | string | undefined;
}

const fieldsOf = (answer: Answer): Body => (typeof answer.body === 'object' ? answer.body : {});

export class LoadDriver {
  readonly acknowledged: Acknowledged[] = [];
  readonly errors: Record<string, number> = {};
  readonly flows = { started: 0, completed: 0, failed: 0 };
  private readonly successes: { sentAt: number; answeredAt: number }[] = [];

  constructor(private readonly options: LoadOptions) {}

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
    const after = this.successes.filter((s) => s.sentAt >= since).map((s) => s.answeredAt);
    return after.length ? Math.min(...after) : undefined;
  }

  private async flow(i: number): Promise<void> {
    this.flows.started += 1;
    const agency = this.options.agencies[i % this.options.agencies.length] as { id: string; token: string };
    const idempotencyKey = `${this.options.runId}-${i}`;
    const created = await this.step(() =>
      this.send('POST', '/v1/contracts', agency.token, {
        body: {
          serviceId: this.options.serviceId,
          planId: this.options.planId,
          quantity: 1 + (i % 5),
          months: 12,
          method: 'NEGOTIATED',
        },
        headers: { 'idempotency-key': idempotencyKey },
      }),
    );
    if (!created) return this.fail();
    const contract = fieldsOf(created);
    const contractId = String(contract.id);
    this.ack({ contractId, idempotencyKey, step: 'create', version: Number(contract.version) });
    const quote = Math.floor(Number(contract.catalogAmountKrw) * 0.9);
    for (const [step, token, body, target] of [
      ['quote', this.options.providerToken, { amountKrw: quote }, 'QUOTED'],
      ['sign', agency.token, undefined, 'ACTIVE'],
    ] as const) {
      const answer = await this.step(
        () => this.send('POST', `/v1/contracts/${contractId}/${step}`, token, body ? { body } : {}),
        { contractId, token, target },
      );
      if (!answer) return this.fail();
      this.ack({ contractId, idempotencyKey, step, version: Number(fieldsOf(answer).version) });
    }
    this.flows.completed += 1;
  }

  /**
   * Sends until a success or a definite refusal. A 409 on a transition is checked by reading the contract:
   * already in the target state means an earlier attempt of ours applied it.
   */
  private async step(
    send: () => Promise<Answer>,
    transition?: { contractId: string; token: string; target: string },
  ): Promise<Answer | undefined> {
    const deadline = Date.now() + (this.options.stepDeadlineMs ?? 30_000);
    let notFound = 0;
    for (let attempt = 0; Date.now() < deadline; attempt++) {
      if (attempt > 0) await sleep(Math.min(1000, 50 * 2 ** attempt) * (0.5 + Math.random() / 2));
      const answer = await send();
      if (answer.status >= 200 && answer.status < 300) return answer;
      this.count(answer.status === 0 ? String(answer.body) : String(answer.status));
      if (answer.status === 0 || answer.status >= 500 || answer.status === 429) continue;
      if (answer.status === 409 && transition) {
        const current = await this.send('GET', `/v1/contracts/${transition.contractId}`, transition.token);
        if (current.status === 200 && fieldsOf(current).status === transition.target) return current;
        return undefined;
      }
      // Not (yet) there: under eventual replication the surviving Region may not have it yet.
      if (answer.status === 404 && ++notFound < 5) continue;
      return undefined;
    }
    return undefined;
  }

  private async send(
    method: string,
    path: string,
    token: string,
    options: { body?: unknown; headers?: Record<string, string> } = {},
  ): Promise<Answer> {
    const sentAt = Date.now();
    try {
      const response = await fetch(`${this.options.frontUrl}${path}`, {
        method,
        headers: {
          authorization: `Bearer ${token}`,
          ...(options.body ? { 'content-type': 'application/json' } : {}),
          ...options.headers,
        },
        ...(options.body ? { body: JSON.stringify(options.body) } : {}),
        signal: AbortSignal.timeout(this.options.requestTimeoutMs ?? 3000),
      });
      const text = await response.text();
      if (response.ok) this.successes.push({ sentAt, answeredAt: Date.now() });
      return { status: response.status, body: text ? (JSON.parse(text) as Body) : undefined };
    } catch (error) {
      const name = (error as Error).name === 'TimeoutError' ? 'timeout' : 'connection';
      return { status: 0, body: name };
    }
  }

  private ack(write: Omit<Acknowledged, 'at'>): void {
    this.acknowledged.push({ ...write, at: Date.now() });
  }

  private count(code: string): void {
    this.errors[code] = (this.errors[code] ?? 0) + 1;
  }

  private fail(): void {
    this.flows.failed += 1;
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
