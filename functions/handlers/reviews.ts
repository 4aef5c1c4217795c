import { addToAgenda, closeSession, decide, getSession, openSession } from '../domain/review.js';
import { reviewSessionView } from '../domain/views.js';
import { apiHandler, created, ok } from '../http/api.js';
import { runtime } from './runtime.js';

export const handler = apiHandler('reviews', {
  'POST /v1/review-sessions': async ({ caller, body, idempotencyKey }) => {
    const { entity, replayed } = await openSession(runtime(), caller, body, idempotencyKey);
    return created(reviewSessionView(entity), `/v1/review-sessions/${entity.number}`, replayed);
  },
  'GET /v1/review-sessions/{number}': async ({ caller, params }) =>
    ok(reviewSessionView(await getSession(runtime(), caller, params.number ?? ''))),
  'POST /v1/review-sessions/{number}/agenda': async ({ caller, params, body, ifMatch }) =>
    ok(reviewSessionView(await addToAgenda(runtime(), caller, params.number ?? '', body, ifMatch))),
  'POST /v1/review-sessions/{number}/decisions': async ({ caller, params, body, ifMatch }) =>
    ok(reviewSessionView(await decide(runtime(), caller, params.number ?? '', body, ifMatch))),
  'POST /v1/review-sessions/{number}/close': async ({ caller, params, ifMatch }) =>
    ok(reviewSessionView(await closeSession(runtime(), caller, params.number ?? '', ifMatch))),
});
