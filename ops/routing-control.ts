/**
 * Drain or restore a Region by flipping its ARC routing control, with data-plane calls only.
 *
 * The ARC cluster answers on five Regional endpoints; ARC keeps at least three of them reachable, and any one
 * can be down for maintenance at any time ("Getting and updating routing control states using the ARC API").
 * Each endpoint is signed for its own Region. So every call here tries the recorded endpoints in shuffled
 * order, each with its own timeout, for several rounds, and the change is only reported done once a read
 * of the routing control (the cluster's consensus view) shows the new state.
 */
import { readFileSync } from 'node:fs';
import {
  GetRoutingControlStateCommand,
  type RoutingControlState,
  Route53RecoveryClusterClient,
  type Route53RecoveryClusterClientConfig,
  UpdateRoutingControlStateCommand,
} from '@aws-sdk/client-route53-recovery-cluster';
import { NodeHttpHandler } from '@smithy/node-http-handler';

/** One of the cluster's data-plane endpoints, as `describe-cluster` lists it (URL ends in `/v1`). */
export interface ClusterEndpoint {
  readonly endpoint: string;
  readonly region: string;
}

/** What the operator records once after deploying (OPERATIONS.md, "After the first deploy"). */
export interface ArcSwitchConfig {
  readonly clusterEndpoints: readonly ClusterEndpoint[];
  /** Routing control ARN per active Region (stack outputs `RoutingControlArn<region>`). */
  readonly routingControls: Readonly<Record<string, string>>;
}

export interface SwitchOptions {
  /** Each call to one endpoint is abandoned after this long (a slow endpoint must not hold the drain). */
  readonly attemptTimeoutMs: number;
  /** Passes over every endpoint before giving up. */
  readonly rounds: number;
  /** Pause between rounds (with jitter), so a cluster in maintenance gets a moment. */
  readonly roundPauseMs: number;
  /** Reads of the new state before the change is declared unconfirmed. */
  readonly confirmReads: number;
  readonly credentials?: Route53RecoveryClusterClientConfig['credentials'];
  /** Order in which endpoints are tried; random by default so operators do not all hit the same one. */
  readonly order?: <T>(items: readonly T[]) => T[];
  readonly log?: (line: string) => void;
}

export const defaultSwitchOptions: SwitchOptions = {
  attemptTimeoutMs: 3000,
  rounds: 3,
  roundPauseMs: 1000,
  confirmReads: 5,
};

export interface SwitchResult {
  readonly region: string;
  readonly state: RoutingControlState;
  /** Every routing control's state after the change, as the cluster reports it. */
  readonly states: Readonly<Record<string, RoutingControlState>>;
  /** The endpoint that accepted the change. */
  readonly changedThrough: ClusterEndpoint;
}

/** Errors that another endpoint would answer the same way: retrying elsewhere cannot help. */
const finalErrors = new Set([
  'ConflictException', // a safety rule refused the change (at least one Region must stay ON)
  'ValidationException',
  'ResourceNotFoundException',
  'AccessDeniedException',
]);

export class SwitchError extends Error {
  constructor(
    message: string,
    readonly failures: readonly string[],
  ) {
    super(failures.length ? `${message}\n${failures.map((f) => `  - ${f}`).join('\n')}` : message);
    this.name = 'SwitchError';
  }
}

export function loadArcSwitchConfig(path: string): ArcSwitchConfig {
  const raw = JSON.parse(readFileSync(path, 'utf8')) as Partial<ArcSwitchConfig>;
  const endpoints = raw.clusterEndpoints;
  if (!Array.isArray(endpoints) || endpoints.length === 0) {
    throw new Error(`${path}: "clusterEndpoints" must list the cluster's endpoints ({endpoint, region}).`);
  }
  for (const entry of endpoints) {
    if (typeof entry?.endpoint !== 'string' || !/^https?:\/\//.test(entry.endpoint)) {
      throw new Error(
        `${path}: every cluster endpoint needs an "endpoint" URL; got ${JSON.stringify(entry)}.`,
      );
    }
    if (typeof entry.region !== 'string' || entry.region === '') {
      throw new Error(`${path}: every cluster endpoint needs its "region"; got ${JSON.stringify(entry)}.`);
    }
  }
  const controls = raw.routingControls;
  if (typeof controls !== 'object' || controls === null || Object.keys(controls).length === 0) {
    throw new Error(`${path}: "routingControls" must map each active Region to its routing control ARN.`);
  }
  return { clusterEndpoints: endpoints, routingControls: controls };
}

/** Turns `region`'s routing control to `state` and returns once the cluster reports it so. */
export async function switchRegion(
  config: ArcSwitchConfig,
  region: string,
  state: RoutingControlState,
  options: SwitchOptions = defaultSwitchOptions,
): Promise<SwitchResult> {
  const arn = config.routingControls[region];
  if (!arn) {
    throw new SwitchError(
      `No routing control recorded for ${region}; known: ${Object.keys(config.routingControls).join(', ')}.`,
      [],
    );
  }
  const log = options.log ?? (() => undefined);
  const changedThrough = await onAnyEndpoint(config, options, `set ${region} ${state}`, (client) =>
    client.send(
      new UpdateRoutingControlStateCommand({ RoutingControlArn: arn, RoutingControlState: state }),
      {
        abortSignal: AbortSignal.timeout(options.attemptTimeoutMs),
      },
    ),
  );
  log(`${region}: ${state} accepted by ${changedThrough.endpoint.region}`);

  for (let read = 1; read <= options.confirmReads; read += 1) {
    const states = await readStates(config, options);
    if (states[region] === state) return { region, state, states, changedThrough: changedThrough.endpoint };
    log(`${region}: still ${states[region]} (read ${read} of ${options.confirmReads})`);
    await pause(options.roundPauseMs);
  }
  throw new SwitchError(`${region}: the cluster accepted ${state} but never reported it.`, []);
}

/** The state of every recorded routing control, each read through any endpoint that answers. */
export async function readStates(
  config: ArcSwitchConfig,
  options: SwitchOptions = defaultSwitchOptions,
): Promise<Record<string, RoutingControlState>> {
  const states: Record<string, RoutingControlState> = {};
  for (const [region, arn] of Object.entries(config.routingControls)) {
    const { result } = await onAnyEndpoint(config, options, `read ${region}`, (client) =>
      client.send(new GetRoutingControlStateCommand({ RoutingControlArn: arn }), {
        abortSignal: AbortSignal.timeout(options.attemptTimeoutMs),
      }),
    );
    if (!result.RoutingControlState) throw new SwitchError(`${region}: the cluster returned no state.`, []);
    states[region] = result.RoutingControlState;
  }
  return states;
}

async function onAnyEndpoint<T>(
  config: ArcSwitchConfig,
  options: SwitchOptions,
  what: string,
  call: (client: Route53RecoveryClusterClient) => Promise<T>,
): Promise<{ result: T; endpoint: ClusterEndpoint }> {
  const order = options.order ?? shuffled;
  const failures: string[] = [];
  for (let round = 1; round <= options.rounds; round += 1) {
    for (const endpoint of order(config.clusterEndpoints)) {
      const client = clientFor(endpoint, options);
      try {
        return { result: await call(client), endpoint };
      } catch (error) {
        const name = (error as Error).name;
        const reason = `${endpoint.region} (${endpoint.endpoint}), round ${round}: ${name}: ${(error as Error).message}`;
        if (finalErrors.has(name)) throw new SwitchError(`${what}: refused`, [...failures, reason]);
        failures.push(reason);
        options.log?.(`${what}: ${reason}; trying the next endpoint`);
      } finally {
        client.destroy();
      }
    }
    if (round < options.rounds) await pause(options.roundPauseMs * (0.5 + Math.random()));
  }
  throw new SwitchError(`${what}: no cluster endpoint answered`, failures);
}

function clientFor(endpoint: ClusterEndpoint, options: SwitchOptions): Route53RecoveryClusterClient {
  return new Route53RecoveryClusterClient({
    // Each endpoint belongs to its Region and must be signed for it.
    region: endpoint.region,
    endpoint: endpoint.endpoint,
    // Retrying is done here, across endpoints, not against the same endpoint.
    maxAttempts: 1,
    requestHandler: new NodeHttpHandler({
      connectionTimeout: options.attemptTimeoutMs,
      requestTimeout: options.attemptTimeoutMs,
    }),
    ...(options.credentials ? { credentials: options.credentials } : {}),
  });
}

function shuffled<T>(items: readonly T[]): T[] {
  const copy = [...items];
  for (let i = copy.length - 1; i > 0; i -= 1) {
    const j = Math.floor(Math.random() * (i + 1));
    [copy[i], copy[j]] = [copy[j] as T, copy[i] as T];
  }
  return copy;
}

function pause(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
