/**
 * Drain or restore a Region by running the ARC Region switch plan (the default failover, on Route 53 health
 * checks), with data-plane calls only: `StartPlanExecution`, `GetPlanExecution` and
 * `ListRoute53HealthChecksInRegion` are answered by Region switch in every Region of the plan, while
 * creating or changing a plan is the control plane (ARC Developer Guide, "Region switch API operations").
 * The plan's health-check step depends on the Region it runs in being available, so a drain is sent to the
 * other Region of the plan first, a restore to the Region being restored first, each falling back to the
 * rest ("Comparing ARC routing control and Route 53 health check execution blocks").
 *
 * The npm registry here has no `@aws-sdk/client-arc-region-switch`, so the three calls are made with the
 * SDK's own signer (SigV4, service `arc-region-switch`) over its AWS JSON 1.0 protocol (target
 * `ArcRegionSwitch.<operation>`, endpoint `https://arc-region-switch.<region>.api.aws`).
 */
import { createHash, createHmac, type Hash, type Hmac } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { defaultProvider } from '@aws-sdk/credential-provider-node';
import { SignatureV4 } from '@smithy/signature-v4';
import type { AwsCredentialIdentity, AwsCredentialIdentityProvider, SourceData } from '@smithy/types';

/** What the operator records once after deploying (OPERATIONS.md, "After the first deploy"). */
export interface RegionSwitchConfig {
  /** Stack output `RegionSwitchPlanArn` of the failover DNS stack. */
  readonly planArn: string;
  /** The plan's Regions, as deployed (the active Regions). */
  readonly regions: readonly string[];
  /** Data-plane endpoint per Region; `https://arc-region-switch.<region>.api.aws` when absent. */
  readonly endpoints?: Readonly<Record<string, string>>;
}

export interface RegionSwitchOptions {
  readonly attemptTimeoutMs: number;
  /** How often, and how many times, the execution is read until it ends. */
  readonly pollMs: number;
  readonly polls: number;
  readonly credentials?: AwsCredentialIdentity | AwsCredentialIdentityProvider;
  readonly log?: (line: string) => void;
}

export const defaultRegionSwitchOptions: RegionSwitchOptions = {
  attemptTimeoutMs: 5000,
  pollMs: 5000,
  // The plan's step times out after 10 minutes; read a little past that.
  polls: 130,
};

export interface ExecutionResult {
  readonly region: string;
  readonly action: 'activate' | 'deactivate';
  readonly executionId: string;
  readonly state: string;
  readonly via: string;
}

/** Execution states after which nothing more happens. */
const succeeded = new Set(['completed', 'completedWithExceptions', 'completedMonitoringApplicationHealth']);
const failed = new Set(['failed', 'canceled', 'planExecutionTimedOut', 'pausedByFailedStep']);
/** Answers another Region would give the same way. */
const finalErrors = new Set([
  'AccessDeniedException',
  'IllegalArgumentException',
  'IllegalStateException',
  'ResourceNotFoundException',
]);

export function loadRegionSwitchConfig(path: string): RegionSwitchConfig {
  const raw = JSON.parse(readFileSync(path, 'utf8')) as Partial<RegionSwitchConfig>;
  if (typeof raw.planArn !== 'string' || !raw.planArn.startsWith('arn:')) {
    throw new Error(`${path}: "planArn" must be the plan's ARN (stack output RegionSwitchPlanArn).`);
  }
  if (!Array.isArray(raw.regions) || raw.regions.length < 2) {
    throw new Error(`${path}: "regions" must list the plan's Regions.`);
  }
  return {
    planArn: raw.planArn,
    regions: raw.regions,
    ...(raw.endpoints ? { endpoints: raw.endpoints } : {}),
  };
}

/** Deactivates (drain) or activates (restore) `region` and returns once the execution has completed. */
export async function runPlan(
  config: RegionSwitchConfig,
  region: string,
  action: 'activate' | 'deactivate',
  options: RegionSwitchOptions = defaultRegionSwitchOptions,
): Promise<ExecutionResult> {
  if (!config.regions.includes(region)) {
    throw new Error(`${region} is not a Region of the plan; its Regions: ${config.regions.join(', ')}.`);
  }
  const others = config.regions.filter((r) => r !== region);
  const order = action === 'deactivate' ? [...others, region] : [region, ...others];
  const { result, via } = await inAnyRegion(config, order, options, `${action} ${region}`, (call) =>
    call('StartPlanExecution', { planArn: config.planArn, targetRegion: region, action }),
  );
  const executionId = String(result.executionId);
  options.log?.(`${action} ${region}: execution ${executionId} started through ${via}`);
  for (let poll = 1; poll <= options.polls; poll += 1) {
    const { result: execution } = await inAnyRegion(config, [via, ...order], options, 'read', (call) =>
      call('GetPlanExecution', { planArn: config.planArn, executionId }),
    );
    const state = String(execution.executionState);
    if (succeeded.has(state)) return { region, action, executionId, state, via };
    if (failed.has(state)) throw new Error(`${action} ${region}: execution ${executionId} ended ${state}.`);
    options.log?.(`${action} ${region}: ${state} (read ${poll})`);
    await new Promise((resolve) => setTimeout(resolve, options.pollMs));
  }
  throw new Error(
    `${action} ${region}: execution ${executionId} had not ended after ${options.polls} reads.`,
  );
}

/** The plan's health check in each Region and its status (`healthy` serves, `unhealthy` is drained). */
export async function healthCheckStates(
  config: RegionSwitchConfig,
  options: RegionSwitchOptions = defaultRegionSwitchOptions,
): Promise<{ region: string; healthCheckId: string; status: string }[]> {
  const { result } = await inAnyRegion(config, config.regions, options, 'status', (call) =>
    call('ListRoute53HealthChecksInRegion', { arn: config.planArn }),
  );
  const checks = (result.healthChecks ?? []) as {
    region?: string;
    healthCheckId?: string;
    status?: string;
  }[];
  return checks.map((check) => ({
    region: String(check.region),
    healthCheckId: String(check.healthCheckId ?? ''),
    status: String(check.status ?? 'unknown'),
  }));
}

type Call = (operation: string, input: Record<string, unknown>) => Promise<Record<string, unknown>>;

async function inAnyRegion(
  config: RegionSwitchConfig,
  regions: readonly string[],
  options: RegionSwitchOptions,
  what: string,
  use: (call: Call) => Promise<Record<string, unknown>>,
): Promise<{ result: Record<string, unknown>; via: string }> {
  const failures: string[] = [];
  for (const region of [...new Set(regions)]) {
    try {
      return {
        result: await use((operation, input) => send(config, region, operation, input, options)),
        via: region,
      };
    } catch (error) {
      const reason = `${region}: ${(error as Error).name}: ${(error as Error).message}`;
      if (finalErrors.has((error as Error).name))
        throw new Error(`${what}: refused by ${reason}`, { cause: error });
      failures.push(reason);
      options.log?.(`${what}: ${reason}; trying the next Region`);
    }
  }
  throw new Error(`${what}: no Region of the plan answered\n${failures.map((f) => `  - ${f}`).join('\n')}`);
}

async function send(
  config: RegionSwitchConfig,
  region: string,
  operation: string,
  input: Record<string, unknown>,
  options: RegionSwitchOptions,
): Promise<Record<string, unknown>> {
  const url = new URL(config.endpoints?.[region] ?? `https://arc-region-switch.${region}.api.aws`);
  const body = JSON.stringify(input);
  const request = {
    protocol: url.protocol,
    hostname: url.hostname,
    ...(url.port ? { port: Number(url.port) } : {}),
    method: 'POST',
    path: url.pathname,
    query: {},
    headers: {
      host: url.host,
      'content-type': 'application/x-amz-json-1.0',
      'x-amz-target': `ArcRegionSwitch.${operation}`,
    },
    body,
  };
  const signer = new SignatureV4({
    service: 'arc-region-switch',
    region,
    credentials: options.credentials ?? defaultProvider(),
    sha256: NodeSha256,
  });
  const signed = await signer.sign(request);
  const response = await fetch(url, {
    method: 'POST',
    headers: signed.headers,
    body,
    signal: AbortSignal.timeout(options.attemptTimeoutMs),
  });
  const text = await response.text();
  const payload = (text ? JSON.parse(text) : {}) as Record<string, unknown>;
  if (!response.ok) {
    const type = String(
      payload.__type ?? response.headers.get('x-amzn-errortype') ?? `HTTP ${response.status}`,
    );
    const error = new Error(String(payload.message ?? payload.Message ?? text));
    error.name = type.split('#').at(-1)?.split(':')[0] ?? type;
    throw error;
  }
  return payload;
}

/** SHA-256 (HMAC-SHA256 with a secret) from node:crypto, in the shape the SigV4 signer takes. */
class NodeSha256 {
  private readonly hash: Hash | Hmac;
  constructor(secret?: SourceData) {
    this.hash = secret === undefined ? createHash('sha256') : createHmac('sha256', toBuffer(secret));
  }
  update(data: SourceData): void {
    this.hash.update(toBuffer(data));
  }
  digest(): Promise<Uint8Array> {
    return Promise.resolve(new Uint8Array(this.hash.digest()));
  }
  reset(): void {
    throw new Error('not used by the signer');
  }
}

function toBuffer(data: SourceData): Buffer {
  if (typeof data === 'string') return Buffer.from(data, 'utf8');
  if (ArrayBuffer.isView(data)) return Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  return Buffer.from(data);
}
