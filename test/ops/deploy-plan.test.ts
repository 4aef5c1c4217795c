import { describe, expect, it } from 'vitest';
import { type DeployExecutor, type DeployStep, deployPlan, runRelease } from '../../ops/deploy-plan.js';

const topology = {
  prefix: 'dsm',
  primary: 'ap-northeast-2',
  secondary: 'ap-northeast-1',
  dataStack: 'dsm-data',
  regionStacks: {
    'ap-northeast-2': ['dsm-region-ap-northeast-2', 'dsm-backup-ap-northeast-2'],
    'ap-northeast-1': ['dsm-region-ap-northeast-1', 'dsm-backup-ap-northeast-1'],
  },
  globalStacks: ['dsm-failover-control', 'dsm-failover-dns'],
};

const summary = (steps: readonly DeployStep[]) =>
  steps.map((step) => (step.kind === 'deploy' ? `deploy ${step.stacks.join('+')}` : `bake ${step.region}`));

/** Records what a release did; the alarms fire in the Regions named. */
function recorder(firingIn: readonly string[] = [], failingStack?: string) {
  const done: string[] = [];
  const executor: DeployExecutor = {
    async deploy(step) {
      if (failingStack && step.stacks.includes(failingStack)) throw new Error('CodeDeploy rolled back');
      done.push(`deploy ${step.stacks.join('+')}`);
    },
    async bake(step) {
      done.push(`bake ${step.region}`);
      return firingIn.includes(step.region) ? [`dsm-${step.region}-api-5xx-rate`] : [];
    },
  };
  return { executor, done };
}

describe('release plan', () => {
  it('deploys the data stack alone, then the secondary, a bake, the primary, a bake, then the global stacks', () => {
    expect(summary(deployPlan(topology))).toEqual([
      'deploy dsm-data',
      'deploy dsm-region-ap-northeast-1+dsm-backup-ap-northeast-1',
      'bake ap-northeast-1',
      'deploy dsm-region-ap-northeast-2+dsm-backup-ap-northeast-2',
      'bake ap-northeast-2',
      'deploy dsm-failover-control+dsm-failover-dns',
    ]);
  });

  it('never changes both Regions in one step, and bakes 30 minutes on each Region’s own alarms', () => {
    for (const step of deployPlan(topology)) {
      if (step.kind === 'deploy') {
        const regions = new Set(
          step.stacks.map((stack) => stack.match(/ap-northeast-\d/)?.[0]).filter(Boolean),
        );
        expect(regions.size).toBeLessThanOrEqual(1);
      } else {
        expect(step.minutes).toBe(30);
        expect(step.alarmPrefix).toBe(`dsm-${step.region}-`);
      }
    }
  });

  it('without a domain has no global step', () => {
    expect(summary(deployPlan({ ...topology, globalStacks: [] })).at(-1)).toBe('bake ap-northeast-2');
  });

  it('runs every step in order when nothing fires', async () => {
    const { executor, done } = recorder();
    await expect(runRelease(deployPlan(topology), executor, () => {})).resolves.toEqual({
      status: 'released',
      steps: 6,
    });
    expect(done).toEqual(summary(deployPlan(topology)));
  });

  it('stops after the secondary’s bake when an alarm fires there: the primary keeps the old code', async () => {
    const { executor, done } = recorder(['ap-northeast-1']);
    const outcome = await runRelease(deployPlan(topology), executor, () => {});
    expect(outcome).toEqual({
      status: 'stopped',
      atStep: 3,
      reason: 'alarm in ap-northeast-1: dsm-ap-northeast-1-api-5xx-rate',
    });
    expect(done.some((line) => line.includes('ap-northeast-2'))).toBe(false);
  });

  it('stops when a Region’s deploy fails (a canary rolled back), before any bake or the other Region', async () => {
    const { executor, done } = recorder([], 'dsm-region-ap-northeast-1');
    const outcome = await runRelease(deployPlan(topology), executor, () => {});
    expect(outcome).toMatchObject({ status: 'stopped', atStep: 2 });
    expect(done).toEqual(['deploy dsm-data']);
  });
});
