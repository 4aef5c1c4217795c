import { currentRegion } from '../../adapters/dynamodb/client.js';
import type { Operations } from '../../http/api.js';
import type { ApiPorts } from '../composition-root.js';

export { deps as ports } from '../composition-root.js';

/** `ok` (200) when every check passes; otherwise 503, `starting` while the Region comes up, else `unhealthy`. */
export const operations: Operations<ApiPorts> = {
  'GET /health': async (_request, deps) => {
    const checks = await deps.health.check();
    const results = Object.values(checks);
    const status = results.every((check) => check.ok)
      ? 'ok'
      : results.every((check) => check.ok || check.starting)
        ? 'starting'
        : 'unhealthy';
    return {
      status: status === 'ok' ? 200 : 503,
      body: { status, region: currentRegion(), checks },
      headers: { 'cache-control': 'no-store', ...(status === 'ok' ? {} : { 'retry-after': '5' }) },
    };
  },
};
