import {
  createWebhook,
  deliveryView,
  getWebhook,
  listDeliveries,
  listWebhooks,
  patchWebhook,
  redeliver,
  subscriptionView,
} from '../domain/webhooks.js';
import { created, ok } from '../http/responses.js';
import { apiHandler } from '../http/api.js';
import { eventDeps } from './composition-root.js';

export const handler = apiHandler('webhooks', {
  'POST /v1/webhooks': async ({ caller, body, idempotencyKey, dryRun }) => {
    const { subscription, replayed } = await createWebhook(
      eventDeps(),
      caller,
      { body, idempotencyKey },
      dryRun,
    );
    // The only answer that ever carries the secret.
    const answer = { ...subscriptionView(subscription), secret: subscription.secret };
    return created(answer, `/v1/webhooks/${subscription.id}`, replayed);
  },
  'GET /v1/webhooks': async ({ caller, query }) => {
    const page = await listWebhooks(eventDeps(), caller, query);
    return ok({ items: page.items.map(subscriptionView), next: page.next });
  },
  'GET /v1/webhooks/{id}': async ({ caller, params }) =>
    ok(subscriptionView(await getWebhook(eventDeps(), caller, params.id ?? ''))),
  'PATCH /v1/webhooks/{id}': async ({ caller, params, body, ifMatch, dryRun }) =>
    ok(subscriptionView(await patchWebhook(eventDeps(), caller, params.id ?? '', { body, ifMatch }, dryRun))),
  'GET /v1/webhooks/{id}/deliveries': async ({ caller, params, query }) => {
    const page = await listDeliveries(eventDeps(), caller, params.id ?? '', query);
    return ok({ items: page.items.map(deliveryView), next: page.next });
  },
  'POST /v1/webhooks/{id}/deliveries/{eventId}/redeliver': async ({ caller, params, dryRun }) => ({
    status: 202,
    body: deliveryView(await redeliver(eventDeps(), caller, params.id ?? '', params.eventId ?? '', dryRun)),
  }),
});
