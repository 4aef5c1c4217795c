import { Rule, Schedule } from 'aws-cdk-lib/aws-events';
import { LambdaFunction } from 'aws-cdk-lib/aws-events-targets';
import { Duration, Stack, type StackProps } from 'aws-cdk-lib';
import { RequestAuthorizer } from 'aws-cdk-lib/aws-apigateway';
import type { ITableV2, TableV2 } from 'aws-cdk-lib/aws-dynamodb';
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import { EventSourceMapping, type IFunction, StartingPosition } from 'aws-cdk-lib/aws-lambda';
import { SqsDlq } from 'aws-cdk-lib/aws-lambda-event-sources';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';
import {
  physicalTableName,
  type TableId,
  tableList,
  tables,
} from '../../functions/adapters/dynamodb/tables.js';
import { type ApiFunctionId, apiFunctions, routeTable } from '../../functions/routes.js';
import type { MarketplaceConfig } from '../config.js';
import { ApiFromRoutes } from '../constructs/api-from-routes.js';
import { HandlerFunction } from '../constructs/handler-function.js';
import { ReplicaStream } from '../constructs/replica-stream.js';
import { constructName, importGlobalTable, tableFromSchema } from '../constructs/tables-from-schema.js';

export interface RegionStackProps extends StackProps {
  readonly config: MarketplaceConfig;
}

type Access = 'read' | 'readWrite';

/**
 * The tables each API function may touch, and how. Grants and table-name environment variables both follow
 * from this map, so a function can neither reach a table it was not given nor miss the name of one it was.
 */
export const apiTableAccess: Readonly<Record<ApiFunctionId, Partial<Record<TableId, Access>>>> = {
  // The deep health check reads one item from every table through this Region's endpoint.
  health: { catalog: 'read', ledger: 'read', projections: 'read' },
  registry: { catalog: 'readWrite', projections: 'read' },
  services: { catalog: 'readWrite', projections: 'read' },
  reviews: { catalog: 'readWrite' },
  // Requests read the service and the agency from the catalog; the ledger is the only table contracts write.
  contracts: { catalog: 'read', ledger: 'readWrite' },
  stats: { projections: 'read' },
  audit: { projections: 'read' },
};

/**
 * Everything one active Region runs, and depends on nothing in any other Region at request time: the REST
 * API and its authorizer, the API functions, this Region's per-Region tables (projections) and the projector
 * that feeds them from the streams of this Region's replicas of the global tables.
 */
export class RegionStack extends Stack {
  readonly api: ApiFromRoutes;
  readonly functions: Readonly<Record<ApiFunctionId, IFunction>>;
  readonly authorizerFunction: IFunction;
  readonly projector: IFunction;
  readonly regionalTables: ReadonlyMap<TableId, TableV2>;

  constructor(scope: Construct, id: string, props: RegionStackProps) {
    super(scope, id, props);
    const { config } = props;

    // Per-Region tables are built here; this Region's replicas of the global tables are found by name.
    const regionalTables = new Map<TableId, TableV2>();
    const tableIn = new Map<TableId, ITableV2>();
    for (const spec of tableList) {
      if (spec.replication === 'REGIONAL') {
        const table = tableFromSchema(this, spec, config.tablePrefix);
        regionalTables.set(spec.id, table);
        tableIn.set(spec.id, table);
      } else {
        tableIn.set(spec.id, importGlobalTable(this, spec, config.tablePrefix));
      }
    }
    this.regionalTables = regionalTables;
    const table = (id: TableId): ITableV2 => {
      const found = tableIn.get(id);
      if (!found) throw new Error(`No table "${id}" in the schema`);
      return found;
    };
    const tableEnvironment = (ids: readonly TableId[]) =>
      Object.fromEntries(ids.map((id) => [tables[id].envVar, physicalTableName(config.tablePrefix, id)]));

    const functions = {} as Record<ApiFunctionId, IFunction>;
    for (const fnId of apiFunctions) {
      const access = Object.entries(apiTableAccess[fnId]) as [TableId, Access][];
      const routes = routeTable
        .filter((route) => route.fn === fnId)
        .map((route) => `${route.method} ${route.path}`);
      const { fn } = new HandlerFunction(this, `${constructName(fnId)}Api`, {
        handler: fnId,
        description: `Marketplace API ${fnId}: ${routes.join(', ')}`.slice(0, 256),
        environment: tableEnvironment(access.map(([id]) => id)),
      });
      for (const [id, mode] of access) {
        if (mode === 'readWrite') table(id).grantReadWriteData(fn);
        else table(id).grantReadData(fn);
      }
      functions[fnId] = fn;
    }
    this.functions = functions;

    this.authorizerFunction = new HandlerFunction(this, 'Authorizer', {
      handler: 'authorizer',
      description: `Marketplace API authorizer: verifies bearer tokens from ${config.oidc.issuer}`,
      memorySize: 512,
      environment: { OIDC_ISSUER: config.oidc.issuer, OIDC_AUDIENCE: config.oidc.audience },
    }).fn;
    const authorizer = new RequestAuthorizer(this, 'BearerTokenAuthorizer', {
      authorizerName: 'oidc-bearer-token',
      handler: this.authorizerFunction,
      // No identity sources and no caching: it runs for every request, including anonymous ones.
      identitySources: [],
      resultsCacheTtl: Duration.seconds(0),
    });

    this.api = new ApiFromRoutes(this, 'Api', {
      restApiName: `${config.tablePrefix}-api`,
      routes: routeTable,
      functions,
      authorizer,
      throttle: config.apiThrottle,
    });

    this.projector = this.buildProjector(config, table, tableEnvironment);

    // Daily, just after midnight in Korea (15:05 UTC), when selection validity dates roll over.
    const selectionExpiry = new HandlerFunction(this, 'SelectionExpiry', {
      handler: 'selection-expiry',
      description: 'Marketplace: LISTED services whose selection validity has passed become EXPIRED',
      timeout: Duration.minutes(5),
      environment: tableEnvironment(['catalog', 'projections']),
    }).fn;
    table('catalog').grantReadWriteData(selectionExpiry);
    table('projections').grantReadData(selectionExpiry);
    new Rule(this, 'SelectionExpirySchedule', {
      description: 'Expire selections daily after the Korean date changes',
      schedule: Schedule.cron({ minute: '5', hour: '15' }),
      targets: [new LambdaFunction(selectionExpiry, { retryAttempts: 2 })],
    });
  }

  /**
   * The projector turns every change in this Region's replicas (local writes and replicated ones alike) into
   * this Region's read models. A failing batch is split and retried; what still fails is recorded in a queue
   * (the records themselves stay in the stream for 24 hours) instead of silently skipped.
   */
  private buildProjector(
    config: MarketplaceConfig,
    table: (id: TableId) => ITableV2,
    tableEnvironment: (ids: readonly TableId[]) => Record<string, string>,
  ): IFunction {
    const { fn } = new HandlerFunction(this, 'Projector', {
      handler: 'projector',
      description: 'Marketplace projector: global table streams to this Region’s projections',
      memorySize: 512,
      timeout: Duration.seconds(60),
      environment: tableEnvironment(['projections']),
    });
    table('projections').grantReadWriteData(fn);

    const failures = new Queue(this, 'ProjectorFailures', {
      encryption: QueueEncryption.SQS_MANAGED,
      retentionPeriod: Duration.days(14),
      enforceSSL: true,
    });

    for (const spec of tableList) {
      if (spec.replication === 'REGIONAL' || !spec.stream) continue;
      const tableName = physicalTableName(config.tablePrefix, spec.id);
      const stream = new ReplicaStream(this, `${constructName(spec.id)}Stream`, { tableName });
      // Only the three calls the poller makes, on this table's streams; no `dynamodb:ListStreams` on "*",
      // which a mapping that names its stream does not need.
      fn.addToRolePolicy(
        new PolicyStatement({
          actions: ['dynamodb:DescribeStream', 'dynamodb:GetRecords', 'dynamodb:GetShardIterator'],
          resources: [stream.streamArnPattern],
        }),
      );
      new EventSourceMapping(this, `${constructName(spec.id)}StreamToProjector`, {
        target: fn,
        eventSourceArn: stream.streamArn,
        startingPosition: StartingPosition.TRIM_HORIZON,
        batchSize: 100,
        bisectBatchOnError: true,
        retryAttempts: 10,
        onFailure: new SqsDlq(failures),
      });
    }
    return fn;
  }
}
