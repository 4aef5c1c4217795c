/**
 * Webhook subscriptions and their deliveries (DESIGN.md §8): an agency or a provider subscribes its own
 * organisation (an administrator any), and receives only that organisation's events. The signing secret is
 * made here, answered once by the create, and never shown again.
 */
import { randomBytes } from 'node:crypto';
import * as z from 'zod/mini';
import { type Caller, idempotencyScope, requireUser, type User } from './caller.js';
import {
  type Delivery,
  deliveryStatuses,
  type EventDeps,
  pendingDelivery,
  type SigningSubscription,
  type Subscription,
} from './event-ports.js';
import { eventTypes } from './events.js';
import { conflict, forbidden, invalid, notFound, preconditionFailed } from './errors.js';
import { fingerprint, idForKey, newId } from './ids.js';
import { decodeCursor, encodeCursor } from './cursor.js';
import type { Page } from './ports.js';
import { lazySchema, pageQuery, parseInput } from './validation.js';

// Builders of shared parts, called inside the lazy schemas (see `lazySchema`).
const url = () => z.string().check(z.minLength(1), z.maxLength(2048));
const types = () =>
  z
    .array(z.enum(eventTypes))
    .check(z.minLength(1, 'Name at least one event type.'), z.maxLength(eventTypes.length));
const orgId = () => z.string().check(z.minLength(1), z.maxLength(64));

export const webhookInput = lazySchema(() =>
  z.strictObject({
    url: url(),
    types: types(),
    /** Administrators only: the organisation subscribed (others always subscribe their own). */
    org: z.optional(orgId()),
  }),
);

export const webhookPatch = lazySchema(() =>
  z.strictObject({
    url: z.optional(url()),
    types: z.optional(types()),
    enabled: z.optional(z.boolean()),
  }),
);

export const webhookListQuery = lazySchema(() =>
  z.strictObject({ org: z.optional(orgId()), ...pageQuery() }),
);

export const deliveryListQuery = lazySchema(() =>
  z.strictObject({
    status: z.optional(z.enum(deliveryStatuses)),
    ...pageQuery(),
  }),
);

export interface WebhookRequest {
  readonly body?: unknown;
  readonly idempotencyKey?: string | undefined;
  readonly ifMatch?: number | undefined;
}

/** `whsec_` and 32 random bytes in base64, the Standard Webhooks form of a symmetric secret. */
export function newWebhookSecret(): string {
  return `whsec_${randomBytes(32).toString('base64')}`;
}

export const subscriptionView = (s: Subscription) => ({
  id: s.id,
  org: s.org,
  url: s.url,
  types: [...s.types],
  enabled: s.enabled,
  createdAt: s.createdAt,
  updatedAt: s.updatedAt,
  version: s.version,
});

export const deliveryView = (d: Delivery) => ({
  eventId: d.eventId,
  type: d.type,
  status: d.status,
  attempts: d.attempts,
  lastStatusCode: d.lastStatusCode,
  lastAttemptAt: d.lastAttemptAt,
  nextAttemptAt: d.nextAttemptAt,
});

/** The organisation a caller acts for here: its own, or for an administrator the one it names. */
function actingOrg(user: User, named: string | undefined): string {
  if (user.role === 'admin') {
    if (!named)
      throw invalid('Name the organisation.', [{ path: '/org', message: 'Administrators name the org.' }]);
    return named;
  }
  if (!user.org) throw forbidden(`A ${user.role} token must carry the org claim.`);
  if (named !== undefined && named !== user.org) throw forbidden('Subscribe your own organisation only.');
  return user.org;
}

async function checkedUrl(deps: EventDeps, value: string): Promise<string> {
  const reason = await deps.refusedUrl(value);
  if (reason) throw invalid('This address may not receive webhooks.', [{ path: '/url', message: reason }]);
  return value;
}

/** A subscription the caller may see: its own organisation's, or any for an administrator; else 404. */
async function visibleSubscription(deps: EventDeps, user: User, id: string): Promise<SigningSubscription> {
  const subscription = await deps.webhooks.get(id);
  if (!subscription || (user.role !== 'admin' && subscription.org !== user.org)) {
    throw notFound(`Webhook ${id}`);
  }
  return subscription;
}

/**
 * One write creates the subscription. With an `Idempotency-Key` its id derives from the key, and a retry
 * answers the original create again, secret included (it is that answer, lost on its way to the client).
 */
export async function createWebhook(
  deps: EventDeps,
  caller: Caller,
  request: WebhookRequest,
  dryRun: boolean,
): Promise<{ subscription: SigningSubscription; replayed: boolean }> {
  const user = requireUser(caller);
  const input = parseInput(webhookInput, request.body, 'body');
  const org = actingOrg(user, input.org);
  const key = request.idempotencyKey;
  const id = key ? idForKey('whk', idempotencyScope(user), key) : newId('whk');
  const requestFingerprint = fingerprint(request.body);
  const replay = async () => {
    const earlier = await deps.webhooks.get(id);
    if (!earlier) return undefined;
    if (earlier.createdWith !== requestFingerprint) {
      throw conflict('This Idempotency-Key was already used with a different request body.');
    }
    return { subscription: earlier, replayed: true };
  };
  if (key) {
    const earlier = await replay();
    if (earlier) return earlier;
  }
  await checkedUrl(deps, input.url);
  const now = deps.now().toISOString();
  const subscription: SigningSubscription = {
    id,
    org,
    url: input.url,
    types: [...new Set(input.types)],
    enabled: true,
    createdAt: now,
    updatedAt: now,
    version: 1,
    secret: newWebhookSecret(),
    createdWith: requestFingerprint,
  };
  if (dryRun) return { subscription, replayed: false };
  if ((await deps.webhooks.create(subscription)) === 'created') return { subscription, replayed: false };
  const raced = await replay();
  if (!raced) throw conflict(`${id} already exists.`);
  return raced;
}

export async function listWebhooks(
  deps: EventDeps,
  caller: Caller,
  query: Record<string, string | undefined>,
): Promise<Page<Subscription>> {
  const user = requireUser(caller);
  const { limit, cursor, org: named } = parseInput(webhookListQuery, query, 'query');
  const org = actingOrg(user, named);
  const page = await deps.webhooks.list(org, limit, cursor ? decodeCursor(cursor, org) : undefined);
  return { items: page.items, next: page.next ? encodeCursor(page.next, org) : null };
}

export const getWebhook = async (deps: EventDeps, caller: Caller, id: string): Promise<Subscription> =>
  visibleSubscription(deps, requireUser(caller), id);

/** A new version with the named fields; a new address is checked as at create. */
export async function patchWebhook(
  deps: EventDeps,
  caller: Caller,
  id: string,
  request: WebhookRequest,
  dryRun: boolean,
): Promise<Subscription> {
  const user = requireUser(caller);
  const input = parseInput(webhookPatch, request.body, 'body');
  const current = await visibleSubscription(deps, user, id);
  if (request.ifMatch !== undefined && request.ifMatch !== current.version) {
    throw preconditionFailed(current.version);
  }
  if (input.url !== undefined) await checkedUrl(deps, input.url);
  const next: SigningSubscription = {
    ...current,
    ...(input.url === undefined ? {} : { url: input.url }),
    ...(input.types === undefined ? {} : { types: [...new Set(input.types)] }),
    ...(input.enabled === undefined ? {} : { enabled: input.enabled }),
    updatedAt: deps.now().toISOString(),
    version: current.version + 1,
  };
  if (dryRun) return next;
  if ((await deps.webhooks.update(next)) === 'stale') {
    // Another edit came first; an edit is a whole new version, so the caller decides again.
    const latest = await deps.webhooks.get(id);
    throw preconditionFailed(latest?.version ?? current.version);
  }
  return next;
}

export async function listDeliveries(
  deps: EventDeps,
  caller: Caller,
  id: string,
  query: Record<string, string | undefined>,
): Promise<Page<Delivery>> {
  const { limit, cursor, status } = parseInput(deliveryListQuery, query, 'query');
  const subscription = await visibleSubscription(deps, requireUser(caller), id);
  const queryKey = `${id}|${status ?? ''}`;
  const page = await deps.webhooks.deliveries(subscription.id, {
    limit,
    ...(status ? { status } : {}),
    ...(cursor ? { after: decodeCursor(cursor, queryKey) } : {}),
  });
  return { items: page.items, next: page.next ? encodeCursor(page.next, queryKey) : null };
}

/**
 * Makes a delivery pending again, now, with a fresh 24-hour window; an event of the organisation that was
 * never delivered to this subscription (it came before it, or was of another type) gets its first.
 */
export async function redeliver(
  deps: EventDeps,
  caller: Caller,
  id: string,
  eventId: string,
  dryRun: boolean,
): Promise<Delivery> {
  const subscription = await visibleSubscription(deps, requireUser(caller), id);
  const existing = await deps.webhooks.getDelivery({ subscriptionId: id, eventId });
  const event = existing?.event ?? (await deps.feed.get(eventId));
  if (!event || !event.orgs.includes(subscription.org)) throw notFound(`Event ${eventId}`);
  const delivery = pendingDelivery(subscription, event, deps.now(), existing);
  return dryRun ? delivery : deps.webhooks.redeliver(delivery);
}
