import { apiHandler } from '../http/api.js';
import { currentRegion } from '../adapters/dynamodb/client.js';
import { runtime } from './runtime.js';

export const handler = apiHandler('health', {
  'GET /health': async () => {
    const checks = await runtime().health.check();
    const healthy = Object.values(checks).every((check) => check.ok);
    return {
      status: healthy ? 200 : 503,
      body: { status: healthy ? 'ok' : 'unhealthy', region: currentRegion(), checks },
      headers: { 'cache-control': 'no-store', ...(healthy ? {} : { 'retry-after': '5' }) },
    };
  },
});
