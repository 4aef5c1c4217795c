import { CfnOutput, Duration, Stack, type StackProps } from 'aws-cdk-lib';
import type { TableV2 } from 'aws-cdk-lib/aws-dynamodb';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';
import { physicalTableName, type TableId, tableList } from '../../functions/adapters/dynamodb/tables.js';
import { type ApiFunctionId, apiFunctions, routeTable } from '../../functions/routes.js';
import type { MarketplaceConfig } from '../config.js';
import { AlarmTopic } from '../constructs/alarm-topic.js';
import { ApiFirewall } from '../constructs/api-firewall.js';
import { addApiFunctions, ledgerWriters } from '../constructs/api-functions.js';
import { ApiFromRoutes } from '../constructs/api-from-routes.js';
import { FisLambdaExtension } from '../constructs/fis-lambda-extension.js';
import { HandlerFunction } from '../constructs/handler-function.js';
import { RegionDrills } from '../constructs/region-drills.js';
import {
  type MonitoredFunction,
  type RegionAlarmKind,
  RegionMonitoring,
} from '../constructs/region-monitoring.js';
import { regionTables } from '../constructs/region-tables.js';
import { RegionalDomain } from '../constructs/regional-domain.js';
import { SafeDeployments, type SafeDeploymentTarget } from '../constructs/safe-deployments.js';
import { addSelectionExpiry } from '../constructs/selection-expiry.js';
import { addWebhookDelivery, watchWebhookDelivery } from '../constructs/webhook-delivery.js';
import { addStreamProjector } from '../constructs/stream-projector.js';
import { acknowledge, acknowledgeCustomResourceProvider } from '../nag.js';

/**
 * Properties of a {@link RegionStack}.
 */
export interface RegionStackProps extends StackProps {
  /**
   * The validated `marketplace:*` context: names, Regions, API limits, OIDC issuer, and the optional domain
   * and alarm e-mail.
   */
  readonly config: MarketplaceConfig;
}

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
  readonly webhookDelivery: IFunction;
  readonly regionalTables: ReadonlyMap<TableId, TableV2>;
  readonly firewall: ApiFirewall;
  readonly domain?: RegionalDomain;
  readonly monitoring: RegionMonitoring;
  readonly alarmTopic: AlarmTopic;
  readonly drills: RegionDrills;
  readonly faultInjection: FisLambdaExtension;
  readonly projectorFailures: Queue;
  /** The `live` alias of every function of the Region and the deployment group that shifts it. */
  readonly deployments: SafeDeployments;

  constructor(scope: Construct, id: string, props: RegionStackProps) {
    super(scope, id, props);
    const { config } = props;
    const prefix = config.tablePrefix;

    // Every part is made directly in this stack (not in a construct of its own), where it has always been:
    // a new construct level would change logical IDs and replace deployed functions, tables and queues.
    const tables = regionTables(this, prefix);
    this.regionalTables = tables.regional;

    this.faultInjection = new FisLambdaExtension(this, 'FaultInjection');
    const tokenVerification = {
      OIDC_ISSUER: config.oidc.issuer,
      OIDC_AUDIENCE: config.oidc.audience,
      OIDC_MAX_TOKEN_AGE_SECONDS: String(config.apiLimits.maxTokenAgeSeconds),
    };
    const apiHandlers = addApiFunctions(this, {
      tables,
      faultInjection: this.faultInjection,
      tokenVerification,
      corsOrigins: config.corsOrigins,
    });
    const functions = {} as Record<ApiFunctionId, IFunction>;
    for (const fnId of apiFunctions) functions[fnId] = apiHandlers[fnId].fn;
    this.functions = functions;

    const authorizerHandler = new HandlerFunction(this, 'Authorizer', {
      handler: 'authorizer',
      description: `Marketplace API authorizer: verifies bearer tokens from ${config.oidc.issuer}`,
      memorySize: 512,
      environment: tokenVerification,
    });
    this.authorizerFunction = authorizerHandler.fn;

    // API Gateway invokes each function's `live` alias, never $LATEST: what it calls is what CodeDeploy shifted.
    const aliases = {} as Record<ApiFunctionId, IFunction>;
    for (const fnId of apiFunctions) aliases[fnId] = apiHandlers[fnId].alias;
    this.api = new ApiFromRoutes(this, 'Api', {
      restApiName: `${prefix}-api`,
      routes: routeTable,
      functions: aliases,
      authorizerFunction: authorizerHandler.alias,
      limits: config.apiLimits,
      corsOrigins: config.corsOrigins,
    });

    this.firewall = new ApiFirewall(this, 'Firewall', {
      name: `${prefix}-${this.region}`,
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
    const projectorHandler = addStreamProjector(this, {
      tablePrefix: prefix,
      tables,
      failures: this.projectorFailures,
    });
    this.projector = projectorHandler.fn;

    const webhookDelivery = addWebhookDelivery(this, { tablePrefix: prefix, tables });
    this.webhookDelivery = webhookDelivery.handler.fn;

    const selectionExpiryHandler = addSelectionExpiry(this, { tables });
    this.selectionExpiry = selectionExpiryHandler.fn;

    this.alarmTopic = new AlarmTopic(this, 'Alarms', {
      topicName: `${prefix}-${this.region}-alarms`,
      displayName: `Marketplace alarms ${this.region}`,
      email: config.alarmEmail,
    });
    this.monitoring = new RegionMonitoring(this, 'Monitoring', {
      prefix,
      region: this.region,
      replicaRegions: config.activeRegions.filter((other) => other !== this.region),
      apiName: this.api.apiName,
      functions: [
        ...apiFunctions.map((fnId) => monitored(apiHandlers[fnId], fnId, 'api')),
        monitored(authorizerHandler, 'authorizer', 'api'),
        monitored(projectorHandler, 'projector', 'background'),
        monitored(selectionExpiryHandler, 'selection-expiry', 'background'),
        monitored(webhookDelivery.handler, 'webhook-delivery', 'background'),
      ],
      ledgerWriterLogGroups: ledgerWriters.map((fnId) => apiHandlers[fnId].logGroup),
      apiLogGroups: apiFunctions.map((fnId) => apiHandlers[fnId].logGroup),
      projector: this.projector,
      projectorFailures: this.projectorFailures,
      tableNames: {
        catalog: physicalTableName(prefix, 'catalog'),
        all: tableList.map((spec) => physicalTableName(prefix, spec.id)),
      },
      webAclName: this.firewall.webAclName,
      topic: this.alarmTopic.topic,
    });

    const deliveryAlarms = watchWebhookDelivery(this, webhookDelivery, {
      prefix,
      region: this.region,
      topic: this.alarmTopic.topic,
      dashboard: this.monitoring.dashboard,
    });

    const alarm = (kind: RegionAlarmKind) => {
      const found = this.monitoring.alarms.get(kind);
      if (!found) throw new Error(`no alarm ${kind} in ${this.region}`);
      return found;
    };
    // What callers of the API see, whichever function or authorizer a bad release broke.
    const apiAlarms = [alarm('api-5xx-rate'), alarm('api-latency-p99')];
    const deploymentTargets: SafeDeploymentTarget[] = [
      ...apiFunctions.map((fnId) => ({
        name: fnId,
        handler: apiHandlers[fnId],
        rollbackAlarms: [alarm(`lambda-errors-${fnId}`), ...apiAlarms],
        traffic: 'canary' as const,
      })),
      {
        name: 'authorizer',
        handler: authorizerHandler,
        rollbackAlarms: [alarm('lambda-errors-authorizer'), ...apiAlarms],
        traffic: 'canary',
      },
      {
        // A projector that fails, falls behind or gives up on batches: the read models go stale.
        name: 'projector',
        handler: projectorHandler,
        rollbackAlarms: [
          alarm('lambda-errors-projector'),
          alarm('projector-iterator-age'),
          alarm('projector-dlq'),
        ],
        traffic: 'canary',
      },
      {
        // A delivery function that fails or gives up on batches: deliveries wait for the minute sweep.
        name: 'webhook-delivery',
        handler: webhookDelivery.handler,
        rollbackAlarms: [alarm('lambda-errors-webhook-delivery'), ...deliveryAlarms.slice(0, 2)],
        traffic: 'canary',
      },
      {
        name: 'selection-expiry',
        handler: selectionExpiryHandler,
        rollbackAlarms: [alarm('lambda-errors-selection-expiry')],
        traffic: 'allAtOnce',
      },
    ];
    this.deployments = new SafeDeployments(this, 'Deployments', {
      applicationName: `${prefix}-${this.region}`,
      targets: deploymentTargets,
      healthVersion: apiHandlers.health.fn.currentVersion,
    });

    this.drills = new RegionDrills(this, 'Drills', {
      prefix,
      stopAlarm: this.monitoring.userErrorRateAlarm,
      replicaArns: { catalog: tables.byId.catalog.tableArn, ledger: tables.byId.ledger.tableArn },
      apiFunctions: apiFunctions.filter((fnId) => fnId !== 'health').map((fnId) => this.functions[fnId]),
      healthFunction: this.functions.health,
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
}

function monitored(
  handler: HandlerFunction,
  name: string,
  kind: MonitoredFunction['kind'],
): MonitoredFunction {
  return { fn: handler.fn, logGroup: handler.logGroup, name, kind };
}
