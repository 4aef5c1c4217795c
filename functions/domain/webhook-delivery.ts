/**
 * One webhook delivery attempt, as both Regions run it (DESIGN.md §8). The delivery record is replicated
 * (the MRSC ledger), and an attempt first takes the record's lease with one conditional write: of two
 * Regions that see the same change, one sends; a Region that dies mid-attempt leaves a lease that runs
 * out, and the other Region takes it over then. The request is signed with the `standardwebhooks` library
 * (`webhook-id` is the event id, stable across attempts and Regions), and any answer but a 2xx within the
 * timeout is retried on the schedule below until 24 hours have passed, then `failed`.
 */
import { Webhook } from 'standardwebhooks';
import type {
  AttemptOutcome,
  Delivery,
  EventFeed,
  DeliveryKey,
  WebhookResponse,
  WebhookSender,
  WebhookStore,
} from './event-ports.js';
import { orgsVisibleTo } from './events.js';

/** A 2xx within this is delivered. */
export const DELIVERY_TIMEOUT_MS = 10_000;
/** Longer than an attempt can take, so a live attempt never loses its lease; short enough to take over. */
export const DELIVERY_LEASE_MS = 30_000;
/** After about 5 s, 30 s, 2 min, 10 min, 30 min, 1 h, then every 2 h. */
export const RETRY_DELAYS_MS = [5_000, 30_000, 120_000, 600_000, 1_800_000, 3_600_000] as const;
export const LATER_RETRY_DELAY_MS = 7_200_000;
export const RETRY_JITTER = 0.2;
export const RETRY_WINDOW_MS = 86_400_000;

/** The wait before the retry that follows `attempts` failed attempts, ± 20 % (`random` in [0, 1)). */
export function retryDelayMs(attempts: number, random: number): number {
  const base = RETRY_DELAYS_MS[attempts - 1] ?? LATER_RETRY_DELAY_MS;
  return Math.round(base * (1 - RETRY_JITTER + 2 * RETRY_JITTER * random));
}

/** What an attempt's answer makes of the delivery: delivered, due again later, or failed past the window. */
export function outcomeOf(
  delivery: Delivery,
  response: WebhookResponse,
  attemptedAt: Date,
  random: number,
): AttemptOutcome {
  const attempts = delivery.attempts + 1;
  const common = { attempts, lastStatusCode: response.statusCode, lastAttemptAt: attemptedAt.toISOString() };
  if (response.statusCode !== null && response.statusCode >= 200 && response.statusCode < 300) {
    return { ...common, status: 'delivered', nextAttemptAt: null };
  }
  const next = attemptedAt.getTime() + retryDelayMs(attempts, random);
  if (next - Date.parse(delivery.windowStart) > RETRY_WINDOW_MS) {
    return { ...common, status: 'failed', nextAttemptAt: null };
  }
  return { ...common, status: 'pending', nextAttemptAt: new Date(next).toISOString() };
}

export interface DeliveryPorts {
  readonly webhooks: WebhookStore;
  readonly feed: EventFeed;
  readonly sender: WebhookSender;
  /** This Region, the lease's owner. */
  readonly region: string;
  readonly now: () => Date;
  readonly random: () => number;
}

/** The body a subscription receives: the event, naming only the organisations its reader may know of. */
export function deliveryBody(delivery: Delivery): string {
  return JSON.stringify({ ...delivery.event, orgs: orgsVisibleTo(delivery.event, delivery.org) });
}

/**
 * Attempts one delivery if it is due and nobody else holds it: claim, sign, send, record. Answers the
 * delivery as recorded, or undefined when there was nothing to do here (another Region has it, it is not
 * due, or it is settled).
 */
export async function attemptDelivery(ports: DeliveryPorts, key: DeliveryKey): Promise<Delivery | undefined> {
  const lease = await ports.webhooks.claim(key, {
    owner: ports.region,
    now: ports.now(),
    leaseMs: DELIVERY_LEASE_MS,
  });
  if (!lease) return undefined;
  const delivery = lease.delivery;
  const subscription = await ports.webhooks.get(delivery.subscriptionId);
  let response: WebhookResponse;
  if (!subscription?.enabled) {
    response = { statusCode: null, error: 'the subscription is disabled' };
  } else {
    const body = deliveryBody(delivery);
    // One reading of the clock for both: the signature covers the timestamp header, to the second.
    const sentAt = ports.now();
    const signature = new Webhook(subscription.secret).sign(delivery.eventId, sentAt, body);
    response = await ports.sender.send(
      {
        url: subscription.url,
        headers: {
          'content-type': 'application/json',
          'webhook-id': delivery.eventId,
          'webhook-timestamp': String(Math.floor(sentAt.getTime() / 1000)),
          'webhook-signature': signature,
        },
        body,
      },
      DELIVERY_TIMEOUT_MS,
    );
  }
  const outcome = subscription?.enabled
    ? outcomeOf(delivery, response, ports.now(), ports.random())
    : // A disabled subscription sends nothing more; its organisation can redeliver after enabling it again.
      { ...outcomeOf(delivery, response, ports.now(), 0), status: 'failed' as const, nextAttemptAt: null };
  // Lost the lease meanwhile (it ran out and the other Region took it): that attempt's record stands.
  if (!(await ports.webhooks.finish(lease, outcome))) return undefined;
  return { ...delivery, ...outcome };
}

/**
 * Every delivery due now, a few at a time: how retries (and deliveries a dead Region held) are picked up.
 * Answers how many it attempted and how long the oldest of them had been due (the backlog's age).
 */
export async function deliverDue(
  ports: DeliveryPorts,
  limit = 100,
  parallel = 8,
): Promise<{ attempted: number; oldestDueAgeSeconds: number }> {
  await ports.feed.openDeferred(limit);
  const now = ports.now();
  const due = await ports.webhooks.due(now, limit);
  const oldest = due[0] ? Date.parse(due[0].dueAt) : now.getTime();
  let next = 0;
  let attempted = 0;
  const worker = async () => {
    while (next < due.length) {
      const key = due[next++];
      if (key && (await attemptDelivery(ports, key))) attempted += 1;
    }
  };
  await Promise.all(Array.from({ length: Math.min(parallel, due.length) }, worker));
  return { attempted, oldestDueAgeSeconds: Math.max(0, Math.round((now.getTime() - oldest) / 1000)) };
}
