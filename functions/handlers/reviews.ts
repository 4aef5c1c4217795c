import { addToAgenda, closeSession, decide, getSession, openSession } from '../domain/review.js';
import { reviewSessionView } from '../domain/views.js';
import { apiHandler, changed, created, ok } from '../http/api.js';
import { runtime } from './runtime.js';

export const handler = apiHandler('reviews', {
  'POST /v1/review-sessions': async ({ caller, body, idempotencyKey }) => {
    const { entity, replayed } = await openSession(runtime(), caller, body, idempotencyKey);
    return created(reviewSessionView(entity), `/v1/review-sessions/${entity.number}`, replayed);
  },
  'GET /v1/review-sessions/{number}': async ({ caller, params }) =>
    ok(reviewSessionView(await getSession(runtime(), caller, params.number ?? ''))),
  'POST /v1/review-sessions/{number}/agenda': async (request) =>
    changed(
      reviewSessionView,
      await addToAgenda(runtime(), request.caller, request.params.number ?? '', request),
    ),
  'POST /v1/review-sessions/{number}/decisions': async (request) =>
    changed(reviewSessionView, await decide(runtime(), request.caller, request.params.number ?? '', request)),
  'POST /v1/review-sessions/{number}/close': async (request) =>
    changed(
      reviewSessionView,
      await closeSession(runtime(), request.caller, request.params.number ?? '', request),
    ),
});
