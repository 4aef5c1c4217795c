/**
 * Procurement cases (DESIGN.md §7): the record of how an agency chose what it buys, from saved searches
 * and a shortlist through the comparison and locked snapshots to quotes. Cases, their snapshots and the
 * contracts they lead to live in the MRSC ledger, and every write here is one conditional write; the
 * award and the close are sagas of such writes (`case-decision.ts`).
 */
import { createHash } from 'node:crypto';
import * as z from 'zod/mini';
import { anonymous, type Caller, idempotencyScope, requireOrg, requireUser, type User } from './caller.js';
import { retryContention } from './contention.js';
import { pricedContract, contractInput } from './contract.js';
import { createIdempotently, type Created } from './create.js';
import { decodeCursor, encodeCursor } from './cursor.js';
import { conflict, forbidden, invalid, notFound } from './errors.js';
import { canonicalJson, fingerprint, idForKey, newId } from './ids.js';
import {
  type ChangeRequest,
  type Changed,
  checkIfMatch,
  transition,
  type TransitionRule,
} from './transition.js';
import type { Deps, Page } from './ports.js';
import { effectiveStatus } from './selection.js';
import { listServices, serviceListQuery } from './service.js';
import { krw, lazySchema, pageQuery, parseInput, text } from './validation.js';
import { caseStatuses, categories, contractMethods, csapGrades, networks } from './vocabulary.js';
import type {
  Agency,
  Case,
  CaseSnapshot,
  Comparison,
  ComparisonItem,
  Contract,
  Provider,
  SavedSearch,
  Service,
} from './entities.js';

export const MAX_SEARCHES = 10;
export const MAX_SHORTLIST = 10;
/** How many results of each saved search a snapshot keeps, in the listing's order. */
export const SNAPSHOT_RESULTS = 100;

const serviceId = () => z.string().check(z.minLength(1), z.maxLength(64));

export const caseInput = lazySchema(() =>
  z.strictObject({
    title: text(200),
    need: text(4000),
    quantity: contractInput().shape.quantity,
    months: contractInput().shape.months,
    budgetKrw: z.optional(z.nullable(krw())),
  }),
);

export const shortlistInput = lazySchema(() =>
  z.array(z.strictObject({ serviceId: serviceId(), note: z.optional(text(500)) })).check(
    z.maxLength(MAX_SHORTLIST, `At most ${MAX_SHORTLIST} services.`),
    z.refine(
      (entries) => new Set(entries.map((entry) => entry.serviceId)).size === entries.length,
      'A service appears once.',
    ),
  ),
);

export const casePatch = lazySchema(() =>
  z.strictObject({
    title: z.optional(caseInput().shape.title),
    need: z.optional(caseInput().shape.need),
    quantity: z.optional(caseInput().shape.quantity),
    months: z.optional(caseInput().shape.months),
    budgetKrw: z.optional(z.nullable(krw())),
    shortlist: z.optional(shortlistInput()),
  }),
);

/** A saved search takes the catalog's own filters (`GET /v1/services`), `ai` as a JSON boolean. */
export const searchInput = lazySchema(() =>
  z.strictObject({
    q: serviceListQuery().shape.q,
    category: z.optional(z.enum(categories)),
    ai: z.optional(z.boolean()),
    network: z.optional(z.enum(networks)),
    csapGrade: z.optional(z.enum(csapGrades)),
  }),
);

export const quotesInput = lazySchema(() =>
  z.strictObject({
    requests: z
      .array(z.strictObject({ serviceId: serviceId(), planId: contractInput().shape.planId }))
      .check(z.minLength(1), z.maxLength(MAX_SHORTLIST)),
    method: z.enum(contractMethods),
  }),
);

const emptyBody = lazySchema(() => z.strictObject({}));

export const caseListQuery = lazySchema(() =>
  z.strictObject({
    agencyId: z.optional(serviceId()),
    status: z.optional(z.enum(caseStatuses)),
    ...pageQuery(),
  }),
);

/** The caller and the agency it acts for (the route table admits only agencies to case writes). */
function actingAgency(caller: Caller): User & { org: string } {
  const user = requireUser(caller);
  return { ...user, org: requireOrg(user) };
}

export const asCaseOwner = (caller: Caller, kase: Case) => {
  const user = actingAgency(caller);
  if (user.org !== kase.agencyId) throw forbidden('Only the agency that opened this case may do this.');
  return user;
};

/** The agency may read its own case, and administrators every case. */
function mayRead(caller: Caller, kase: Case): void {
  const user = requireUser(caller);
  if (user.role === 'admin') return;
  if (user.role === 'agency' && user.org === kase.agencyId) return;
  throw forbidden('Only the agency that opened this case and administrators may read it.');
}

/** The stored status, or what is being done to the case while an award or close is carried out. */
export const caseState = (kase: Case): string => {
  if (!kase.pendingDecision) return kase.status;
  return kase.pendingDecision.outcome === 'AWARDED' ? 'BEING AWARDED' : 'BEING CLOSED';
};

/** `→ OPEN`, for the calling agency. */
export async function openCase(
  deps: Deps,
  caller: Caller,
  body: unknown,
  idempotencyKey: string | undefined,
): Promise<Created<Case>> {
  const user = actingAgency(caller);
  const input = parseInput(caseInput, body, 'case');
  return createIdempotently(deps, user, {
    kind: 'case',
    identity: { prefix: 'cas' },
    body,
    idempotencyKey,
    prepare: async (id, createdAt) => {
      if (!(await deps.entities.get<Agency>('agency', user.org)))
        throw forbidden(`Agency ${user.org} is not registered.`);
      return {
        id,
        agencyId: user.org,
        title: input.title,
        need: input.need,
        quantity: input.quantity,
        months: input.months,
        budgetKrw: input.budgetKrw ?? null,
        status: 'OPEN',
        searches: [],
        shortlist: [],
        snapshots: 0,
        contractIds: [],
        award: null,
        outcome: null,
        pendingDecision: null,
        createdAt,
        updatedAt: createdAt,
        version: 1,
      };
    },
  });
}

export async function getCase(deps: Deps, caller: Caller, id: string): Promise<Case> {
  const kase = await deps.entities.get<Case>('case', id);
  if (!kase) throw notFound(`Case ${id}`);
  mayRead(caller, kase);
  return kase;
}

/** Newest first: the agency's own cases; an administrator's pick of one agency's, or every case. */
export async function listCases(
  deps: Deps,
  caller: Caller,
  query: Record<string, string | undefined>,
): Promise<Page<Case>> {
  const user = requireUser(caller);
  const { limit, cursor, status, agencyId } = parseInput(caseListQuery, query, 'query');
  let scope: string | undefined = agencyId;
  if (user.role !== 'admin') {
    const org = actingAgency(user).org;
    if (agencyId && agencyId !== org) throw forbidden('Lists are scoped to your own organisation.');
    scope = org;
  }
  const queryKey = JSON.stringify({ cases: scope ?? '*', status });
  const page = await deps.ledger.listCases({
    limit,
    ...(scope ? { agencyId: scope } : {}),
    ...(status ? { status } : {}),
    ...(cursor ? { after: decodeCursor(cursor, queryKey) } : {}),
  });
  return { items: page.items, next: page.next ? encodeCursor(page.next, queryKey) : null };
}

type CaseRule = Omit<TransitionRule<Case>, 'noun' | 'statusOf' | 'allowed' | 'authorize'>;

/** A change of an OPEN case by its agency: one conditional write on the version read. */
export function changeCase(deps: Deps, caller: Caller, id: string, request: ChangeRequest, rule: CaseRule) {
  return transition<Case>(deps, {
    kind: 'case',
    id,
    caller,
    request,
    rule: {
      ...rule,
      noun: 'Case',
      allowed: ['OPEN'],
      authorize: asCaseOwner,
      statusOf: caseState,
      apply: async (kase, now) => ({ ...(await rule.apply(kase, now)), updatedAt: now.toISOString() }),
    },
  });
}

/**
 * Edits while OPEN. A new shortlist replaces the old one; each entry must be a LISTED service with a valid
 * selection (409), and an entry already on the list keeps the time it was added.
 */
export async function patchCase(
  deps: Deps,
  caller: Caller,
  id: string,
  request: ChangeRequest,
): Promise<Changed<Case>> {
  const { shortlist, ...fields } = parseInput(casePatch, request.body, 'case change');
  return changeCase(deps, caller, id, request, {
    action: 'update',
    apply: async (kase, now) => {
      if (!shortlist) return { ...kase, ...fields };
      const services = await deps.entities.getMany<Service>(
        'service',
        shortlist.map((entry) => entry.serviceId),
      );
      const listed = new Set(
        services.filter((service) => effectiveStatus(service, now) === 'LISTED').map((s) => s.id),
      );
      const refused = shortlist.filter((entry) => !listed.has(entry.serviceId));
      if (refused.length > 0) {
        throw conflict(
          `Only LISTED services with a valid selection can be shortlisted: ${refused.map((e) => e.serviceId).join(', ')}.`,
        );
      }
      const addedBefore = new Map(kase.shortlist.map((entry) => [entry.serviceId, entry.addedAt]));
      return {
        ...kase,
        ...fields,
        shortlist: shortlist.map((entry) => ({
          serviceId: entry.serviceId,
          note: entry.note ?? '',
          addedAt: addedBefore.get(entry.serviceId) ?? now.toISOString(),
        })),
      };
    },
  });
}

/**
 * A saved search on the case; with an Idempotency-Key its id derives from the key, so a retry answers the
 * same search. The eleventh is a 409.
 */
export async function saveSearch(
  deps: Deps,
  caller: Caller,
  id: string,
  request: ChangeRequest,
): Promise<{ search: SavedSearch; replayed: boolean }> {
  const query = parseInput(searchInput, request.body, 'search');
  const searchId =
    request.idempotencyKey && caller.kind === 'user'
      ? idForKey('srch', `${idempotencyScope(caller)}\u0000${id}`, request.idempotencyKey)
      : newId('srch');
  const { entity, replayed } = await changeCase(deps, caller, id, request, {
    action: 'search',
    apply: (kase, now) => {
      if (kase.searches.length >= MAX_SEARCHES) {
        throw conflict(`A case keeps at most ${MAX_SEARCHES} saved searches.`);
      }
      return { ...kase, searches: [...kase.searches, { id: searchId, query, savedAt: now.toISOString() }] };
    },
  });
  const search = entity.searches.find((s) => s.id === searchId);
  if (!search) throw conflict('This Idempotency-Key was already used for another search.');
  return { search, replayed };
}

/** The comparison of the case's shortlist as it stands; see `compare`. */
export async function getComparison(deps: Deps, caller: Caller, id: string): Promise<Comparison> {
  return compare(deps, await getCase(deps, caller, id));
}

/**
 * Every shortlisted service side by side: each plan priced at the case's quantity × months, cheapest
 * first by the lowest plan, budget and network fit; a service no longer listed stays, last, marked
 * `listed: false`.
 */
export async function compare(deps: Deps, kase: Case): Promise<Comparison> {
  const [services, agency] = await Promise.all([
    deps.entities.getMany<Service>(
      'service',
      kase.shortlist.map((entry) => entry.serviceId),
    ),
    deps.entities.get<Agency>('agency', kase.agencyId),
  ]);
  const [providers, signed] = await Promise.all([
    deps.entities.getMany<Provider>('provider', [...new Set(services.map((s) => s.providerId))]),
    Promise.all(
      services.map((service) =>
        deps.ledger.signedContractsOf(
          service.id,
          service.plans.map((plan) => plan.id),
        ),
      ),
    ),
  ]);
  return comparisonOf(kase, { services, agency, providers, signedContracts: signed }, deps.now());
}

/**
 * The comparison from what `compare` reads: the shortlisted services, the case's agency, their providers,
 * and each service's signed contracts (in the order of `services`).
 */
export function comparisonOf(
  kase: Pick<Case, 'quantity' | 'months' | 'budgetKrw'>,
  read: {
    readonly services: readonly Service[];
    readonly agency: Agency | undefined;
    readonly providers: readonly Provider[];
    readonly signedContracts: readonly number[];
  },
  now: Date,
): Comparison {
  const { services, agency, providers, signedContracts: signed } = read;
  const providerNames = new Map(providers.map((provider) => [provider.id, provider.name]));
  const items = services.map((service, i): ComparisonItem => {
    const plans = service.plans.map((plan) => ({
      id: plan.id,
      name: plan.name,
      unit: plan.unit,
      unitPriceKrw: plan.unitPriceKrw,
      amountKrw: plan.unitPriceKrw * kase.quantity * kase.months,
    }));
    const lowestAmountKrw = plans.length ? Math.min(...plans.map((plan) => plan.amountKrw)) : null;
    return {
      serviceId: service.id,
      serviceVersion: service.version,
      name: service.name,
      providerId: service.providerId,
      providerName: providerNames.get(service.providerId) ?? '',
      category: service.category,
      ai: service.ai,
      networks: [...service.networks],
      offeredOnAgencyNetwork: agency ? service.networks.includes(agency.network) : false,
      listed: effectiveStatus(service, now) === 'LISTED',
      csap: service.csap
        ? {
            grade: service.csap.grade,
            certificateNumber: service.csap.certificateNumber,
            validUntil: service.csap.validUntil,
          }
        : null,
      selection: service.selection
        ? {
            sessionNumber: service.selection.sessionNumber,
            decidedAt: service.selection.decidedAt,
            validUntil: service.selection.validUntil,
          }
        : null,
      plans,
      lowestAmountKrw,
      withinBudget:
        kase.budgetKrw === null ? null : lowestAmountKrw !== null && lowestAmountKrw <= kase.budgetKrw,
      contractsSigned: signed[i] ?? 0,
    };
  });
  const rank = (item: ComparisonItem) => [item.listed ? 0 : 1, item.lowestAmountKrw ?? Infinity] as const;
  items.sort((a, b) => {
    const [al, aa] = rank(a);
    const [bl, ba] = rank(b);
    return al - bl || aa - ba || (a.serviceId < b.serviceId ? -1 : 1);
  });
  return { quantity: kase.quantity, months: kase.months, items };
}

/** A snapshot's id: its case's and its number. */
export const snapshotId = (caseId: string, number: number) => `${caseId}.${number}`;

/** The hex SHA-256 of the canonical JSON (keys sorted, no whitespace) of a snapshot without its hash. */
export function snapshotHash(
  snapshot: Omit<CaseSnapshot, 'sha256' | 'id' | 'version' | 'createdAt'>,
): string {
  return createHash('sha256').update(canonicalJson(snapshot)).digest('hex');
}

/**
 * Locks the record now: each saved search re-run, the shortlist and the comparison, hashed. Numbered from
 * 1 with single conditional writes: the snapshot is put first under the next free number (a put never
 * overwrites), then the case's count moves up to it. A put that finds its number taken (by a concurrent
 * lock, or one whose count an interruption left behind) moves the count up and takes the next. A retry with
 * the Idempotency-Key finds its snapshot by the key, whichever write it was interrupted after.
 */
export async function lockSnapshot(
  deps: Deps,
  caller: Caller,
  id: string,
  request: ChangeRequest,
): Promise<{ snapshot: CaseSnapshot; replayed: boolean }> {
  if (request.body !== undefined) parseInput(emptyBody, request.body, 'snapshot request');
  const receipt =
    request.idempotencyKey && caller.kind === 'user'
      ? { key: request.idempotencyKey, fingerprint: fingerprint(request.body ?? null) }
      : undefined;
  return retryContention(deps, `Case ${id}`, async () => {
    const found = await deps.entities.getForChange<Case>('case', id, {
      receiptKey: undefined,
      consistent: true,
    });
    if (!found) throw notFound(`Case ${id}`);
    const kase = found.entity;
    const user = asCaseOwner(caller, kase);
    if (receipt) {
      const earlier = await findSnapshotByKey(deps, kase, receipt);
      if (earlier) return { snapshot: earlier, replayed: true };
    }
    checkIfMatch(request, kase.version);
    if (caseState(kase) !== 'OPEN')
      throw conflict(`Cannot lock a snapshot of a case that is ${caseState(kase)}.`);
    const number = kase.snapshots + 1;
    const lockedAt = deps.now().toISOString();
    const content = {
      number,
      caseId: kase.id,
      lockedAt,
      lockedBy: { sub: user.sub, org: user.org },
      case: {
        title: kase.title,
        need: kase.need,
        quantity: kase.quantity,
        months: kase.months,
        budgetKrw: kase.budgetKrw,
      },
      searches: await rerunSearches(deps, kase),
      shortlist: kase.shortlist.map(({ serviceId, note, addedAt }) => ({ serviceId, note, addedAt })),
      comparison: await compare(deps, kase),
    };
    const snapshot: CaseSnapshot = {
      ...content,
      sha256: snapshotHash(content),
      id: snapshotId(kase.id, number),
      createdAt: lockedAt,
      version: 1,
    };
    const put = await deps.entities.create('snapshot', snapshot, {
      change: { actor: user, action: 'lock' },
      ...(receipt ? { idempotency: receipt } : {}),
    });
    await countSnapshot(deps, user, kase, number);
    // Taken, unless by our own put whose answer was lost and which the store client sent again.
    if (put.outcome === 'exists' && canonicalJson(put.original) !== canonicalJson(snapshot)) return undefined;
    return { snapshot, replayed: false };
  });
}

/** Moves the case's count of snapshots up to `number` (never down); one conditional write per try. */
async function countSnapshot(deps: Deps, user: User, read: Case, number: number): Promise<void> {
  let kase: Case | undefined = read;
  while (kase && kase.snapshots < number) {
    const result = await deps.entities.update(
      'case',
      { ...kase, snapshots: number, version: kase.version + 1 },
      { actor: user, action: 'lock' },
    );
    if (result.outcome === 'updated') return;
    kase = (
      await deps.entities.getForChange<Case>('case', kase.id, { receiptKey: undefined, consistent: true })
    )?.entity;
  }
}

/** The snapshot an earlier request with this key locked, if any (the key lives on the snapshot itself). */
async function findSnapshotByKey(
  deps: Deps,
  kase: Case,
  receipt: { key: string; fingerprint: string },
): Promise<CaseSnapshot | undefined> {
  // The newest first: a retry follows its first attempt closely. One more than the count, for a lock
  // whose count an interruption left behind.
  for (let number = kase.snapshots + 1; number >= 1; number--) {
    const earlier = await deps.entities.findCreated<CaseSnapshot>('snapshot', snapshotId(kase.id, number));
    if (!earlier || earlier.idempotency?.key !== receipt.key) continue;
    if (earlier.idempotency.fingerprint !== receipt.fingerprint) {
      throw conflict('This Idempotency-Key was already used with a different request body.');
    }
    return earlier.original;
  }
  return undefined;
}

/** Each saved search run again as the catalog would answer it now: how many match, the first results. */
async function rerunSearches(deps: Deps, kase: Case): Promise<CaseSnapshot['searches']> {
  return Promise.all(
    kase.searches.map(async (search) => {
      const query: Record<string, string> = { limit: String(SNAPSHOT_RESULTS), facets: 'true' };
      for (const [name, value] of Object.entries(search.query)) {
        if (value !== undefined) query[name] = String(value);
      }
      const page = await listServices(deps, anonymous, query);
      // Each facet counts with its own filter ignored: the category facet's cell of the category
      // searched for, or all its cells, is what matches every filter.
      const byCategory = page.facets?.category ?? {};
      const matched = search.query.category
        ? (byCategory[search.query.category] ?? 0)
        : Object.values(byCategory).reduce((sum, n) => sum + n, 0);
      return {
        id: search.id,
        query: search.query,
        matched,
        results: page.items.map((service) => ({ serviceId: service.id, version: service.version })),
      };
    }),
  );
}

export async function getSnapshot(
  deps: Deps,
  caller: Caller,
  id: string,
  number: string,
): Promise<{ kase: Case; snapshot: CaseSnapshot }> {
  const kase = await getCase(deps, caller, id);
  const n = Number(number);
  const snapshot =
    Number.isSafeInteger(n) && n >= 1
      ? await deps.entities.get<CaseSnapshot>('snapshot', snapshotId(kase.id, n))
      : undefined;
  if (!snapshot) throw notFound(`Snapshot ${number} of case ${id}`);
  return { kase, snapshot };
}

/**
 * Asks the providers of shortlisted services for quotes: one `REQUESTED` contract per request, with the
 * case's quantity and months. Every request is priced and checked before anything is written (a 4xx writes
 * nothing). The contracts' ids derive from the Idempotency-Key, and the case records them first, in one
 * conditional write carrying the key's receipt; the contracts are put after, each a conditional put. A
 * retry with the key therefore finds the receipt and puts whichever contracts an interruption left unmade,
 * and a contract of a case is always one its case knows of (so the award cancels it if not chosen).
 */
export async function requestQuotes(
  deps: Deps,
  caller: Caller,
  id: string,
  request: ChangeRequest,
): Promise<{ contracts: Contract[]; replayed: boolean }> {
  const input = parseInput(quotesInput, request.body, 'quote request');
  const user = actingAgency(caller);
  if (!request.idempotencyKey) throw invalid('Quote requests need an Idempotency-Key header.');
  const services = input.requests.map((r) => r.serviceId);
  if (new Set(services).size !== services.length) {
    throw invalid('Ask each service once.', [{ path: '/requests', message: 'A service appears once.' }]);
  }
  const scope = `${idempotencyScope(user)}\u0000${id}`;
  const ids = input.requests.map((_, i) => idForKey('ctr', scope, `${request.idempotencyKey}\u0000${i}`));
  let priced: Contract[] = [];
  const { entity: kase, replayed } = await changeCase(deps, caller, id, request, {
    action: 'quote',
    apply: async (current, now) => {
      if (current.snapshots < 1) throw conflict('Lock a snapshot of the case before asking for quotes.');
      const shortlisted = new Set(current.shortlist.map((entry) => entry.serviceId));
      const outside = services.filter((serviceId) => !shortlisted.has(serviceId));
      if (outside.length > 0) throw conflict(`Not on the case's shortlist: ${outside.join(', ')}.`);
      priced = await priceQuotes(deps, current, input, ids, now.toISOString());
      return { ...current, contractIds: [...new Set([...current.contractIds, ...ids])] };
    },
  });
  const existing = await deps.entities.getMany<Contract>('contract', ids);
  const have = new Set(existing.map((contract) => contract.id));
  // A retry finishes an interrupted request only while the case is open: once awarded or closed, the
  // contracts it never made stay unmade (the award has passed them by).
  const missing = caseState(kase) === 'OPEN' ? ids.filter((contractId) => !have.has(contractId)) : [];
  if (missing.length > 0 && priced.length === 0) {
    priced = await priceQuotes(deps, kase, input, ids, deps.now().toISOString());
  }
  const made = new Map(existing.map((contract) => [contract.id, contract]));
  for (const contract of priced.filter((c) => missing.includes(c.id))) {
    const result = await deps.entities.create('contract', contract, {
      change: { actor: user, action: 'create' },
      idempotency: { key: request.idempotencyKey, fingerprint: fingerprint(request.body ?? null) },
    });
    made.set(contract.id, result.outcome === 'exists' ? result.original : contract);
  }
  return { contracts: ids.flatMap((contractId) => made.get(contractId) ?? []), replayed };
}

function priceQuotes(
  deps: Deps,
  kase: Case,
  input: z.infer<ReturnType<typeof quotesInput>>,
  ids: readonly string[],
  requestedAt: string,
): Promise<Contract[]> {
  return Promise.all(
    input.requests.map((r, i) =>
      pricedContract(
        deps,
        kase.agencyId,
        { ...r, quantity: kase.quantity, months: kase.months, method: input.method },
        { id: ids[i] ?? '', requestedAt, caseId: kase.id, renewalOf: null },
        (message) => invalid('No such plan.', [{ path: `/requests/${i}/planId`, message }]),
      ),
    ),
  );
}
