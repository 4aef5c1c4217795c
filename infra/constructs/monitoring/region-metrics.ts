import { Duration } from 'aws-cdk-lib';
import { type IMetric, MathExpression, Metric } from 'aws-cdk-lib/aws-cloudwatch';
import { type IFilterPattern, type ILogGroup, MetricFilter } from 'aws-cdk-lib/aws-logs';
import type { Construct } from 'constructs';
import { STAGE_NAME } from '../api-from-routes.js';

/** The metrics of one Region that its alarms and its dashboard share. Pure builders: no resources. */

const minute = Duration.minutes(1);

/** Namespace of the metrics this app derives from its own logs. */
export const METRIC_NAMESPACE = 'DigitalServiceMarketplace';

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

/** The dimensions of the GET /health method, whose requests are Route 53's probes rather than users'. */
const healthMethod = { Method: 'GET', Resource: '/health', Stage: STAGE_NAME };

/** A per-minute API Gateway metric of the named API, optionally of one method only. */
export function apiMetric(
  apiName: string,
  metricName: string,
  statistic: string,
  method: Record<string, string> = {},
): Metric {
  return new Metric({
    namespace: 'AWS/ApiGateway',
    metricName,
    statistic,
    period: minute,
    dimensionsMap: { ApiName: apiName, ...method },
  });
}

/** Per-minute 5xx answers of GET /health. */
export function healthErrors(apiName: string): Metric {
  return apiMetric(apiName, '5XXError', 'Sum', healthMethod);
}

/**
 * User traffic only: GET /health is what Route 53 probes, and its failures have alarms of their own. Minutes
 * with fewer than 20 user requests count as 0 %, so one failure at night does not read as 100 %.
 */
export function userFacingErrorRate(apiName: string): MathExpression {
  return new MathExpression({
    label: 'User-facing 5xx (% of requests)',
    expression:
      'IF((requests - FILL(healthRequests, 0)) >= 20, 100 * (errors - FILL(healthErrors, 0)) / (requests - FILL(healthRequests, 0)), 0)',
    usingMetrics: {
      errors: apiMetric(apiName, '5XXError', 'Sum'),
      requests: apiMetric(apiName, 'Count', 'Sum'),
      healthErrors: healthErrors(apiName),
      healthRequests: apiMetric(apiName, 'Count', 'Sum', healthMethod),
    },
    period: minute,
  });
}

/** Read and write throttle events of each table, keyed `t<i>r` / `t<i>w` for use in math expressions. */
export function tableThrottleMetrics(tableNames: readonly string[]): Record<string, IMetric> {
  const throttles: Record<string, IMetric> = {};
  tableNames.forEach((tableName, i) => {
    for (const [key, metricName] of [
      ['r', 'ReadThrottleEvents'],
      ['w', 'WriteThrottleEvents'],
    ] as const) {
      throttles[`t${i}${key}`] = new Metric({
        namespace: 'AWS/DynamoDB',
        metricName,
        statistic: 'Sum',
        period: minute,
        dimensionsMap: { TableName: tableName },
      });
    }
  });
  return throttles;
}

/** The sum of the given metrics, a missing datapoint counting as 0. */
export function sumOf(label: string, metrics: Record<string, IMetric>): MathExpression {
  return new MathExpression({
    label,
    expression: Object.keys(metrics)
      .map((name) => `FILL(${name}, 0)`)
      .join(' + '),
    usingMetrics: metrics,
    period: minute,
  });
}

/** What DynamoDB reports of the catalog's replication latency to one receiving Region. */
export function replicationLatency(
  catalogTableName: string,
  receivingRegion: string,
  label?: string,
): Metric {
  return new Metric({
    namespace: 'AWS/DynamoDB',
    metricName: 'ReplicationLatency',
    statistic: 'Average',
    period: minute,
    ...(label === undefined ? {} : { label }),
    dimensionsMap: { TableName: catalogTableName, ReceivingRegion: receivingRegion },
  });
}

/**
 * The catalog's replication latency, the highest over the receiving Regions, or
 * {@link replicationPausedMarkerMs} for a minute in which it is paused.
 *
 * ReplicationLatency is computed from items that arrive: during a pause none do and the metric goes silent.
 * Silence is normal when nothing is written, so only a minute with catalog writes here and no latency
 * reported counts as paused (treating all missing data as breaching would page every quiet night).
 */
export function catalogReplicationLatency(
  catalogTableName: string,
  receivingRegions: readonly string[],
): MathExpression {
  const catalogWrites = Object.fromEntries(
    catalogWriteOperations.map((operation, i) => [
      `w${i}`,
      new Metric({
        namespace: 'AWS/DynamoDB',
        metricName: 'SuccessfulRequestLatency',
        statistic: 'SampleCount',
        period: minute,
        dimensionsMap: { TableName: catalogTableName, Operation: operation },
      }),
    ]),
  );
  const writesHere = Object.keys(catalogWrites)
    .map((id) => `FILL(${id}, 0)`)
    .join(' + ');
  const latencyTo = receivingRegions.map(
    (receiving, i) =>
      new MathExpression({
        label: `Catalog replication latency to ${receiving} (ms; paused = ${replicationPausedMarkerMs})`,
        expression: `IF((${writesHere}) > 0 AND FILL(r${i}, 0) == 0, ${replicationPausedMarkerMs}, FILL(r${i}, 0))`,
        usingMetrics: { ...catalogWrites, [`r${i}`]: replicationLatency(catalogTableName, receiving) },
        period: minute,
      }),
  );
  return new MathExpression({
    label: 'Catalog replication latency, or paused (max over receiving Regions, ms)',
    expression: `MAX([${latencyTo.map((_, i) => `l${i}`).join(', ')}])`,
    usingMetrics: Object.fromEntries(latencyTo.map((expression, i) => [`l${i}`, expression])),
    period: minute,
  });
}

/** Options of {@link countLogLines}. */
export interface CountLogLinesOptions {
  /** Name of the metric in {@link METRIC_NAMESPACE}. */
  readonly metricName: string;
  /** Construct id of the metric filters, followed by the log group's index (`<filterIdPrefix><i>`). */
  readonly filterIdPrefix: string;
  /** The log groups whose matching lines are counted (one metric filter each). */
  readonly logGroups: readonly ILogGroup[];
  /** Which lines count. */
  readonly filterPattern: IFilterPattern;
}

/**
 * A metric counting, every 5 minutes, the log lines of these groups that match the pattern. The metric
 * filters are made directly in `scope` (not in a construct of their own) so their logical IDs stay as they
 * were deployed.
 */
export function countLogLines(scope: Construct, options: CountLogLinesOptions): Metric {
  options.logGroups.forEach((logGroup, i) => {
    new MetricFilter(scope, `${options.filterIdPrefix}${i}`, {
      logGroup,
      metricNamespace: METRIC_NAMESPACE,
      metricName: options.metricName,
      metricValue: '1',
      filterPattern: options.filterPattern,
    });
  });
  return new Metric({
    namespace: METRIC_NAMESPACE,
    metricName: options.metricName,
    statistic: 'Sum',
    period: Duration.minutes(5),
  });
}
