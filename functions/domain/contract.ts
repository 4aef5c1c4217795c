import * as z from 'zod/mini';
import { type Caller, requireOrg, requireUser, type User } from './caller.js';
import { createIdempotently, type Created } from './create.js';
import { decodeCursor, encodeCursor } from './cursor.js';
import { conflict, forbidden, invalid, notFound } from './errors.js';
import type { Deps, Page } from './ports.js';
import { effectiveStatus } from './selection.js';
import { type Changed, type ChangeRequest, type TransitionRule, transition } from './transition.js';
import { krw, lazySchema, pageQuery, parseInput } from './validation.js';
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
>;

/** A contract as requested: priced at the catalog amount, nothing quoted, signed or closed yet. */
export function requestedContract(terms: ContractTerms): Contract {
  return {
    ...terms,
    amountKrw: terms.catalogAmountKrw,
    status: 'REQUESTED',
    quotedAt: null,
    signedAt: null,
    closedAt: null,
    leadTimeDays: null,
    createdAt: terms.requestedAt,
    version: 1,
  };
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
    prepare: async (id, requestedAt) => {
      const [agency, service] = await Promise.all([
        deps.entities.get<Agency>('agency', user.org),
        deps.entities.get<Service>('service', input.serviceId),
      ]);
      if (!agency) throw forbidden(`Agency ${user.org} is not registered.`);
      const now = deps.now();
      if (!service || effectiveStatus(service, now) !== 'LISTED') {
        throw conflict(
          `Service ${input.serviceId} is not listed with a valid selection, so it cannot be contracted.`,
        );
      }
      if (!service.networks.includes(agency.network)) {
        throw conflict(
          `Service ${service.id} is not offered on the ${agency.network} network this agency buys for.`,
        );
      }
      const plan = service.plans.find((p) => p.id === input.planId);
      if (!plan)
        throw invalid('No such plan.', [
          { path: '/planId', message: `Service ${service.id} has no plan ${input.planId}.` },
        ]);
      const catalogAmountKrw = plan.unitPriceKrw * input.quantity * input.months;
      if (!Number.isSafeInteger(catalogAmountKrw)) {
        throw invalid('The amount is too large.', [
          { path: '/quantity', message: 'Unit price × quantity × months is too large.' },
        ]);
      }
      return requestedContract({
        id,
        agencyId: agency.id,
        serviceId: service.id,
        serviceVersion: service.version,
        providerId: service.providerId,
        planId: plan.id,
        quantity: input.quantity,
        months: input.months,
        method: input.method,
        catalogAmountKrw,
        requestedAt,
      });
    },
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
      const signedAt = now.toISOString();
      return { ...c, status: 'ACTIVE', signedAt, leadTimeDays: leadTimeDays(c.requestedAt, signedAt) };
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
  terminate: {
    action: 'terminate',
    allowed: ['ACTIVE'],
    authorize: asAgencyOrAdmin,
    apply: (c, now) => ({ ...c, status: 'TERMINATED', closedAt: now.toISOString() }),
  },
} as const satisfies Record<string, ContractRule>;

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
