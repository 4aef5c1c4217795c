import {
  CfnOutput,
  CrossStackReferences,
  Duration,
  ReferenceStrength,
  Stack,
  type StackProps,
  Tags,
} from 'aws-cdk-lib';
import {
  Alarm,
  AlarmStatusWidget,
  ComparisonOperator,
  Dashboard,
  GraphWidget,
  MathExpression,
  Metric,
  TextWidget,
  TreatMissingData,
} from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import type { CfnPlan } from 'aws-cdk-lib/aws-arcregionswitch';
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import {
  CnameRecord,
  HealthCheck,
  HealthCheckType,
  HostedZone,
  type IHealthCheck,
} from 'aws-cdk-lib/aws-route53';
import type { Construct } from 'constructs';
import { type DomainConfig, type MarketplaceConfig, regionalHostName } from '../config.js';
import { AlarmTopic } from '../constructs/alarm-topic.js';
import { RegionSwitchPlan } from '../constructs/region-switch-plan.js';

export interface FailoverDnsStackProps extends StackProps {
  readonly config: MarketplaceConfig;
  readonly domain: DomainConfig;
  /**
   * Routing control ARN per active Region, when the routing-control cluster is deployed (the failover control
   * stack, in us-west-2); without them this stack carries the Region switch plan on health checks.
   */
  readonly routingControlArns?: ReadonlyMap<string, string>;
}

/** Route 53 health checks probe each Region's deep `/health` this often, and fail after this many misses. */
export const healthCheckTiming = { intervalSeconds: 10, failureThreshold: 3 } as const;
/** TTL of the latency records: with the detection time above it bounds how long clients keep a dead Region. */
export const apiRecordTtlSeconds = 60;
/**
 * Health checkers in several Regions, none of them the only one near the API: Route 53 calls an endpoint
 * healthy while more than 18% of checkers see it healthy, so a checker Region's own trouble cannot fail ours.
 */
export const healthCheckerRegions = [
  'ap-northeast-1',
  'ap-southeast-1',
  'ap-southeast-2',
  'us-west-1',
  'us-west-2',
];

/**
 * DNS failover for the one public hostname, active-active: a latency record per active Region (each Region
 * takes reads and writes, so clients go to the nearest healthy one), each carrying a CALCULATED health check
 * that is healthy only while both its children are:
 * - an HTTPS check of `https://<region>.<apiHostName>/health` (the deep check of every table, through the
 *   Region's custom domain), every 10 s, unhealthy after 3 failures;
 * - the manual switch: by default the health check that the ARC Region switch plan (here) made for the
 *   Region, which deactivating the Region in the plan turns unhealthy (`npm run ops -- drain`, data plane, no
 *   deploy); with the opt-in routing-control cluster, the RECOVERY_CONTROL check of the Region's routing
 *   control instead, which an operator turns OFF.
 *
 * If every record is unhealthy Route 53 answers as if all were healthy (fail open), so draining the last
 * healthy Region cannot take the name off the internet (the cluster's safety rule also prevents it).
 *
 * The records are CNAMEs to the per-Region names (aliases in the region stacks): deterministic targets, so
 * this stack holds no value produced in another Region except the routing control ARNs (with the cluster).
 *
 * In us-east-1 because Route 53 publishes health-check metrics only there: the alarms and the dashboard on
 * them live here, with a topic of their own.
 */
export class FailoverDnsStack extends Stack {
  readonly endpointHealthChecks = new Map<string, HealthCheck>();
  readonly controlHealthChecks = new Map<string, IHealthCheck>();
  readonly regionHealthChecks = new Map<string, HealthCheck>();
  readonly alarms: Alarm[] = [];
  private readonly config: MarketplaceConfig;
  /** The default manual switch; absent when the routing-control cluster is deployed. */
  readonly regionSwitchPlan?: CfnPlan;

  constructor(scope: Construct, id: string, props: FailoverDnsStackProps) {
    super(scope, id, props);
    this.config = props.config;
    // Strong: while these health checks use the routing controls, CloudFormation refuses to delete the
    // control stack (and with it the ARC cluster), which would leave every Region drained.
    CrossStackReferences.of(this).consume(ReferenceStrength.STRONG);
    const { config, domain } = props;
    const prefix = config.tablePrefix;
    const zone = HostedZone.fromHostedZoneAttributes(this, 'Zone', {
      hostedZoneId: domain.hostedZoneId,
      zoneName: domain.zoneName,
    });
    const topic = new AlarmTopic(this, 'Alarms', {
      topicName: `${prefix}-failover-alarms`,
      displayName: 'Marketplace DNS failover alarms',
      email: config.alarmEmail,
    }).topic;

    if (!props.routingControlArns) {
      this.regionSwitchPlan = new RegionSwitchPlan(this, 'RegionSwitch', {
        name: `${prefix}-regions`,
        regions: config.activeRegions,
        step: {
          name: 'health-checks',
          description: 'Turn the health check of the Region this execution acts on',
          executionBlockType: 'Route53HealthCheck',
          executionBlockConfiguration: {
            route53HealthCheckConfig: {
              hostedZoneId: domain.hostedZoneId,
              recordName: domain.apiHostName,
              recordSets: config.activeRegions.map((region) => ({ recordSetIdentifier: region, region })),
              timeoutMinutes: 10,
            },
          },
        },
        permissions: [
          new PolicyStatement({
            actions: ['route53:ListResourceRecordSets'],
            resources: [`arn:${this.partition}:route53:::hostedzone/${domain.hostedZoneId}`],
          }),
        ],
      }).plan;
    }

    for (const region of config.activeRegions) {
      const host = regionalHostName(domain, region);

      const endpoint = new HealthCheck(this, `Endpoint-${region}`, {
        type: HealthCheckType.HTTPS,
        fqdn: host,
        port: 443,
        resourcePath: '/health',
        enableSNI: true,
        requestInterval: Duration.seconds(healthCheckTiming.intervalSeconds),
        failureThreshold: healthCheckTiming.failureThreshold,
        regions: healthCheckerRegions,
        measureLatency: true,
      });
      const control = this.switchOf(region, props.routingControlArns);
      const children = control ? [endpoint, control] : [endpoint];
      const serving = new HealthCheck(this, `Serving-${region}`, {
        type: HealthCheckType.CALCULATED,
        childHealthChecks: children,
        healthThreshold: children.length,
      });
      Tags.of(endpoint).add('Name', `${prefix} ${region} /health`);
      Tags.of(serving).add('Name', `${prefix} ${region} serving (health and manual switch)`);
      this.endpointHealthChecks.set(region, endpoint);
      if (control) this.controlHealthChecks.set(region, control);
      this.regionHealthChecks.set(region, serving);

      new CnameRecord(this, `Latency-${region}`, {
        zone,
        recordName: domain.apiHostName,
        domainName: host,
        ttl: Duration.seconds(apiRecordTtlSeconds),
        region,
        setIdentifier: region,
        healthCheck: serving,
        comment: `Marketplace API: ${region} while its /health passes and its manual switch is on`,
      });

      const status = (healthCheckId: string) =>
        new Metric({
          namespace: 'AWS/Route53',
          metricName: 'HealthCheckStatus',
          statistic: 'Minimum',
          period: Duration.minutes(1),
          dimensionsMap: { HealthCheckId: healthCheckId },
        });
      const endpointAlarm = new Alarm(this, `Alarm-health-check-${region}`, {
        alarmName: `${prefix}-${region}-health-check`,
        alarmDescription: [
          `${region}: Route 53 sees https://${host}/health failing; DNS has stopped sending clients to ${region} (the other Region takes them).`,
          `FIRST: confirm the other Region is healthy and serving (its dashboard, its health-check alarm); then curl https://${host}/health to see which table fails; leave ${region} drained until /health passes.`,
          'RUNBOOK: OPERATIONS.md#alarm-health-check',
        ].join('\n'),
        metric: status(endpoint.healthCheckId),
        threshold: 1,
        comparisonOperator: ComparisonOperator.LESS_THAN_THRESHOLD,
        evaluationPeriods: 1,
        // Route 53 reports a failing endpoint as 0, not as silence; no data (a health check just created)
        // is not a page.
        treatMissingData: TreatMissingData.MISSING,
      });
      this.alarms.push(endpointAlarm);
      new CfnOutput(this, `HealthCheckId${region.replaceAll('-', '')}`, {
        value: endpoint.healthCheckId,
        description: `Route 53 health check of https://${host}/health`,
      });
    }

    const servingMetrics = Object.fromEntries(
      config.activeRegions.map((region, i) => {
        const check = this.regionHealthChecks.get(region) as HealthCheck;
        return [
          `s${i}`,
          new Metric({
            namespace: 'AWS/Route53',
            metricName: 'HealthCheckStatus',
            statistic: 'Minimum',
            period: Duration.minutes(1),
            label: `${region} serving`,
            dimensionsMap: { HealthCheckId: check.healthCheckId },
          }),
        ];
      }),
    );
    const anyServing = new MathExpression({
      label: 'Regions serving',
      expression: Object.keys(servingMetrics).join(' + '),
      usingMetrics: servingMetrics,
      period: Duration.minutes(1),
    });
    this.alarms.push(
      new Alarm(this, 'Alarm-no-region-serving', {
        alarmName: `${prefix}-no-region-serving`,
        alarmDescription: [
          `No Region passes both its /health check and its manual switch (Region switch plan or routing control): Route 53 is answering ${domain.apiHostName} with every Region (fail open), so callers reach Regions that are failing or drained.`,
          'FIRST: check both Regions’ health-check alarms and `npm run ops -- status` (OPERATIONS.md#fail-over); restore (`npm run ops -- restore <region>`) the Region that is healthy.',
          'RUNBOOK: OPERATIONS.md#alarm-no-region-serving',
        ].join('\n'),
        metric: anyServing,
        threshold: 1,
        comparisonOperator: ComparisonOperator.LESS_THAN_THRESHOLD,
        evaluationPeriods: 2,
        treatMissingData: TreatMissingData.MISSING,
      }),
    );
    for (const created of this.alarms) {
      created.addAlarmAction(new SnsAction(topic));
      created.addOkAction(new SnsAction(topic));
    }

    const dashboard = new Dashboard(this, 'Dashboard', {
      dashboardName: `${prefix}-failover`,
      defaultInterval: Duration.hours(3),
    });
    dashboard.addWidgets(
      new TextWidget({
        markdown: `# ${domain.apiHostName}: DNS failover\n1 = healthy. "Serving" = /health passes AND its manual switch (Region switch plan or routing control) is on. Fail over / fail back: OPERATIONS.md.`,
        width: 24,
        height: 2,
      }),
    );
    const statusGraph = (title: string, checks: Map<string, HealthCheck>, statistic = 'Minimum') =>
      new GraphWidget({
        title,
        width: 8,
        left: config.activeRegions.map(
          (region) =>
            new Metric({
              namespace: 'AWS/Route53',
              metricName: title.startsWith('Checkers') ? 'HealthCheckPercentageHealthy' : 'HealthCheckStatus',
              statistic,
              period: Duration.minutes(1),
              label: region,
              dimensionsMap: { HealthCheckId: (checks.get(region) as HealthCheck).healthCheckId },
            }),
        ),
      });
    dashboard.addWidgets(
      statusGraph('Serving (health and manual switch)', this.regionHealthChecks),
      statusGraph('/health status', this.endpointHealthChecks),
      statusGraph('Checkers seeing /health healthy (%)', this.endpointHealthChecks, 'Average'),
    );
    dashboard.addWidgets(
      new AlarmStatusWidget({ title: 'Alarms', alarms: this.alarms, width: 24, height: 4 }),
    );
  }

  /**
   * The Region's manual switch as a child health check: its routing control's, or the one the Region switch
   * plan made for it once recorded in `marketplace:regionSwitchHealthChecks` (none before; /health alone
   * then decides until the next deploy).
   */
  private switchOf(
    region: string,
    routingControlArns?: ReadonlyMap<string, string>,
  ): IHealthCheck | undefined {
    if (routingControlArns) {
      const routingControl = routingControlArns.get(region);
      if (!routingControl) throw new Error(`No routing control for ${region}`);
      const control = new HealthCheck(this, `Control-${region}`, {
        type: HealthCheckType.RECOVERY_CONTROL,
        routingControl,
      });
      Tags.of(control).add('Name', `${this.config.tablePrefix} ${region} routing control`);
      return control;
    }
    const id = this.config.failover.regionSwitchHealthChecks[region];
    return id ? HealthCheck.fromHealthCheckId(this, `RegionSwitch-${region}`, id) : undefined;
  }
}
