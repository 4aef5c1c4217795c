import { CfnOutput, Duration, Stack, type StackProps } from 'aws-cdk-lib';
import { Rule, Schedule } from 'aws-cdk-lib/aws-events';
import { LambdaFunction } from 'aws-cdk-lib/aws-events-targets';
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
import { AlarmTopic } from '../constructs/alarm-topic.js';
import { ApiFirewall } from '../constructs/api-firewall.js';
import { ApiFromRoutes } from '../constructs/api-from-routes.js';
import { FisLambdaExtension } from '../constructs/fis-lambda-extension.js';
import { HandlerFunction } from '../constructs/handler-function.js';
import { RegionDrills } from '../constructs/region-drills.js';
import { type MonitoredFunction, RegionMonitoring } from '../constructs/region-monitoring.js';
import { RegionalDomain } from '../constructs/regional-domain.js';
import { ReplicaStream } from '../constructs/replica-stream.js';
import { constructName, importGlobalTable, tableFromSchema } from '../constructs/tables-from-schema.js';
import { acknowledge, acknowledgeCustomResourceProvider, wildcardFinding } from '../nag.js';

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
 * API behind a web application firewall, its authorizer, the API functions, this Region's per-Region tables
 * (projections) and the projector that feeds them from the streams of this Region's replicas of the global
 * tables; with a domain configured, this Region's custom domain and certificate. Around them: the Region's
 * alarms, dashboard and alarm topic, and its fault-injection drills.
 */
export class RegionStack extends Stack {
  readonly api: ApiFromRoutes;
  readonly functions: Readonly<Record<ApiFunctionId, IFunction>>;
  readonly authorizerFunction: IFunction;
  readonly projector: IFunction;
  readonly selectionExpiry: IFunction;
  readonly regionalTables: ReadonlyMap<TableId, TableV2>;
  readonly firewall: ApiFirewall;
  readonly domain?: RegionalDomain;
  readonly monitoring: RegionMonitoring;
  readonly alarmTopic: AlarmTopic;
  readonly drills: RegionDrills;
  readonly faultInjection: FisLambdaExtension;
  readonly projectorFailures: Queue;

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
    const handlers = {} as Record<ApiFunctionId, HandlerFunction>;
    this.faultInjection = new FisLambdaExtension(this, 'FaultInjection');
    for (const fnId of apiFunctions) {
      const access = Object.entries(apiTableAccess[fnId]) as [TableId, Access][];
      const routes = routeTable
        .filter((route) => route.fn === fnId)
        .map((route) => `${route.method} ${route.path}`);
      const handler = new HandlerFunction(this, `${constructName(fnId)}Api`, {
        handler: fnId,
        description: `Marketplace API ${fnId}: ${routes.join(', ')}`.slice(0, 256),
        environment: tableEnvironment(access.map(([id]) => id)),
      });
      const { fn } = handler;
      for (const [id, mode] of access) {
        if (mode === 'readWrite') table(id).grantReadWriteData(fn);
        else table(id).grantReadData(fn);
        if (tables[id].globalSecondaryIndexes.length > 0) {
          acknowledge(
            handler.role,
            wildcardFinding(this, `${table(id).tableArn}/index/*`),
            `Queries on the ${id} table's secondary indexes (${tables[id].globalSecondaryIndexes.map((index) => index.indexName).join(', ')}), all defined by the schema; "index/*" under this one table is the narrowest ARN that covers them.`,
          );
        }
      }
      this.faultInjection.attach(fn);
      functions[fnId] = fn;
      handlers[fnId] = handler;
    }
    this.functions = functions;

    const authorizerHandler = new HandlerFunction(this, 'Authorizer', {
      handler: 'authorizer',
      description: `Marketplace API authorizer: verifies bearer tokens from ${config.oidc.issuer}`,
      memorySize: 512,
      environment: {
        OIDC_ISSUER: config.oidc.issuer,
        OIDC_AUDIENCE: config.oidc.audience,
        OIDC_MAX_TOKEN_AGE_SECONDS: String(config.apiLimits.maxTokenAgeSeconds),
      },
    });
    this.authorizerFunction = authorizerHandler.fn;

    this.api = new ApiFromRoutes(this, 'Api', {
      restApiName: `${config.tablePrefix}-api`,
      routes: routeTable,
      functions,
      authorizerFunction: this.authorizerFunction,
      limits: config.apiLimits,
    });

    this.firewall = new ApiFirewall(this, 'Firewall', {
      name: `${config.tablePrefix}-${this.region}`,
      stage: this.api.api.deploymentStage,
      requestsPerIpPerWindow: config.apiLimits.perCallerPerWindow,
    });
    if (config.domain) {
      this.domain = new RegionalDomain(this, 'Domain', { domain: config.domain, api: this.api.api });
      new CfnOutput(this, 'RegionalUrl', {
        value: `https://${this.domain.regionalHostName}`,
        description: 'This Region only (what the Route 53 health check probes)',
      });
    }
    new CfnOutput(this, 'ApiUrl', {
      value: this.api.api.url,
      description: 'The execute-api URL of this Region (bypasses DNS failover)',
    });

    this.projectorFailures = new Queue(this, 'ProjectorFailures', {
      encryption: QueueEncryption.SQS_MANAGED,
      retentionPeriod: Duration.days(14),
      enforceSSL: true,
    });
    acknowledge(
      this.projectorFailures,
      'AwsSolutions-SQS3',
      'This queue is itself the dead-letter destination of the projector’s stream mappings (records that failed every retry); giving it a DLQ would only move the same records again. It is alarmed on (projector-dlq).',
    );
    const projectorHandler = this.buildProjector(config, table, tableEnvironment);
    this.projector = projectorHandler.fn;

    // Daily, just after midnight in Korea (15:05 UTC), when selection validity dates roll over.
    const selectionExpiryHandler = new HandlerFunction(this, 'SelectionExpiry', {
      handler: 'selection-expiry',
      description: 'Marketplace: LISTED services whose selection validity has passed become EXPIRED',
      timeout: Duration.minutes(5),
      environment: tableEnvironment(['catalog', 'projections']),
    });
    const selectionExpiry = selectionExpiryHandler.fn;
    this.selectionExpiry = selectionExpiry;
    table('catalog').grantReadWriteData(selectionExpiry);
    table('projections').grantReadData(selectionExpiry);
    new Rule(this, 'SelectionExpirySchedule', {
      description: 'Expire selections daily after the Korean date changes',
      schedule: Schedule.cron({ minute: '5', hour: '15' }),
      targets: [new LambdaFunction(selectionExpiry, { retryAttempts: 2 })],
    });

    this.alarmTopic = new AlarmTopic(this, 'Alarms', {
      topicName: `${config.tablePrefix}-${this.region}-alarms`,
      displayName: `Marketplace alarms ${this.region}`,
      email: config.alarmEmail,
    });
    const monitored: MonitoredFunction[] = [
      ...apiFunctions.map((fnId) => ({
        fn: handlers[fnId].fn,
        logGroup: handlers[fnId].logGroup,
        name: fnId,
        kind: 'api' as const,
      })),
      { fn: authorizerHandler.fn, logGroup: authorizerHandler.logGroup, name: 'authorizer', kind: 'api' },
      { fn: projectorHandler.fn, logGroup: projectorHandler.logGroup, name: 'projector', kind: 'background' },
      {
        fn: selectionExpiry,
        logGroup: selectionExpiryHandler.logGroup,
        name: 'selection-expiry',
        kind: 'background',
      },
    ];
    this.monitoring = new RegionMonitoring(this, 'Monitoring', {
      prefix: config.tablePrefix,
      region: this.region,
      replicaRegions: config.activeRegions.filter((other) => other !== this.region),
      apiName: this.api.apiName,
      functions: monitored,
      ledgerWriterLogGroups: apiFunctions
        .filter((fnId) => apiTableAccess[fnId].ledger === 'readWrite')
        .map((fnId) => handlers[fnId].logGroup),
      apiLogGroups: apiFunctions.map((fnId) => handlers[fnId].logGroup),
      projector: this.projector,
      projectorFailures: this.projectorFailures,
      tableNames: {
        catalog: physicalTableName(config.tablePrefix, 'catalog'),
        all: tableList.map((spec) => physicalTableName(config.tablePrefix, spec.id)),
      },
      webAclName: this.firewall.webAclName,
      topic: this.alarmTopic.topic,
    });

    const stopAlarm = this.monitoring.alarms.get('api-5xx-rate');
    if (!stopAlarm) throw new Error('The 5xx-rate alarm is the drills’ stop condition');
    this.drills = new RegionDrills(this, 'Drills', {
      prefix: config.tablePrefix,
      stopAlarm,
      replicaArns: { catalog: table('catalog').tableArn, ledger: table('ledger').tableArn },
      apiFunctions: apiFunctions.filter((fnId) => fnId !== 'health').map((fnId) => functions[fnId]),
      healthFunction: functions.health,
      extension: this.faultInjection,
    });

    new CfnOutput(this, 'AlarmTopicArn', { value: this.alarmTopic.topic.topicArn });
    new CfnOutput(this, 'Dashboard', { value: this.monitoring.dashboard.dashboardName });
    new CfnOutput(this, 'DrillLogGroup', {
      value: this.drills.logGroup.logGroupName,
      description: 'FIS experiment logs of this Region (OPERATIONS.md, Run a drill)',
    });

    acknowledgeCustomResourceProvider(this);
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
  ): HandlerFunction {
    const handler = new HandlerFunction(this, 'Projector', {
      handler: 'projector',
      description: 'Marketplace projector: global table streams to this Region’s projections',
      memorySize: 512,
      timeout: Duration.seconds(60),
      environment: tableEnvironment(['projections']),
    });
    const { fn } = handler;
    table('projections').grantReadWriteData(fn);
    const failures = this.projectorFailures;

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
      acknowledge(
        handler.role,
        wildcardFinding(this, stream.streamArnPattern),
        `The ${spec.id} replica's stream label changes whenever its stream is re-enabled, so the ARN is "stream/*" under this one table; the mapping itself names the exact stream.`,
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
    return handler;
  }
}
