import { listEvents } from '../domain/event-feed.js';
import { ok } from '../http/responses.js';
import { apiHandler } from '../http/api.js';
import { eventDeps } from './composition-root.js';

export const handler = apiHandler('events', {
  'GET /v1/events': async ({ caller, query }) => ok(await listEvents(eventDeps(), caller, query)),
});
