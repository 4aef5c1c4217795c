import { createServer, request } from 'node:http';
import type { AddressInfo } from 'node:net';

export type Fault = 'replicated-write-conflict' | 'throttling' | 'access-denied';

const faultBodies: Record<Fault, { __type: string; message: string }> = {
  'replicated-write-conflict': {
    __type: 'com.amazonaws.dynamodb.v20120810#ReplicatedWriteConflictException',
    message: 'Another Region is writing this item.',
  },
  throttling: { __type: 'com.amazon.coral.availability#ThrottlingException', message: 'Rate exceeded.' },
  // What an MRSC replica answers while its replication is paused or denied (FIS drill, REPLICATION_NOT_AUTHORIZED).
  'access-denied': {
    __type: 'com.amazon.coral.service#AccessDeniedException',
    message:
      'User is not authorized to perform this action with an explicit deny in a resource-based policy.',
  },
};

export interface FaultProxy {
  readonly url: string;
  /** Answer the next `times` calls of `operation` on tables whose name starts with `tablePrefix` with `fault`. */
  inject(operation: string, fault: Fault, times: number, tablePrefix: string): void;
  /** Hold every call unanswered, as a stopped (SIGSTOP) store does, until `reset`. */
  stall(): void;
  /** Answer every call only after `ms`, as a slow store does, until `reset`. */
  slowDown(ms: number): void;
  /** Calls of `operation` seen since the last reset, faulted or not. */
  calls(operation: string): number;
  reset(): void;
  close(): Promise<void>;
}

/**
 * An HTTP proxy in front of DynamoDB Local that answers chosen operations with the errors DynamoDB sends,
 * so the real SDK, with its real retry strategy, meets them exactly as it would in AWS.
 */
export async function startFaultProxy(target: string): Promise<FaultProxy> {
  const targetUrl = new URL(target);
  const rules = new Map<string, { fault: Fault; remaining: number; tablePrefix: string }>();
  const counts = new Map<string, number>();
  let delayMs = 0;
  let stalled: { promise: Promise<void>; release: () => void } | undefined;
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', async () => {
      await stalled?.promise;
      if (delayMs) await new Promise((resolve) => setTimeout(resolve, delayMs));
      const body = Buffer.concat(chunks);
      const operation = String(req.headers['x-amz-target'] ?? '').split('.')[1] ?? '';
      counts.set(operation, (counts.get(operation) ?? 0) + 1);
      const rule = rules.get(operation);
      const table = /"TableName":"([^"]+)"/.exec(body.toString())?.[1] ?? '';
      if (rule && rule.remaining > 0 && table.startsWith(rule.tablePrefix)) {
        rule.remaining -= 1;
        res.writeHead(400, { 'content-type': 'application/x-amz-json-1.0', 'x-amzn-requestid': 'fault' });
        res.end(JSON.stringify(faultBodies[rule.fault]));
        return;
      }
      const upstream = request(
        {
          host: targetUrl.hostname,
          port: targetUrl.port,
          path: req.url,
          method: req.method,
          headers: req.headers,
        },
        (answer) => {
          res.writeHead(answer.statusCode ?? 502, answer.headers);
          answer.pipe(res);
        },
      );
      upstream.on('error', () => res.destroy());
      upstream.end(body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    inject: (operation, fault, times, tablePrefix) =>
      rules.set(operation, { fault, remaining: times, tablePrefix }),
    stall: () => {
      let release = () => undefined as void;
      const promise = new Promise<void>((resolve) => (release = resolve));
      stalled = { promise, release };
    },
    slowDown: (ms) => {
      delayMs = ms;
    },
    calls: (operation) => counts.get(operation) ?? 0,
    reset: () => {
      rules.clear();
      counts.clear();
      delayMs = 0;
      stalled?.release();
      stalled = undefined;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
