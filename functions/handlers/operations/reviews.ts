import { addToAgenda, closeSession, decide, getSession, openSession } from '../../domain/review.js';
import { reviewSessionView } from '../../domain/views.js';
import { changed, created, ok } from '../../http/responses.js';
import type { Operations } from '../../http/api.js';
import type { ApiPorts } from '../composition-root.js';

export { deps as ports } from '../composition-root.js';

export const operations: Operations<ApiPorts> = {
  'POST /v1/review-sessions': async ({ caller, body, idempotencyKey }, deps) => {
    const { entity, replayed } = await openSession(deps, caller, body, idempotencyKey);
    return created(reviewSessionView(entity), `/v1/review-sessions/${entity.number}`, replayed);
  },
  'GET /v1/review-sessions/{number}': async ({ params }, deps) =>
    ok(reviewSessionView(await getSession(deps, params.number ?? ''))),
  'POST /v1/review-sessions/{number}/agenda': async (request, deps) =>
    changed(reviewSessionView, await addToAgenda(deps, request.caller, request.params.number ?? '', request)),
  'POST /v1/review-sessions/{number}/decisions': async (request, deps) =>
    changed(reviewSessionView, await decide(deps, request.caller, request.params.number ?? '', request)),
  'POST /v1/review-sessions/{number}/close': async (request, deps) =>
    changed(
      reviewSessionView,
      await closeSession(deps, request.caller, request.params.number ?? '', request),
    ),
};
