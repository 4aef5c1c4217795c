import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Stack } from 'aws-cdk-lib';
import { describe, expect, it } from 'vitest';
import { projectRoot } from '../../infra/constructs/handler-function.js';
import { globalServiceRegions, regionalHostName } from '../../infra/config.js';
import { apiRecordTtlSeconds, healthCheckTiming } from '../../infra/stacks/failover-dns-stack.js';
import { domainContext, exampleDomain, fullContext, resourcesOf, synthesizeMarketplace } from './support.js';

type Props = Record<string, unknown>;
const props = (resource: { Properties?: Props } | undefined) => (resource?.Properties ?? {}) as Props;

interface HealthCheckConfig {
  Type: string;
  FullyQualifiedDomainName?: string;
  ResourcePath?: string;
  Port?: number;
  EnableSNI?: boolean;
  RequestInterval?: number;
  FailureThreshold?: number;
  Regions?: string[];
  RoutingControlArn?: unknown;
  ChildHealthChecks?: { Ref: string }[];
  HealthThreshold?: number;
}

describe('with a custom domain and the opt-in routing-control cluster', () => {
  const { config, marketplace, template } = synthesizeMarketplace(fullContext());
  const failover = marketplace.failover;
  if (!failover?.control) throw new Error('expected the failover stacks');
  const control = template(failover.control);
  const dns = template(failover.dns);

  it('puts the ARC configuration in us-west-2 and the health checks with their alarms in us-east-1', () => {
    expect(failover.control?.region).toBe(globalServiceRegions.recoveryControlConfig);
    expect(failover.control?.region).toBe('us-west-2');
    expect(failover.dns.region).toBe(globalServiceRegions.route53Metrics);
    expect(failover.dns.region).toBe('us-east-1');
  });

  it('has one ARC cluster, a control panel, a routing control per active Region and a safety rule', () => {
    control.resourceCountIs('AWS::Route53RecoveryControl::Cluster', 1);
    control.resourceCountIs('AWS::Route53RecoveryControl::ControlPanel', 1);
    const controls = Object.values(resourcesOf(control, 'AWS::Route53RecoveryControl::RoutingControl')).map(
      (resource) => props(resource).Name,
    );
    expect(controls.sort()).toEqual(
      config.activeRegions.map((region) => `${config.tablePrefix}-${region}`).sort(),
    );
    const rule = props(Object.values(resourcesOf(control, 'AWS::Route53RecoveryControl::SafetyRule'))[0]) as {
      RuleConfig: { Type: string; Threshold: number; Inverted: boolean };
      AssertionRule: { AssertedControls: unknown[] };
    };
    expect(rule.RuleConfig).toEqual({ Type: 'ATLEAST', Threshold: 1, Inverted: false });
    expect(rule.AssertionRule.AssertedControls).toHaveLength(config.activeRegions.length);
  });

  const checks = Object.entries(resourcesOf(dns, 'AWS::Route53::HealthCheck')).map(
    ([id, resource]) => [id, props(resource).HealthCheckConfig as HealthCheckConfig] as const,
  );
  const records = Object.values(resourcesOf(dns, 'AWS::Route53::RecordSet')).map((resource) =>
    props(resource),
  );

  describe.each(config.activeRegions.map((region) => [region]))('for %s', (region) => {
    const host = regionalHostName(exampleDomain, region);
    const endpoint = checks.find(([, check]) => check.FullyQualifiedDomainName === host);

    it('probes https://<region>.<api host>/health every 10 s from several Regions, unhealthy after 3 failures', () => {
      expect(endpoint?.[1]).toMatchObject({
        Type: 'HTTPS',
        ResourcePath: '/health',
        Port: 443,
        EnableSNI: true,
        RequestInterval: healthCheckTiming.intervalSeconds,
        FailureThreshold: healthCheckTiming.failureThreshold,
      });
      expect(healthCheckTiming).toEqual({ intervalSeconds: 10, failureThreshold: 3 });
      expect(endpoint?.[1].Regions?.length).toBeGreaterThanOrEqual(3);
    });

    it('routes the API name to the Region by latency, while /health passes AND its routing control is ON', () => {
      const record = records.find((candidate) => candidate.SetIdentifier === region);
      expect(record).toMatchObject({
        Name: `${exampleDomain.apiHostName}.`,
        Type: 'CNAME',
        Region: region,
        TTL: String(apiRecordTtlSeconds),
        ResourceRecords: [host],
        HostedZoneId: exampleDomain.hostedZoneId,
      });
      const servingId = (record?.HealthCheckId as { Ref: string }).Ref;
      const serving = checks.find(([id]) => id === servingId)?.[1];
      expect(serving?.Type).toBe('CALCULATED');
      expect(serving?.HealthThreshold).toBe(2);
      const children = serving?.ChildHealthChecks?.map((child) => child.Ref) ?? [];
      expect(children).toHaveLength(2);
      expect(children).toContain(endpoint?.[0]);
      const routingControl = checks.find(([id]) => children.includes(id) && id !== endpoint?.[0])?.[1];
      expect(routingControl?.Type).toBe('RECOVERY_CONTROL');
      // The ARN comes from the control stack in us-west-2, through the CDK's cross-Region reference.
      expect(JSON.stringify(routingControl?.RoutingControlArn)).toContain(
        `RoutingControl${region}`.replaceAll('-', ''),
      );
    });

    it('alarms in us-east-1 when Route 53 sees the Region’s /health failing', () => {
      const alarm = Object.values(resourcesOf(dns, 'AWS::CloudWatch::Alarm'))
        .map((resource) => props(resource))
        .find((candidate) => candidate.AlarmName === `${config.tablePrefix}-${region}-health-check`);
      expect(alarm).toMatchObject({
        Namespace: 'AWS/Route53',
        MetricName: 'HealthCheckStatus',
        Dimensions: [{ Name: 'HealthCheckId', Value: { Ref: endpoint?.[0] } }],
        ComparisonOperator: 'LessThanThreshold',
        Threshold: 1,
      });
      expect(alarm?.AlarmActions).toHaveLength(1);
    });

    it('gives the Region a certificate for both names and a regional custom domain for each', () => {
      const stack = marketplace.regions.find((candidate) => candidate.region === region);
      if (!stack) throw new Error(region);
      const t = template(stack);
      const certificate = props(Object.values(resourcesOf(t, 'AWS::CertificateManager::Certificate'))[0]);
      expect(certificate).toMatchObject({
        DomainName: exampleDomain.apiHostName,
        SubjectAlternativeNames: [host],
        ValidationMethod: 'DNS',
      });
      const domains = Object.values(resourcesOf(t, 'AWS::ApiGateway::DomainName')).map((resource) =>
        props(resource),
      );
      expect(domains.map((domain) => domain.DomainName).sort()).toEqual(
        [exampleDomain.apiHostName, host].sort(),
      );
      for (const domain of domains) {
        expect(domain.EndpointConfiguration).toEqual({ Types: ['REGIONAL'] });
        expect(domain.SecurityPolicy).toBe('TLS_1_2');
      }
      const restApi = Object.keys(resourcesOf(t, 'AWS::ApiGateway::RestApi'))[0];
      const mappings = Object.values(resourcesOf(t, 'AWS::ApiGateway::BasePathMapping')).map((m) => props(m));
      expect(mappings).toHaveLength(2);
      for (const mapping of mappings) expect(mapping.RestApiId).toEqual({ Ref: restApi });
      const alias = props(Object.values(resourcesOf(t, 'AWS::Route53::RecordSet'))[0]);
      expect(alias).toMatchObject({ Name: `${host}.`, Type: 'A' });
    });
  });

  it('has an ARC Region switch plan that drains or restores a Region with its routing control', () => {
    const plans = Object.values(resourcesOf(control, 'AWS::ARCRegionSwitch::Plan')).map((p) => props(p));
    expect(plans).toHaveLength(1);
    const plan = plans[0] as {
      Name: string;
      RecoveryApproach: string;
      Regions: string[];
      ExecutionRole: { 'Fn::GetAtt': [string, string] };
      Workflows: {
        WorkflowTargetAction: string;
        Steps: {
          ExecutionBlockType: string;
          ExecutionBlockConfiguration: {
            ArcRoutingControlConfig: {
              RegionAndRoutingControls: Record<string, { RoutingControlArn: unknown; State: string }[]>;
            };
          };
        }[];
      }[];
    };
    expect(plan.Name).toBe('dsm-regions');
    expect(plan.RecoveryApproach).toBe('activeActive');
    expect(plan.Regions).toEqual(['ap-northeast-2', 'ap-northeast-1']);
    expect(plan.Workflows.map((workflow) => workflow.WorkflowTargetAction)).toEqual([
      'deactivate',
      'activate',
    ]);
    for (const workflow of plan.Workflows) {
      expect(workflow.Steps.map((step) => step.ExecutionBlockType)).toEqual(['ARCRoutingControl']);
      const byRegion =
        workflow.Steps[0]?.ExecutionBlockConfiguration.ArcRoutingControlConfig.RegionAndRoutingControls;
      expect(Object.keys(byRegion ?? {})).toEqual(['ap-northeast-2', 'ap-northeast-1']);
      for (const [region, controls] of Object.entries(byRegion ?? {})) {
        expect(controls).toEqual([
          {
            RoutingControlArn: {
              'Fn::GetAtt': [
                expect.stringContaining(`RoutingControl${region.replaceAll('-', '')}`),
                'RoutingControlArn',
              ],
            },
            State: 'On',
          },
        ]);
      }
    }

    const roleId = plan.ExecutionRole['Fn::GetAtt'][0];
    const role = props(resourcesOf(control, 'AWS::IAM::Role')[roleId]) as {
      AssumeRolePolicyDocument: { Statement: { Principal: { Service: string } }[] };
    };
    expect(role.AssumeRolePolicyDocument.Statement[0]?.Principal.Service).toBe(
      'arc-region-switch.amazonaws.com',
    );
    const actions = Object.values(resourcesOf(control, 'AWS::IAM::Policy'))
      .filter((policy) => JSON.stringify(props(policy).Roles) === JSON.stringify([{ Ref: roleId }]))
      .flatMap((policy) =>
        (props(policy).PolicyDocument as { Statement: { Action: string | string[] }[] }).Statement.flatMap(
          (statement) => [statement.Action].flat(),
        ),
      );
    expect(actions.sort()).toEqual([
      'arc-region-switch:GetPlan',
      'arc-region-switch:GetPlanExecution',
      'arc-region-switch:ListPlanExecutions',
      'iam:SimulatePrincipalPolicy',
      'route53-recovery-cluster:GetRoutingControlState',
      'route53-recovery-cluster:UpdateRoutingControlStates',
      'route53-recovery-control-config:DescribeCluster',
      'route53-recovery-control-config:DescribeControlPanel',
    ]);
  });

  it('alarms when no Region is serving, each alarm pointing at its runbook section', () => {
    const alarms = Object.values(resourcesOf(dns, 'AWS::CloudWatch::Alarm')).map((r) => props(r));
    expect(alarms.map((alarm) => alarm.AlarmName)).toContain(`${config.tablePrefix}-no-region-serving`);
    const operations = readFileSync(join(projectRoot, 'OPERATIONS.md'), 'utf8');
    for (const alarm of alarms) {
      const anchor = /RUNBOOK: OPERATIONS\.md#(alarm-[a-z0-9-]+)/.exec(String(alarm.AlarmDescription))?.[1];
      expect(operations).toContain(`<a id="${anchor}"></a>`);
    }
  });
});

describe('with a custom domain and the default failover (Region switch plan on the health checks)', () => {
  const seoulCheck = '0f6e8f5c-1111-4a2b-9c3d-000000000001';
  const first = synthesizeMarketplace(domainContext());
  const recorded = synthesizeMarketplace(
    domainContext({ 'marketplace:regionSwitchHealthChecks': { 'ap-northeast-2': seoulCheck } }),
  );
  const dns = first.template(first.marketplace.failover?.dns as Stack);

  it('deploys no routing-control cluster, and the plan beside the health checks in us-east-1', () => {
    expect(first.marketplace.failover?.control).toBeUndefined();
    expect(first.config.failover.routingControlCluster).toBe(false);
    dns.resourceCountIs('AWS::Route53RecoveryControl::Cluster', 0);
    const plans = Object.values(resourcesOf(dns, 'AWS::ARCRegionSwitch::Plan')).map((p) => props(p));
    expect(plans).toHaveLength(1);
    const plan = plans[0] as {
      RecoveryApproach: string;
      Regions: string[];
      Workflows: { WorkflowTargetAction: string; Steps: Record<string, unknown>[] }[];
    };
    expect(plan.RecoveryApproach).toBe('activeActive');
    expect(plan.Regions).toEqual(['ap-northeast-2', 'ap-northeast-1']);
    expect(plan.Workflows.map((w) => w.WorkflowTargetAction)).toEqual(['deactivate', 'activate']);
    for (const workflow of plan.Workflows) {
      expect(workflow.Steps).toEqual([
        expect.objectContaining({
          ExecutionBlockType: 'Route53HealthCheck',
          ExecutionBlockConfiguration: {
            Route53HealthCheckConfig: {
              HostedZoneId: exampleDomain.hostedZoneId,
              RecordName: exampleDomain.apiHostName,
              RecordSets: [
                { RecordSetIdentifier: 'ap-northeast-2', Region: 'ap-northeast-2' },
                { RecordSetIdentifier: 'ap-northeast-1', Region: 'ap-northeast-1' },
              ],
              TimeoutMinutes: 10,
            },
          },
        }),
      ]);
    }
    const actions = Object.values(resourcesOf(dns, 'AWS::IAM::Policy')).flatMap((policy) =>
      (
        props(policy).PolicyDocument as { Statement: { Action: string | string[]; Resource: unknown }[] }
      ).Statement.filter((st) => [st.Action].flat().includes('route53:ListResourceRecordSets')).map((st) =>
        JSON.stringify(st.Resource),
      ),
    );
    expect(actions).toHaveLength(1);
    expect(actions[0]).toContain(`hostedzone/${exampleDomain.hostedZoneId}`);
  });

  it("joins each Region's plan health check to its DNS health check once recorded, /health alone before", () => {
    const servingOf = (synthesized: typeof first, region: string) => {
      const t = synthesized.template(synthesized.marketplace.failover?.dns as Stack);
      const checks = resourcesOf(t, 'AWS::Route53::HealthCheck');
      const record = Object.values(resourcesOf(t, 'AWS::Route53::RecordSet'))
        .map((r) => props(r))
        .find((r) => r.SetIdentifier === region);
      const id = (record?.HealthCheckId as { Ref: string }).Ref;
      return props(checks[id]).HealthCheckConfig as HealthCheckConfig & { ChildHealthChecks: unknown[] };
    };
    const before = servingOf(first, 'ap-northeast-2');
    expect(before.Type).toBe('CALCULATED');
    expect(before.ChildHealthChecks).toHaveLength(1);
    expect(before.HealthThreshold).toBe(1);
    const after = servingOf(recorded, 'ap-northeast-2');
    expect(after.ChildHealthChecks).toHaveLength(2);
    expect(after.ChildHealthChecks).toContain(seoulCheck);
    expect(after.HealthThreshold).toBe(2);
    expect(servingOf(recorded, 'ap-northeast-1').ChildHealthChecks).toHaveLength(1);
    const recoveryControls = Object.values(resourcesOf(dns, 'AWS::Route53::HealthCheck')).filter(
      (check) => (props(check).HealthCheckConfig as HealthCheckConfig).Type === 'RECOVERY_CONTROL',
    );
    expect(recoveryControls).toHaveLength(0);
  });

  it('refuses a recorded health check that is not an ID or not of an active Region', () => {
    expect(() =>
      synthesizeMarketplace(
        domainContext({ 'marketplace:regionSwitchHealthChecks': { 'us-east-1': 'not-an-id' } }),
      ),
    ).toThrow(
      /regionSwitchHealthChecks\.us-east-1 is not an active Region[\s\S]*must be a Route 53 health check ID/,
    );
    expect(() =>
      synthesizeMarketplace(domainContext({ 'marketplace:routingControlCluster': 'yes' })),
    ).toThrow(/routingControlCluster must be true or false/);
  });
});
