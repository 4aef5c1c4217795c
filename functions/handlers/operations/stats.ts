import { statsView } from '../../domain/stats.js';
import { ok } from '../../http/responses.js';
import type { Operations } from '../../http/api.js';
import type { ApiPorts } from '../composition-root.js';

export { deps as ports } from '../composition-root.js';

/** Reads running totals kept by the projector: one item, however many contracts exist. */
export const operations: Operations<ApiPorts> = {
  'GET /v1/stats': async (_request, deps) => ok(statsView((await deps.statistics.read()).counters)),
};
