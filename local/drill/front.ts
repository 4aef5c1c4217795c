/**
 * The failover front: what Route 53 health-checked failover does for the deployed system. It probes each
 * Region's deep `/health` every `intervalMs`; a Region is unhealthy after `failureThreshold` failed probes
 * in a row and healthy again after as many successes. Requests go to the first healthy Region in order
 * (the primary while it is healthy), and are never retried here: a client that got no answer retries.
 */
import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface FrontOptions {
  readonly regions: readonly { readonly name: string; readonly url: string }[];
  readonly intervalMs: number;
  readonly failureThreshold: number;
  readonly probeTimeoutMs?: number;
}

interface Target {
  readonly name: string;
  readonly url: URL;
  healthy: boolean;
  streak: number;
}

export class FailoverFront {
  readonly targets: Target[];
  private server: Server | undefined;
  private timer: NodeJS.Timeout | undefined;
  url = '';

  constructor(private readonly options: FrontOptions) {
    this.targets = options.regions.map((r) => ({
      name: r.name,
      url: new URL(r.url),
      healthy: true,
      streak: 0,
    }));
  }

  async start(): Promise<void> {
    this.server = createServer((req, res) => {
      const target = this.targets.find((t) => t.healthy);
      if (!target) {
        res.writeHead(503, { 'content-type': 'application/problem+json', 'retry-after': '1' });
        res.end(
          JSON.stringify({
            type: '/problems/unavailable',
            title: 'No healthy Region',
            status: 503,
            detail: '',
          }),
        );
        return;
      }
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

  /** The Region requests go to now, if any. */
  active(): string | undefined {
    return this.targets.find((t) => t.healthy)?.name;
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
        const ok = await probe(new URL('/health', target.url), this.options.probeTimeoutMs ?? 1000);
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
