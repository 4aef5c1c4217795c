import { beforeAll, describe, expect, it } from 'vitest';
import { type GuardResult, runGuard } from './cfn-guard.js';
import { checkTemplate } from './cfn-schema-check.js';
import { contexts, type SynthesizedTemplate, templatesOf } from './templates.js';

/**
 * Every template of the whole app, with and without the domain context, checked against CloudFormation's
 * resource specification and the DR rules in infra/policy/dr-rules.guard. template-checks-fail.test.ts shows
 * each check failing on a template that breaks it (a check that never fails proves nothing).
 */

for (const label of Object.keys(contexts) as (keyof typeof contexts)[]) {
  describe(`the whole app, ${label} context`, () => {
    let templates: SynthesizedTemplate[];
    let guard: Map<string, GuardResult>;
    beforeAll(() => {
      templates = templatesOf(label);
      guard = runGuard(Object.fromEntries(templates.map((t) => [t.stackName, t.template])));
    });

    it('fits CloudFormation’s resource specification: types, properties, required ones, values, GetAtt', () => {
      const problems = templates.flatMap((t) =>
        checkTemplate(t.template).map((problem) => `${t.stackName} ${problem.path}: ${problem.message}`),
      );
      expect(problems).toEqual([]);
      const checked = templates.reduce((n, t) => n + Object.keys(t.template.Resources ?? {}).length, 0);
      expect(checked).toBeGreaterThan(300);
    });

    it('keeps every DR rule, and each rule applies where its resources are', () => {
      expect([...guard.values()].filter((result) => result.failed.length > 0)).toEqual([]);
      expect(guard.get('dsm-data')?.passed).toEqual([
        'global_table_replicas_protected',
        'ledger_is_strongly_consistent_with_witness',
      ]);
      for (const region of ['ap-northeast-2', 'ap-northeast-1']) {
        expect(guard.get(`dsm-region-${region}`)?.passed).toEqual([
          'alarms_have_actions',
          'aliases_are_shifted_by_codedeploy',
          'authorizers_invoke_an_alias',
          'event_source_mappings_invoke_an_alias',
          'fis_templates_have_stop_conditions',
          'functions_are_arm64',
          'global_table_replicas_protected',
          'integrations_invoke_an_alias',
          'permissions_name_an_alias',
        ]);
      }
    });
  });
}
