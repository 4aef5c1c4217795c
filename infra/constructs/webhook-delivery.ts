import { Duration } from 'aws-cdk-lib';
import {
  type Dashboard,
  GraphWidget,
  type IMetric,
  MathExpression,
  Metric,
  TextWidget,
} from 'aws-cdk-lib/aws-cloudwatch';
import { Rule, RuleTargetInput, Schedule } from 'aws-cdk-lib/aws-events';
import { LambdaFunction } from 'aws-cdk-lib/aws-events-targets';
import { EventSourceMapping, FilterCriteria, FilterRule, StartingPosition } from 'aws-cdk-lib/aws-lambda';
import { SqsDlq } from 'aws-cdk-lib/aws-lambda-event-sources';
import { FilterPattern, MetricFilter } from 'aws-cdk-lib/aws-logs';
import type { ITopic } from 'aws-cdk-lib/aws-sns';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';
import { physicalTableName } from '../../functions/adapters/dynamodb/tables.js';
import { acknowledge, wildcardFinding } from '../nag.js';
import { HandlerFunction } from './handler-function.js';
import { OnCallAlarm } from './monitoring/on-call-alarm.js';
import type { RegionTables } from './region-tables.js';
import { ReplicaStream } from './replica-stream.js';

/** Options of {@link addWebhookDelivery}. */
export interface WebhookDeliveryOptions {
  readonly tablePrefix: string;
  readonly tables: RegionTables;
}

/** The delivery function and what watches it. */
export interface WebhookDelivery {
  readonly handler: HandlerFunction;
  /** Stream batches the function gave up on (the deliveries stay in the ledger; the sweep retries them). */
  readonly failures: Queue;
  /** Seconds the oldest due delivery has waited, as the last sweep saw it. */
  readonly backlogAge: IMetric;
  /** Deliveries that ended `failed` (24 hours of refusals, or a disabled subscription). */
  readonly failed: IMetric;
}

/** The metrics' namespace; the values come from the function's own log lines (metric filters). */
const NAMESPACE = 'Marketplace/Webhooks';

/**
 * Webhook delivery in this Region (DESIGN.md §8), one function with two triggers:
 *  - the ledger replica's stream, filtered to delivery records: a new (or redelivered) delivery reaches the
 *    function of both Regions within moments, each tries the delivery's lease, one sends. A stream rather
 *    than a queue because the record is already replicated to both Regions, so neither depends on the other
 *    to hear of it;
 *  - a schedule every minute: the sweep of what is due later (retries on the 5 s … 2 h schedule, at most a
 *    minute late here) and of deliveries whose lease a dead Region held, once the lease runs out.
 * A stream batch that fails every retry is recorded in a queue (the dead-letter destination); nothing is lost
 * with it, since the delivery record stays pending in the ledger and the sweep finds it.
 */
export function addWebhookDelivery(scope: Construct, options: WebhookDeliveryOptions): WebhookDelivery {
  const handler = new HandlerFunction(scope, 'WebhookDelivery', {
    handler: 'webhook-delivery',
    description: 'Marketplace: signed webhook deliveries, claimed under a lease on the replicated ledger',
    memorySize: 256,
    // Ten attempts of at most 10 s each run in parallel within a batch; a minute leaves room for the sweep.
    timeout: Duration.seconds(60),
    environment: options.tables.environment(['catalog', 'ledger', 'projections']),
  });
  const { fn } = handler;
  options.tables.byId.catalog.grantReadData(fn);
  options.tables.byId.ledger.grantReadWriteData(fn);
  options.tables.byId.projections.grantReadWriteData(fn);
  for (const id of ['ledger', 'projections'] as const) {
    acknowledge(
      handler.role,
      wildcardFinding(scope, `${options.tables.byId[id].tableArn}/index/*`),
      `The due deliveries are read from the ${id} table's secondary indexes, all defined by the schema; "index/*" under this one table is the narrowest ARN that covers them.`,
    );
  }

  const stream = new ReplicaStream(scope, 'LedgerDeliveryStream', {
    tableName: physicalTableName(options.tablePrefix, 'ledger'),
  });
  stream.grantRead(handler, 'ledger');
  const failures = new Queue(scope, 'WebhookDeliveryFailures', {
    encryption: QueueEncryption.SQS_MANAGED,
    retentionPeriod: Duration.days(14),
    enforceSSL: true,
  });
  acknowledge(
    failures,
    'AwsSolutions-SQS3',
    'This queue is itself the dead-letter destination of the delivery function’s stream mapping; the deliveries stay pending in the ledger, where the sweep finds them. It is alarmed on (webhook-delivery-dlq).',
  );
  new EventSourceMapping(scope, 'LedgerStreamToWebhookDelivery', {
    target: handler.alias,
    eventSourceArn: stream.streamArn,
    startingPosition: StartingPosition.LATEST,
    batchSize: 10,
    bisectBatchOnError: true,
    retryAttempts: 3,
    onFailure: new SqsDlq(failures),
    // Only delivery records wake it: contracts and acknowledgements never invoke it.
    filters: [
      FilterCriteria.filter({ dynamodb: { Keys: { pk: { S: FilterRule.beginsWith('delivery#') } } } }),
    ],
  });
  new Rule(scope, 'WebhookDeliverySweep', {
    description: 'Attempt webhook deliveries that are due (retries, and leases a lost Region held)',
    schedule: Schedule.rate(Duration.minutes(1)),
    targets: [
      new LambdaFunction(handler.alias, {
        event: RuleTargetInput.fromObject({ sweep: true }),
        retryAttempts: 0,
      }),
    ],
  });

  new MetricFilter(scope, 'WebhookBacklogAgeFilter', {
    logGroup: handler.logGroup,
    filterPattern: FilterPattern.stringValue('$.message', '=', 'delivery sweep'),
    metricNamespace: NAMESPACE,
    metricName: 'BacklogAgeSeconds',
    metricValue: '$.oldestDueAgeSeconds',
  });
  new MetricFilter(scope, 'WebhookFailedFilter', {
    logGroup: handler.logGroup,
    filterPattern: FilterPattern.all(
      FilterPattern.stringValue('$.message', '=', 'delivery attempt'),
      FilterPattern.stringValue('$.status', '=', 'failed'),
    ),
    metricNamespace: NAMESPACE,
    metricName: 'DeliveriesFailed',
    metricValue: '1',
  });
  return {
    handler,
    failures,
    backlogAge: new Metric({
      namespace: NAMESPACE,
      metricName: 'BacklogAgeSeconds',
      statistic: 'Maximum',
      period: Duration.minutes(1),
    }),
    failed: new Metric({
      namespace: NAMESPACE,
      metricName: 'DeliveriesFailed',
      statistic: 'Sum',
      period: Duration.hours(1),
    }),
  };
}

/** The delivery alarms (anchored in OPERATIONS.md) and a dashboard row. */
export function watchWebhookDelivery(
  scope: Construct,
  delivery: WebhookDelivery,
  on: { prefix: string; region: string; topic: ITopic; dashboard: Dashboard },
) {
  const alarms = [
    new OnCallAlarm(scope, 'WebhookBacklogAlarm', {
      kind: 'webhook-delivery-backlog',
      prefix: on.prefix,
      region: on.region,
      topic: on.topic,
      metric: delivery.backlogAge,
      threshold: 900,
      evaluationPeriods: 5,
      means:
        'a webhook delivery has been due for more than 15 minutes in 5 minutes running: deliveries back up in this Region (the sweep fails, is throttled, or receivers time out en masse).',
      firstAction:
        'open the WebhookDelivery log group (errors, "delivery sweep" lines with attempted and oldestDueAgeSeconds); see OPERATIONS.md for draining a backlog.',
    }),
    new OnCallAlarm(scope, 'WebhookDlqAlarm', {
      kind: 'webhook-delivery-dlq',
      prefix: on.prefix,
      region: on.region,
      topic: on.topic,
      metric: delivery.failures.metricApproximateNumberOfMessagesVisible({
        period: Duration.minutes(5),
        statistic: 'Maximum',
      }),
      threshold: 1,
      evaluationPeriods: 1,
      means:
        'a batch of ledger stream records failed the delivery function every retry; its deliveries are still pending in the ledger, and the minute sweep attempts them, later than usual.',
      firstAction:
        'read the queued message and the function’s errors; fix the cause (the sweep catches up on its own).',
    }),
    new OnCallAlarm(scope, 'WebhookFailedAlarm', {
      kind: 'webhook-deliveries-failed',
      prefix: on.prefix,
      region: on.region,
      topic: on.topic,
      metric: delivery.failed,
      threshold: 50,
      evaluationPeriods: 1,
      means:
        '50 or more deliveries ended failed within an hour: after 24 hours of refusals, or to disabled subscriptions. One receiver down is its organisation’s matter; many at once is ours (egress, DNS, signing).',
      firstAction:
        'GET /v1/webhooks/{id}/deliveries?status=failed for the subscriptions named in the log; if they share a cause on our side, fix it and redeliver.',
    }),
  ];
  on.dashboard.addWidgets(
    new TextWidget({ markdown: '### Webhook deliveries', width: 24, height: 1 }),
    new GraphWidget({
      title: 'Oldest due delivery (s)',
      left: [delivery.backlogAge],
      width: 8,
    }),
    new GraphWidget({
      title: 'Deliveries failed / hour, stream batches given up',
      left: [delivery.failed],
      right: [
        new MathExpression({
          expression: 'm',
          usingMetrics: { m: delivery.failures.metricApproximateNumberOfMessagesVisible() },
          label: 'WebhookDeliveryFailures queue',
        }),
      ],
      width: 8,
    }),
    new GraphWidget({
      title: 'Delivery function',
      left: [delivery.handler.fn.metricInvocations(), delivery.handler.fn.metricErrors()],
      right: [delivery.handler.fn.metricDuration()],
      width: 8,
    }),
  );
  return alarms.map((a) => a.alarm);
}
