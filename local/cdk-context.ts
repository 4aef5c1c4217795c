import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot } from './paths.js';

/**
 * The CDK context of `cdk.json`, with `key=value` overrides given as `cdk -c key=value` takes them, so the
 * local runtime reads the very configuration the CDK deploys.
 */
export function cdkContext(overrides: readonly string[] = []): Record<string, unknown> {
  const cdkJson = JSON.parse(readFileSync(join(repoRoot, 'cdk.json'), 'utf8')) as {
    context?: Record<string, unknown>;
  };
  const context = { ...cdkJson.context };
  for (const override of overrides) {
    const at = override.indexOf('=');
    if (at < 1) throw new Error(`A context override is key=value, not "${override}".`);
    context[override.slice(0, at)] = override.slice(at + 1);
  }
  return context;
}
