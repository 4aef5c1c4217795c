import { listEvents } from '../../domain/event-feed.js';
import { ok } from '../../http/responses.js';
import type { Operations } from '../../http/api.js';
import type { EventDeps } from '../../domain/event-ports.js';

export { eventDeps as ports } from '../composition-root.js';

export const operations: Operations<EventDeps> = {
  'GET /v1/events': async ({ caller, query }, deps) => ok(await listEvents(deps, caller, query)),
};
