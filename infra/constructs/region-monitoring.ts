import { Duration } from 'aws-cdk-lib';
import type { Alarm, Dashboard, IMetric } from 'aws-cdk-lib/aws-cloudwatch';
import { Metric } from 'aws-cdk-lib/aws-cloudwatch';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import { FilterPattern, type ILogGroup } from 'aws-cdk-lib/aws-logs';
import type { ITopic } from 'aws-cdk-lib/aws-sns';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { OnCallAlarm, type OnCallAlarmProps } from './monitoring/on-call-alarm.js';
import { RegionDashboard } from './monitoring/region-dashboard.js';
import {
  apiMetric,
  catalogReplicationLatency,
  countLogLines,
  healthErrors,
  sumOf,
  tableThrottleMetrics,
  userFacingErrorRate,
} from './monitoring/region-metrics.js';

/**
 * What `functions/http/failures.ts` logs (Powertools Logger, one JSON object per line, WARN level) when it gives
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

/** A function with an error alarm of its own and lines on the dashboard. */
export interface MonitoredFunction {
  /** The function. */
  readonly fn: IFunction;
  /** Its log group. */
  readonly logGroup: ILogGroup;
  /** Short name for alarm names and graphs, e.g. "contracts". */
  readonly name: string;
  /** `api` functions answer requests (a few errors a minute matter); `background` ones run on their own. */
  readonly kind: 'api' | 'background';
}

/**
 * Properties of a {@link RegionMonitoring}.
 */
export interface RegionMonitoringProps {
  /**
   * Prefix of every name in the deployment; alarms are named `<prefix>-<region>-<kind>`.
   */
  readonly prefix: string;
  /**
   * The Region monitored.
   */
  readonly region: string;
  /**
   * Regions the catalog replicates to from here (`ReceivingRegion` of its ReplicationLatency).
   */
  readonly replicaRegions: readonly string[];
  /**
   * Name of the Region's REST API.
   */
  readonly apiName: string;
  /**
   * Every function of the Region, each with an error alarm (`lambda-errors-<name>`), in this order.
   */
  readonly functions: readonly MonitoredFunction[];
  /**
   * Log groups of the functions that write the MRSC ledger (where write conflicts surface).
   */
  readonly ledgerWriterLogGroups: readonly ILogGroup[];
  /**
   * Log groups of every function that can answer "store unavailable".
   */
  readonly apiLogGroups: readonly ILogGroup[];
  /**
   * The stream projector, whose lag is alarmed on.
   */
  readonly projector: IFunction;
  /**
   * The projector's dead-letter queue, alarmed on as soon as it holds a message.
   */
  readonly projectorFailures: IQueue;
  /**
   * Physical table names: the catalog (whose replication is watched) and all tables (whose throttling is).
   */
  readonly tableNames: { readonly catalog: string; readonly all: readonly string[] };
  /**
   * Name of the Region's web ACL, for the dashboard.
   */
  readonly webAclName: string;
  /**
   * Where every alarm goes, on alarm and on recovery.
   */
  readonly topic: ITopic;
}

/** How one alarm is declared here: everything but what every alarm of the Region shares. */
type AlarmSpec = Omit<OnCallAlarmProps, 'kind' | 'prefix' | 'region' | 'topic'>;

/**
 * The Region's alarms (each to the Region's SNS topic, on alarm and on recovery) and its dashboard.
 * Descriptions are written for whoever is woken at 3 a.m.: what it means, the first thing to do, and the
 * OPERATIONS.md section with the rest.
 */
export class RegionMonitoring extends Construct {
  /** Every alarm by kind, in the order the dashboard lists them. */
  readonly alarms = new Map<RegionAlarmKind, Alarm>();
  /** More than 5 % of user requests failing: the alarm that stops a drill. */
  readonly userErrorRateAlarm: Alarm;
  readonly dashboard: Dashboard;

  constructor(
    scope: Construct,
    id: string,
    private readonly props: RegionMonitoringProps,
  ) {
    super(scope, id);
    const userErrorRate = userFacingErrorRate(props.apiName);
    this.userErrorRateAlarm = this.apiAlarms(userErrorRate);
    const tableThrottles = tableThrottleMetrics(props.tableNames.all);
    this.capacityAlarms(tableThrottles);
    const store = this.storeAlarms();
    this.replicationAlarm();
    const projectorIteratorAge = this.projectorAlarms();
    this.functionAlarms();

    this.dashboard = new RegionDashboard(this, 'Dashboard', {
      prefix: props.prefix,
      region: props.region,
      apiName: props.apiName,
      functions: props.functions,
      replicaRegions: props.replicaRegions,
      catalogTableName: props.tableNames.catalog,
      webAclName: props.webAclName,
      projectorFailures: props.projectorFailures,
      alarmed: {
        userErrorRate,
        tableThrottles: Object.values(tableThrottles),
        ...store,
        projectorIteratorAge,
      },
      alarms: [...this.alarms.values()],
    }).dashboard;
  }

  private alarm(kind: RegionAlarmKind, spec: AlarmSpec): Alarm {
    const { alarm } = new OnCallAlarm(this, `Alarm-${kind}`, {
      ...spec,
      kind,
      prefix: this.props.prefix,
      region: this.props.region,
      topic: this.props.topic,
    });
    this.alarms.set(kind, alarm);
    return alarm;
  }

  /** User-facing errors, latency and the health endpoint; returns the 5xx-rate alarm. */
  private apiAlarms(userErrorRate: IMetric): Alarm {
    const { apiName } = this.props;
    const errorRateAlarm = this.alarm('api-5xx-rate', {
      metric: userErrorRate,
      threshold: 5,
      evaluationPeriods: 3,
      means:
        'more than 5% of API requests (health checks excluded) failed with 5xx for 3 minutes. Callers are seeing errors in this Region.',
      firstAction:
        'open the Region dashboard; if the errors are store-unavailable/503 or the Region is impaired, drain it with its routing control (OPERATIONS.md#fail-over); if one function errors after a deploy, roll that deploy back.',
    });
    this.alarm('api-latency-p99', {
      metric: apiMetric(apiName, 'Latency', 'p99'),
      threshold: 2500,
      evaluationPeriods: 5,
      datapointsToAlarm: 3,
      means: 'p99 API latency above 2.5 s in 3 of the last 5 minutes.',
      firstAction:
        'check the dashboard for the slow function and DynamoDB throttling; ledger writes wait for another Region, so a slow peer Region shows here first.',
    });
    this.alarm('health-endpoint-failing', {
      metric: healthErrors(apiName),
      threshold: 3,
      evaluationPeriods: 2,
      means:
        'GET /health answered 5xx at least 3 times a minute for 2 minutes: a table of this Region is not answering its deep check, so Route 53 takes the Region out of DNS.',
      firstAction:
        'curl https://<region>.<api host>/health to see which table fails; confirm the other Region is healthy and serving.',
    });
    return errorRateAlarm;
  }

  /** Lambda and DynamoDB throttling. */
  private capacityAlarms(tableThrottles: Record<string, IMetric>): void {
    this.alarm('lambda-throttles', {
      metric: new Metric({
        namespace: 'AWS/Lambda',
        metricName: 'Throttles',
        statistic: 'Sum',
        period: Duration.minutes(1),
      }),
      threshold: 5,
      evaluationPeriods: 3,
      datapointsToAlarm: 2,
      means:
        'Lambda throttled invocations in this Region (account-wide metric): requests fail with 500/502 or stream batches wait.',
      firstAction:
        'see which function throttles on the dashboard; raise the account concurrency quota or lower the stage throttle.',
    });
    this.alarm('dynamodb-throttles', {
      metric: sumOf('DynamoDB throttle events (all tables)', tableThrottles),
      threshold: 10,
      evaluationPeriods: 3,
      datapointsToAlarm: 2,
      means:
        'DynamoDB throttled reads or writes on this Region’s tables (on-demand tables throttle above twice their previous peak or on a hot key).',
      firstAction:
        'find the table on the dashboard; the SDK retries, so check the 5xx alarm before acting; a hot key needs a code fix, a traffic step needs time or warm throughput.',
    });
  }

  /** What the API logs when it gives up on the store: conflicts, unavailability, denial. */
  private storeAlarms(): { ledgerConflicts: IMetric; storeUnavailable: IMetric; accessDenied: IMetric } {
    const isStoreUnavailable = FilterPattern.stringValue('$.message', '=', storeUnavailableLog.message);
    const withError = (error: string) =>
      FilterPattern.all(isStoreUnavailable, FilterPattern.stringValue('$.error', '=', error));

    // MRSC write conflicts that outlived the SDK's 4 attempts and reached the caller as a 503.
    const ledgerConflicts = countLogLines(this, {
      metricName: 'LedgerWriteConflicts',
      filterIdPrefix: 'LedgerConflictFilter',
      logGroups: this.props.ledgerWriterLogGroups,
      filterPattern: withError(storeUnavailableLog.conflictError),
    });
    this.alarm('ledger-write-conflicts', {
      metric: ledgerConflicts,
      threshold: 3,
      evaluationPeriods: 1,
      means:
        'contract writes hit ReplicatedWriteConflictException (two Regions writing one ledger item at once) more than the SDK retries absorb; those callers got 503 and must retry with the same Idempotency-Key.',
      firstAction:
        'check whether both Regions receive writes for the same contracts (a client alternating Regions, or a retry storm); no data is lost or duplicated, retries are safe.',
    });

    const storeUnavailable = countLogLines(this, {
      metricName: 'StoreUnavailable',
      filterIdPrefix: 'StoreUnavailableFilter',
      logGroups: this.props.apiLogGroups,
      filterPattern: isStoreUnavailable,
    });
    this.alarm('store-unavailable', {
      metric: storeUnavailable,
      threshold: 20,
      evaluationPeriods: 1,
      means:
        'the API answered 503 "store unavailable" 20+ times in 5 minutes: DynamoDB in this Region is throttling, timing out or unreachable.',
      firstAction:
        'check the AWS Health Dashboard for DynamoDB in this Region; if it is impaired, drain the Region (OPERATIONS.md#fail-over).',
    });

    const accessDenied = countLogLines(this, {
      metricName: 'StoreAccessDenied',
      filterIdPrefix: 'StoreAccessDeniedFilter',
      logGroups: this.props.apiLogGroups,
      filterPattern: withError(storeUnavailableLog.accessDeniedError),
    });
    // DynamoDB publishes no metric of a replica's status; this is how a ledger replica that is not ACTIVE
    // (REPLICATION_NOT_AUTHORIZED) shows: its writes and strongly consistent reads are denied.
    this.alarm('store-access-denied', {
      metric: accessDenied,
      threshold: 1,
      evaluationPeriods: 1,
      means:
        'DynamoDB denied API calls in this Region (answered 503): the ledger replica’s replication is paused or denied (a drill, or a resource policy left denying the replication role: REPLICATION_NOT_AUTHORIZED, permanent after 7 days), or IAM is broken.',
      firstAction:
        'aws dynamodb describe-table and get-resource-policy on the ledger here: replica status must be ACTIVE and no FIS statement may remain; if a drill is running, this is expected.',
    });
    return { ledgerConflicts, storeUnavailable, accessDenied };
  }

  /** Catalog (MREC) replication to the other Regions: late, or paused. */
  private replicationAlarm(): void {
    this.alarm('catalog-replication-latency', {
      metric: catalogReplicationLatency(this.props.tableNames.catalog, this.props.replicaRegions),
      threshold: 30_000,
      evaluationPeriods: 5,
      datapointsToAlarm: 3,
      means:
        'catalog (MREC) writes made here reach the other Region more than 30 s late, or not at all (writes here, no replication reported), in 3 of 5 minutes (normally about a second); a failover now would lose the catalog edits of that window (the ledger is MRSC and unaffected).',
      firstAction:
        'aws dynamodb describe-table on the catalog (replica status ACTIVE?) and get-resource-policy (no FIS statement left?); then the AWS Health Dashboard for DynamoDB; avoid draining this Region while the lag lasts unless it is down.',
    });
  }

  /** The projector falling behind, or giving up on a batch; returns its iterator age. */
  private projectorAlarms(): IMetric {
    const projectorIteratorAge = new Metric({
      namespace: 'AWS/Lambda',
      metricName: 'IteratorAge',
      statistic: 'Maximum',
      period: Duration.minutes(1),
      dimensionsMap: { FunctionName: this.props.projector.functionName },
    });
    this.alarm('projector-iterator-age', {
      metric: projectorIteratorAge,
      threshold: 120_000,
      evaluationPeriods: 5,
      means:
        'the projector is more than 2 minutes behind the table streams: search, statistics and audit in this Region are stale. Streams keep records 24 hours.',
      firstAction:
        'look at the projector’s errors and duration on the dashboard and its log group; fix or roll back before 24 hours pass.',
    });
    this.alarm('projector-dlq', {
      metric: this.props.projectorFailures.metricApproximateNumberOfMessagesVisible({
        period: Duration.minutes(5),
        statistic: 'Maximum',
      }),
      threshold: 1,
      evaluationPeriods: 1,
      means:
        'a stream batch could not be projected after retries; its record is in the ProjectorFailures queue and that change is missing from this Region’s read models.',
      firstAction:
        'read the queued message (it names the shard and sequence numbers), fix the cause, then replay those records as OPERATIONS.md describes.',
    });
    return projectorIteratorAge;
  }

  /** One error alarm per function: API functions on a few errors a minute, background ones on any. */
  private functionAlarms(): void {
    for (const monitored of this.props.functions) {
      const isApi = monitored.kind === 'api';
      this.alarm(`lambda-errors-${monitored.name}`, {
        metric: monitored.fn.metricErrors({
          period: isApi ? Duration.minutes(1) : Duration.minutes(5),
          statistic: 'Sum',
        }),
        threshold: isApi ? 5 : 1,
        evaluationPeriods: isApi ? 3 : 1,
        datapointsToAlarm: isApi ? 2 : 1,
        runbookAnchor: 'lambda-errors',
        means: isApi
          ? `function ${monitored.name} failed (crash, timeout or unhandled error) 5+ times a minute; API Gateway answers those requests with 5xx.`
          : `background function ${monitored.name} failed.`,
        firstAction: `open the ${monitored.name} log group filtered on level ERROR; roll back if a deploy just happened.`,
      });
    }
  }
}
