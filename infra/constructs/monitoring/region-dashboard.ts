import { Duration } from 'aws-cdk-lib';
import {
  type Alarm,
  AlarmStatusWidget,
  Dashboard,
  GraphWidget,
  type IMetric,
  Metric,
  TextWidget,
} from 'aws-cdk-lib/aws-cloudwatch';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { RUNBOOK } from './on-call-alarm.js';
import { apiMetric, replicationLatency } from './region-metrics.js';

/** A function shown on the dashboard's per-function graphs. */
export interface DashboardFunction {
  /** The function. */
  readonly fn: IFunction;
  /** Its label on the graphs, e.g. "contracts". */
  readonly name: string;
}

/**
 * Properties of a {@link RegionDashboard}.
 */
export interface RegionDashboardProps {
  /**
   * Prefix of every name in the deployment; the dashboard is named `<prefix>-<region>`.
   */
  readonly prefix: string;
  /**
   * The Region shown.
   */
  readonly region: string;
  /**
   * Name of the Region's REST API.
   */
  readonly apiName: string;
  /**
   * The functions whose errors and throttles are graphed, one line each.
   */
  readonly functions: readonly DashboardFunction[];
  /**
   * Regions the catalog replicates to from here, one replication-latency line each.
   */
  readonly replicaRegions: readonly string[];
  /**
   * Physical name of the catalog table.
   */
  readonly catalogTableName: string;
  /**
   * Name of the Region's web ACL, whose blocked requests are graphed.
   */
  readonly webAclName: string;
  /**
   * The projector's dead-letter queue, graphed beside its lag.
   */
  readonly projectorFailures: IQueue;
  /**
   * The metrics the alarms watch, graphed as they are alarmed on.
   */
  readonly alarmed: {
    /** User-facing 5xx, % of requests. */
    readonly userErrorRate: IMetric;
    /** Throttle events of every table. */
    readonly tableThrottles: readonly IMetric[];
    /** 503 "store unavailable" answers. */
    readonly storeUnavailable: IMetric;
    /** Store calls denied. */
    readonly accessDenied: IMetric;
    /** MRSC write conflicts that reached callers. */
    readonly ledgerConflicts: IMetric;
    /** The projector's iterator age. */
    readonly projectorIteratorAge: IMetric;
  };
  /**
   * The alarms in the status widget, in this order.
   */
  readonly alarms: readonly Alarm[];
}

/**
 * The Region's CloudWatch dashboard: traffic and errors, functions, tables and replication, the store's own
 * failures, the projector, the firewall, and the status of every alarm.
 */
export class RegionDashboard extends Construct {
  readonly dashboard: Dashboard;

  constructor(scope: Construct, id: string, props: RegionDashboardProps) {
    super(scope, id);
    const minute = Duration.minutes(1);
    const { alarmed } = props;
    // "Default" is left out of logical IDs, so the dashboard keeps the ID it had before this wrapper existed.
    const dashboard = new Dashboard(this, 'Default', {
      dashboardName: `${props.prefix}-${props.region}`,
      defaultInterval: Duration.hours(3),
    });
    this.dashboard = dashboard;
    const api = (metricName: string, statistic = 'Sum') => apiMetric(props.apiName, metricName, statistic);
    const perFunction = (metric: (fn: IFunction) => Metric) =>
      props.functions.map((f) => metric(f.fn).with({ label: f.name }));
    dashboard.addWidgets(
      new TextWidget({
        markdown: `# Marketplace ${props.region}\nAlarms, failover and restore steps: ${RUNBOOK}. Route 53 health-check status is on the us-east-1 dashboard \`${props.prefix}-failover\` (when a domain is configured).`,
        width: 24,
        height: 2,
      }),
    );
    dashboard.addWidgets(
      new GraphWidget({
        title: 'API requests and errors',
        left: [api('Count'), api('4XXError'), api('5XXError')],
        width: 8,
      }),
      new GraphWidget({ title: 'User-facing 5xx %', left: [alarmed.userErrorRate], width: 8 }),
      new GraphWidget({
        title: 'API latency (ms)',
        left: [api('Latency', 'p50'), api('Latency', 'p90'), api('Latency', 'p99')],
        width: 8,
      }),
    );
    dashboard.addWidgets(
      new GraphWidget({
        title: 'Lambda errors',
        left: perFunction((fn) => fn.metricErrors({ period: minute, statistic: 'Sum' })),
        width: 8,
      }),
      new GraphWidget({
        title: 'Lambda throttles',
        left: perFunction((fn) => fn.metricThrottles({ period: minute, statistic: 'Sum' })),
        width: 8,
      }),
      new GraphWidget({ title: 'DynamoDB throttle events', left: [...alarmed.tableThrottles], width: 8 }),
    );
    dashboard.addWidgets(
      new GraphWidget({
        title: 'Catalog replication latency (ms)',
        left: props.replicaRegions.map((receiving) =>
          replicationLatency(props.catalogTableName, receiving, `to ${receiving}`),
        ),
        width: 8,
      }),
      new GraphWidget({
        title: 'Store unavailable (503), access denied and ledger write conflicts',
        left: [alarmed.storeUnavailable, alarmed.accessDenied, alarmed.ledgerConflicts],
        width: 8,
      }),
      new GraphWidget({
        title: 'Projector lag and failures',
        left: [alarmed.projectorIteratorAge],
        right: [props.projectorFailures.metricApproximateNumberOfMessagesVisible({ period: minute })],
        width: 8,
      }),
    );
    dashboard.addWidgets(
      new GraphWidget({
        title: 'WAF blocked requests',
        left: [
          new Metric({
            namespace: 'AWS/WAFV2',
            metricName: 'BlockedRequests',
            statistic: 'Sum',
            period: minute,
            dimensionsMap: { WebACL: props.webAclName, Region: props.region, Rule: 'ALL' },
          }),
        ],
        width: 8,
      }),
      new AlarmStatusWidget({ title: 'Alarms', alarms: [...props.alarms], width: 16, height: 6 }),
    );
  }
}
