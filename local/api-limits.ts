import type { ApiLimits } from '../functions/api-limits.js';
import { loadApiLimits } from '../infra/config.js';
import { cdkContext } from './cdk-context.js';

/**
 * The limits the CDK deploys (`marketplace:apiLimits` in `cdk.json`, defaults for what it leaves out), with
 * `key=value` context overrides as `npm start -- -c` takes them.
 */
export function configuredApiLimits(overrides: readonly string[] = []): ApiLimits {
  return loadApiLimits(cdkContext(overrides));
}
