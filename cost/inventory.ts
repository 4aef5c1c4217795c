/**
 * What the CDK app deploys, counted from its synthesized CloudFormation templates (asset bundling skipped, so
 * no esbuild run): functions and their memory, tables with their replicas, witness and indexes, alarms and the
 * metrics each one bills, dashboards, web ACL rules, keys, backup rules, health checks and ARC resources. The
 * cost model prices this inventory, so a construct added to `infra/` shows up here without a code change.
 */
import { readFileSync } from 'node:fs';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App } from 'aws-cdk-lib';
import { loadConfig } from '../infra/config.js';
import { projectRoot } from '../infra/constructs/handler-function.js';
import { buildMarketplace } from '../infra/marketplace.js';

export interface FunctionInventory {
  /** The handler, from `POWERTOOLS_SERVICE_NAME` (`marketplace-<handler>`). */
  readonly name: string;
  readonly memoryMb: number;
  readonly arm: boolean;
  readonly tracing: boolean;
}

export interface TableInventory {
  readonly name: string;
  /** `EVENTUAL` (MREC global table), `STRONG` (MRSC), or `SINGLE` (one replica). */
  readonly consistency: 'EVENTUAL' | 'STRONG' | 'SINGLE';
  readonly replicas: readonly string[];
  readonly witness?: string;
  readonly gsis: number;
  readonly pitr: boolean;
  readonly stream: boolean;
}

export interface MonitoringInventory {
  readonly alarms: number;
  /** What CloudWatch bills: one per alarm on a single metric, one per metric in a metric-math alarm. */
  readonly alarmMetrics: number;
  readonly dashboards: number;
  readonly logGroups: number;
  readonly kmsKeys: number;
}

export interface RegionInventory extends MonitoringInventory {
  readonly region: string;
  /** Our Lambda functions (CDK's deploy-time custom-resource functions are left out: they run at deploy only). */
  readonly functions: readonly FunctionInventory[];
  readonly webAcls: number;
  readonly wafRules: number;
  readonly apiTracing: boolean;
  /** Tables that exist in this Region only (projections). */
  readonly regionalTables: readonly TableInventory[];
}

export interface BackupInventory {
  readonly region: string;
  /** Regions every recovery point is also copied to. */
  readonly copyTo: readonly string[];
  /** Recovery points kept at a time, from each rule's schedule and retention (e.g. 35 daily + 12 monthly). */
  readonly recoveryPointsKept: number;
}

export interface HealthCheckInventory {
  readonly type: string;
  readonly intervalSeconds?: number;
  readonly measureLatency?: boolean;
  /** Health-checker Regions that probe the endpoint. */
  readonly checkerRegions?: number;
  /** HTTPS instead of HTTP (an optional feature on Route 53's price list). */
  readonly https?: boolean;
}

export interface FailoverInventory extends MonitoringInventory {
  readonly clusters: number;
  readonly routingControls: number;
  readonly regionSwitchPlans: number;
  readonly healthChecks: readonly HealthCheckInventory[];
  readonly records: number;
}

export interface Inventory {
  readonly activeRegions: readonly string[];
  readonly witness: string;
  readonly regions: readonly RegionInventory[];
  /** The global tables of the data stack. */
  readonly tables: readonly TableInventory[];
  readonly backups: readonly BackupInventory[];
  /** Only with a domain. */
  readonly failover?: FailoverInventory;
}

/** A synthesized stack: its Region and its template's resources. */
export interface StackTemplate {
  readonly name: string;
  readonly region: string;
  readonly resources: Readonly<Record<string, { Type: string; Properties?: Record<string, unknown> }>>;
}

/**
 * The committed `cdk.json` context with an example domain: the default stacks with their failover (health
 * checks and the Region switch plan; the routing-control cluster is an option, `alternatives` in model.ts).
 */
export function deploymentContext(): Record<string, unknown> {
  const cdkJson = JSON.parse(readFileSync(join(projectRoot, 'cdk.json'), 'utf8')) as {
    context: Record<string, unknown>;
  };
  return {
    ...cdkJson.context,
    'marketplace:domain': {
      zoneName: 'marketplace.go.kr',
      hostedZoneId: 'Z0123456789ABCDEFGHIJ',
      apiHostName: 'api.marketplace.go.kr',
    },
  };
}

/** Synthesizes the app (bundling skipped) into a temporary directory and returns every stack's template. */
export function synthesizeTemplates(context = deploymentContext()): StackTemplate[] {
  const outdir = mkdtempSync(join(tmpdir(), 'cost-synth-'));
  try {
    const app = new App({ context: { ...context, 'aws:cdk:bundling-stacks': [] }, outdir });
    buildMarketplace(app, loadConfig(context), '111111111111');
    return app.synth().stacks.map((stack) => ({
      name: stack.stackName,
      region: stack.environment.region,
      resources: (stack.template as { Resources: StackTemplate['resources'] }).Resources,
    }));
  } finally {
    rmSync(outdir, { recursive: true, force: true });
  }
}

type Props = Record<string, unknown>;
const propsOf = (stack: StackTemplate, type: string): Props[] =>
  Object.values(stack.resources)
    .filter((r) => r.Type === type)
    .map((r) => r.Properties ?? {});
const countOf = (stack: StackTemplate, type: string) => propsOf(stack, type).length;

function monitoring(stack: StackTemplate): MonitoringInventory {
  const alarms = propsOf(stack, 'AWS::CloudWatch::Alarm');
  return {
    alarms: alarms.length,
    alarmMetrics: alarms.reduce((sum, a) => {
      const metrics = a.Metrics as { MetricStat?: unknown }[] | undefined;
      return sum + (metrics ? metrics.filter((m) => m.MetricStat !== undefined).length : 1);
    }, 0),
    dashboards: countOf(stack, 'AWS::CloudWatch::Dashboard'),
    logGroups: countOf(stack, 'AWS::Logs::LogGroup'),
    kmsKeys: countOf(stack, 'AWS::KMS::Key'),
  };
}

export function tableOf(props: Props): TableInventory {
  const replicas = (props.Replicas as { Region: string; PointInTimeRecoverySpecification?: Props }[]) ?? [];
  const witness = (props.GlobalTableWitnesses as { Region: string }[] | undefined)?.[0]?.Region;
  const consistency =
    replicas.length < 2 ? 'SINGLE' : props.MultiRegionConsistency === 'STRONG' ? 'STRONG' : 'EVENTUAL';
  return {
    name: typeof props.TableName === 'string' ? props.TableName : 'table',
    consistency,
    replicas: replicas.map((r) => r.Region),
    ...(witness ? { witness } : {}),
    gsis: ((props.GlobalSecondaryIndexes as unknown[]) ?? []).length,
    pitr: replicas.every((r) => r.PointInTimeRecoverySpecification?.PointInTimeRecoveryEnabled === true),
    stream: props.StreamSpecification !== undefined,
  };
}

/** Days between two runs of an AWS Backup `cron(min hour day-of-month month day-of-week year)` expression. */
export function cronIntervalDays(expression: string): number {
  const fields = /^cron\((.*)\)$/.exec(expression)?.[1]?.split(/\s+/) ?? [];
  const [, , dayOfMonth, month, dayOfWeek] = fields;
  if (month !== undefined && month !== '*' && month !== '?') return 365;
  if (dayOfMonth !== undefined && dayOfMonth !== '*' && dayOfMonth !== '?') return 30;
  if (dayOfWeek !== undefined && dayOfWeek !== '*' && dayOfWeek !== '?') return 7;
  return 1;
}

/** Counts what is deployed from the stacks' templates (see {@link synthesizeTemplates}). */
export function inventoryOf(stacks: readonly StackTemplate[], activeRegions: readonly string[]): Inventory {
  const data = stacks.find((s) => propsOf(s, 'AWS::DynamoDB::GlobalTable').some((t) => t.Replicas));
  const tables = (data ? propsOf(data, 'AWS::DynamoDB::GlobalTable') : [])
    .map(tableOf)
    .filter((t) => t.replicas.length > 1);
  const regionStacks = activeRegions.map((region) => {
    const stack = stacks.find((s) => s.region === region && countOf(s, 'AWS::ApiGateway::RestApi') > 0);
    if (!stack) throw new Error(`no region stack with an API in ${region}`);
    return stack;
  });
  const regions = regionStacks.map((stack): RegionInventory => {
    const functions = propsOf(stack, 'AWS::Lambda::Function').flatMap((f): FunctionInventory[] => {
      const env = (f.Environment as { Variables?: Record<string, unknown> } | undefined)?.Variables;
      const service = env?.POWERTOOLS_SERVICE_NAME;
      if (typeof service !== 'string' || !service.startsWith('marketplace-')) return [];
      return [
        {
          name: service.slice('marketplace-'.length),
          memoryMb: typeof f.MemorySize === 'number' ? f.MemorySize : 128,
          arm: ((f.Architectures as string[]) ?? []).includes('arm64'),
          tracing: (f.TracingConfig as { Mode?: string } | undefined)?.Mode === 'Active',
        },
      ];
    });
    const acls = propsOf(stack, 'AWS::WAFv2::WebACL');
    return {
      region: stack.region,
      functions,
      ...monitoring(stack),
      webAcls: acls.length,
      wafRules: acls.reduce((sum, acl) => sum + ((acl.Rules as unknown[]) ?? []).length, 0),
      apiTracing: propsOf(stack, 'AWS::ApiGateway::Stage').some((s) => s.TracingEnabled === true),
      regionalTables: propsOf(stack, 'AWS::DynamoDB::GlobalTable').map(tableOf),
    };
  });
  const backups = stacks.flatMap((stack): BackupInventory[] =>
    propsOf(stack, 'AWS::Backup::BackupPlan').map((plan) => {
      const rules =
        (plan.BackupPlan as { BackupPlanRule?: Props[] } | undefined)?.BackupPlanRule ?? ([] as Props[]);
      const copyTo = new Set<string>();
      let kept = 0;
      for (const rule of rules) {
        const days = (rule.Lifecycle as { DeleteAfterDays?: number } | undefined)?.DeleteAfterDays ?? 0;
        kept += Math.ceil(days / cronIntervalDays(String(rule.ScheduleExpression)));
        for (const copy of (rule.CopyActions as Props[]) ?? []) {
          const region = /:backup:([a-z0-9-]+):/.exec(JSON.stringify(copy.DestinationBackupVaultArn))?.[1];
          if (region) copyTo.add(region);
        }
      }
      return { region: stack.region, copyTo: [...copyTo], recoveryPointsKept: kept };
    }),
  );
  const control = stacks.find((s) => countOf(s, 'AWS::Route53RecoveryControl::Cluster') > 0);
  const dns = stacks.find((s) => countOf(s, 'AWS::Route53::HealthCheck') > 0);
  const failover: FailoverInventory | undefined =
    control || dns
      ? {
          ...sumMonitoring([control, dns].filter((s): s is StackTemplate => s !== undefined).map(monitoring)),
          clusters: control ? countOf(control, 'AWS::Route53RecoveryControl::Cluster') : 0,
          routingControls: control ? countOf(control, 'AWS::Route53RecoveryControl::RoutingControl') : 0,
          regionSwitchPlans: [control, dns].reduce(
            (n, s) => n + (s ? countOf(s, 'AWS::ARCRegionSwitch::Plan') : 0),
            0,
          ),
          healthChecks: (dns ? propsOf(dns, 'AWS::Route53::HealthCheck') : []).map((h) => {
            const c = (h.HealthCheckConfig ?? {}) as Props;
            const type = String(c.Type);
            return {
              type,
              ...(typeof c.RequestInterval === 'number' ? { intervalSeconds: c.RequestInterval } : {}),
              ...(typeof c.MeasureLatency === 'boolean' ? { measureLatency: c.MeasureLatency } : {}),
              ...(Array.isArray(c.Regions) ? { checkerRegions: c.Regions.length } : {}),
              ...(type.startsWith('HTTP') ? { https: type.startsWith('HTTPS') } : {}),
            };
          }),
          records: dns ? countOf(dns, 'AWS::Route53::RecordSet') : 0,
        }
      : undefined;
  const witness = tables.find((t) => t.witness)?.witness ?? '';
  return { activeRegions, witness, regions, tables, backups, ...(failover ? { failover } : {}) };
}

function sumMonitoring(parts: readonly MonitoringInventory[]): MonitoringInventory {
  const sum = (key: keyof MonitoringInventory) => parts.reduce((s, p) => s + p[key], 0);
  return {
    alarms: sum('alarms'),
    alarmMetrics: sum('alarmMetrics'),
    dashboards: sum('dashboards'),
    logGroups: sum('logGroups'),
    kmsKeys: sum('kmsKeys'),
  };
}

/** The deployed inventory, from a fresh synth of the app with the committed context and a domain. */
export function deployedInventory(): Inventory {
  const context = deploymentContext();
  const config = loadConfig(context);
  return inventoryOf(synthesizeTemplates(context), config.activeRegions);
}
