import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { CfnResource } from 'aws-cdk-lib';
import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import type { IConstruct } from 'constructs';
import { loadConfig, type MarketplaceConfig } from '../../infra/config.js';
import { projectRoot } from '../../infra/constructs/handler-function.js';
import { buildMarketplace, type Marketplace } from '../../infra/marketplace.js';
import { RegionStack } from '../../infra/stacks/region-stack.js';

export const TEST_ACCOUNT = '111111111111';

/** The context committed in cdk.json: tests check what `cdk synth` would build. */
export function cdkJsonContext(): Record<string, unknown> {
  const cdkJson = JSON.parse(readFileSync(join(projectRoot, 'cdk.json'), 'utf8')) as {
    context: Record<string, unknown>;
  };
  return cdkJson.context;
}

/** A hosted zone and hostname, as an operator would give them with `-c marketplace:domain=...`. */
export const exampleDomain = {
  zoneName: 'marketplace.go.kr',
  hostedZoneId: 'Z0123456789ABCDEFGHIJ',
  apiHostName: 'api.marketplace.go.kr',
} as const;

/**
 * The committed context plus a custom domain, an alarm e-mail and the routing-control cluster: every optional
 * part switched on.
 */
export function fullContext(): Record<string, unknown> {
  return {
    ...cdkJsonContext(),
    'marketplace:domain': exampleDomain,
    'marketplace:alarmEmail': 'oncall@marketplace.go.kr',
    'marketplace:routingControlCluster': true,
  };
}

/** A custom domain with the default failover: the Region switch plan on the health checks, no cluster. */
export function domainContext(extra: Record<string, unknown> = {}): Record<string, unknown> {
  return { ...cdkJsonContext(), 'marketplace:domain': exampleDomain, ...extra };
}

export interface Synthesized {
  readonly app: App;
  readonly config: MarketplaceConfig;
  readonly marketplace: Marketplace;
  readonly template: (stack: Stack) => Template;
}

/**
 * Builds every stack with asset bundling skipped (`aws:cdk:bundling-stacks: []`), so no esbuild run:
 * templates are complete, only the code assets are placeholders.
 */
export function synthesizeMarketplace(context: Record<string, unknown> = cdkJsonContext()): Synthesized {
  const app = new App({ context: { ...context, 'aws:cdk:bundling-stacks': [] } });
  const config = loadConfig(context);
  const marketplace = buildMarketplace(app, config, TEST_ACCOUNT);
  const templates = new Map<Stack, Template>();
  return {
    app,
    config,
    marketplace,
    template: (stack) => {
      let template = templates.get(stack);
      if (!template) {
        template = Template.fromStack(stack);
        templates.set(stack, template);
      }
      return template;
    },
  };
}

/**
 * A fresh App holding one region stack (`dsm-region-<region>`, built from the committed context unless told
 * otherwise), asset bundling skipped: for tests that each start from their own stack.
 */
export function synthesizeRegionStack(
  region = 'ap-northeast-2',
  context: Record<string, unknown> = cdkJsonContext(),
): { stack: RegionStack; template: Template } {
  const app = new App({ context: { ...context, 'aws:cdk:bundling-stacks': [] } });
  const stack = new RegionStack(app, `dsm-region-${region}`, {
    env: { account: TEST_ACCOUNT, region },
    config: loadConfig(context),
  });
  return { stack, template: Template.fromStack(stack) };
}

/** The logical ID a construct's CloudFormation resource gets in its stack. */
export function logicalId(construct: IConstruct): string {
  const resource = construct.node.defaultChild as CfnResource;
  return Stack.of(construct).getLogicalId(resource);
}

export type Resources = Record<
  string,
  { Type: string; Properties?: Record<string, unknown>; [key: string]: unknown }
>;

export function resourcesOf(template: Template, type?: string): Resources {
  const all = template.toJSON().Resources as Resources;
  return type ? Object.fromEntries(Object.entries(all).filter(([, r]) => r.Type === type)) : all;
}
