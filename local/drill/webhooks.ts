/**
 * The drill's webhook receiver: both parties of the load's contracts subscribe to every contract event,
 * each at a path of its own here; the receiver checks every signature with the `standardwebhooks`
 * verifier and counts each `webhook-id` it got per subscription. After the load, every version of every
 * load contract should have reached both parties (`expected`), however the fault moved the deliveries
 * between the Regions; `deliveredTwice` is the at-least-once contract showing (a Region that died after
 * delivering, before recording it).
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Webhook } from 'standardwebhooks';
import { eventTypes } from '../../functions/domain/events.js';

export interface EventFigures {
  /** (subscription, event) pairs the load's contracts should have delivered. */
  readonly expected: number;
  /** Of those, received at least once with a valid signature. */
  readonly delivered: number;
  readonly missing: number;
  /** Of those, received more than once. */
  readonly deliveredTwice: number;
  /** Requests whose signature the verifier refused (none expected). */
  readonly badSignatures: number;
  /** Why the first few were refused (`<webhook-id>: <the verifier's reason>`), to look into. */
  readonly refusals: readonly string[];
}

const contractTypes = eventTypes.filter((type) => type.startsWith('contract.'));

export class WebhookReceiver {
  private readonly secrets = new Map<string, Webhook>();
  /** `<org> <webhook-id>` → times received with a valid signature. */
  private readonly received = new Map<string, number>();
  private badSignatures = 0;
  private readonly refusals: string[] = [];
  private server: Server | undefined;
  private url = '';

  async start(): Promise<void> {
    this.server = createServer((request, response) => {
      // Decoded once, whole: a chunk may end inside a multi-byte character (the events carry Korean text).
      const chunks: Buffer[] = [];
      request.on('data', (chunk: Buffer) => chunks.push(chunk));
      request.on('end', () => {
        const body = Buffer.concat(chunks).toString('utf8');
        const org = decodeURIComponent((request.url ?? '').replace(/^\/hook\//, ''));
        try {
          const verifier = this.secrets.get(org);
          if (!verifier) throw new Error(`no subscription for ${org}`);
          verifier.verify(body, request.headers as Record<string, string>);
          const key = `${org} ${String(request.headers['webhook-id'])}`;
          this.received.set(key, (this.received.get(key) ?? 0) + 1);
          response.writeHead(204).end();
        } catch (error) {
          this.badSignatures += 1;
          if (this.refusals.length < 3) {
            this.refusals.push(`${String(request.headers['webhook-id'])}: ${(error as Error).message}`);
          }
          response.writeHead(400).end();
        }
      });
    });
    const server = this.server;
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  }

  /** Subscribes an organisation (with its own token) to every contract event, through the front. */
  async subscribe(frontUrl: string, org: string, token: string): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      const response = await fetch(`${frontUrl}/v1/webhooks`, {
        method: 'POST',
        headers: {
          authorization: `Bearer ${token}`,
          'content-type': 'application/json',
          'idempotency-key': `drill-webhook-${org}`,
        },
        body: JSON.stringify({ url: `${this.url}/hook/${encodeURIComponent(org)}`, types: contractTypes }),
      }).catch(() => undefined);
      if (response?.status === 201) {
        const { secret } = (await response.json()) as { secret: string };
        this.secrets.set(org, new Webhook(secret));
        return;
      }
      if (attempt === 20) throw new Error(`subscribing ${org}: ${response?.status}`);
      await new Promise((resolve) => setTimeout(resolve, 250 * attempt));
    }
  }

  /** `expected`: `<org> <event id>` pairs. */
  figures(expected: readonly string[]): EventFigures {
    const counts = expected.map((key) => this.received.get(key) ?? 0);
    const delivered = counts.filter((n) => n > 0).length;
    return {
      expected: expected.length,
      delivered,
      missing: expected.length - delivered,
      deliveredTwice: counts.filter((n) => n > 1).length,
      badSignatures: this.badSignatures,
      refusals: [...this.refusals],
    };
  }

  /**
   * Every version of every load contract (the ones with an idempotency key) in a Region's converged ledger,
   * for its agency and its provider: each version is one status move, so one event.
   */
  static expectedOf(
    contents: ReadonlyMap<string, string>,
    ledgerTable: string,
    providerId: string,
  ): string[] {
    const expected: string[] = [];
    for (const [id, json] of contents) {
      const contractId = new RegExp(`^${ledgerTable}\\|contract#([^|]+)\\|contract$`).exec(id)?.[1];
      if (!contractId) continue;
      const item = JSON.parse(json) as {
        agencyId?: { S?: string };
        version?: { N?: string };
        idempotency?: { M?: { key?: { S?: string } } };
      };
      if (item.idempotency?.M?.key?.S === undefined) continue;
      for (let version = 1; version <= Number(item.version?.N); version++) {
        for (const org of [String(item.agencyId?.S), providerId]) {
          expected.push(`${org} contract:${contractId}:v${version}`);
        }
      }
    }
    return expected;
  }

  async close(): Promise<void> {
    const server = this.server;
    if (!server) return;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}
