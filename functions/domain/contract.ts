import * as z from 'zod/mini';
import { type Caller, requireOrg, requireUser, type User } from './caller.js';
import { createIdempotently, type Created } from './create.js';
import { decodeCursor, encodeCursor } from './cursor.js';
import { conflict, type DomainError, forbidden, invalid, notFound } from './errors.js';
import type { Deps, Page } from './ports.js';
import { effectiveStatus } from './selection.js';
import { type Changed, type ChangeRequest, type TransitionRule, transition } from './transition.js';
import { krw, lazySchema, pageQuery, parseInput, text } from './validation.js';
import { retryContention } from './contention.js';
import { contractMethods, contractStatuses } from './vocabulary.js';
import type { Agency, Contract, Service } from './entities.js';

const DAY_MS = 86_400_000;

/** What a request fixes; the rest of a new contract follows from it. */
export type ContractTerms = Pick<
  Contract,
  | 'id'
  | 'agencyId'
  | 'serviceId'
  | 'serviceVersion'
  | 'providerId'
  | 'planId'
  | 'quantity'
  | 'months'
  | 'method'
  | 'catalogAmountKrw'
  | 'requestedAt'
> &
  Partial<Pick<Contract, 'caseId' | 'renewalOf'>>;

/** A contract as requested: priced at the catalog amount, nothing quoted, signed or closed yet. */
export function requestedContract(terms: ContractTerms): Contract {
  return {
    caseId: null,
    renewalOf: null,
    ...terms,
    amountKrw: terms.catalogAmountKrw,
    status: 'REQUESTED',
    quotedAt: null,
    signedAt: null,
    closedAt: null,
    leadTimeDays: null,
    cancelReason: null,
    amendments: [],
    termination: null,
    createdAt: terms.requestedAt,
    version: 1,
  };
}

/** What an agency asks to buy; the server prices it. */
export interface Purchase {
  readonly serviceId: string;
  readonly planId: string;
  readonly quantity: number;
  readonly months: number;
  readonly method: Contract['method'];
}

/**
 * A new `REQUESTED` contract for `agencyId`, priced by the server at the service's current version:
 * unit price × quantity × months of a plan of a LISTED service whose selection is valid and that serves
 * the agency's network (409 otherwise; 400 for a plan it lacks).
 */
export async function pricedContract(
  deps: Deps,
  agencyId: string,
  purchase: Purchase,
  identity: Pick<ContractTerms, 'id' | 'requestedAt' | 'caseId' | 'renewalOf'>,
  missingPlan: (message: string) => DomainError = (message) =>
    invalid('No such plan.', [{ path: '/planId', message }]),
): Promise<Contract> {
  const [agency, service] = await Promise.all([
    deps.entities.get<Agency>('agency', agencyId),
    deps.entities.get<Service>('service', purchase.serviceId),
  ]);
  if (!agency) throw forbidden(`Agency ${agencyId} is not registered.`);
  if (!service || effectiveStatus(service, deps.now()) !== 'LISTED') {
    throw conflict(
      `Service ${purchase.serviceId} is not listed with a valid selection, so it cannot be contracted.`,
    );
  }
  if (!service.networks.includes(agency.network)) {
    throw conflict(
      `Service ${service.id} is not offered on the ${agency.network} network this agency buys for.`,
    );
  }
  const plan = service.plans.find((p) => p.id === purchase.planId);
  if (!plan) throw missingPlan(`Service ${service.id} has no plan ${purchase.planId}.`);
  return requestedContract({
    ...identity,
    agencyId: agency.id,
    serviceId: service.id,
    serviceVersion: service.version,
    providerId: service.providerId,
    planId: plan.id,
    quantity: purchase.quantity,
    months: purchase.months,
    method: purchase.method,
    catalogAmountKrw: amountAt(plan.unitPriceKrw, purchase.quantity, purchase.months),
  });
}

/** Unit price × quantity × months, refused (400) where it would not be exact whole KRW. */
function amountAt(unitPriceKrw: number, quantity: number, months: number): number {
  const amount = unitPriceKrw * quantity * months;
  if (!Number.isSafeInteger(amount)) {
    throw invalid('The amount is too large.', [
      { path: '/quantity', message: 'Unit price × quantity × months is too large.' },
    ]);
  }
  return amount;
}

/** Days from request to signature, to one decimal. */
export function leadTimeDays(requestedAt: string, signedAt: string): number {
  return Math.round(((Date.parse(signedAt) - Date.parse(requestedAt)) / DAY_MS) * 10) / 10;
}

export const contractInput = lazySchema(() =>
  z.strictObject({
    serviceId: z.string().check(z.minLength(1), z.maxLength(64)),
    planId: z.string().check(z.minLength(1), z.maxLength(32)),
    quantity: z.int().check(z.minimum(1), z.maximum(1_000_000)),
    months: z.int().check(z.minimum(1), z.maximum(120)),
    method: z.enum(contractMethods),
  }),
);

export const quoteInput = lazySchema(() => z.strictObject({ amountKrw: krw() }));

/** The caller and the organisation it acts for (the route table admits only agencies or providers here). */
function actingForOrg(caller: Caller): User & { org: string } {
  const user = requireUser(caller);
  return { ...user, org: requireOrg(user) };
}

/**
 * `→ REQUESTED`. The amount is the server's: unit price × quantity × months of a plan of a LISTED service
 * whose selection is valid and that serves the agency's network. One conditional put into the ledger,
 * whose key derives from the agency and the Idempotency-Key, so a retry can never make a second contract.
 */
export async function requestContract(
  deps: Deps,
  caller: Caller,
  body: unknown,
  idempotencyKey: string | undefined,
): Promise<Created<Contract>> {
  const user = actingForOrg(caller);
  const input = parseInput(contractInput, body, 'contract request');
  if (!idempotencyKey) throw invalid('Contract requests need an Idempotency-Key header.');
  return createIdempotently(deps, user, {
    kind: 'contract',
    identity: { prefix: 'ctr' },
    body,
    idempotencyKey,
    prepare: (id, requestedAt) => pricedContract(deps, user.org, input, { id, requestedAt }),
  });
}

/** The two parties and administrators may read a contract. */
export async function getContract(deps: Deps, caller: Caller, id: string): Promise<Contract> {
  const user = requireUser(caller);
  const contract = await deps.entities.get<Contract>('contract', id);
  if (!contract) throw notFound(`Contract ${id}`);
  if (!isParty(user, contract))
    throw forbidden('Only the two parties and administrators may read this contract.');
  return contract;
}

function isParty(user: User, contract: Contract): boolean {
  return (
    user.role === 'admin' ||
    (user.role === 'agency' && user.org === contract.agencyId) ||
    (user.role === 'provider' && user.org === contract.providerId)
  );
}

const asAgency = (caller: Caller, contract: Contract) => {
  const user = actingForOrg(caller);
  if (user.org !== contract.agencyId)
    throw forbidden('Only the agency that requested this contract may do this.');
  return user;
};

const asAgencyOrAdmin = (caller: Caller, contract: Contract) => {
  const user = requireUser(caller);
  if (user.role === 'admin') return user;
  return asAgency(caller, contract);
};

const asProvider = (caller: Caller, contract: Contract) => {
  const user = actingForOrg(caller);
  if (user.org !== contract.providerId)
    throw forbidden("Only the service's provider may quote this contract.");
  return user;
};

type ContractRule = Omit<TransitionRule<Contract>, 'noun' | 'statusOf'>;

const contractRules = {
  sign: {
    action: 'sign',
    allowed: ['QUOTED'],
    authorize: asAgency,
    apply: (c, now) => {
      // The case's award signs one of its contracts and cancels the others, so a case never has two.
      if (c.caseId)
        throw conflict(`Contract ${c.id} belongs to case ${c.caseId}: award it through the case.`);
      return signed(c, now);
    },
  },
  cancel: {
    action: 'cancel',
    allowed: ['REQUESTED', 'QUOTED'],
    authorize: asAgency,
    apply: (c, now) => ({ ...c, status: 'CANCELLED', closedAt: now.toISOString() }),
  },
  complete: {
    action: 'complete',
    allowed: ['ACTIVE'],
    authorize: asAgencyOrAdmin,
    apply: (c, now) => ({ ...c, status: 'COMPLETED', closedAt: now.toISOString() }),
  },
} as const satisfies Record<string, ContractRule>;

/** `QUOTED → ACTIVE`, remembering the amount at signature (the base of the amendment limit). */
export function signed(c: Contract, now: Date): Contract {
  const signedAt = now.toISOString();
  return {
    ...c,
    status: 'ACTIVE',
    signedAt,
    leadTimeDays: leadTimeDays(c.requestedAt, signedAt),
    signedAmountKrw: c.amountKrw,
  };
}

/** `ACTIVE → TERMINATED` now. */
export const terminated = (c: Contract, now: Date): Contract => ({
  ...c,
  status: 'TERMINATED',
  closedAt: now.toISOString(),
});

export type ContractTransition = keyof typeof contractRules;

/**
 * Each transition is one conditional update of the contract item, on the version it was checked at. A
 * retry with the request's Idempotency-Key finds its receipt on the item and is answered with the contract
 * as it is now; without a key, a retry after a lost answer re-reads and either applies the change once or
 * answers 409 because the state moved on. Two Regions racing get one success and one
 * ReplicatedWriteConflict, retried the same way.
 */
export function transitionContract(
  deps: Deps,
  caller: Caller,
  id: string,
  name: ContractTransition,
  request: ChangeRequest,
): Promise<Changed<Contract>> {
  return changeContract(deps, caller, id, request, contractRules[name]);
}

/** `REQUESTED → QUOTED` by the service's provider, at most the catalog amount. */
export async function quoteContract(
  deps: Deps,
  caller: Caller,
  id: string,
  request: ChangeRequest,
): Promise<Changed<Contract>> {
  const { amountKrw } = parseInput(quoteInput, request.body, 'quote');
  return changeContract(deps, caller, id, request, {
    action: 'quote',
    allowed: ['REQUESTED'],
    authorize: asProvider,
    apply: (c, now) => {
      if (amountKrw > c.catalogAmountKrw) {
        throw invalid('A quote cannot exceed the catalog amount.', [
          { path: '/amountKrw', message: `At most ${c.catalogAmountKrw} KRW.` },
        ]);
      }
      return { ...c, status: 'QUOTED', amountKrw, quotedAt: now.toISOString() };
    },
  });
}

export const terminateInput = lazySchema(() =>
  z.strictObject({
    reason: z.optional(text(500)),
    effectiveAt: z.optional(z.iso.datetime({ offset: true })),
  }),
);

/**
 * `ACTIVE → TERMINATED` at once, as in v1 (no body, or no `effectiveAt`), or scheduled: a future
 * `effectiveAt` keeps the contract ACTIVE with `termination`, and the daily job ends it on the day. An
 * agency must give the configured notice; an administrator may schedule any future time.
 */
export async function terminateContract(
  deps: Deps,
  caller: Caller,
  id: string,
  request: ChangeRequest,
): Promise<Changed<Contract>> {
  const input = request.body === undefined ? {} : parseInput(terminateInput, request.body, 'termination');
  return changeContract(deps, caller, id, request, {
    action: 'terminate',
    allowed: ['ACTIVE'],
    authorize: asAgencyOrAdmin,
    apply: (c, now) => {
      if (input.effectiveAt === undefined) {
        if (input.reason === undefined) return terminated(c, now);
        const at = now.toISOString();
        return {
          ...terminated(c, now),
          termination: { reason: input.reason, requestedAt: at, effectiveAt: at },
        };
      }
      const effectiveAt = new Date(input.effectiveAt);
      const noticeDays = deps.policy.terminationNoticeDays;
      if (effectiveAt.getTime() <= now.getTime()) {
        throw invalid('A scheduled termination lies in the future.', [
          { path: '/effectiveAt', message: 'Leave it out to terminate at once.' },
        ]);
      }
      if (
        requireUser(caller).role === 'agency' &&
        effectiveAt.getTime() - now.getTime() < noticeDays * DAY_MS
      ) {
        throw invalid(`An agency gives at least ${noticeDays} days' notice.`, [
          {
            path: '/effectiveAt',
            message: `At least ${noticeDays} days after now (${new Date(now.getTime() + noticeDays * DAY_MS).toISOString()}).`,
          },
        ]);
      }
      return {
        ...c,
        termination: {
          reason: input.reason ?? null,
          requestedAt: now.toISOString(),
          effectiveAt: effectiveAt.toISOString(),
        },
      };
    },
  });
}

/** The actor the daily job terminates as. */
const terminationJobActor: User = { kind: 'user', sub: 'system:daily-job', role: 'admin' };

/**
 * The daily job's part: ACTIVE contracts whose scheduled termination is due are TERMINATED, closed at the
 * time it took effect. One conditional write on the version read each, so a second run, or the other
 * Region's, changes nothing more.
 */
export async function terminateDue(deps: Deps, now: Date): Promise<number> {
  let done = 0;
  for (const contract of await deps.ledger.terminationsDue(now.toISOString())) {
    const effectiveAt = contract.termination?.effectiveAt ?? now.toISOString();
    const result = await deps.entities.update(
      'contract',
      { ...terminated(contract, new Date(effectiveAt)), version: contract.version + 1 },
      { actor: terminationJobActor, action: 'terminate' },
    );
    if (result.outcome === 'updated') done += 1;
  }
  return done;
}

export const amendInput = lazySchema(() =>
  z.strictObject({
    quantity: z.optional(contractInput().shape.quantity),
    months: z.optional(contractInput().shape.months),
    reason: text(500),
  }),
);

/**
 * New quantity and months for an ACTIVE contract, at the plan price that priced it. That price is the
 * catalog amount over quantity × months (the amount is always their exact product), so no read of the
 * service's history is needed. Above the amount at signature plus the configured limit it is a new
 * procurement, not an amendment (409).
 */
export async function amendContract(
  deps: Deps,
  caller: Caller,
  id: string,
  request: ChangeRequest,
): Promise<Changed<Contract>> {
  const input = parseInput(amendInput, request.body, 'amendment');
  if (input.quantity === undefined && input.months === undefined) {
    throw invalid('An amendment changes the quantity, the months, or both.', [
      { path: '/', message: 'Give quantity or months.' },
    ]);
  }
  return changeContract(deps, caller, id, request, {
    action: 'amend',
    allowed: ['ACTIVE'],
    authorize: asAgency,
    apply: (c, now) => amended(c, input, deps.policy.amendmentLimitPercent, now),
  });
}

/**
 * `c` with `change` made and appended as its next amendment, priced at the plan price that priced it;
 * a 409 when the new amount is more than `limitPercent` above the amount at signature.
 */
export function amended(
  c: Contract,
  change: { readonly quantity?: number; readonly months?: number; readonly reason: string },
  limitPercent: number,
  now: Date,
): Contract {
  const quantity = change.quantity ?? c.quantity;
  const months = change.months ?? c.months;
  const unitPriceKrw = c.catalogAmountKrw / (c.quantity * c.months);
  const amountKrw = amountAt(unitPriceKrw, quantity, months);
  const base = c.signedAmountKrw ?? c.amountKrw;
  if (BigInt(amountKrw) * 100n > BigInt(base) * BigInt(100 + limitPercent)) {
    throw conflict(
      `${amountKrw} KRW is more than ${limitPercent}% above the ${base} KRW signed: that needs a new procurement.`,
    );
  }
  const amendments = c.amendments ?? [];
  return {
    ...c,
    quantity,
    months,
    catalogAmountKrw: amountKrw,
    amountKrw,
    signedAmountKrw: base,
    amendments: [
      ...amendments,
      {
        number: amendments.length + 1,
        quantity,
        months,
        amountKrw,
        reason: change.reason,
        at: now.toISOString(),
      },
    ],
  };
}

export const renewInput = lazySchema(() => z.strictObject({ months: contractInput().shape.months }));

/**
 * A new `REQUESTED` contract continuing an ACTIVE or COMPLETED one: same service, plan, quantity and
 * method, priced at the listing's current version. Two writes, each idempotent: the original first records
 * the renewal's id (derived from the Idempotency-Key), then the renewal is put. A renewal may be asked for
 * only when the one recorded is no longer open, and is created only while it is the one recorded, so two
 * renewals of one contract are never open at once, whichever write an interruption fell between.
 */
export async function renewContract(
  deps: Deps,
  caller: Caller,
  id: string,
  body: unknown,
  idempotencyKey: string | undefined,
): Promise<Created<Contract>> {
  const user = actingForOrg(caller);
  const { months } = parseInput(renewInput, body, 'renewal');
  if (!idempotencyKey) throw invalid('Renewals need an Idempotency-Key header.');
  return createIdempotently(deps, user, {
    kind: 'contract',
    identity: { prefix: 'ctr' },
    body: { renew: id, months },
    idempotencyKey,
    prepare: async (renewalId, requestedAt) => {
      const original = await getContract(deps, caller, id);
      asAgency(caller, original);
      if (original.status !== 'ACTIVE' && original.status !== 'COMPLETED') {
        throw conflict(`Cannot renew a contract that is ${original.status}.`);
      }
      const renewal = await pricedContract(
        deps,
        original.agencyId,
        { ...original, months },
        { id: renewalId, requestedAt, caseId: null, renewalOf: original.id },
        (message) => conflict(`${message} It cannot be renewed.`),
      );
      await claimRenewal(deps, user, original, renewalId);
      return renewal;
    },
  });
}

/** Records `renewalId` as the original's renewal, unless another one is open (409). */
async function claimRenewal(deps: Deps, user: User, original: Contract, renewalId: string): Promise<void> {
  await retryContention(deps, `Contract ${original.id}`, async (attempt) => {
    const current =
      attempt === 0
        ? original
        : (
            await deps.entities.getForChange<Contract>('contract', original.id, {
              receiptKey: undefined,
              consistent: true,
            })
          )?.entity;
    if (!current) throw notFound(`Contract ${original.id}`);
    if (current.renewalId === renewalId) return true;
    if (current.renewalId) {
      const open = await deps.entities.get<Contract>('contract', current.renewalId);
      if (open && (open.status === 'REQUESTED' || open.status === 'QUOTED')) {
        throw conflict(`Renewal ${open.id} of this contract is still ${open.status}.`);
      }
    }
    const result = await deps.entities.update(
      'contract',
      { ...current, renewalId, version: current.version + 1 },
      { actor: user, action: 'renew' },
    );
    return result.outcome === 'updated' ? true : undefined;
  });
}

function changeContract(deps: Deps, caller: Caller, id: string, request: ChangeRequest, rule: ContractRule) {
  return transition<Contract>(deps, {
    kind: 'contract',
    id,
    caller,
    request,
    rule: { ...rule, noun: 'Contract', statusOf: (contract) => contract.status },
  });
}

export const contractListQuery = lazySchema(() =>
  z.strictObject({
    agencyId: z.optional(z.string().check(z.minLength(1), z.maxLength(64))),
    providerId: z.optional(z.string().check(z.minLength(1), z.maxLength(64))),
    status: z.optional(z.enum(contractStatuses)),
    since: z.optional(z.iso.datetime({ offset: true })),
    ...pageQuery(),
  }),
);

/**
 * Newest first, scoped to the caller's organisation. Administrators name an agency or a provider, or
 * neither for every contract (the feed). Every list is served from an index (party, feed or status) in
 * requested-at order, `since` bounding its sort key, never a scan.
 */
export async function listContracts(
  deps: Deps,
  caller: Caller,
  query: Record<string, string | undefined>,
): Promise<Page<Contract>> {
  const user = requireUser(caller);
  const { limit, cursor, status, since, agencyId, providerId } = parseInput(
    contractListQuery,
    query,
    'query',
  );
  let scope: { party: 'agency' | 'provider'; partyId: string };
  if (user.role === 'admin') {
    if (agencyId && providerId) {
      throw invalid('Name at most one of agencyId or providerId.', [
        {
          path: '/agencyId',
          message: 'Administrators list one agency’s or one provider’s contracts, or every contract.',
        },
      ]);
    }
    if (!agencyId && !providerId) {
      const feedKey = JSON.stringify({ feed: true, status, since });
      const page = await deps.ledger.contractFeed({
        limit,
        ...(status ? { status } : {}),
        ...(since ? { since: new Date(since).toISOString() } : {}),
        ...(cursor ? { after: decodeCursor(cursor, feedKey) } : {}),
      });
      return { items: page.items, next: page.next ? encodeCursor(page.next, feedKey) : null };
    }
    scope = agencyId
      ? { party: 'agency', partyId: agencyId }
      : { party: 'provider', partyId: providerId ?? '' };
  } else if (user.role === 'agency' || user.role === 'provider') {
    const org = requireOrg(user);
    const named = user.role === 'agency' ? agencyId : providerId;
    if ((named && named !== org) || (user.role === 'agency' ? providerId : agencyId)) {
      throw forbidden('Lists are scoped to your own organisation.');
    }
    scope = { party: user.role, partyId: org };
  } else {
    throw forbidden('Only the parties to contracts and administrators may list them.');
  }
  const queryKey = JSON.stringify({ ...scope, status, since });
  const page = await deps.ledger.listContracts({
    ...scope,
    limit,
    ...(status ? { status } : {}),
    ...(since ? { since: new Date(since).toISOString() } : {}),
    ...(cursor ? { after: decodeCursor(cursor, queryKey) } : {}),
  });
  return { items: page.items, next: page.next ? encodeCursor(page.next, queryKey) : null };
}
