import { addToAgenda, closeSession, decide, getSession, openSession } from '../domain/review.js';
import { reviewSessionView } from '../domain/views.js';
import { changed, created, ok } from '../http/responses.js';
import { apiHandler } from '../http/api.js';
import { deps } from './composition-root.js';

export const handler = apiHandler('reviews', {
  'POST /v1/review-sessions': async ({ caller, body, idempotencyKey }) => {
    const { entity, replayed } = await openSession(deps(), caller, body, idempotencyKey);
    return created(reviewSessionView(entity), `/v1/review-sessions/${entity.number}`, replayed);
  },
  'GET /v1/review-sessions/{number}': async ({ params }) =>
    ok(reviewSessionView(await getSession(deps(), params.number ?? ''))),
  'POST /v1/review-sessions/{number}/agenda': async (request) =>
    changed(
      reviewSessionView,
      await addToAgenda(deps(), request.caller, request.params.number ?? '', request),
    ),
  'POST /v1/review-sessions/{number}/decisions': async (request) =>
    changed(reviewSessionView, await decide(deps(), request.caller, request.params.number ?? '', request)),
  'POST /v1/review-sessions/{number}/close': async (request) =>
    changed(
      reviewSessionView,
      await closeSession(deps(), request.caller, request.params.number ?? '', request),
    ),
});
