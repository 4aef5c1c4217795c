import {
  createWebhook,
  deliveryView,
  getWebhook,
  listDeliveries,
  listWebhooks,
  patchWebhook,
  redeliver,
  subscriptionView,
} from '../../domain/webhooks.js';
import { created, ok } from '../../http/responses.js';
import type { Operations } from '../../http/api.js';
import type { EventDeps } from '../../domain/event-ports.js';

export { eventDeps as ports } from '../composition-root.js';

export const operations: Operations<EventDeps> = {
  'POST /v1/webhooks': async ({ caller, body, idempotencyKey, dryRun }, deps) => {
    const { subscription, replayed } = await createWebhook(deps, caller, { body, idempotencyKey }, dryRun);
    // The only answer that ever carries the secret.
    const answer = { ...subscriptionView(subscription), secret: subscription.secret };
    return created(answer, `/v1/webhooks/${subscription.id}`, replayed);
  },
  'GET /v1/webhooks': async ({ caller, query }, deps) => {
    const page = await listWebhooks(deps, caller, query);
    return ok({ items: page.items.map(subscriptionView), next: page.next });
  },
  'GET /v1/webhooks/{id}': async ({ caller, params }, deps) =>
    ok(subscriptionView(await getWebhook(deps, caller, params.id ?? ''))),
  'PATCH /v1/webhooks/{id}': async ({ caller, params, body, ifMatch, dryRun }, deps) =>
    ok(subscriptionView(await patchWebhook(deps, caller, params.id ?? '', { body, ifMatch }, dryRun))),
  'GET /v1/webhooks/{id}/deliveries': async ({ caller, params, query }, deps) => {
    const page = await listDeliveries(deps, caller, params.id ?? '', query);
    return ok({ items: page.items.map(deliveryView), next: page.next });
  },
  'POST /v1/webhooks/{id}/deliveries/{eventId}/redeliver': async ({ caller, params, dryRun }, deps) => ({
    status: 202,
    body: deliveryView(await redeliver(deps, caller, params.id ?? '', params.eventId ?? '', dryRun)),
  }),
};
