import { App, Stack, Validations } from 'aws-cdk-lib';
import { Queue } from 'aws-cdk-lib/aws-sqs';
import { AwsSolutionsChecks } from 'cdk-nag';
import type { IConstruct } from 'constructs';
import { describe, expect, it } from 'vitest';
import { registerNagChecks } from '../../infra/nag.js';
import { fullContext, synthesizeMarketplace } from './support.js';

/** Every acknowledgement in the tree: where it sits, which finding, and why. */
function acknowledgements(root: IConstruct) {
  return root.node.findAll().flatMap((construct) =>
    construct.node.metadata
      .filter((entry) => entry.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY)
      .flatMap((entry) =>
        Object.entries(entry.data as Record<string, string>).map(([id, reason]) => ({
          path: construct.node.path,
          construct,
          id: id.replace(/^annotation::/i, ''),
          reason,
        })),
      ),
  );
}

/**
 * Every optional part switched on (custom domain, failover stacks, alarm e-mail): the committed context builds
 * a subset of these same constructs, and `cdk synth` checks it with the same plugin on every run.
 */
describe('cdk-nag AwsSolutions on the whole app', () => {
  const { app, marketplace, template } = synthesizeMarketplace(fullContext());
  // Registered as app.ts does, so the synthesis below runs the checks and throws on any unacknowledged error.
  registerNagChecks(app);
  const stacks = [
    marketplace.data,
    ...marketplace.regions,
    ...marketplace.backups,
    ...(marketplace.failover?.control ? [marketplace.failover.control] : []),
    ...(marketplace.failover ? [marketplace.failover.dns] : []),
  ];
  for (const stack of stacks) template(stack);

  it('builds every stack, the failover ones included', () => {
    expect(stacks).toHaveLength(7);
  });

  it('reports no unacknowledged error or warning', () => {
    const report = new AwsSolutionsChecks().validateScope(app);
    const findings = report.violations.map(
      (violation) =>
        `${violation.severity} ${violation.ruleName}: ${violation.violatingResources.map((r) => r.constructPath).join(', ')}`,
    );
    expect(findings).toEqual([]);
    expect(report.success).toBe(true);
  });

  it('acknowledges each finding on a resource, never on a whole stack, and always with a reason', () => {
    const found = acknowledgements(app);
    expect(found.length).toBeGreaterThan(0);
    for (const acknowledgement of found) {
      expect(Stack.isStack(acknowledgement.construct), acknowledgement.path).toBe(false);
      expect(acknowledgement.id).toMatch(/^AwsSolutions-[A-Z]+\d+(\[.+\])?$/);
      expect(
        acknowledgement.reason.length,
        `${acknowledgement.path} ${acknowledgement.id}`,
      ).toBeGreaterThanOrEqual(60);
    }
    // IAM5 is only ever acknowledged for a named wildcard, never for the rule as a whole.
    expect(found.filter((a) => a.id === 'AwsSolutions-IAM5')).toEqual([]);
  });
});

describe('the cdk-nag plugin of the app', () => {
  it('fails synthesis on an unacknowledged finding', () => {
    const app = new App();
    new Queue(new Stack(app, 'Probe', { env: { region: 'ap-northeast-2' } }), 'PlainQueue');
    registerNagChecks(app);
    expect(() => app.synth()).toThrow(/AwsSolutions-SQS4/);
  });
});
