import { Alarm, ComparisonOperator, type IMetric, TreatMissingData } from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import type { ITopic } from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';

/** The runbook every alarm description points into; its sections are anchored `#alarm-<kind>`. */
export const RUNBOOK = 'OPERATIONS.md';

/**
 * Properties of an {@link OnCallAlarm}.
 */
export interface OnCallAlarmProps {
  /**
   * The alarm's kind, e.g. `api-5xx-rate`: the last part of its name and, unless `runbookAnchor` says
   * otherwise, of its runbook anchor.
   */
  readonly kind: string;
  /**
   * Prefix of every name in the deployment (the table prefix, e.g. `dsm`).
   */
  readonly prefix: string;
  /**
   * The Region the alarm watches; the alarm is named `<prefix>-<region>-<kind>` and its description
   * starts with the Region.
   */
  readonly region: string;
  /**
   * What the alarm watches.
   */
  readonly metric: IMetric;
  /**
   * The value at which a datapoint breaches.
   */
  readonly threshold: number;
  /**
   * How many of the latest periods are evaluated.
   */
  readonly evaluationPeriods: number;
  /**
   * How many of the evaluated periods must breach for the alarm to fire.
   *
   * @default - `evaluationPeriods` (every evaluated period must breach)
   */
  readonly datapointsToAlarm?: number;
  /**
   * How a datapoint is compared with the threshold.
   *
   * @default ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD
   */
  readonly comparison?: ComparisonOperator;
  /**
   * What the alarm firing means, for whoever is woken at 3 a.m.
   */
  readonly means: string;
  /**
   * The first thing to do when it fires.
   */
  readonly firstAction: string;
  /**
   * The `OPERATIONS.md` section with the rest, without `#alarm-`.
   *
   * @default - the kind
   */
  readonly runbookAnchor?: string;
  /**
   * The topic told when the alarm fires and when it recovers.
   */
  readonly topic: ITopic;
}

/**
 * A CloudWatch alarm for the on-call: named after the Region and its kind, described as "what it means /
 * FIRST: what to do / RUNBOOK: where to read on", sent to the topic on alarm and on recovery, and quiet
 * when data is missing.
 */
export class OnCallAlarm extends Construct {
  readonly alarm: Alarm;

  constructor(scope: Construct, id: string, props: OnCallAlarmProps) {
    super(scope, id);
    // "Default" is left out of logical IDs, so the alarm keeps the ID it had before this wrapper existed.
    this.alarm = new Alarm(this, 'Default', {
      alarmName: `${props.prefix}-${props.region}-${props.kind}`,
      alarmDescription: [
        `${props.region}: ${props.means}`,
        `FIRST: ${props.firstAction}`,
        `RUNBOOK: ${RUNBOOK}#alarm-${props.runbookAnchor ?? props.kind}`,
      ].join('\n'),
      metric: props.metric,
      threshold: props.threshold,
      evaluationPeriods: props.evaluationPeriods,
      datapointsToAlarm: props.datapointsToAlarm ?? props.evaluationPeriods,
      comparisonOperator: props.comparison ?? ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      treatMissingData: TreatMissingData.NOT_BREACHING,
    });
    this.alarm.addAlarmAction(new SnsAction(props.topic));
    this.alarm.addOkAction(new SnsAction(props.topic));
  }
}
