import { describe, expect, it } from 'vitest';
import { RATE_WINDOW_SECONDS } from '../../functions/api-limits.js';
import { RateLimiter } from '../../local/rate-limit.js';

/** A clock the test moves by hand, so no assertion depends on how fast the machine runs. */
function manualClock(start = 1_000_000) {
  let now = start;
  return { now: () => now, advance: (ms: number) => (now += ms) };
}

describe('RateLimiter', () => {
  it('admits a caller up to its limit within the window, then says when the oldest request leaves it', () => {
    const clock = manualClock();
    const limiter = new RateLimiter(
      { stageRateLimit: 1000, stageBurstLimit: 1000, perCallerPerWindow: 3 },
      clock.now,
    );
    expect(limiter.admit('alice')).toBeUndefined();
    clock.advance(10_000);
    expect(limiter.admit('alice')).toBeUndefined();
    expect(limiter.admit('alice')).toBeUndefined();
    expect(limiter.admit('alice')).toEqual({ retryAfterSeconds: RATE_WINDOW_SECONDS - 10 });
    expect(limiter.admit('bob')).toBeUndefined();
    clock.advance((RATE_WINDOW_SECONDS - 10) * 1000);
    expect(limiter.admit('alice')).toBeUndefined();
    expect(limiter.admit('alice')).toEqual({ retryAfterSeconds: 10 });
  });

  it('throttles the whole stage past its burst and refills at the steady rate', () => {
    const clock = manualClock();
    const limiter = new RateLimiter(
      { stageRateLimit: 2, stageBurstLimit: 4, perCallerPerWindow: 1000 },
      clock.now,
    );
    for (const caller of ['a', 'b', 'c', 'd']) expect(limiter.admit(caller)).toBeUndefined();
    expect(limiter.admit('e')).toEqual({ retryAfterSeconds: 1 });
    clock.advance(500);
    expect(limiter.admit('e')).toBeUndefined();
    expect(limiter.admit('e')).toEqual({ retryAfterSeconds: 1 });
    clock.advance(60_000);
    for (let i = 0; i < 4; i++) expect(limiter.admit('f')).toBeUndefined();
    expect(limiter.admit('f')).toBeDefined();
  });

  it('does not count refused requests against the caller', () => {
    const clock = manualClock();
    const limiter = new RateLimiter(
      { stageRateLimit: 1, stageBurstLimit: 1, perCallerPerWindow: 2 },
      clock.now,
    );
    expect(limiter.admit('alice')).toBeUndefined();
    expect(limiter.admit('alice')).toEqual({ retryAfterSeconds: 1 });
    clock.advance(1000);
    expect(limiter.admit('alice')).toBeUndefined();
  });
});
