import * as z from 'zod/mini';
import { type Caller, hasRole, requireOrg, requireUser, type User } from './caller.js';
import { type Created, createIdempotently } from './create.js';
import { decodeCursor, encodeCursor } from './cursor.js';
import { conflict, forbidden, notFound } from './errors.js';
import { type Facets, facetCounts } from './facets.js';
import { type Changed, type ChangeRequest, type TransitionRule, transition } from './transition.js';
import type { Deps, Page } from './ports.js';
import { drivingTerm, matchesFilters, postingPartition, type ServiceFilters, words } from './search.js';
import { effectiveStatus, seoulDate } from './selection.js';
import { documented, isoDate, krw, lazySchema, pageQuery, parseInput, text } from './validation.js';
import { categories, csapGrades, networks, type ServiceStatus, serviceStatuses } from './vocabulary.js';
import type { Service } from './entities.js';

const plan = () =>
  z.strictObject({
    id: z
      .string()
      .check(z.regex(/^[a-z0-9][a-z0-9-]{0,31}$/, 'Expected a lower-case slug of at most 32 characters.')),
    name: text(100),
    unit: text(50),
    unitPriceKrw: krw().check(z.minimum(1, 'A plan costs at least 1 KRW.')),
  });

const serviceFields = () => ({
  name: text(200),
  summary: text(2000),
  category: z.enum(categories),
  ai: z.boolean(),
  networks: documented(
    z.array(z.enum(networks)).check(
      z.minLength(1, 'At least one network.'),
      z.refine((list) => new Set(list).size === list.length, 'Networks must not repeat.'),
    ),
    { uniqueItems: true },
  ),
  csap: z.nullable(
    z.strictObject({ grade: z.enum(csapGrades), certificateNumber: text(50), validUntil: isoDate() }),
  ),
  plans: documented(
    z.array(plan()).check(
      z.minLength(1, 'At least one price plan.'),
      z.maxLength(50),
      z.refine((list) => new Set(list.map((p) => p.id)).size === list.length, 'Plan ids must be unique.'),
    ),
    { description: 'Price plans; no two share an `id`.' },
  ),
});

export const serviceInput = lazySchema(() => z.strictObject(serviceFields()));
export const servicePatch = lazySchema(() =>
  documented(
    z
      .partial(serviceInput())
      .check(z.refine((patch) => Object.keys(patch).length > 0, 'Name at least one field to change.')),
    { minProperties: 1 },
  ),
);

export function present(service: Service, now: Date): Service {
  const status = effectiveStatus(service, now);
  return status === service.status ? service : { ...service, status };
}

export async function createService(
  deps: Deps,
  caller: Caller,
  body: unknown,
  idempotencyKey: string | undefined,
): Promise<Created<Service>> {
  const user = requireUser(caller);
  const providerId = requireOrg(user);
  const input = parseInput(serviceInput, body, 'service');
  return createIdempotently(deps, user, {
    kind: 'service',
    identity: { prefix: 'svc' },
    body,
    idempotencyKey,
    prepare: (id, createdAt) => ({
      id,
      providerId,
      ...input,
      status: 'DRAFT',
      selection: null,
      createdAt,
      updatedAt: createdAt,
      version: 1,
    }),
  });
}

/** Listed services are public; anything else only its provider, the committee and administrators see. */
export async function getService(deps: Deps, caller: Caller, id: string): Promise<Service> {
  const service = await deps.entities.get<Service>('service', id);
  if (!service || !canSee(caller, service, deps.now())) throw notFound(`Service ${id}`);
  return present(service, deps.now());
}

function canSee(caller: Caller, service: Service, now: Date): boolean {
  if (effectiveStatus(service, now) === 'LISTED') return true;
  if (hasRole(caller, 'committee', 'admin')) return true;
  return caller.kind === 'user' && caller.role === 'provider' && caller.org === service.providerId;
}

/** What a provider may change on a `LISTED` service without a new review; the rest needs the committee. */
export const listedEditableFields = ['summary', 'plans', 'networks', 'csap'] as const;

/** Contracts in these states are priced from a plan that is still on offer: it may not be removed. */
const PLAN_HOLDING_STATUSES = ['REQUESTED', 'QUOTED'] as const;

/**
 * `DRAFT`: any field. `LISTED`: `summary`, `plans`, `networks` and `csap` only (409 otherwise), effective at
 * once as a new version; a plan that a `REQUESTED` or `QUOTED` contract uses cannot be removed (409).
 * Contracts already made keep the `serviceVersion` that priced them, so a price change never alters them.
 * The plan check reads the ledger's plan index inside the attempt that writes, against the very version the
 * write is conditional on; a contract requested in the same instant from an older read keeps its own
 * version's price either way.
 */
export async function patchService(
  deps: Deps,
  caller: Caller,
  id: string,
  request: ChangeRequest,
): Promise<Changed<Service>> {
  const patch = parseInput(servicePatch, request.body, 'service patch');
  return changeService(deps, caller, id, request, {
    action: 'update',
    allowed: ['DRAFT', 'LISTED'],
    authorize: requireOwner,
    apply: async (service) => {
      if (service.status !== 'LISTED') return { ...service, ...patch };
      const locked = Object.keys(patch).filter(
        (field) => !(listedEditableFields as readonly string[]).includes(field),
      );
      if (locked.length > 0) {
        throw conflict(
          `A LISTED service's ${locked.join(', ')} change only through a new committee review; ` +
            `edit ${listedEditableFields.join(', ')} instead.`,
        );
      }
      if (patch.plans) {
        const kept = new Set(patch.plans.map((p) => p.id));
        for (const removed of service.plans.filter((p) => !kept.has(p.id))) {
          if (await deps.ledger.planInUse(service.id, removed.id, PLAN_HOLDING_STATUSES)) {
            throw conflict(
              `Plan ${removed.id} is used by a REQUESTED or QUOTED contract and cannot be removed.`,
            );
          }
        }
      }
      return { ...service, ...patch };
    },
    // A draft's edit checks only that it is a draft; concurrent edits of other fields all stand. A listed
    // service's edit reads its plans, so it is written on the version read.
    readsOnlyStatus: (service) => service.status === 'DRAFT',
  });
}

const terminal: readonly ServiceStatus[] = ['REJECTED', 'EXPIRED', 'WITHDRAWN'];

export const serviceTransitions = {
  submit: { action: 'submit', allowed: ['DRAFT'], authorize: requireOwner, to: 'SUBMITTED' },
  withdraw: {
    action: 'withdraw',
    allowed: serviceStatuses.filter((s) => !terminal.includes(s)),
    authorize: requireOwner,
    to: 'WITHDRAWN',
  },
  suspend: { action: 'suspend', allowed: ['LISTED'], authorize: requireUser, to: 'SUSPENDED' },
  reinstate: { action: 'reinstate', allowed: ['SUSPENDED'], authorize: requireUser, to: 'LISTED' },
} as const satisfies Record<string, ServiceRule & { to: ServiceStatus }>;

export type ServiceTransition = keyof typeof serviceTransitions;

export async function transitionService(
  deps: Deps,
  caller: Caller,
  id: string,
  name: ServiceTransition,
  request: ChangeRequest,
): Promise<Changed<Service>> {
  const rule = serviceTransitions[name];
  return changeService(deps, caller, id, request, {
    ...rule,
    apply: (service, now) => {
      if (name === 'reinstate' && service.selection && service.selection.validUntil < seoulDate(now)) {
        throw conflict('The selection has expired; the service must be reviewed again.');
      }
      return { ...service, status: rule.to };
    },
  });
}

type ServiceRule = Pick<TransitionRule<Service>, 'action' | 'allowed' | 'authorize' | 'readsOnlyStatus'>;

/** A change of one service by a rule of the caller's (history's revert uses it). */
export const serviceTransitionRule = (
  deps: Deps,
  caller: Caller,
  id: string,
  request: ChangeRequest,
  rule: ServiceRule & Pick<TransitionRule<Service>, 'apply'>,
) => changeService(deps, caller, id, request, rule);

async function changeService(
  deps: Deps,
  caller: Caller,
  id: string,
  request: ChangeRequest,
  rule: ServiceRule & Pick<TransitionRule<Service>, 'apply'>,
): Promise<Changed<Service>> {
  const changed = await transition<Service>(deps, {
    kind: 'service',
    id,
    caller,
    request,
    rule: {
      ...rule,
      noun: 'Service',
      statusOf: effectiveStatus,
      apply: async (service, now) => ({ ...(await rule.apply(service, now)), updatedAt: now.toISOString() }),
    },
  });
  return { ...changed, entity: present(changed.entity, deps.now()) };
}

function requireOwner(caller: Caller, service: Service): User {
  const user = requireUser(caller);
  if (user.org !== service.providerId)
    throw forbidden('Only the provider that owns this service may do this.');
  return user;
}

export const serviceListQuery = lazySchema(() =>
  z.strictObject({
    category: z.optional(z.enum(categories)),
    ai: z.optional(
      z.pipe(
        z.enum(['true', 'false']),
        z.transform((flag) => flag === 'true'),
      ),
    ),
    network: z.optional(z.enum(networks)),
    csapGrade: z.optional(z.enum(csapGrades)),
    providerId: z.optional(z.string().check(z.minLength(1), z.maxLength(64))),
    q: z.optional(
      documented(
        z.string().check(
          z.maxLength(100),
          z.refine((q) => words(q).length > 0, 'The search text needs a letter or digit.'),
        ),
        { pattern: '[\\p{L}\\p{N}]' },
      ),
    ),
    status: z.optional(z.enum(serviceStatuses)),
    facets: z.optional(
      z.pipe(
        z.enum(['true', 'false']),
        z.transform((flag) => flag === 'true'),
      ),
    ),
    ...pageQuery(),
  }),
);

/** Filtered, paginated catalog listing; see `search.ts` for why it never scans. */
export async function listServices(
  deps: Deps,
  caller: Caller,
  query: Record<string, string | undefined>,
): Promise<Page<Service> & { facets?: Facets }> {
  const {
    limit,
    cursor,
    status = 'LISTED',
    facets: withFacets,
    ...filters
  } = parseInput(serviceListQuery, query, 'query');
  const scoped = scopeByStatus(caller, status, filters);
  const term = postingPartition(status, drivingTerm(scoped));
  const filterKey = JSON.stringify({ term, ...scoped });
  const after = cursor === undefined ? undefined : decodeCursor(cursor, filterKey);
  const postings = await deps.search.queryPostings({
    term,
    filters: { ...scoped, ...(scoped.q ? { words: words(scoped.q) } : {}) },
    limit,
    ...(after === undefined ? {} : { after }),
  });
  // Postings trail the entities by the projection delay, so hydrated items are checked again.
  const now = deps.now();
  const services = await deps.entities.getMany<Service>('service', postings.ids);
  const items = services
    .filter((service) => effectiveStatus(service, now) === status && matchesFilters(service, scoped))
    .map((service) => present(service, now));
  const next = postings.lastSortKey ? encodeCursor(postings.lastSortKey, filterKey) : null;
  if (!withFacets) return { items, next };
  return { items, next, facets: await countFacets(deps, status, scoped) };
}

/** See `facets.ts`: one counter item without a text query, the text term's postings with one. */
async function countFacets(deps: Deps, status: ServiceStatus, filters: ServiceFilters): Promise<Facets> {
  if (!filters.q) return facetCounts(await deps.facets.cells(status, filters.providerId), filters);
  const term = postingPartition(status, drivingTerm({ q: filters.q }));
  const cells = await deps.search.allPostings(term, {
    words: words(filters.q),
    ...(filters.providerId ? { providerId: filters.providerId } : {}),
  });
  return facetCounts(cells, filters);
}

/** Only `LISTED` is public; providers see their own services in other states, committee and admins all. */
function scopeByStatus(caller: Caller, status: ServiceStatus, filters: ServiceFilters): ServiceFilters {
  if (status === 'LISTED' || hasRole(caller, 'committee', 'admin')) return filters;
  if (caller.kind === 'user' && caller.role === 'provider') {
    const org = requireOrg(caller);
    if (filters.providerId && filters.providerId !== org) {
      throw forbidden('Providers may list only their own services in states other than LISTED.');
    }
    return { ...filters, providerId: org };
  }
  requireUser(caller);
  throw forbidden('Only LISTED services may be listed with this role.');
}
