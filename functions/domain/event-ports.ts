/**
 * Ports of the event feed and the webhooks (DESIGN.md §8), apart from `ports.ts` so the functions that
 * neither read nor deliver events bundle none of this.
 */
import type { EventType, MarketEvent } from './events.js';
import type { Page } from './ports.js';

/** Whose feed: an organisation's, or every event (`*`, administrators). */
export type FeedReader = string;
export const EVERY_ORG: FeedReader = '*';

export interface FeedPosition {
  /** Where the last page ended, in this Region's order of arrival. */
  readonly position: string;
  /** The Region whose order it is. */
  readonly region: string;
}

export interface FeedQuery {
  readonly reader: FeedReader;
  readonly type?: EventType;
  readonly limit: number;
  /** Exclusive; from the start when absent. */
  readonly after?: string;
  readonly now: Date;
}

export interface EventFeed {
  /** Oldest first in order of arrival; `next` is where to resume, always given. */
  query(query: FeedQuery): Promise<{ items: MarketEvent[]; next: string }>;
  get(eventId: string): Promise<MarketEvent | undefined>;
  /** Appends events to their readers' feeds and opens a delivery for every matching subscription. */
  publish(events: readonly MarketEvent[]): Promise<void>;
  /** Opens the deliveries of events filed while the ledger refused them; how many it took up. */
  openDeferred(limit: number): Promise<number>;
}

export interface Subscription {
  readonly id: string;
  readonly org: string;
  readonly url: string;
  readonly types: readonly EventType[];
  readonly enabled: boolean;
  readonly createdAt: string;
  readonly updatedAt: string;
  readonly version: number;
}

/** A subscription with its signing secret: only the delivery code and the create's answer hold this. */
export interface SigningSubscription extends Subscription {
  readonly secret: string;
  /** Fingerprint of the create's body, to tell a retry of it from its key reused with another body. */
  readonly createdWith: string;
}

export const deliveryStatuses = ['pending', 'delivered', 'failed'] as const;
export type DeliveryStatus = (typeof deliveryStatuses)[number];

export interface DeliveryKey {
  readonly subscriptionId: string;
  readonly eventId: string;
}

export interface Delivery extends DeliveryKey {
  readonly org: string;
  readonly type: EventType;
  readonly status: DeliveryStatus;
  readonly attempts: number;
  readonly lastStatusCode: number | null;
  readonly lastAttemptAt: string | null;
  readonly nextAttemptAt: string | null;
  /** When the current 24-hour retry window began (the first attempt, or the last redelivery). */
  readonly windowStart: string;
  readonly event: MarketEvent;
}

/** What one attempt changed on its delivery. */
export type AttemptOutcome = Pick<
  Delivery,
  'status' | 'attempts' | 'lastStatusCode' | 'lastAttemptAt' | 'nextAttemptAt'
>;

export interface WebhookStore {
  /** One write of both the subscription and its place in its organisation's list; `exists` if the id is taken. */
  create(subscription: SigningSubscription): Promise<'created' | 'exists'>;
  get(id: string): Promise<SigningSubscription | undefined>;
  list(org: string, limit: number, after?: string): Promise<Page<Subscription>>;
  /** Every subscription of an organisation (deliveries are opened for each that wants an event). */
  allOf(org: string): Promise<SigningSubscription[]>;
  /** Writes `next` only over version `next.version - 1`. */
  update(next: SigningSubscription): Promise<'updated' | 'stale'>;

  deliveries(
    subscriptionId: string,
    query: { status?: DeliveryStatus; limit: number; after?: string },
  ): Promise<Page<Delivery>>;
  getDelivery(key: DeliveryKey): Promise<Delivery | undefined>;
  /** Opens a delivery unless one exists for the key (in either Region): one conditional put. */
  openDelivery(delivery: Delivery): Promise<void>;
  /** Makes a delivery pending again now, with a new window (opening it if there is none). */
  redeliver(delivery: Delivery): Promise<Delivery>;
  /**
   * Takes the delivery's lease if it is pending, due and not leased to anyone whose lease still runs: one
   * conditional write on the replicated record, so of two Regions trying at once one gets it.
   */
  claim(key: DeliveryKey, claim: { owner: string; now: Date; leaseMs: number }): Promise<Lease | undefined>;
  /** Records an attempt's outcome and ends the lease, only while the lease is still this one. */
  finish(lease: Lease, outcome: AttemptOutcome): Promise<boolean>;
  /** Pending deliveries due at `now`, oldest due first, with when each fell due. */
  due(now: Date, limit: number): Promise<(DeliveryKey & { dueAt: string })[]>;
}

export interface Lease {
  readonly delivery: Delivery;
  readonly token: string;
}

/** The HTTP request of one attempt, and what came back. */
export interface WebhookRequest {
  readonly url: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string;
}

export type WebhookResponse =
  { readonly statusCode: number } | { readonly statusCode: null; readonly error: string };

export interface WebhookSender {
  /**
   * Sends once, within the timeout, to an address it checks after resolving it (the address rules), and
   * follows no redirect.
   */
  send(request: WebhookRequest, timeoutMs: number): Promise<WebhookResponse>;
}

export interface EventDeps {
  readonly feed: EventFeed;
  readonly webhooks: WebhookStore;
  /** Checks a URL against the address rules, resolving its host; the reason it is refused, if it is. */
  readonly refusedUrl: (url: string) => Promise<string | undefined>;
  readonly region: string;
  readonly now: () => Date;
}

/** A delivery due now, in a new window: a subscription's first for an event, or a redelivery. */
export function pendingDelivery(
  subscription: Pick<Subscription, 'id' | 'org'>,
  event: MarketEvent,
  now: Date,
  earlier?: Delivery,
): Delivery {
  return {
    subscriptionId: subscription.id,
    eventId: event.id,
    org: subscription.org,
    type: event.type,
    status: 'pending' satisfies DeliveryStatus,
    attempts: earlier?.attempts ?? 0,
    lastStatusCode: earlier?.lastStatusCode ?? null,
    lastAttemptAt: earlier?.lastAttemptAt ?? null,
    nextAttemptAt: now.toISOString(),
    windowStart: now.toISOString(),
    event,
  };
}
