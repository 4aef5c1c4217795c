/**
 * What the event feed and the webhook routes answer (DESIGN.md §8), as zod/mini schemas like
 * `representations.ts`, kept apart so these routes' schemas stay in files of their own.
 */
import * as z from 'zod/mini';
import { deliveryStatuses } from '../../domain/event-ports.js';
import { eventTypes } from '../../domain/events.js';

const timestamp = z.iso.datetime();
const id = z.string().check(z.minLength(1), z.maxLength(64));

/** One event; `data` is the resource as of that version (a contract, a service, a case). */
export const event = z.strictObject({
  id: z.string(),
  type: z.enum(eventTypes),
  at: timestamp,
  entity: z.string(),
  entityId: id,
  version: z.int().check(z.minimum(1)),
  orgs: z.array(id),
  data: z.record(z.string(), z.unknown()),
});

/** A page of the feed: `next` is always given, to resume from later even after an empty page. */
export const eventPage = z.strictObject({ items: z.array(event), next: z.string() });

export const webhook = z.strictObject({
  id,
  org: id,
  url: z.string(),
  types: z.array(z.enum(eventTypes)),
  enabled: z.boolean(),
  createdAt: timestamp,
  updatedAt: timestamp,
  version: z.int().check(z.minimum(1)),
});

/** The create's answer, the only one with the signing secret (`whsec_` and base64). */
export const webhookCreated = z.strictObject({
  ...webhook.def.shape,
  secret: z.string().check(z.regex(/^whsec_[A-Za-z0-9+/]+=*$/)),
});

export const delivery = z.strictObject({
  eventId: z.string(),
  type: z.enum(eventTypes),
  status: z.enum(deliveryStatuses),
  attempts: z.int().check(z.minimum(0)),
  lastStatusCode: z.nullable(z.int()),
  lastAttemptAt: z.nullable(timestamp),
  nextAttemptAt: z.nullable(timestamp),
});
