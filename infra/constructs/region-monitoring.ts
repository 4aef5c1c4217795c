import { Duration } from 'aws-cdk-lib';
import {
  Alarm,
  AlarmStatusWidget,
  ComparisonOperator,
  Dashboard,
  GraphWidget,
  type IMetric,
  MathExpression,
  Metric,
  TextWidget,
  TreatMissingData,
} from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import { FilterPattern, type IFilterPattern, type ILogGroup, MetricFilter } from 'aws-cdk-lib/aws-logs';
import type { Topic } from 'aws-cdk-lib/aws-sns';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { STAGE_NAME } from './api-from-routes.js';

/** Namespace of the metrics this app derives from its own logs. */
export const METRIC_NAMESPACE = 'DigitalServiceMarketplace';

/**
 * What `functions/http/api.ts` logs (Powertools Logger, one JSON object per line, WARN level) when it gives
 * up on a retryable store error and answers 503: `{"level":"WARN","message":"store unavailable","error":
 * "<exception name>", ...}`. The metric filters below match these fields; if the log line changes there,
 * it must change here (the infra tests pin both strings).
 */
export const storeUnavailableLog = {
  message: 'store unavailable',
  conflictError: 'ReplicatedWriteConflictException',
  /** What an MRSC replica whose replication is paused or denied answers (and what broken IAM answers). */
  accessDeniedError: 'AccessDeniedException',
} as const;

/**
 * The catalog replication alarm's value for a minute in which this Region wrote catalog items but DynamoDB
 * reported no replication latency to the other Region: nothing arrived there, replication is paused or denied.
 */
export const replicationPausedMarkerMs = 600_000;

/** DynamoDB operations by which the functions write the catalog (the adapters' Put/Update/BatchWrite/TransactWrite). */
export const catalogWriteOperations = [
  'PutItem',
  'UpdateItem',
  'DeleteItem',
  'BatchWriteItem',
  'TransactWriteItems',
] as const;

/** The alarms every active Region has; the names are also anchors in OPERATIONS.md ("#alarm-<kind>"). */
export const regionAlarmKinds = [
  'api-5xx-rate',
  'api-latency-p99',
  'health-endpoint-failing',
  'lambda-throttles',
  'dynamodb-throttles',
  'ledger-write-conflicts',
  'store-unavailable',
  'store-access-denied',
  'catalog-replication-latency',
  'projector-iterator-age',
  'projector-dlq',
] as const;
export type RegionAlarmKind = (typeof regionAlarmKinds)[number] | `lambda-errors-${string}`;

export interface MonitoredFunction {
  readonly fn: IFunction;
  readonly logGroup: ILogGroup;
  /** Short name for alarm names and graphs, e.g. "contracts". */
  readonly name: string;
  /** `api` functions answer requests (a few errors a minute matter); `background` ones run on their own. */
  readonly kind: 'api' | 'background';
}

export interface RegionMonitoringProps {
  readonly prefix: string;
  readonly region: string;
  /** Regions the catalog replicates to from here (`ReceivingRegion` of its ReplicationLatency). */
  readonly replicaRegions: readonly string[];
  readonly apiName: string;
  readonly functions: readonly MonitoredFunction[];
  /** Log groups of the functions that write the MRSC ledger (where write conflicts surface). */
  readonly ledgerWriterLogGroups: readonly ILogGroup[];
  /** Log groups of every function that can answer "store unavailable". */
  readonly apiLogGroups: readonly ILogGroup[];
  readonly projector: IFunction;
  readonly projectorFailures: IQueue;
  readonly tableNames: { readonly catalog: string; readonly all: readonly string[] };
  readonly webAclName: string;
  readonly topic: Topic;
}

const RUNBOOK = 'OPERATIONS.md';

/**
 * The Region's alarms (each to the Region's SNS topic, on alarm and on recovery) and its dashboard.
 * Descriptions are written for whoever is woken at 3 a.m.: what it means, the first thing to do, and the
 * OPERATIONS.md section with the rest.
 */
export class RegionMonitoring extends Construct {
  readonly alarms = new Map<RegionAlarmKind, Alarm>();
  readonly dashboard: Dashboard;

  constructor(scope: Construct, id: string, props: RegionMonitoringProps) {
    super(scope, id);
    const { region } = props;
    const minute = Duration.minutes(1);
    const api = (metricName: string, statistic: string, extra: Record<string, string> = {}) =>
      new Metric({
        namespace: 'AWS/ApiGateway',
        metricName,
        statistic,
        period: minute,
        dimensionsMap: { ApiName: props.apiName, ...extra },
      });
    const healthMethod = { Method: 'GET', Resource: '/health', Stage: STAGE_NAME };

    const alarm = (
      kind: RegionAlarmKind,
      metric: IMetric,
      options: {
        threshold: number;
        evaluationPeriods: number;
        datapointsToAlarm?: number;
        comparison?: ComparisonOperator;
        means: string;
        firstAction: string;
        anchor?: string;
      },
    ) => {
      const created = new Alarm(this, `Alarm-${kind}`, {
        alarmName: `${props.prefix}-${region}-${kind}`,
        alarmDescription: [
          `${region}: ${options.means}`,
          `FIRST: ${options.firstAction}`,
          `RUNBOOK: ${RUNBOOK}#alarm-${options.anchor ?? kind}`,
        ].join('\n'),
        metric,
        threshold: options.threshold,
        evaluationPeriods: options.evaluationPeriods,
        datapointsToAlarm: options.datapointsToAlarm ?? options.evaluationPeriods,
        comparisonOperator: options.comparison ?? ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        treatMissingData: TreatMissingData.NOT_BREACHING,
      });
      created.addAlarmAction(new SnsAction(props.topic));
      created.addOkAction(new SnsAction(props.topic));
      this.alarms.set(kind, created);
      return created;
    };

    // User traffic only: GET /health is what Route 53 probes, and its failures have alarms of their own.
    const userErrorRate = new MathExpression({
      label: 'User-facing 5xx (% of requests)',
      expression:
        'IF((requests - FILL(healthRequests, 0)) >= 20, 100 * (errors - FILL(healthErrors, 0)) / (requests - FILL(healthRequests, 0)), 0)',
      usingMetrics: {
        errors: api('5XXError', 'Sum'),
        requests: api('Count', 'Sum'),
        healthErrors: api('5XXError', 'Sum', healthMethod),
        healthRequests: api('Count', 'Sum', healthMethod),
      },
      period: minute,
    });
    alarm('api-5xx-rate', userErrorRate, {
      threshold: 5,
      evaluationPeriods: 3,
      means:
        'more than 5% of API requests (health checks excluded) failed with 5xx for 3 minutes. Callers are seeing errors in this Region.',
      firstAction:
        'open the Region dashboard; if the errors are store-unavailable/503 or the Region is impaired, drain it with its routing control (OPERATIONS.md#fail-over); if one function errors after a deploy, roll that deploy back.',
    });

    const latencyP99 = api('Latency', 'p99');
    alarm('api-latency-p99', latencyP99, {
      threshold: 2500,
      evaluationPeriods: 5,
      datapointsToAlarm: 3,
      means: 'p99 API latency above 2.5 s in 3 of the last 5 minutes.',
      firstAction:
        'check the dashboard for the slow function and DynamoDB throttling; ledger writes wait for another Region, so a slow peer Region shows here first.',
    });

    alarm('health-endpoint-failing', api('5XXError', 'Sum', healthMethod), {
      threshold: 3,
      evaluationPeriods: 2,
      means:
        'GET /health answered 5xx at least 3 times a minute for 2 minutes: a table of this Region is not answering its deep check, so Route 53 takes the Region out of DNS.',
      firstAction:
        'curl https://<region>.<api host>/health to see which table fails; confirm the other Region is healthy and serving.',
    });

    alarm(
      'lambda-throttles',
      new Metric({ namespace: 'AWS/Lambda', metricName: 'Throttles', statistic: 'Sum', period: minute }),
      {
        threshold: 5,
        evaluationPeriods: 3,
        datapointsToAlarm: 2,
        means:
          'Lambda throttled invocations in this Region (account-wide metric): requests fail with 500/502 or stream batches wait.',
        firstAction:
          'see which function throttles on the dashboard; raise the account concurrency quota or lower the stage throttle.',
      },
    );

    const tableThrottles: Record<string, IMetric> = {};
    props.tableNames.all.forEach((tableName, i) => {
      for (const metricName of ['ReadThrottleEvents', 'WriteThrottleEvents']) {
        tableThrottles[`t${i}${metricName.startsWith('Read') ? 'r' : 'w'}`] = new Metric({
          namespace: 'AWS/DynamoDB',
          metricName,
          statistic: 'Sum',
          period: minute,
          dimensionsMap: { TableName: tableName },
        });
      }
    });
    alarm(
      'dynamodb-throttles',
      new MathExpression({
        label: 'DynamoDB throttle events (all tables)',
        expression: Object.keys(tableThrottles)
          .map((name) => `FILL(${name}, 0)`)
          .join(' + '),
        usingMetrics: tableThrottles,
        period: minute,
      }),
      {
        threshold: 10,
        evaluationPeriods: 3,
        datapointsToAlarm: 2,
        means:
          'DynamoDB throttled reads or writes on this Region’s tables (on-demand tables throttle above twice their previous peak or on a hot key).',
        firstAction:
          'find the table on the dashboard; the SDK retries, so check the 5xx alarm before acting; a hot key needs a code fix, a traffic step needs time or warm throughput.',
      },
    );

    // MRSC write conflicts that outlived the SDK's 4 attempts and reached the caller as a 503.
    const conflicts = this.countLogLines(
      'LedgerWriteConflicts',
      'LedgerConflictFilter',
      props.ledgerWriterLogGroups,
      FilterPattern.all(
        FilterPattern.stringValue('$.message', '=', storeUnavailableLog.message),
        FilterPattern.stringValue('$.error', '=', storeUnavailableLog.conflictError),
      ),
    );
    alarm('ledger-write-conflicts', conflicts, {
      threshold: 3,
      evaluationPeriods: 1,
      means:
        'contract writes hit ReplicatedWriteConflictException (two Regions writing one ledger item at once) more than the SDK retries absorb; those callers got 503 and must retry with the same Idempotency-Key.',
      firstAction:
        'check whether both Regions receive writes for the same contracts (a client alternating Regions, or a retry storm); no data is lost or duplicated, retries are safe.',
    });

    const storeUnavailable = this.countLogLines(
      'StoreUnavailable',
      'StoreUnavailableFilter',
      props.apiLogGroups,
      FilterPattern.stringValue('$.message', '=', storeUnavailableLog.message),
    );
    alarm('store-unavailable', storeUnavailable, {
      threshold: 20,
      evaluationPeriods: 1,
      means:
        'the API answered 503 "store unavailable" 20+ times in 5 minutes: DynamoDB in this Region is throttling, timing out or unreachable.',
      firstAction:
        'check the AWS Health Dashboard for DynamoDB in this Region; if it is impaired, drain the Region (OPERATIONS.md#fail-over).',
    });

    const accessDenied = this.countLogLines(
      'StoreAccessDenied',
      'StoreAccessDeniedFilter',
      props.apiLogGroups,
      FilterPattern.all(
        FilterPattern.stringValue('$.message', '=', storeUnavailableLog.message),
        FilterPattern.stringValue('$.error', '=', storeUnavailableLog.accessDeniedError),
      ),
    );
    // DynamoDB publishes no metric of a replica's status; this is how a ledger replica that is not ACTIVE
    // (REPLICATION_NOT_AUTHORIZED) shows: its writes and strongly consistent reads are denied.
    alarm('store-access-denied', accessDenied, {
      threshold: 1,
      evaluationPeriods: 1,
      means:
        'DynamoDB denied API calls in this Region (answered 503): the ledger replica’s replication is paused or denied (a drill, or a resource policy left denying the replication role: REPLICATION_NOT_AUTHORIZED, permanent after 7 days), or IAM is broken.',
      firstAction:
        'aws dynamodb describe-table and get-resource-policy on the ledger here: replica status must be ACTIVE and no FIS statement may remain; if a drill is running, this is expected.',
    });

    // ReplicationLatency is computed from items that arrive: during a pause none do and the metric goes
    // silent. Silence is normal when nothing is written, so only a minute with catalog writes here and no
    // latency reported counts as paused (treating all missing data as breaching would page every quiet night).
    const catalogWrites = Object.fromEntries(
      catalogWriteOperations.map((operation, i) => [
        `w${i}`,
        new Metric({
          namespace: 'AWS/DynamoDB',
          metricName: 'SuccessfulRequestLatency',
          statistic: 'SampleCount',
          period: minute,
          dimensionsMap: { TableName: props.tableNames.catalog, Operation: operation },
        }),
      ]),
    );
    const writesHere = Object.keys(catalogWrites)
      .map((id) => `FILL(${id}, 0)`)
      .join(' + ');
    const latencyTo = props.replicaRegions.map(
      (receiving, i) =>
        new MathExpression({
          label: `Catalog replication latency to ${receiving} (ms; paused = ${replicationPausedMarkerMs})`,
          expression: `IF((${writesHere}) > 0 AND FILL(r${i}, 0) == 0, ${replicationPausedMarkerMs}, FILL(r${i}, 0))`,
          usingMetrics: {
            ...catalogWrites,
            [`r${i}`]: new Metric({
              namespace: 'AWS/DynamoDB',
              metricName: 'ReplicationLatency',
              statistic: 'Average',
              period: minute,
              dimensionsMap: { TableName: props.tableNames.catalog, ReceivingRegion: receiving },
            }),
          },
          period: minute,
        }),
    );
    alarm(
      'catalog-replication-latency',
      new MathExpression({
        label: 'Catalog replication latency, or paused (max over receiving Regions, ms)',
        expression: `MAX([${latencyTo.map((_, i) => `l${i}`).join(', ')}])`,
        usingMetrics: Object.fromEntries(latencyTo.map((expression, i) => [`l${i}`, expression])),
        period: minute,
      }),
      {
        threshold: 30_000,
        evaluationPeriods: 5,
        datapointsToAlarm: 3,
        means:
          'catalog (MREC) writes made here reach the other Region more than 30 s late, or not at all (writes here, no replication reported), in 3 of 5 minutes (normally about a second); a failover now would lose the catalog edits of that window (the ledger is MRSC and unaffected).',
        firstAction:
          'aws dynamodb describe-table on the catalog (replica status ACTIVE?) and get-resource-policy (no FIS statement left?); then the AWS Health Dashboard for DynamoDB; avoid draining this Region while the lag lasts unless it is down.',
      },
    );

    const projectorIteratorAge = new Metric({
      namespace: 'AWS/Lambda',
      metricName: 'IteratorAge',
      statistic: 'Maximum',
      period: minute,
      dimensionsMap: { FunctionName: props.projector.functionName },
    });
    alarm('projector-iterator-age', projectorIteratorAge, {
      threshold: 120_000,
      evaluationPeriods: 5,
      means:
        'the projector is more than 2 minutes behind the table streams: search, statistics and audit in this Region are stale. Streams keep records 24 hours.',
      firstAction:
        'look at the projector’s errors and duration on the dashboard and its log group; fix or roll back before 24 hours pass.',
    });

    alarm(
      'projector-dlq',
      props.projectorFailures.metricApproximateNumberOfMessagesVisible({
        period: Duration.minutes(5),
        statistic: 'Maximum',
      }),
      {
        threshold: 1,
        evaluationPeriods: 1,
        means:
          'a stream batch could not be projected after retries; its record is in the ProjectorFailures queue and that change is missing from this Region’s read models.',
        firstAction:
          'read the queued message (it names the shard and sequence numbers), fix the cause, then replay those records as OPERATIONS.md describes.',
      },
    );

    for (const monitored of props.functions) {
      const isApi = monitored.kind === 'api';
      alarm(
        `lambda-errors-${monitored.name}`,
        monitored.fn.metricErrors({ period: isApi ? minute : Duration.minutes(5), statistic: 'Sum' }),
        {
          threshold: isApi ? 5 : 1,
          evaluationPeriods: isApi ? 3 : 1,
          datapointsToAlarm: isApi ? 2 : 1,
          anchor: 'lambda-errors',
          means: isApi
            ? `function ${monitored.name} failed (crash, timeout or unhandled error) 5+ times a minute; API Gateway answers those requests with 5xx.`
            : `background function ${monitored.name} failed.`,
          firstAction: `open the ${monitored.name} log group filtered on level ERROR; roll back if a deploy just happened.`,
        },
      );
    }

    this.dashboard = this.buildDashboard(props, {
      userErrorRate,
      latency: (stat) => api('Latency', stat),
      apiMetric: (name) => api(name, 'Sum'),
      tableThrottles,
      conflicts,
      storeUnavailable,
      accessDenied,
      projectorIteratorAge,
    });
  }

  /** A metric counting, every 5 minutes, the log lines of these groups that match the pattern. */
  private countLogLines(
    metricName: string,
    filterId: string,
    logGroups: readonly ILogGroup[],
    filterPattern: IFilterPattern,
  ): Metric {
    logGroups.forEach((logGroup, i) => {
      new MetricFilter(this, `${filterId}${i}`, {
        logGroup,
        metricNamespace: METRIC_NAMESPACE,
        metricName,
        metricValue: '1',
        filterPattern,
      });
    });
    return new Metric({
      namespace: METRIC_NAMESPACE,
      metricName,
      statistic: 'Sum',
      period: Duration.minutes(5),
    });
  }

  private buildDashboard(
    props: RegionMonitoringProps,
    m: {
      userErrorRate: IMetric;
      latency: (statistic: string) => IMetric;
      apiMetric: (name: string) => IMetric;
      tableThrottles: Record<string, IMetric>;
      conflicts: IMetric;
      storeUnavailable: IMetric;
      accessDenied: IMetric;
      projectorIteratorAge: IMetric;
    },
  ): Dashboard {
    const minute = Duration.minutes(1);
    const dashboard = new Dashboard(this, 'Dashboard', {
      dashboardName: `${props.prefix}-${props.region}`,
      defaultInterval: Duration.hours(3),
    });
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
        left: [m.apiMetric('Count'), m.apiMetric('4XXError'), m.apiMetric('5XXError')],
        width: 8,
      }),
      new GraphWidget({ title: 'User-facing 5xx %', left: [m.userErrorRate], width: 8 }),
      new GraphWidget({
        title: 'API latency (ms)',
        left: [m.latency('p50'), m.latency('p90'), m.latency('p99')],
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
      new GraphWidget({
        title: 'DynamoDB throttle events',
        left: Object.values(m.tableThrottles),
        width: 8,
      }),
    );
    dashboard.addWidgets(
      new GraphWidget({
        title: 'Catalog replication latency (ms)',
        left: props.replicaRegions.map(
          (receiving) =>
            new Metric({
              namespace: 'AWS/DynamoDB',
              metricName: 'ReplicationLatency',
              statistic: 'Average',
              period: minute,
              label: `to ${receiving}`,
              dimensionsMap: { TableName: props.tableNames.catalog, ReceivingRegion: receiving },
            }),
        ),
        width: 8,
      }),
      new GraphWidget({
        title: 'Store unavailable (503), access denied and ledger write conflicts',
        left: [m.storeUnavailable, m.accessDenied, m.conflicts],
        width: 8,
      }),
      new GraphWidget({
        title: 'Projector lag and failures',
        left: [m.projectorIteratorAge],
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
      new AlarmStatusWidget({ title: 'Alarms', alarms: [...this.alarms.values()], width: 16, height: 6 }),
    );
    return dashboard;
  }
}
