import type { Construct } from 'constructs';
import { type TableId, tables } from '../../functions/adapters/dynamodb/tables.js';
import { type ApiFunctionId, apiFunctions, hasAuthorizer, routeTable } from '../../functions/routes.js';
import { CORS_ORIGINS_VARIABLE } from '../../functions/http/cors.js';
import { redocFile } from '../../functions/http/openapi/docs-page.js';
import { acknowledge, wildcardFinding } from '../nag.js';
import type { FisLambdaExtension } from './fis-lambda-extension.js';
import { HandlerFunction } from './handler-function.js';
import type { RegionTables } from './region-tables.js';
import { constructName } from './tables-from-schema.js';

type Access = 'read' | 'readWrite';

/**
 * The tables each API function may touch, and how. Grants and table-name environment variables both follow
 * from this map, so a function can neither reach a table it was not given nor miss the name of one it was.
 */
export const apiTableAccess: Readonly<Record<ApiFunctionId, Partial<Record<TableId, Access>>>> = {
  // The deep health check reads one item from every table through this Region's endpoint.
  health: { catalog: 'read', ledger: 'read', projections: 'read' },
  registry: { catalog: 'readWrite', projections: 'read' },
  // A listed service's plan may be removed only if no open contract uses it: one read of the ledger's index.
  services: { catalog: 'readWrite', ledger: 'read', projections: 'read' },
  reviews: { catalog: 'readWrite' },
  // Requests read the service and the agency from the catalog; the ledger is the only table contracts write.
  contracts: { catalog: 'read', ledger: 'readWrite' },
  // Cases live in the ledger; the comparison reads the catalog, and a snapshot re-runs saved searches
  // against this Region's search postings and facet counts.
  cases: { catalog: 'read', ledger: 'readWrite', projections: 'read' },
  stats: { projections: 'read' },
  // Acknowledgements are recorded in the ledger (one conditional put); the projector copies them to the feed.
  audit: { ledger: 'readWrite', projections: 'read' },
  // The feed is this Region's projection of every change.
  events: { projections: 'read' },
  // Subscriptions are catalog items; deliveries ledger records (redelivery writes one); events projected.
  webhooks: { catalog: 'readWrite', ledger: 'readWrite', projections: 'read' },
  // The OpenAPI document and its page are built from code alone.
  docs: {},
};

/** Package files an API function reads at run time, shipped beside its code (see `HandlerFunction`). */
export const apiBundledFiles: Readonly<Partial<Record<ApiFunctionId, Readonly<Record<string, string>>>>> = {
  // Redoc's standalone bundle, read on the first GET /docs.
  docs: { [redocFile.name]: redocFile.module },
};

/** The API functions that write the MRSC ledger (where replicated write conflicts surface). */
export const ledgerWriters: readonly ApiFunctionId[] = apiFunctions.filter(
  (fnId) => apiTableAccess[fnId].ledger === 'readWrite',
);

/** Options of {@link addApiFunctions}. */
export interface ApiFunctionsOptions {
  /** The Region's tables, granted and named as {@link apiTableAccess} says. */
  readonly tables: RegionTables;
  /** The fault-injection extension every API function carries, so drills can fail its invocations. */
  readonly faultInjection: FisLambdaExtension;
  /**
   * The bearer-token verifier's configuration (`OIDC_*`, as the authorizer gets it), for the functions of
   * routes open to anyone: those have no authorizer and verify a token sent to them themselves.
   */
  readonly tokenVerification: Readonly<Record<string, string>>;
  /** Front-end origins the functions name back in their answers (`functions/http/cors.ts`). */
  readonly corsOrigins: readonly string[];
}

/**
 * One function per API module (`<Name>Api`), described by its routes, given exactly the tables of
 * {@link apiTableAccess} and the FIS extension. Made directly in `scope`, where they have always been, so
 * the functions' logical IDs do not change.
 */
export function addApiFunctions(
  scope: Construct,
  options: ApiFunctionsOptions,
): Readonly<Record<ApiFunctionId, HandlerFunction>> {
  const handlers = {} as Record<ApiFunctionId, HandlerFunction>;
  for (const fnId of apiFunctions) {
    const access = Object.entries(apiTableAccess[fnId]) as [TableId, Access][];
    const served = routeTable.filter((route) => route.fn === fnId);
    const routes = served.map((route) => `${route.method} ${route.path}`);
    const handler = new HandlerFunction(scope, `${constructName(fnId)}Api`, {
      handler: fnId,
      description: `Marketplace API ${fnId}: ${routes.join(', ')}`.slice(0, 256),
      environment: {
        ...options.tables.environment(access.map(([id]) => id)),
        ...(served.some((route) => !hasAuthorizer(route)) ? options.tokenVerification : {}),
        [CORS_ORIGINS_VARIABLE]: options.corsOrigins.join(','),
      },
      bundledFiles: apiBundledFiles[fnId],
    });
    for (const [id, mode] of access) {
      const table = options.tables.byId[id];
      if (mode === 'readWrite') table.grantReadWriteData(handler.fn);
      else table.grantReadData(handler.fn);
      const indexes = tables[id].globalSecondaryIndexes.map((index) => index.indexName);
      if (indexes.length > 0) {
        acknowledge(
          handler.role,
          wildcardFinding(scope, `${table.tableArn}/index/*`),
          `Queries on the ${id} table's secondary indexes (${indexes.join(', ')}), all defined by the schema; "index/*" under this one table is the narrowest ARN that covers them.`,
        );
      }
    }
    options.faultInjection.attach(handler.fn);
    handlers[fnId] = handler;
  }
  return handlers;
}
