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
    // The poller finds the tables' streams as it starts: with bare tables, once they have them.
    if (!completeLater) await poller.start();
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
      async markReady() {
        if (completeLater) {
          await completeTables(client, tablePrefix);
          await poller.start();
        }
        await client.send(new DeleteItemCommand(loadingMarker));
        if (options.loading && !scheduled) await beginSchedules();
      },
      async stop() {
        if (scheduled) clearInterval(scheduled);
        await gateway.close();
        await issuer.close();
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

async function startSchedules(everyMs: number, log?: (line: string) => void): Promise<NodeJS.Timeout> {
  const { handler } = await import('../functions/handlers/selection-expiry.js');
  const run = () =>
    handler()
      .then(({ expired }) => expired && log?.(`selection expiry: ${expired} service(s) expired`))
      .catch((error: unknown) => log?.(`selection expiry failed: ${(error as Error).message}`));
  void run();
  return setInterval(run, everyMs).unref();
}
