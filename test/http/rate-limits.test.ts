import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RATE_WINDOW_SECONDS } from '../../functions/api-limits.js';
import { startTestApi, type TestApi } from '../support/local-api.js';

const PER_CALLER = 10;

let api: TestApi;
beforeAll(async () => {
  // The stage limit is out of reach here; its token bucket is covered in test/unit/rate-limit.test.ts.
  api = await startTestApi({
    rateLimits: { stageRateLimit: 10_000, stageBurstLimit: 10_000, perCallerPerWindow: PER_CALLER },
  });
});
afterAll(async () => {
  await api?.stop();
});

async function burst(count: number, token?: string) {
  const answers = [];
  for (let i = 0; i < count; i++) answers.push(await api.call('GET', '/v1/stats', token ? { token } : {}));
  return answers;
}

describe('local rate limits', () => {
  it('answers 429 problem+json with Retry-After past the per-caller limit, counting each token subject apart', async () => {
    const alice = await api.token('admin', undefined, 'alice');
    const answers = await burst(PER_CALLER + 1, alice);
    expect(answers.map((answer) => answer.status)).toEqual([...Array(PER_CALLER).fill(200), 429]);
    const refused = answers[PER_CALLER];
    expect(refused?.headers.get('content-type')).toBe('application/problem+json');
    expect(refused?.body).toMatchObject({ type: '/problems/throttled', status: 429 });
    const retryAfter = Number(refused?.headers.get('retry-after'));
    expect(retryAfter).toBeGreaterThanOrEqual(1);
    expect(retryAfter).toBeLessThanOrEqual(RATE_WINDOW_SECONDS);
    expect(refused?.headers.get('cache-control')).toBe('no-store');
    expect(refused?.headers.get('x-content-type-options')).toBe('nosniff');

    const bob = await api.token('admin', undefined, 'bob');
    expect((await api.call('GET', '/v1/stats', { token: bob })).status).toBe(200);
  });

  it('counts anonymous callers by client address, and a refused write writes nothing', async () => {
    const answers = await burst(PER_CALLER);
    expect(answers.filter((answer) => answer.status === 200)).toHaveLength(PER_CALLER);
    await api.settle();
    const before = await api.snapshot();
    const write = await api.call('POST', '/v1/providers', {
      body: { name: 'Anon', businessRegistrationNumber: '1248100998', contactEmail: 'a@b.kr' },
    });
    expect(write.status).toBe(429);
    expect(await api.snapshot()).toEqual(before);
  });
});
