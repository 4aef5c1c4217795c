/**
 * The API's limits, one set read by everything that enforces them: the CDK (stage throttling, the WAF rate
 * rule, the authorizer's cache and environment) and the local gateway. Deployments override any of them with
 * the `marketplace:apiLimits` context key (see `infra/config.ts`), which the local runtime reads too.
 */
export interface ApiLimits {
  /** Requests per second the whole stage accepts in steady state (API Gateway stage throttling). */
  readonly stageRateLimit: number;
  /** Requests the stage accepts at once above the steady rate (the token bucket's size). */
  readonly stageBurstLimit: number;
  /**
   * Requests one caller may send in any {@link RATE_WINDOW_SECONDS}. In AWS the WAF rate rule counts per
   * client address; locally every caller is on loopback, so the gateway counts per token subject instead.
   */
  readonly perCallerPerWindow: number;
  /**
   * How long API Gateway keeps an authorizer's answer for one `Authorization` header. A cached answer can
   * outlive the token's `exp` by up to this long, so it stays short.
   */
  readonly authorizerCacheSeconds: number;
  /** The oldest token accepted, counted from its `iat`, whatever its `exp` says. */
  readonly maxTokenAgeSeconds: number;
}

/** The WAF rate rule's evaluation window (its default), and the local per-caller window. */
export const RATE_WINDOW_SECONDS = 300;

export const defaultApiLimits: ApiLimits = {
  stageRateLimit: 200,
  stageBurstLimit: 400,
  // About 10 a second: many officers of one agency can share one egress address (intranet gateways).
  perCallerPerWindow: 3000,
  authorizerCacheSeconds: 60,
  maxTokenAgeSeconds: 12 * 3600,
};
