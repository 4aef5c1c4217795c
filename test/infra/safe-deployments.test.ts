import { describe, expect, it } from 'vitest';
import { apiFunctions } from '../../functions/routes.js';
import { LIVE_ALIAS } from '../../infra/constructs/handler-function.js';
import { PRE_TRAFFIC_HOOK_SOURCE } from '../../infra/constructs/safe-deployments.js';
import { logicalId, resourcesOf, synthesizeRegionStack } from './support.js';

type Props = Record<string, unknown>;

const everyFunction = [...apiFunctions, 'authorizer', 'projector', 'selection-expiry', 'webhook-delivery'];

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
    const aliasRef = (name: string) => ({ Ref: logicalId(stack.deployments.aliases.get(name) as never) });
    // The daily job, and the minute sweep of due webhook deliveries.
    const scheduleTargets = Object.values(resourcesOf(t, 'AWS::Events::Rule')).map(
      (rule) => (rule.Properties as Props).Targets as { Arn: unknown }[],
    );
    expect(scheduleTargets.map((targets) => targets.map((target) => target.Arn))).toEqual(
      expect.arrayContaining([[aliasRef('selection-expiry')], [aliasRef('webhook-delivery')]]),
    );
    expect(scheduleTargets).toHaveLength(2);
    const streamReaders = ['projector', 'webhook-delivery'].map((name) => JSON.stringify(aliasRef(name)));
    for (const mapping of Object.values(resourcesOf(t, 'AWS::Lambda::EventSourceMapping'))) {
      const target = JSON.stringify((mapping.Properties as Props).FunctionName);
      expect(streamReaders.some((alias) => target.includes(alias))).toBe(true);
    }
  });

  it('runs the pre-traffic health hook before every shift, allowed to invoke the new health version only', () => {
    const hookId = logicalId(stack.deployments.preTrafficHook);
    for (const alias of Object.values(aliases)) {
      expect(alias.UpdatePolicy).toMatchObject({
        CodeDeployLambdaAliasUpdate: { BeforeAllowTrafficHook: { Ref: hookId } },
      });
    }
    const hook = resourcesOf(t, 'AWS::Lambda::Function')[hookId]?.Properties as Props;
    expect(hook.Architectures).toEqual(['arm64']);
    expect(JSON.stringify(hook.Environment)).toMatch(/HEALTH_VERSION_ARN.*HealthApiFunctionCurrentVersion/);
  });
});

/** Runs the hook's inline code with stand-ins for the two AWS SDK clients the runtime provides. */
async function runHook(health: { statusCode?: number; functionError?: string; throws?: boolean }) {
  const reported: Record<string, unknown>[] = [];
  const invoked: Record<string, unknown>[] = [];
  const sdk = {
    '@aws-sdk/client-lambda': {
      InvokeCommand: class {
        constructor(readonly input: Record<string, unknown>) {}
      },
      LambdaClient: class {
        async send(command: { input: Record<string, unknown> }) {
          invoked.push(command.input);
          if (health.throws) throw new Error('TooManyRequestsException');
          const body = JSON.stringify({ statusCode: health.statusCode, body: '{"status":"ok"}' });
          return { FunctionError: health.functionError, Payload: new TextEncoder().encode(body) };
        }
      },
    },
    '@aws-sdk/client-codedeploy': {
      PutLifecycleEventHookExecutionStatusCommand: class {
        constructor(readonly input: Record<string, unknown>) {}
      },
      CodeDeployClient: class {
        async send(command: { input: Record<string, unknown> }) {
          reported.push(command.input);
          return {};
        }
      },
    },
  };
  const module = { exports: {} as { handler?: (event: unknown) => Promise<void> } };
  const log = console.log;
  console.log = () => {};
  try {
    new Function('require', 'exports', 'module', 'process', 'Buffer', PRE_TRAFFIC_HOOK_SOURCE)(
      (name: keyof typeof sdk) => sdk[name],
      module.exports,
      module,
      { env: { HEALTH_VERSION_ARN: 'arn:aws:lambda:ap-northeast-1:111111111111:function:health:7' } },
      Buffer,
    );
    await module.exports.handler?.({ DeploymentId: 'd-1', LifecycleEventHookExecutionId: 'h-1' });
  } finally {
    console.log = log;
  }
  return { reported, invoked };
}

describe('pre-traffic health hook', () => {
  it('lets the shift start when the new health version answers 200', async () => {
    const { reported, invoked } = await runHook({ statusCode: 200 });
    expect(invoked[0]?.FunctionName).toBe('arn:aws:lambda:ap-northeast-1:111111111111:function:health:7');
    expect(JSON.parse(Buffer.from(invoked[0]?.Payload as Uint8Array).toString())).toMatchObject({
      httpMethod: 'GET',
      resource: '/health',
    });
    expect(reported).toEqual([
      { deploymentId: 'd-1', lifecycleEventHookExecutionId: 'h-1', status: 'Succeeded' },
    ]);
  });

  it('fails the deployment on a 503, a crash of the new version, or an invoke that fails', async () => {
    for (const health of [
      { statusCode: 503 },
      { statusCode: 200, functionError: 'Unhandled' },
      { throws: true },
    ]) {
      const { reported } = await runHook(health);
      expect(reported, JSON.stringify(health)).toEqual([
        { deploymentId: 'd-1', lifecycleEventHookExecutionId: 'h-1', status: 'Failed' },
      ]);
    }
  });
});
