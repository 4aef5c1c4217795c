import { describe, expect, it } from 'vitest';
import { apiFunctions } from '../../functions/routes.js';
import { LIVE_ALIAS } from '../../infra/constructs/handler-function.js';
import { logicalId, resourcesOf, synthesizeRegionStack } from './support.js';

type Props = Record<string, unknown>;

const everyFunction = [...apiFunctions, 'authorizer', 'projector', 'selection-expiry'];

describe('safe deployments in a region stack', () => {
  const { stack, template: t } = synthesizeRegionStack('ap-northeast-1');
  const aliases = resourcesOf(t, 'AWS::Lambda::Alias');
  const groups = resourcesOf(t, 'AWS::CodeDeploy::DeploymentGroup');
  const alarmName = (kind: string) => {
    const alarm = stack.monitoring.alarms.get(kind as never);
    if (!alarm) throw new Error(`no alarm ${kind}`);
    return { Name: { Ref: logicalId(alarm) } };
  };

  it('publishes every function of ours as a version behind a "live" alias', () => {
    expect([...stack.deployments.aliases.keys()].sort()).toEqual([...everyFunction].sort());
    expect(Object.keys(aliases)).toHaveLength(everyFunction.length);
    for (const name of everyFunction) {
      const alias = aliases[logicalId(stack.deployments.aliases.get(name) as never)];
      const props = alias?.Properties as Props;
      expect(props.Name, name).toBe(LIVE_ALIAS);
      // the alias points at a published version (never $LATEST), and CodeDeploy moves it
      expect(JSON.stringify(props.FunctionVersion), name).toMatch(/CurrentVersion.*"Version"/);
      expect(alias?.UpdatePolicy, name).toMatchObject({ CodeDeployLambdaAliasUpdate: {} });
    }
    // Old versions stay: they are what a rollback moves the alias back to.
    for (const version of Object.values(resourcesOf(t, 'AWS::Lambda::Version'))) {
      expect(version.DeletionPolicy).toBe('Retain');
    }
  });

  it('shifts each API function and the authorizer 10 % for 10 minutes, rolling back on its own alarms', () => {
    expect(Object.keys(groups)).toHaveLength(everyFunction.length);
    for (const name of [...apiFunctions, 'authorizer']) {
      const group = stack.deployments.groups.get(name);
      const props = groups[logicalId(group as never)]?.Properties as Props;
      expect(props.DeploymentConfigName, name).toBe('CodeDeployDefault.LambdaCanary10Percent10Minutes');
      expect(props.AlarmConfiguration, name).toEqual({
        Enabled: true,
        Alarms: [alarmName(`lambda-errors-${name}`), alarmName('api-5xx-rate'), alarmName('api-latency-p99')],
      });
      expect(props.AutoRollbackConfiguration, name).toEqual({
        Enabled: true,
        Events: ['DEPLOYMENT_FAILURE', 'DEPLOYMENT_STOP_ON_REQUEST', 'DEPLOYMENT_STOP_ON_ALARM'],
      });
    }
  });

  it('rolls the projector back on its errors, lag or dead letters; the daily job on its errors', () => {
    const propsOf = (name: string) =>
      groups[logicalId(stack.deployments.groups.get(name) as never)]?.Properties as Props;
    expect(propsOf('projector')).toMatchObject({
      DeploymentConfigName: 'CodeDeployDefault.LambdaCanary10Percent10Minutes',
      AlarmConfiguration: {
        Alarms: [
          alarmName('lambda-errors-projector'),
          alarmName('projector-iterator-age'),
          alarmName('projector-dlq'),
        ],
      },
      AutoRollbackConfiguration: { Enabled: true },
    });
    expect(propsOf('selection-expiry')).toMatchObject({
      DeploymentConfigName: 'CodeDeployDefault.LambdaAllAtOnce',
      AlarmConfiguration: { Alarms: [alarmName('lambda-errors-selection-expiry')] },
      AutoRollbackConfiguration: { Enabled: true },
    });
  });

  it('lets API Gateway, EventBridge and the stream mappings invoke aliases only', () => {
    const aliasIds = new Set(Object.keys(aliases));
    const permissions = Object.values(resourcesOf(t, 'AWS::Lambda::Permission'));
    expect(permissions.length).toBeGreaterThan(0);
    for (const permission of permissions) {
      const target = ((permission.Properties as Props).FunctionName as { Ref?: string }).Ref;
      expect(aliasIds.has(target ?? '')).toBe(true);
    }
    const schedule = Object.values(resourcesOf(t, 'AWS::Events::Rule'))[0]?.Properties as Props;
    expect(schedule.Targets).toMatchObject([
      { Arn: { Ref: logicalId(stack.deployments.aliases.get('selection-expiry') as never) } },
    ]);
    for (const mapping of Object.values(resourcesOf(t, 'AWS::Lambda::EventSourceMapping'))) {
      expect(JSON.stringify((mapping.Properties as Props).FunctionName)).toContain(
        `"Ref":"${logicalId(stack.deployments.aliases.get('projector') as never)}"`,
      );
    }
  });
});
