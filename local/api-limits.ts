import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ApiLimits } from '../functions/api-limits.js';
import { loadApiLimits } from '../infra/config.js';
import { repoRoot } from './paths.js';

/** The limits the CDK deploys (`marketplace:apiLimits` in `cdk.json`, defaults for what it leaves out). */
export function configuredApiLimits(): ApiLimits {
  const cdkJson = JSON.parse(readFileSync(join(repoRoot, 'cdk.json'), 'utf8')) as {
    context?: Record<string, unknown>;
  };
  return loadApiLimits(cdkJson.context ?? {});
}
