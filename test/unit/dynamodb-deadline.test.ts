import { createServer, type Server } from 'node:net';
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { documentClient } from '../../functions/adapters/dynamodb/client.js';
import { RESPONSE_MARGIN_MS, withRequest } from '../../functions/request-context.js';

/** A store that accepts connections and never answers; counts the attempts that reach it. */
let stalled: Server;
let attempts = 0;

beforeAll(async () => {
  stalled = createServer((socket) => {
    attempts += 1;
    socket.on('error', () => undefined);
  });
  await new Promise<void>((resolve) => stalled.listen(0, '127.0.0.1', resolve));
  const { port } = stalled.address() as { port: number };
  Object.assign(process.env, {
    AWS_ENDPOINT_URL_DYNAMODB: `http://127.0.0.1:${port}`,
    AWS_REGION: 'local',
    AWS_ACCESS_KEY_ID: 'local',
    AWS_SECRET_ACCESS_KEY: 'local',
  });
});

afterAll(() => stalled.close());

describe('a DynamoDB call within an API request', () => {
  it('ends at the request’s deadline, aborted and not retried, though an attempt may take longer', async () => {
    const db = documentClient(2000);
    attempts = 0;
    const started = performance.now();
    const outcome = withRequest({ remainingInvocationMs: RESPONSE_MARGIN_MS + 200, dryRun: false }, () =>
      db.send(new GetCommand({ TableName: 'any', Key: { pk: 'a', sk: 'b' } })),
    );
    await expect(outcome).rejects.toMatchObject({ name: 'AbortError' });
    const elapsed = performance.now() - started;
    expect(elapsed).toBeGreaterThanOrEqual(190);
    expect(elapsed).toBeLessThan(1000);
    expect(attempts).toBe(1);
    db.destroy();
  });

  it('outside a request, an attempt that outlasts its own limit is retried', async () => {
    const db = documentClient(100);
    attempts = 0;
    await expect(
      db.send(new GetCommand({ TableName: 'any', Key: { pk: 'a', sk: 'b' } })),
    ).rejects.toMatchObject({ name: 'TimeoutError' });
    expect(attempts).toBeGreaterThan(1);
    db.destroy();
  });
});
