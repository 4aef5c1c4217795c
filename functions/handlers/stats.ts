import { statsView } from '../domain/stats.js';
import { apiHandler, ok } from '../http/api.js';
import { runtime } from './runtime.js';

/** Reads running totals kept by the projector: one item, however many contracts exist. */
export const handler = apiHandler('stats', {
  'GET /v1/stats': async () => ok(statsView((await runtime().statistics.read()).counters)),
});
