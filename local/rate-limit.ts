import { type ApiLimits, RATE_WINDOW_SECONDS } from '../functions/api-limits.js';

/** Callers that went quiet are dropped once this many are tracked. */
const SWEEP_ABOVE_CALLERS = 10_000;

export type RateLimits = Pick<ApiLimits, 'stageRateLimit' | 'stageBurstLimit' | 'perCallerPerWindow'>;

/**
 * What answers 429 in front of the API in AWS, for the local gateway: the WAF rate rule (requests per caller
 * in a trailing window) and API Gateway's stage throttling (a token bucket of `stageBurstLimit`, refilled at
 * `stageRateLimit` a second). A refused request is not counted, so the wait it is told is exact.
 */
export class RateLimiter {
  private stageTokens: number;
  private stageRefilledAt: number;
  /** Per caller, the times (ms) of its admitted requests within the window, oldest first. */
  private readonly recent = new Map<string, number[]>();

  constructor(
    private readonly limits: RateLimits,
    private readonly now: () => number = Date.now,
  ) {
    this.stageTokens = limits.stageBurstLimit;
    this.stageRefilledAt = now();
  }

  /** Admits one request from `caller`, or answers how many seconds it should wait before retrying. */
  admit(caller: string): { readonly retryAfterSeconds: number } | undefined {
    const now = this.now();
    const times = this.callerTimes(caller, now);
    if (times.length >= this.limits.perCallerPerWindow) {
      return { retryAfterSeconds: wholeSeconds((times[0] ?? now) + RATE_WINDOW_SECONDS * 1000 - now) };
    }
    this.stageTokens = Math.min(
      this.limits.stageBurstLimit,
      this.stageTokens + ((now - this.stageRefilledAt) / 1000) * this.limits.stageRateLimit,
    );
    this.stageRefilledAt = now;
    if (this.stageTokens < 1) {
      return {
        retryAfterSeconds: wholeSeconds(((1 - this.stageTokens) / this.limits.stageRateLimit) * 1000),
      };
    }
    this.stageTokens -= 1;
    times.push(now);
    this.recent.set(caller, times);
    if (this.recent.size > SWEEP_ABOVE_CALLERS) {
      for (const quiet of this.recent.keys()) this.callerTimes(quiet, now);
    }
    return undefined;
  }

  /** The caller's requests still in the window; callers with none are forgotten. */
  private callerTimes(caller: string, now: number): number[] {
    const windowStart = now - RATE_WINDOW_SECONDS * 1000;
    const times = this.recent.get(caller) ?? [];
    const firstInWindow = times.findIndex((time) => time > windowStart);
    if (firstInWindow === -1) {
      this.recent.delete(caller);
      return [];
    }
    if (firstInWindow > 0) times.splice(0, firstInWindow);
    return times;
  }
}

/** Retry-After is whole seconds, and never 0 for a refusal. */
function wholeSeconds(ms: number): number {
  return Math.max(1, Math.ceil(ms / 1000));
}
