/**
 * What the API answers, as zod/mini schemas (DESIGN.md §3 "Representations"). Nothing parses with them at
 * run time: they exist so the OpenAPI document states the response bodies with the same tool that states the
 * request bodies, and so every HTTP test can check what it receives against them. Objects are strict: the
 * field names are the contract, so an extra field in an answer is drift, not a bonus.
 */
import * as z from 'zod/mini';
import { auditedEntities } from '../../domain/audit.js';
import { roles } from '../../domain/caller.js';
import { krw } from '../../domain/validation.js';
import {
  agencyKinds,
  categories,
  contractMethods,
  contractStatuses,
  csapGrades,
  networks,
  serviceStatuses,
} from '../../domain/vocabulary.js';

const timestamp = z.iso.datetime();
const date = z.iso.date();
const id = z.string().check(z.minLength(1), z.maxLength(64));
const version = z.int().check(z.minimum(1));
const count = z.int().check(z.minimum(0));

/** `{name: count}` with exactly the given names. */
/** One RFC 6902 operation, as `changes` lists them. */
const jsonPatchOperation = z.strictObject({
  op: z.enum(['add', 'remove', 'replace']),
  path: z.string(),
  value: z.optional(z.unknown()),
});

const counts = <const T extends readonly string[]>(names: T) =>
  z.strictObject(Object.fromEntries(names.map((name) => [name, count])) as Record<T[number], typeof count>);

export const provider = z.strictObject({
  id,
  name: z.string(),
  businessRegistrationNumber: z.string().check(z.regex(/^\d{10}$/)),
  contactEmail: z.string(),
  createdAt: timestamp,
  version,
});

export const agency = z.strictObject({
  id,
  name: z.string(),
  institutionCode: z.string().check(z.regex(/^\d{7}$/)),
  kind: z.enum(agencyKinds),
  network: z.enum(networks),
  createdAt: timestamp,
  version,
});

export const pricePlan = z.strictObject({
  id: z.string(),
  name: z.string(),
  unit: z.string(),
  unitPriceKrw: krw(),
});

export const service = z.strictObject({
  id,
  providerId: id,
  name: z.string(),
  summary: z.string(),
  category: z.enum(categories),
  ai: z.boolean(),
  networks: z.array(z.enum(networks)),
  csap: z.nullable(
    z.strictObject({ grade: z.enum(csapGrades), certificateNumber: z.string(), validUntil: date }),
  ),
  plans: z.array(pricePlan),
  status: z.enum(serviceStatuses),
  selection: z.nullable(
    z.strictObject({ sessionNumber: z.int().check(z.minimum(1)), decidedAt: timestamp, validUntil: date }),
  ),
  createdAt: timestamp,
  updatedAt: timestamp,
  version,
});

export const reviewSession = z.strictObject({
  number: z.int().check(z.minimum(1)),
  date,
  status: z.enum(['OPEN', 'CLOSED']),
  agenda: z.array(id),
  decisions: z.array(
    z.strictObject({
      serviceId: id,
      decision: z.enum(['SELECTED', 'REJECTED']),
      reason: z.string(),
      decidedAt: timestamp,
    }),
  ),
  version,
});

export const contract = z.strictObject({
  id,
  agencyId: id,
  serviceId: id,
  /** The service version whose plan priced it; `null` only for contracts stored before versions were kept. */
  serviceVersion: z.nullable(version),
  providerId: id,
  planId: z.string(),
  quantity: z.int().check(z.minimum(1)),
  months: z.int().check(z.minimum(1)),
  method: z.enum(contractMethods),
  catalogAmountKrw: krw(),
  amountKrw: krw(),
  status: z.enum(contractStatuses),
  requestedAt: timestamp,
  quotedAt: z.nullable(timestamp),
  signedAt: z.nullable(timestamp),
  closedAt: z.nullable(timestamp),
  leadTimeDays: z.nullable(z.number().check(z.minimum(0))),
  caseId: z.nullable(id),
  cancelReason: z.nullable(z.enum(['NOT_CHOSEN', 'CASE_CLOSED'])),
  amendments: z.array(
    z.strictObject({
      number: z.int().check(z.minimum(1)),
      quantity: z.int().check(z.minimum(1)),
      months: z.int().check(z.minimum(1)),
      amountKrw: krw(),
      reason: z.string(),
      at: timestamp,
    }),
  ),
  renewalOf: z.nullable(id),
  termination: z.nullable(
    z.strictObject({ reason: z.nullable(z.string()), requestedAt: timestamp, effectiveAt: timestamp }),
  ),
  version,
});

export const stats = z.strictObject({
  services: z.strictObject({ listed: count, ai: count, byCategory: counts(categories) }),
  agencies: z.strictObject({ withContracts: count }),
  contracts: z.strictObject({ signed: count, totalAmountKrw: krw(), byStatus: counts(contractStatuses) }),
  medianLeadTimeDays: z.nullable(z.number().check(z.minimum(0))),
  cases: z.strictObject({
    open: count,
    awarded: count,
    noAward: count,
    cancelled: count,
    medianDaysToAward: z.nullable(z.number().check(z.minimum(0))),
  }),
});

export const auditEvent = z.strictObject({
  id: z.string(),
  at: timestamp,
  actor: z.strictObject({ sub: z.string(), role: z.enum(roles), org: z.optional(id) }),
  entity: z.enum(auditedEntities),
  entityId: z.string(),
  action: z.string(),
  fromVersion: z.nullable(version),
  toVersion: version,
  region: z.string(),
  changes: z.array(jsonPatchOperation),
  acknowledged: z.nullable(z.strictObject({ by: z.string(), at: timestamp })),
});

/** A service's facet counts over every service the query matches, each dimension without its own filter. */
export const facets = z.strictObject({
  category: counts(categories),
  ai: counts(['true', 'false'] as const),
  network: counts(networks),
  csapGrade: counts([...csapGrades, 'NONE'] as const),
});

/** A page of the catalog, with `facets` when asked for (`facets=true`). */
export const servicePage = z.strictObject({
  items: z.array(service),
  next: z.nullable(z.string()),
  facets: z.optional(facets),
});

/** One entry of a service's history. */
export const serviceVersion = z.strictObject({
  version,
  at: timestamp,
  actor: z.strictObject({ sub: z.string(), role: z.enum(roles), org: z.optional(id) }),
  action: z.string(),
  status: z.enum(serviceStatuses),
  changes: z.array(jsonPatchOperation),
});

export const health = z.strictObject({
  status: z.enum(['ok', 'starting', 'unhealthy']),
  region: z.string(),
  checks: z.record(
    z.string(),
    z.strictObject({
      ok: z.boolean(),
      starting: z.optional(z.boolean()),
      latencyMs: z.number().check(z.minimum(0)),
      error: z.optional(z.string()),
    }),
  ),
});

/**
 * RFC 9457 problem details, as `functions/http/problem.ts` and the gateways build them. API Gateway's own
 * answers add `requestId` (quote it to support), and its catch-all 4xx/5xx answers, which cover several
 * statuses, leave `status` to the status line, as RFC 9457 allows.
 */
export const problem = z.strictObject({
  type: z.string(),
  title: z.string(),
  status: z.optional(z.int().check(z.minimum(400), z.maximum(599))),
  detail: z.string(),
  errors: z.optional(z.array(z.strictObject({ path: z.string(), message: z.string() }))),
  instance: z.optional(z.string()),
  requestId: z.optional(z.string()),
});

/** One page of a list: `next` is the opaque cursor for `?cursor=`, `null` on the last page. */
export const page = <T extends z.ZodMiniType>(item: T) =>
  z.strictObject({ items: z.array(item), next: z.nullable(z.string()) });
