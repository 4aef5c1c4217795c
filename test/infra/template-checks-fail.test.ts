import { beforeAll, describe, expect, it } from 'vitest';
import { type GuardResult, runGuard } from './cfn-guard.js';
import { type CfnTemplate, checkTemplate, cfnSpec } from './cfn-schema-check.js';
import { byName, copy, firstOf, props, type Resources, templatesOf } from './templates.js';

/**
 * A check that never fails proves nothing: the schema check and each DR guard rule, on copies of the
 * synthesized templates broken in one place each.
 */
describe('the checks fail on templates that break them', () => {
  let data: CfnTemplate;
  let region: CfnTemplate;
  beforeAll(() => {
    const templates = templatesOf('committed');
    data = byName(templates, 'dsm-data');
    region = byName(templates, 'dsm-region-ap-northeast-2');
    cfnSpec();
  });

  describe('schema check', () => {
    it('catches a value outside the allowed ones (the ledger "STRONGEST")', () => {
      const broken = copy(data);
      const ledger = firstOf(
        broken,
        'AWS::DynamoDB::GlobalTable',
        (p) => p.MultiRegionConsistency === 'STRONG',
      );
      props(broken, ledger).MultiRegionConsistency = 'STRONGEST';
      expect(checkTemplate(broken)).toEqual([
        {
          path: `Resources.${ledger}.Properties.MultiRegionConsistency`,
          message: '"STRONGEST" is not one of EVENTUAL, STRONG',
        },
      ]);
    });

    it('catches a misspelled property (Runtme)', () => {
      const broken = copy(region);
      const fn = firstOf(broken, 'AWS::Lambda::Function');
      const fnProps = props(broken, fn);
      fnProps.Runtme = fnProps.Runtime;
      delete fnProps.Runtime;
      expect(checkTemplate(broken)).toEqual([
        {
          path: `Resources.${fn}.Properties.Runtme`,
          message: 'unknown property Runtme (did you mean Runtime?)',
        },
      ]);
    });

    it('catches a missing required property (a function without Code)', () => {
      const broken = copy(region);
      const fn = firstOf(broken, 'AWS::Lambda::Function');
      delete props(broken, fn).Code;
      expect(checkTemplate(broken)).toEqual([
        { path: `Resources.${fn}.Properties`, message: 'required property Code is missing' },
      ]);
    });

    it('catches a wrong type, a wrong nested property, an unknown attribute and an unknown type', () => {
      const broken = copy(region);
      const fn = firstOf(broken, 'AWS::Lambda::Function');
      props(broken, fn).MemorySize = 'plenty';
      const group = firstOf(broken, 'AWS::CodeDeploy::DeploymentGroup');
      (props(broken, group).AutoRollbackConfiguration as Record<string, unknown>).Enable = true;
      const alias = firstOf(broken, 'AWS::Lambda::Alias');
      const version = props(broken, alias).FunctionVersion as { 'Fn::GetAtt': [string, string] };
      version['Fn::GetAtt'][1] = 'VersionNumber';
      const queue = firstOf(broken, 'AWS::SQS::Queue');
      (broken.Resources as Resources)[queue] = {
        ...(broken.Resources as Resources)[queue],
        Type: 'AWS::SQS::Queu',
      };
      const messages = checkTemplate(broken).map((problem) => problem.message);
      expect(messages).toEqual(
        expect.arrayContaining([
          'expected an integer, got "plenty"',
          'unknown property Enable (did you mean Enabled?)',
          expect.stringMatching(/^AWS::Lambda::Version has no attribute VersionNumber/),
          'unknown resource type AWS::SQS::Queu',
        ]),
      );
      expect(messages).toHaveLength(4);
    });
  });

  describe('guard rules', () => {
    /** name of the case → [the rule it must break, the broken template] */
    const cases = new Map<string, [string, () => CfnTemplate]>();
    let results: Map<string, GuardResult>;

    cases.set('replica without PITR', [
      'global_table_replicas_protected',
      () => {
        const broken = copy(data);
        const catalog = firstOf(broken, 'AWS::DynamoDB::GlobalTable');
        const replicas = props(broken, catalog).Replicas as Record<string, unknown>[];
        replicas[1] = {
          ...replicas[1],
          PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: false },
        };
        return broken;
      },
    ]);
    cases.set('replica without deletion protection', [
      'global_table_replicas_protected',
      () => {
        const broken = copy(region);
        const projections = firstOf(broken, 'AWS::DynamoDB::GlobalTable');
        const replicas = props(broken, projections).Replicas as Record<string, unknown>[];
        delete replicas[0]?.DeletionProtectionEnabled;
        return broken;
      },
    ]);
    cases.set('ledger eventually consistent', [
      'ledger_is_strongly_consistent_with_witness',
      () => {
        const broken = copy(data);
        const ledger = firstOf(
          broken,
          'AWS::DynamoDB::GlobalTable',
          (p) => p.MultiRegionConsistency === 'STRONG',
        );
        props(broken, ledger).MultiRegionConsistency = 'EVENTUAL';
        return broken;
      },
    ]);
    cases.set('ledger without a witness', [
      'ledger_is_strongly_consistent_with_witness',
      () => {
        const broken = copy(data);
        const ledger = firstOf(
          broken,
          'AWS::DynamoDB::GlobalTable',
          (p) => p.MultiRegionConsistency === 'STRONG',
        );
        delete props(broken, ledger).GlobalTableWitnesses;
        return broken;
      },
    ]);
    cases.set('function on x86_64', [
      'functions_are_arm64',
      () => {
        const broken = copy(region);
        props(broken, firstOf(broken, 'AWS::Lambda::Function')).Architectures = ['x86_64'];
        return broken;
      },
    ]);
    cases.set('alias CodeDeploy does not move', [
      'aliases_are_shifted_by_codedeploy',
      () => {
        const broken = copy(region);
        delete (broken.Resources as Resources)[firstOf(broken, 'AWS::Lambda::Alias')]?.UpdatePolicy;
        return broken;
      },
    ]);
    cases.set('permission on the function itself', [
      'permissions_name_an_alias',
      () => {
        const broken = copy(region);
        props(broken, firstOf(broken, 'AWS::Lambda::Permission')).FunctionName = {
          Ref: firstOf(broken, 'AWS::Lambda::Function'),
        };
        return broken;
      },
    ]);
    // Breaking one invocation site alone (its permission still names the alias) shows each site rule on its own.
    const functionArn = (template: CfnTemplate) => ({
      'Fn::GetAtt': [firstOf(template, 'AWS::Lambda::Function'), 'Arn'],
    });
    const replaceRefs = (value: unknown, from: (ref: string) => boolean, to: unknown): unknown => {
      if (Array.isArray(value)) return value.map((item) => replaceRefs(item, from, to));
      if (typeof value !== 'object' || value === null) return value;
      const ref = (value as { Ref?: unknown }).Ref;
      if (typeof ref === 'string' && from(ref)) return to;
      return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, replaceRefs(v, from, to)]));
    };
    const isAlias = (template: CfnTemplate) => (ref: string) =>
      (template.Resources as Resources)[ref]?.Type === 'AWS::Lambda::Alias';
    cases.set('integration invoking $LATEST', [
      'integrations_invoke_an_alias',
      () => {
        const broken = copy(region);
        const method = firstOf(broken, 'AWS::ApiGateway::Method');
        const integration = props(broken, method).Integration as Record<string, unknown>;
        integration.Uri = replaceRefs(integration.Uri, isAlias(broken), functionArn(broken));
        return broken;
      },
    ]);
    cases.set('authorizer invoking $LATEST', [
      'authorizers_invoke_an_alias',
      () => {
        const broken = copy(region);
        const authorizer = props(broken, firstOf(broken, 'AWS::ApiGateway::Authorizer'));
        authorizer.AuthorizerUri = replaceRefs(
          authorizer.AuthorizerUri,
          isAlias(broken),
          functionArn(broken),
        );
        return broken;
      },
    ]);
    cases.set('stream mapping invoking $LATEST', [
      'event_source_mappings_invoke_an_alias',
      () => {
        const broken = copy(region);
        props(broken, firstOf(broken, 'AWS::Lambda::EventSourceMapping')).FunctionName = {
          Ref: firstOf(broken, 'AWS::Lambda::Function'),
        };
        return broken;
      },
    ]);
    cases.set('alarm without an action', [
      'alarms_have_actions',
      () => {
        const broken = copy(region);
        delete props(broken, firstOf(broken, 'AWS::CloudWatch::Alarm')).AlarmActions;
        return broken;
      },
    ]);
    cases.set('alarm with its actions disabled', [
      'alarms_have_actions',
      () => {
        const broken = copy(region);
        props(broken, firstOf(broken, 'AWS::CloudWatch::Alarm')).ActionsEnabled = false;
        return broken;
      },
    ]);
    cases.set('drill that never stops', [
      'fis_templates_have_stop_conditions',
      () => {
        const broken = copy(region);
        props(broken, firstOf(broken, 'AWS::FIS::ExperimentTemplate')).StopConditions = [{ Source: 'none' }];
        return broken;
      },
    ]);

    beforeAll(() => {
      results = runGuard(
        Object.fromEntries(
          [...cases.entries()].map(([name, [, build]]) => [name.replaceAll(/[^a-z0-9]+/gi, '-'), build()]),
        ),
      );
    });

    for (const [name, [rule]] of cases) {
      it(`${rule} rejects a ${name}, and no other rule does`, () => {
        const result = results.get(name.replaceAll(/[^a-z0-9]+/gi, '-'));
        expect(result?.status).toBe('FAIL');
        expect(result?.failed).toEqual([rule]);
      });
    }

    it('covers every rule of the file', () => {
      expect(new Set([...cases.values()].map(([rule]) => rule)).size).toBe(10);
    });
  });
});
