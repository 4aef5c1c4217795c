/**
 * Runs autocannon in its own process, so the load generator does not share an event loop with the
 * gateway it measures. Reads its job as JSON on stdin; writes the result as JSON on stdout.
 */
import autocannon from 'autocannon';
import { percentiles } from '../local/percentiles.js';

export interface LoadJob {
  readonly url: string;
  readonly connections: number;
  readonly amount: number;
  readonly method: 'GET' | 'POST';
  /** Request paths, used in turn. */
  readonly paths: readonly string[];
  readonly headers: Readonly<Record<string, string>>;
  readonly body?: string;
  /** Give every request its own `Idempotency-Key` with this prefix. */
  readonly idempotencyKeyPrefix?: string;
  /** Collect the `id` of every 201 answer. */
  readonly collectIds?: boolean;
}

export interface LoadResult {
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly seconds: number;
  readonly non2xx: number;
  readonly ids: string[];
}

const chunks: Buffer[] = [];
for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
const job = JSON.parse(Buffer.concat(chunks).toString()) as LoadJob;
const ids: string[] = [];
const latenciesMs: number[] = [];
let sequence = 0;
const started = performance.now();
let finished = started;
// autocannon's own histogram keeps whole milliseconds and its duration ends on a one-second tick; a read
// of one item takes a few milliseconds here, so each response's own high-resolution time is kept instead.
const run = await new Promise<autocannon.Result>((resolve, reject) => {
  const instance = autocannon(
    {
      url: job.url,
      connections: job.connections,
      amount: job.amount,
      requests: [
        {
          method: job.method,
          setupRequest: (request) => {
            const n = sequence++;
            return {
              ...request,
              path: job.paths[n % job.paths.length] ?? '/',
              ...(job.body ? { body: job.body } : {}),
              headers: {
                ...request.headers,
                ...job.headers,
                ...(job.idempotencyKeyPrefix
                  ? { 'idempotency-key': `${job.idempotencyKeyPrefix}-${n}` }
                  : {}),
              },
            };
          },
          ...(job.collectIds
            ? {
                onResponse: (status: number, body: string) => {
                  if (status === 201) ids.push((JSON.parse(body) as { id: string }).id);
                },
              }
            : {}),
        },
      ],
    },
    (error, result) => (error ? reject(error) : resolve(result)),
  );
  instance.on('response', (_client, _status, _bytes, responseTimeMs: number) => {
    latenciesMs.push(responseTimeMs);
    finished = performance.now();
  });
});
const { p50, p99 } = percentiles(latenciesMs);
const result: LoadResult = {
  p50Ms: p50,
  p99Ms: p99,
  seconds: (finished - started) / 1000,
  non2xx: run.non2xx,
  ids,
};
process.stdout.write(JSON.stringify(result));
