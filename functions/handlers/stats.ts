import { statsView } from '../domain/stats.js';
import { ok } from '../http/responses.js';
import { apiHandler } from '../http/api.js';
import { deps } from './composition-root.js';

/** Reads running totals kept by the projector: one item, however many contracts exist. */
export const handler = apiHandler('stats', {
  'GET /v1/stats': async () => ok(statsView((await deps().statistics.read()).counters)),
});
