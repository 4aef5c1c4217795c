/**
 * The failover front: what Route 53 health-checked failover does for the deployed system. It probes each
 * Region's deep `/health` every `intervalMs`; a Region is unhealthy after `failureThreshold` failed probes
 * in a row and healthy again after as many successes. Requests go to the first healthy Region in order
 * (the primary while it is healthy), and are never retried here: a client that got no answer retries.
 * With no Region healthy it fails open to the primary, as Route 53 answers when every record is unhealthy.
 * Only a 200 counts as healthy, so a Region answering `starting` (or restarting) gets no traffic until
 * `failureThreshold` probes in a row found it ready. Answers carry `x-region`, the Region that served.
 */
import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface FrontOptions {
  readonly regions: readonly { readonly name: string; readonly url: string }[];
  readonly intervalMs: number;
  readonly failureThreshold: number;
  /** Route 53 waits two seconds for a health check's answer; so does the front unless told otherwise. */
  readonly probeTimeoutMs?: number;
}

interface Target {
  readonly name: string;
  url: URL;
  healthy: boolean;
  streak: number;
  probing: boolean;
}

export class FailoverFront {
  readonly targets: Target[];
  private server: Server | undefined;
  private timer: NodeJS.Timeout | undefined;
  /** Where each request that named itself in `x-drill-request` was sent, for requests that got no answer. */
  private readonly routed = new Map<string, string>();
  url = '';

  constructor(private readonly options: FrontOptions) {
    this.targets = options.regions.map((r) => ({
      name: r.name,
      url: new URL(r.url),
      healthy: true,
      streak: 0,
      probing: false,
    }));
  }

  async start(): Promise<void> {
    this.server = createServer((req, res) => {
      const target = this.targets.find((t) => t.healthy) ?? (this.targets[0] as Target);
      const requestId = req.headers['x-drill-request'];
      if (typeof requestId === 'string') this.routed.set(requestId, target.name);
      const upstream = request(
        {
          host: target.url.hostname,
          port: target.url.port,
          path: req.url,
          method: req.method,
          headers: { ...req.headers, host: target.url.host, 'x-served-by-region': target.name },
        },
        (answer) => {
          res.writeHead(answer.statusCode ?? 502, { ...answer.headers, 'x-region': target.name });
          answer.pipe(res);
        },
      );
      upstream.on('error', () => res.destroy());
      req.pipe(upstream);
    });
    this.server.keepAliveTimeout = 1000;
    await new Promise<void>((resolve) => this.server?.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    this.timer = setInterval(() => void this.probeAll(), this.options.intervalMs);
  }

  /** The Region the front sent a request to, by its `x-drill-request` id. */
  routedTo(requestId: string): string | undefined {
    return this.routed.get(requestId);
  }

  /** Points a Region at a new process (a deploy), keeping its health: the caller checked the new one is ready. */
  replace(region: string, url: string): void {
    const target = this.targets.find((t) => t.name === region);
    if (!target) throw new Error(`unknown region ${region}`);
    target.url = new URL(url);
  }

  async close(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    await new Promise<void>((resolve) => {
      if (!this.server) return resolve();
      this.server.close(() => resolve());
      this.server.closeAllConnections();
    });
  }

  private async probeAll(): Promise<void> {
    await Promise.all(
      this.targets.map(async (target) => {
        if (target.probing) return; // One probe at a time per Region, as each answer moves the streak.
        target.probing = true;
        const probed = target.url;
        const ok = await probe(new URL('/health', probed), this.options.probeTimeoutMs ?? 2000);
        target.probing = false;
        if (target.url !== probed) return; // Replaced meanwhile: the answer is about the old process.
        if (ok === target.healthy) {
          target.streak = 0;
          return;
        }
        target.streak += 1;
        if (target.streak >= this.options.failureThreshold) {
          target.healthy = ok;
          target.streak = 0;
        }
      }),
    );
  }
}

function probe(url: URL, timeoutMs: number): Promise<boolean> {
  return fetch(url, { signal: AbortSignal.timeout(timeoutMs) })
    .then((res) => res.status === 200)
    .catch(() => false);
}
