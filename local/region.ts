/**
 * One local Region: a DynamoDB Local process with the schema's tables, the stream poller feeding the
 * projector, and the gateway in front of the unchanged handlers. Handlers read their configuration from
 * the environment as in Lambda, so a process hosts one Region; the drill runs one process per Region.
 */
import { join } from 'node:path';
import {
  ConditionalCheckFailedException,
  DeleteItemCommand,
  DynamoDBClient,
  PutItemCommand,
} from '@aws-sdk/client-dynamodb';
import { marshall } from '@aws-sdk/util-dynamodb';
import { regionLoadingKey } from '../functions/adapters/dynamodb/projection-keys.js';
import { physicalTableName } from '../functions/adapters/dynamodb/tables.js';
import { type DynamoDbLocal, startDynamoDbLocal } from './dynamodb-local.js';
import { configuredApiLimits } from './api-limits.js';
import { type Gateway, startGateway } from './gateway.js';
import { type LocalIssuer, startLocalIssuer } from './oidc-issuer.js';
import type { RateLimits } from './rate-limit.js';
import { StreamPoller } from './stream-poller.js';
import { configuredCorsOrigins } from './cors.js';
import { CORS_ORIGINS_VARIABLE } from '../functions/http/cors.js';
import { completeTables, ensureTables, tableEnvironment } from './tables.js';
import type { SigningKeys } from './tokens.js';

export const DEFAULT_REGION = 'ap-northeast-2';
export const TABLE_PREFIX = 'dsm';

export interface LocalRegionOptions {
  readonly region?: string;
  /** Persist DynamoDB Local data and stream checkpoints here; in memory when omitted. */
  readonly stateDir?: string;
  /** Use this already running DynamoDB Local instead of starting one (tests share one per run). */
  readonly endpoint?: string;
  readonly tablePrefix?: string;
  readonly port?: number;
  /** The local identity provider's keys: their issuer serves the public one, the authorizer trusts it. */
  readonly keys: SigningKeys;
  /**
   * Answer 429 past these (`npm start` passes the configured ones); nothing is limited without them, so
   * tests, the bench and the drill never trip a limit by accident.
   */
  readonly rateLimits?: RateLimits;
  readonly log?: (line: string) => void;
  readonly onProjectionError?: (error: unknown) => void;
  /**
   * Run the scheduled functions (selection expiry) at start (a loading Region: at `markReady()`) and then
   * at this interval, as EventBridge would.
   */
  readonly scheduleEveryMs?: number;
  /**
   * The Region is about to load data: `/health` answers 503 `starting` from before the gateway listens
   * until `markReady()`.
   */
  readonly loading?: boolean;
  /**
   * With `loading`: tables this start creates get their indexes and streams only at `markReady()`, after
   * a bulk load (`ensureTables`' `bare`); queries on those indexes fail meanwhile, and the stream poller
   * starts then.
   */
  readonly bareTablesForLoad?: boolean;
  /** Project only what is written from now on (`StreamPoller`'s `fromLatest`): a Region being rebuilt. */
  readonly streamsFromLatest?: boolean;
  /** Allowed front-end origins; the configured ones (`marketplace:corsOrigins`) when omitted. */
  readonly corsOrigins?: readonly string[];
}

export interface LocalRegion {
  readonly region: string;
  readonly url: string;
  readonly endpoint: string;
  readonly tablePrefix: string;
  readonly client: DynamoDBClient;
  readonly gateway: Gateway;
  readonly issuer: LocalIssuer;
  readonly poller: StreamPoller;
  /** The front-end origins this Region's gateway and functions allow. */
  readonly corsOrigins: readonly string[];
  /**
   * Attempts every webhook delivery the ledger's stream has brought and every one due now (the sweep also
   * runs on its own every second).
   */
  deliverDue(): Promise<number>;
  /** Ends `loading`: completes bare tables (streams, indexes), and from then on `/health` reports the store's health. */
  markReady(): Promise<void>;
  stop(): Promise<void>;
}

export function regionEnvironment(
  region: string,
  endpoint: string,
  tablePrefix = TABLE_PREFIX,
): Record<string, string> {
  return {
    AWS_REGION: region,
    AWS_ENDPOINT_URL_DYNAMODB: endpoint,
    AWS_ACCESS_KEY_ID: process.env.AWS_ACCESS_KEY_ID ?? 'local',
    AWS_SECRET_ACCESS_KEY: process.env.AWS_SECRET_ACCESS_KEY ?? 'local',
    POWERTOOLS_SERVICE_NAME: 'marketplace-api',
    POWERTOOLS_LOG_LEVEL: process.env.POWERTOOLS_LOG_LEVEL ?? 'WARN',
    POWERTOOLS_TRACE_ENABLED: 'false',
    // Locally, webhooks may go to http://127.0.0.1 (a receiver on this machine); never set in AWS.
    WEBHOOK_ALLOW_LOCAL: 'true',
    ...tableEnvironment(tablePrefix),
  };
}

export async function startLocalRegion(options: LocalRegionOptions): Promise<LocalRegion> {
  const region = options.region ?? DEFAULT_REGION;
  const tablePrefix = options.tablePrefix ?? TABLE_PREFIX;
  const dynamodb: DynamoDbLocal | undefined = options.endpoint
    ? undefined
    : await startDynamoDbLocal(
        // A Region with a state directory is `npm start`'s: long-lived, and bulk-loaded on its first start.
        options.stateDir ? { dataDir: join(options.stateDir, 'dynamodb'), compiler: 'optimizing' } : {},
      );
  const endpoint = options.endpoint ?? dynamodb?.endpoint ?? '';
  try {
    Object.assign(process.env, regionEnvironment(region, endpoint, tablePrefix));
    const client = new DynamoDBClient({});
    // Tables made bare for a load get their streams and indexes at `markReady`; otherwise they are
    // completed now, should such a load have been cut short before.
    const completeLater = Boolean(options.loading && options.bareTablesForLoad);
    await ensureTables(client, tablePrefix, { bare: completeLater });
    if (!completeLater) await completeTables(client, tablePrefix);
    const loadingMarker = {
      TableName: physicalTableName(tablePrefix, 'projections'),
      Key: marshall(regionLoadingKey),
    };
    // A load cut short (the process was stopped mid-way) leaves the marker behind; it is decided anew here,
    // except a projections rebuild's (it carries the checkpoint): until that is done the Region is not ready.
    const unlessRebuilding = {
      ConditionExpression: 'attribute_not_exists(#rebuild)',
      ExpressionAttributeNames: { '#rebuild': 'rebuild' },
    };
    const decided = options.loading
      ? client.send(
          new PutItemCommand({
            TableName: loadingMarker.TableName,
            Item: loadingMarker.Key,
            ...unlessRebuilding,
          }),
        )
      : client.send(new DeleteItemCommand({ ...loadingMarker, ...unlessRebuilding }));
    await decided.catch((error: unknown) => {
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
    });
    const { handler } = await import('../functions/handlers/projector.js');
    const poller = new StreamPoller({
      client,
      endpoint,
      region,
      tables: [physicalTableName(tablePrefix, 'catalog'), physicalTableName(tablePrefix, 'ledger')],
      handler,
      ...(options.stateDir ? { checkpointFile: join(options.stateDir, 'stream-checkpoints.json') } : {}),
      ...(options.onProjectionError ? { onError: options.onProjectionError } : {}),
      ...(options.streamsFromLatest ? { fromLatest: true } : {}),
    });
    const deliveries = await prepareDeliveries(client, endpoint, region, tablePrefix, options);
    // The pollers find the tables' streams as they start (and the sweep the ledger's index): with bare
    // tables, once they have them.
    if (!completeLater) {
      await poller.start();
      await deliveries.start();
    }
    const limits = configuredApiLimits();
    const issuer = await startLocalIssuer(options.keys, { maxTokenAgeSeconds: limits.maxTokenAgeSeconds });
    Object.assign(process.env, issuer.authorizerEnvironment);
    // The functions read the origins from their environment, as the CDK configures them in Lambda.
    const corsOrigins = options.corsOrigins ?? configuredCorsOrigins();
    process.env[CORS_ORIGINS_VARIABLE] = corsOrigins.join(',');
    const gateway = await startGateway({
      corsOrigins,
      port: options.port ?? 0,
      authorizerCacheSeconds: limits.authorizerCacheSeconds,
      ...(options.rateLimits ? { rateLimits: options.rateLimits } : {}),
      ...(options.log ? { log: options.log } : {}),
    });
    // The daily job reads the indexes a load puts off, so a loading Region starts it once ready, as a
    // Region's schedule only matters once it serves.
    let scheduled: NodeJS.Timeout | undefined;
    const beginSchedules = async () => {
      if (options.scheduleEveryMs) scheduled = await startSchedules(options.scheduleEveryMs, options.log);
    };
    if (!options.loading) await beginSchedules();
    return {
      region,
      url: gateway.url,
      endpoint,
      tablePrefix,
      client,
      gateway,
      issuer,
      poller,
      corsOrigins,
      deliverDue: deliveries.sweep,
      async markReady() {
        if (completeLater) {
          await completeTables(client, tablePrefix);
          await poller.start();
          await deliveries.start();
        }
        await client.send(new DeleteItemCommand(loadingMarker));
        if (options.loading && !scheduled) await beginSchedules();
      },
      async stop() {
        if (scheduled) clearInterval(scheduled);
        await gateway.close();
        await issuer.close();
        await deliveries.stop();
        await poller.stop();
        client.destroy();
        await dynamodb?.stop();
      },
    };
  } catch (error) {
    await dynamodb?.stop('SIGKILL');
    throw error;
  }
}

/** How often the local stand-in for the delivery schedule and retry queue looks for due deliveries. */
const DELIVERY_SWEEP_MS = 1000;

/**
 * Webhook deliveries as the deployed stack runs them: the delivery function fed by the ledger's stream (a
 * poller of its own, as Lambda gives it an event source mapping of its own), and its sweep of what is due,
 * here every second (the deployed retry queue's delays and the schedule, in one).
 */
async function prepareDeliveries(
  client: DynamoDBClient,
  endpoint: string,
  region: string,
  tablePrefix: string,
  options: LocalRegionOptions,
) {
  const { handler } = await import('../functions/handlers/webhook-delivery.js');
  const poller = new StreamPoller({
    client,
    endpoint,
    region,
    tables: [physicalTableName(tablePrefix, 'ledger')],
    handler: async (event) => void (await handler(event)),
    ...(options.stateDir ? { checkpointFile: join(options.stateDir, 'delivery-checkpoints.json') } : {}),
    ...(options.onProjectionError ? { onError: options.onProjectionError } : {}),
    ...(options.streamsFromLatest ? { fromLatest: true } : {}),
  });
  let sweeping: Promise<number> | undefined;
  const sweep = () => {
    // What the delivery stream brought first (as the deployed function gets it), then what is due.
    sweeping ??= poller
      .drain()
      .then(() => handler({ sweep: true }))
      .then(({ attempted }) => attempted)
      .finally(() => {
        sweeping = undefined;
      });
    return sweeping;
  };
  let timer: NodeJS.Timeout | undefined;
  return {
    async start() {
      await poller.start();
      timer = setInterval(
        () => void sweep().catch((error: unknown) => options.onProjectionError?.(error)),
        DELIVERY_SWEEP_MS,
      ).unref();
    },
    sweep,
    async stop() {
      if (timer) clearInterval(timer);
      await sweeping?.catch(() => 0);
      await poller.stop();
    },
  };
}

async function startSchedules(everyMs: number, log?: (line: string) => void): Promise<NodeJS.Timeout> {
  const { handler } = await import('../functions/handlers/selection-expiry.js');
  const run = () =>
    handler()
      .then(({ expired }) => expired && log?.(`selection expiry: ${expired} service(s) expired`))
      .catch((error: unknown) => log?.(`selection expiry failed: ${(error as Error).message}`));
  void run();
  return setInterval(run, everyMs).unref();
}
