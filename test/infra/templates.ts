import { App } from 'aws-cdk-lib';
import { loadConfig } from '../../infra/config.js';
import { buildMarketplace } from '../../infra/marketplace.js';
import type { CfnTemplate } from './cfn-schema-check.js';
import { cdkJsonContext, fullContext, TEST_ACCOUNT } from './support.js';

/** One synthesized stack: its name, Region and CloudFormation template. */
export interface SynthesizedTemplate {
  readonly stackName: string;
  readonly region: string;
  readonly template: CfnTemplate;
}

/** The two shapes the app takes: the committed context, and every optional part switched on. */
export const contexts = {
  committed: cdkJsonContext,
  'with domain': fullContext,
} as const;

/**
 * Every template of the whole app, synthesized once (one `app.synth()`, asset bundling skipped: code assets
 * are placeholders, templates are complete), as `cdk synth` would write them.
 */
export function synthesizeTemplates(context: Record<string, unknown>): SynthesizedTemplate[] {
  const app = new App({ context: { ...context, 'aws:cdk:bundling-stacks': [] } });
  buildMarketplace(app, loadConfig(context), TEST_ACCOUNT);
  const assembly = app.synth();
  return assembly.stacks.map((stack) => ({
    stackName: stack.stackName,
    region: stack.environment.region,
    template: stack.template as CfnTemplate,
  }));
}

export type Resources = NonNullable<CfnTemplate['Resources']>;

export const copy = (template: CfnTemplate): CfnTemplate => structuredClone(template);

/** The logical ID of the first resource of a type (in template order), for the broken copies below. */
export function firstOf(
  template: CfnTemplate,
  type: string,
  where: (props: Record<string, unknown>) => boolean = () => true,
) {
  const found = Object.entries(template.Resources ?? {}).find(
    ([, resource]) => resource.Type === type && where(resource.Properties ?? {}),
  );
  if (!found) throw new Error(`no ${type} in the template`);
  return found[0];
}

export function props(template: CfnTemplate, logicalId: string): Record<string, unknown> {
  return ((template.Resources as Resources)[logicalId]?.Properties ?? {}) as Record<string, unknown>;
}

/** Each context is synthesized once for the whole file (a synthesis of the app takes seconds). */
const synthesized = new Map<keyof typeof contexts, SynthesizedTemplate[]>();
export function templatesOf(label: keyof typeof contexts): SynthesizedTemplate[] {
  let templates = synthesized.get(label);
  if (!templates) {
    templates = synthesizeTemplates(contexts[label]());
    synthesized.set(label, templates);
  }
  return templates;
}

export const byName = (templates: readonly SynthesizedTemplate[], name: string): CfnTemplate => {
  const found = templates.find((t) => t.stackName === name);
  if (!found) throw new Error(`no stack ${name}`);
  return found.template;
};
