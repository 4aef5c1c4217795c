/**
 * The authorization matrix, generated from the route table: every route is called by every kind of
 * caller, and the answer must be the one the rules table below names. The rules table must cover exactly
 * the routes of `routeTable` and agree with the `access` each declares, so a new route, or a change of who
 * may call one, fails here until the rules say what is meant.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Role } from '../../functions/domain/caller.js';
import { type Route, type RouteKey, roles, routeKey, routeTable } from '../../functions/routes.js';
import { generateSigningKeys, mintToken } from '../../local/tokens.js';
import { brn, createProvider, seedService, serviceBody } from '../support/fixtures.js';
import { type ApiCall, startTestApi, type TestApi } from '../support/local-api.js';

/** Who calls. `other*` are members of an organisation that does not own the resource acted on. */
const callerKinds = [
  'anonymous',
  'agency',
  'provider',
  'committee',
  'admin',
  'otherAgency',
  'otherProvider',
] as const;
type CallerKind = (typeof callerKinds)[number];

/** The status a caller gets; 401/403 (and 404 for what the caller may not see) are refusals. */
type Outcome = 200 | 201 | 202 | 401 | 403 | 404;
type Row = readonly [Outcome, Outcome, Outcome, Outcome, Outcome, Outcome, Outcome];
const REFUSED: ReadonlySet<Outcome> = new Set([401, 403, 404]);

/**
 * One row per route, one column per caller kind, in the order of `callerKinds`. A token signed by another
 * key is 401 on every route, `anyone` routes included (a bad token is never read as anonymous), so it has
 * no column.
 */
const rules: Record<RouteKey, Row> = {
  //                                             anon agency prov comm admin oAgency oProv
  'GET /health': [200, 200, 200, 200, 200, 200, 200],

  'POST /v1/providers': [401, 403, 403, 403, 201, 403, 403],
  'GET /v1/providers/{id}': [200, 200, 200, 200, 200, 200, 200],
  'POST /v1/agencies': [401, 403, 403, 403, 201, 403, 403],
  // Admins and the agency itself; another agency is refused.
  'GET /v1/agencies/{id}': [401, 200, 403, 403, 200, 403, 403],

  // Each provider creates for its own organisation, so another provider may too.
  'POST /v1/services': [401, 403, 201, 403, 403, 403, 201],
  'GET /v1/services': [200, 200, 200, 200, 200, 200, 200],
  // Read of a DRAFT: invisible (404, not 403) to all but its provider, the committee and admins.
  'GET /v1/services/{id}': [404, 404, 200, 200, 200, 404, 404],
  'PATCH /v1/services/{id}': [401, 403, 200, 403, 403, 403, 403],
  'POST /v1/services/{id}/submit': [401, 403, 200, 403, 403, 403, 403],
  'POST /v1/services/{id}/withdraw': [401, 403, 200, 403, 403, 403, 403],
  'POST /v1/services/{id}/suspend': [401, 403, 403, 403, 200, 403, 403],
  'POST /v1/services/{id}/reinstate': [401, 403, 403, 403, 200, 403, 403],
  // A DRAFT's history is as visible as the draft itself.
  'GET /v1/services/{id}/versions': [404, 404, 200, 200, 200, 404, 404],
  'GET /v1/services/{id}/versions/{version}': [404, 404, 200, 200, 200, 404, 404],
  // Administrators, or the owning provider of a DRAFT.
  'POST /v1/services/{id}/revert': [401, 403, 200, 403, 200, 403, 403],

  'POST /v1/review-sessions': [401, 403, 403, 201, 403, 403, 403],
  'GET /v1/review-sessions/{number}': [401, 403, 403, 200, 200, 403, 403],
  'POST /v1/review-sessions/{number}/agenda': [401, 403, 403, 200, 403, 403, 403],
  'POST /v1/review-sessions/{number}/decisions': [401, 403, 403, 200, 403, 403, 403],
  'POST /v1/review-sessions/{number}/close': [401, 403, 403, 200, 403, 403, 403],

  // Each agency requests for itself, so another (registered, INTERNET) agency may too.
  'POST /v1/contracts': [401, 201, 403, 403, 403, 201, 403],
  // Lists are scoped to the caller's own organisation, so other parties get their own (empty) list.
  'GET /v1/contracts': [401, 200, 200, 403, 200, 200, 200],
  'GET /v1/contracts/{id}': [401, 200, 200, 403, 200, 403, 403],
  'POST /v1/contracts/{id}/quote': [401, 403, 200, 403, 403, 403, 403],
  'POST /v1/contracts/{id}/sign': [401, 200, 403, 403, 403, 403, 403],
  'POST /v1/contracts/{id}/cancel': [401, 200, 403, 403, 403, 403, 403],
  'POST /v1/contracts/{id}/complete': [401, 200, 403, 403, 200, 403, 403],
  'POST /v1/contracts/{id}/terminate': [401, 200, 403, 403, 200, 403, 403],
  'POST /v1/contracts/{id}/amend': [401, 200, 403, 403, 403, 403, 403],
  'POST /v1/contracts/{id}/renew': [401, 201, 403, 403, 403, 403, 403],

  // Each agency opens its own cases; a case is its agency's and, to read, the administrators'.
  'POST /v1/cases': [401, 201, 403, 403, 403, 201, 403],
  'GET /v1/cases': [401, 200, 403, 403, 200, 200, 403],
  'GET /v1/cases/{id}': [401, 200, 403, 403, 200, 403, 403],
  'PATCH /v1/cases/{id}': [401, 200, 403, 403, 403, 403, 403],
  'POST /v1/cases/{id}/searches': [401, 201, 403, 403, 403, 403, 403],
  'GET /v1/cases/{id}/comparison': [401, 200, 403, 403, 200, 403, 403],
  'POST /v1/cases/{id}/snapshots': [401, 201, 403, 403, 403, 403, 403],
  'GET /v1/cases/{id}/snapshots/{number}': [401, 200, 403, 403, 200, 403, 403],
  'POST /v1/cases/{id}/quotes': [401, 201, 403, 403, 403, 403, 403],
  'POST /v1/cases/{id}/award': [401, 200, 403, 403, 403, 403, 403],
  'POST /v1/cases/{id}/close': [401, 200, 403, 403, 403, 403, 403],

  'GET /v1/stats': [200, 200, 200, 200, 200, 200, 200],
  'GET /openapi.json': [200, 200, 200, 200, 200, 200, 200],
  'GET /docs': [200, 200, 200, 200, 200, 200, 200],
  'GET /v1/audit': [401, 403, 403, 403, 200, 403, 403],
  'POST /v1/audit/{eventId}/acknowledge': [401, 403, 403, 403, 200, 403, 403],

  // Every signed-in caller reads its own organisation's feed (a committee member's holds nothing).
  'GET /v1/events': [401, 200, 200, 200, 200, 200, 200],
  // Agencies and providers subscribe their own organisation, so the other ones may too; admins name one.
  'POST /v1/webhooks': [401, 201, 201, 403, 201, 201, 201],
  'GET /v1/webhooks': [401, 200, 200, 403, 200, 200, 200],
  // The agency's subscription: invisible (404) to every other organisation.
  'GET /v1/webhooks/{id}': [401, 200, 404, 403, 200, 404, 404],
  'PATCH /v1/webhooks/{id}': [401, 200, 404, 403, 200, 404, 404],
  'GET /v1/webhooks/{id}/deliveries': [401, 200, 404, 403, 200, 404, 404],
  'POST /v1/webhooks/{id}/deliveries/{eventId}/redeliver': [401, 202, 404, 403, 202, 404, 404],
};

function expectations(row: Row): Record<CallerKind, Outcome> {
  return Object.fromEntries(callerKinds.map((kind, i) => [kind, row[i]])) as Record<CallerKind, Outcome>;
}

/** The role each caller kind's token carries. */
const roleOf: Record<Exclude<CallerKind, 'anonymous'>, Role> = {
  agency: 'agency',
  provider: 'provider',
  committee: 'committee',
  admin: 'admin',
  otherAgency: 'agency',
  otherProvider: 'provider',
};

/** The access a row implies: `anyone` when anonymous callers get through, else the roles not refused 403. */
function accessOf(row: Row): 'anyone' | Role[] {
  const expected = expectations(row);
  if (expected.anonymous !== 401) return 'anyone';
  return roles.filter((role) => expected[role] !== 403);
}

function declaredAccess(route: Route): 'anyone' | Role[] {
  return route.access === 'anyone' ? 'anyone' : roles.filter((role) => route.access.includes(role));
}

describe('the rules table', () => {
  it('has exactly one row per route of the route table', () => {
    const routeKeys = routeTable.map(routeKey).sort();
    expect(new Set(routeKeys).size).toBe(routeKeys.length);
    expect(Object.keys(rules).sort()).toEqual(routeKeys);
    expect(Object.keys(requests).sort()).toEqual(routeKeys);
  });

  it('agrees with the access each route declares', () => {
    for (const route of routeTable) {
      const row = rules[routeKey(route) as RouteKey];
      expect(row, `no rule for ${routeKey(route)}`).toBeDefined();
      expect(accessOf(row), routeKey(route)).toEqual(declaredAccess(route));
    }
  });

  it('is consistent: a role refused outright is refused in every org, and only anonymous callers get 401', () => {
    for (const [key, row] of Object.entries(rules)) {
      const expected = expectations(row);
      const access = accessOf(row);
      for (const kind of callerKinds) {
        if (kind === 'anonymous') continue;
        if (access !== 'anyone' && !access.includes(roleOf[kind])) {
          expect(expected[kind], `${key} as ${kind}`).toBe(403);
        }
        // Whoever holds a token has one: 401 is for anonymous callers and bad tokens only.
        expect(expected[kind], `${key} as ${kind}`).not.toBe(401);
      }
    }
  });
});

// ---------------------------------------------------------------------------------------------------------
// The world the allowed calls act on, and the request each caller sends on each route.

let api: TestApi;
const tokens = {} as Record<Exclude<CallerKind, 'anonymous'>, string>;
const claims = {} as Record<Exclude<CallerKind, 'anonymous'>, { sub: string; role: Role; org?: string }>;
let foreignKeys: Awaited<ReturnType<typeof generateSigningKeys>>;
let providerId: string;
let otherProviderId: string;
let agencyId: string;
let otherAgencyId: string;
let listedId: string;
let draftId: string;
let sessionNumber: number;

let counter = 0;
const next = () => ++counter;

function expectStatus(res: ApiCall, status: number, what: string): void {
  expect(res.status, `${what}: ${JSON.stringify(res.body)}`).toBe(status);
}

async function registerAgency(code: string): Promise<string> {
  const res = await api.call('POST', '/v1/agencies', {
    token: tokens.admin,
    body: { name: `테스트 기관 ${code}`, institutionCode: code, kind: 'CENTRAL', network: 'INTERNET' },
  });
  expectStatus(res, 201, 'agency');
  return res.body.id;
}

async function newDraft(): Promise<string> {
  const res = await api.call('POST', '/v1/services', { token: tokens.provider, body: serviceBody() });
  expectStatus(res, 201, 'draft');
  return res.body.id;
}

async function newSession(): Promise<number> {
  const number = 1000 + next();
  const res = await api.call('POST', '/v1/review-sessions', {
    token: tokens.committee,
    body: { number, date: '2025-03-14' },
  });
  expectStatus(res, 201, 'session');
  return number;
}

/** An OPEN session with a service UNDER_REVIEW on its agenda. */
async function sessionWithAgendaItem(): Promise<{ number: number; serviceId: string }> {
  const number = await newSession();
  const service = await seedService(api, providerId, { status: 'SUBMITTED', selection: null });
  const res = await api.call('POST', `/v1/review-sessions/${number}/agenda`, {
    token: tokens.committee,
    body: { serviceId: service.id },
  });
  expectStatus(res, 200, 'agenda');
  return { number, serviceId: service.id };
}

const contractBody = () => ({
  serviceId: listedId,
  planId: 'basic',
  quantity: 2,
  months: 12,
  method: 'NEGOTIATED',
});

/** A contract between `agency` and `provider` (over the LISTED service), brought to `status`. */
async function newContract(status: 'REQUESTED' | 'QUOTED' | 'ACTIVE'): Promise<string> {
  const res = await api.call('POST', '/v1/contracts', {
    token: tokens.agency,
    body: contractBody(),
    headers: { 'idempotency-key': `authz-setup-${next()}` },
  });
  expectStatus(res, 201, 'contract');
  const id: string = res.body.id;
  if (status === 'REQUESTED') return id;
  const quoted = await api.call('POST', `/v1/contracts/${id}/quote`, {
    token: tokens.provider,
    body: { amountKrw: 200_000 },
  });
  expectStatus(quoted, 200, 'quote');
  if (status === 'QUOTED') return id;
  const signed = await api.call('POST', `/v1/contracts/${id}/sign`, { token: tokens.agency });
  expectStatus(signed, 200, 'sign');
  return id;
}

const caseBody = () => ({
  title: `권한 점검 사업 ${next()}`,
  need: '민원 상담 자동화',
  quantity: 2,
  months: 12,
});

/**
 * A case of `agency` brought as far as `step`: shortlisting the LISTED service, locking a snapshot, asking
 * for its quote (then `contractId` is that contract, quoted by the provider).
 */
async function newCase(
  step: 'open' | 'shortlisted' | 'locked' | 'quoted',
): Promise<{ id: string; contractId?: string }> {
  const opened = await api.call('POST', '/v1/cases', { token: tokens.agency, body: caseBody() });
  expectStatus(opened, 201, 'case');
  const id: string = opened.body.id;
  if (step === 'open') return { id };
  const listed = await api.call('PATCH', `/v1/cases/${id}`, {
    token: tokens.agency,
    body: { shortlist: [{ serviceId: listedId, note: '후보' }] },
  });
  expectStatus(listed, 200, 'shortlist');
  if (step === 'shortlisted') return { id };
  expectStatus(
    await api.call('POST', `/v1/cases/${id}/snapshots`, { token: tokens.agency }),
    201,
    'snapshot',
  );
  if (step === 'locked') return { id };
  const asked = await api.call('POST', `/v1/cases/${id}/quotes`, {
    token: tokens.agency,
    body: { requests: [{ serviceId: listedId, planId: 'basic' }], method: 'NEGOTIATED' },
    headers: { 'idempotency-key': `authz-quotes-${next()}` },
  });
  expectStatus(asked, 201, 'quotes');
  const contractId: string = asked.body.contracts[0].id;
  const quoted = await api.call('POST', `/v1/contracts/${contractId}/quote`, {
    token: tokens.provider,
    body: { amountKrw: 200_000 },
  });
  expectStatus(quoted, 200, 'quote');
  return { id, contractId };
}

/** One locked case for the reads, made on first use. */
let readableCaseMade: Promise<{ id: string }> | undefined;
const readableCase = () => (readableCaseMade ??= newCase('locked'));

/** One REQUESTED contract for the reads, made on first use. */
/**
 * A subscription to an event no test here makes (the daily job's), at an address nothing answers, so no
 * delivery runs behind the snapshots.
 */
const webhookBody = () => ({ url: 'http://127.0.0.1:9/hook', types: ['service.csap_expiring'] });

let agencySubscription: Promise<string> | undefined;
/** The agency's own subscription, disabled: a redelivery to it settles at once as `failed`. */
const agencyWebhook = () =>
  (agencySubscription ??= (async () => {
    const res = await api.call('POST', '/v1/webhooks', { token: tokens.agency, body: webhookBody() });
    expectStatus(res, 201, 'subscription');
    const id: string = res.body.id;
    expectStatus(
      await api.call('PATCH', `/v1/webhooks/${id}`, { token: tokens.agency, body: { enabled: false } }),
      200,
      'disabling it',
    );
    return id;
  })());

let readable: Promise<string> | undefined;
const readableContract = () => (readable ??= newContract('REQUESTED'));

interface Request {
  readonly params?: Readonly<Record<string, string | number>>;
  readonly query?: string;
  readonly body?: unknown;
  readonly headers?: Readonly<Record<string, string>>;
}

interface Requests {
  /**
   * What refused callers send, all of them: a valid request on a resource in a state where an allowed
   * caller would succeed, so a refusal that leaked through would write and show in the snapshot.
   */
  refused(): Promise<Request>;
  /** What one allowed caller sends; a fresh resource wherever the call changes the one it acts on. */
  allowed(caller: CallerKind): Promise<Request>;
}

const same = (request: () => Request | Promise<Request>): Requests => ({
  refused: async () => request(),
  allowed: async () => request(),
});
const fresh = (request: () => Promise<Request>): Requests => ({ refused: request, allowed: request });

const providerBody = () => {
  const stem = `5${String(next()).padStart(8, '0')}`;
  return {
    name: `공급자 ${stem}`,
    businessRegistrationNumber: brn(stem),
    contactEmail: `p${stem}@example.kr`,
  };
};
const agencyBody = () => {
  const code = `7${String(next()).padStart(6, '0')}`;
  return { name: `기관 ${code}`, institutionCode: code, kind: 'LOCAL', network: 'INTRANET' };
};

const requests: Record<RouteKey, Requests> = {
  'GET /health': same(() => ({})),

  'POST /v1/providers': same(() => ({ body: providerBody() })),
  'GET /v1/providers/{id}': same(() => ({ params: { id: providerId } })),
  'POST /v1/agencies': same(() => ({ body: agencyBody() })),
  'GET /v1/agencies/{id}': same(() => ({ params: { id: agencyId } })),

  'POST /v1/services': same(() => ({ body: serviceBody() })),
  'GET /v1/services': same(() => ({})),
  'GET /v1/services/{id}': same(() => ({ params: { id: draftId } })),
  'PATCH /v1/services/{id}': fresh(async () => ({
    params: { id: await newDraft() },
    body: { summary: '요약을 고쳤습니다' },
  })),
  'POST /v1/services/{id}/submit': fresh(async () => ({ params: { id: await newDraft() } })),
  'POST /v1/services/{id}/withdraw': fresh(async () => ({ params: { id: await newDraft() } })),
  'POST /v1/services/{id}/suspend': fresh(async () => ({
    params: { id: (await seedService(api, providerId)).id },
  })),
  'POST /v1/services/{id}/reinstate': fresh(async () => ({
    params: { id: (await seedService(api, providerId, { status: 'SUSPENDED' })).id },
  })),

  'GET /v1/services/{id}/versions': same(() => ({ params: { id: draftId } })),
  'GET /v1/services/{id}/versions/{version}': same(() => ({ params: { id: draftId, version: 1 } })),
  'POST /v1/services/{id}/revert': fresh(async () => {
    const id = await newDraft();
    const edited = await api.call('PATCH', `/v1/services/${id}`, {
      token: tokens.provider,
      body: { summary: '되돌릴 요약' },
    });
    expectStatus(edited, 200, 'edit before revert');
    // The version reverted to is read from the history, which the projector writes.
    await api.settle();
    return { params: { id }, body: { toVersion: 1 } };
  }),

  'POST /v1/review-sessions': same(() => ({ body: { number: 1000 + next(), date: '2025-03-14' } })),
  'GET /v1/review-sessions/{number}': same(() => ({ params: { number: sessionNumber } })),
  'POST /v1/review-sessions/{number}/agenda': fresh(async () => ({
    params: { number: await newSession() },
    body: { serviceId: (await seedService(api, providerId, { status: 'SUBMITTED', selection: null })).id },
  })),
  'POST /v1/review-sessions/{number}/decisions': fresh(async () => {
    const { number, serviceId } = await sessionWithAgendaItem();
    return { params: { number }, body: { serviceId, decision: 'SELECTED', reason: '요건을 충족함' } };
  }),
  'POST /v1/review-sessions/{number}/close': fresh(async () => ({ params: { number: await newSession() } })),

  'POST /v1/contracts': same(() => ({
    body: contractBody(),
    headers: { 'idempotency-key': `authz-${next()}` },
  })),
  'GET /v1/contracts': {
    refused: async () => ({}),
    // Administrators name the party whose contracts they list.
    allowed: async (caller) => (caller === 'admin' ? { query: `agencyId=${agencyId}` } : {}),
  },
  'GET /v1/contracts/{id}': same(async () => ({ params: { id: await readableContract() } })),
  'POST /v1/contracts/{id}/quote': fresh(async () => ({
    params: { id: await newContract('REQUESTED') },
    body: { amountKrw: 180_000 },
  })),
  'POST /v1/contracts/{id}/sign': fresh(async () => ({ params: { id: await newContract('QUOTED') } })),
  'POST /v1/contracts/{id}/cancel': fresh(async () => ({ params: { id: await newContract('REQUESTED') } })),
  'POST /v1/contracts/{id}/complete': fresh(async () => ({ params: { id: await newContract('ACTIVE') } })),
  'POST /v1/contracts/{id}/terminate': fresh(async () => ({ params: { id: await newContract('ACTIVE') } })),
  'POST /v1/contracts/{id}/amend': fresh(async () => ({
    params: { id: await newContract('ACTIVE') },
    body: { months: 11, reason: '한 달 단축' },
  })),
  'POST /v1/contracts/{id}/renew': fresh(async () => ({
    params: { id: await newContract('ACTIVE') },
    body: { months: 12 },
    headers: { 'idempotency-key': `authz-renew-${next()}` },
  })),

  'POST /v1/cases': same(() => ({ body: caseBody() })),
  'GET /v1/cases': {
    refused: async () => ({}),
    allowed: async (caller) => (caller === 'admin' ? { query: `agencyId=${agencyId}` } : {}),
  },
  'GET /v1/cases/{id}': same(async () => ({ params: { id: (await readableCase()).id } })),
  'PATCH /v1/cases/{id}': fresh(async () => ({
    params: { id: (await newCase('open')).id },
    body: { need: '수요를 고쳤습니다' },
  })),
  'POST /v1/cases/{id}/searches': fresh(async () => ({
    params: { id: (await newCase('open')).id },
    body: { q: '문서', ai: true },
  })),
  'GET /v1/cases/{id}/comparison': same(async () => ({ params: { id: (await readableCase()).id } })),
  'POST /v1/cases/{id}/snapshots': fresh(async () => ({ params: { id: (await newCase('shortlisted')).id } })),
  'GET /v1/cases/{id}/snapshots/{number}': same(async () => ({
    params: { id: (await readableCase()).id, number: 1 },
  })),
  'POST /v1/cases/{id}/quotes': fresh(async () => ({
    params: { id: (await newCase('locked')).id },
    body: { requests: [{ serviceId: listedId, planId: 'basic' }], method: 'CATALOG' },
    headers: { 'idempotency-key': `authz-${next()}` },
  })),
  'POST /v1/cases/{id}/award': fresh(async () => {
    const { id, contractId } = await newCase('quoted');
    return { params: { id }, body: { contractId } };
  }),
  'POST /v1/cases/{id}/close': fresh(async () => ({
    params: { id: (await newCase('open')).id },
    body: { outcome: 'NO_AWARD', reason: '적합한 서비스 없음' },
  })),

  'GET /v1/stats': same(() => ({})),
  'GET /openapi.json': same(() => ({})),
  'GET /docs': same(() => ({})),
  'GET /v1/audit': same(() => ({ query: `entity=service&id=${draftId}` })),
  'POST /v1/audit/{eventId}/acknowledge': fresh(async () => {
    const id = await newDraft();
    await api.settle();
    return { params: { eventId: `service:${id}:v1` } };
  }),

  'GET /v1/events': same(() => ({})),
  'POST /v1/webhooks': {
    refused: async () => ({ body: webhookBody() }),
    allowed: async (caller) => ({
      body: caller === 'admin' ? { ...webhookBody(), org: agencyId } : webhookBody(),
    }),
  },
  'GET /v1/webhooks': {
    refused: async () => ({}),
    allowed: async (caller) => (caller === 'admin' ? { query: `org=${agencyId}` } : {}),
  },
  'GET /v1/webhooks/{id}': same(async () => ({ params: { id: await agencyWebhook() } })),
  'PATCH /v1/webhooks/{id}': same(async () => ({
    params: { id: await agencyWebhook() },
    body: { types: ['service.csap_expiring', 'service.selection_expiring'] },
  })),
  'GET /v1/webhooks/{id}/deliveries': same(async () => ({ params: { id: await agencyWebhook() } })),
  'POST /v1/webhooks/{id}/deliveries/{eventId}/redeliver': same(async () => {
    const eventId = `contract:${await readableContract()}:v1`;
    await api.settle();
    return { params: { id: await agencyWebhook(), eventId } };
  }),
};

beforeAll(async () => {
  api = await startTestApi();
  foreignKeys = await generateSigningKeys();
  const admin = { sub: 'authz-admin', role: 'admin' as const };
  claims.admin = admin;
  tokens.admin = await api.token(admin.role, undefined, admin.sub);
  providerId = await createProvider(api, '440811111');
  otherProviderId = await createProvider(api, '440822222');
  agencyId = await registerAgency('6000001');
  otherAgencyId = await registerAgency('6000002');
  const members = {
    agency: { sub: 'authz-agency', role: 'agency', org: agencyId },
    provider: { sub: 'authz-provider', role: 'provider', org: providerId },
    committee: { sub: 'authz-committee', role: 'committee' },
    otherAgency: { sub: 'authz-other-agency', role: 'agency', org: otherAgencyId },
    otherProvider: { sub: 'authz-other-provider', role: 'provider', org: otherProviderId },
  } as const;
  for (const kind of Object.keys(members) as (keyof typeof members)[]) {
    const claim: { sub: string; role: Role; org?: string } = members[kind];
    claims[kind] = claim;
    tokens[kind] = await api.token(claim.role, claim.org, claim.sub);
  }
  listedId = (await seedService(api, providerId)).id;
  draftId = await newDraft();
  sessionNumber = await newSession();
}, 60_000);
afterAll(async () => api?.stop());

function pathOf(route: Route, request: Request): string {
  const path = route.path.replace(/\{(\w+)\}/g, (_, name: string) => {
    const value = request.params?.[name];
    if (value === undefined) throw new Error(`${routeKey(route)} needs the ${name} parameter`);
    return encodeURIComponent(String(value));
  });
  return request.query ? `${path}?${request.query}` : path;
}

function send(route: Route, request: Request, token: string | undefined): Promise<ApiCall> {
  return api.call(route.method, pathOf(route, request), {
    ...(token ? { token } : {}),
    ...(request.body !== undefined ? { body: request.body } : {}),
    ...(request.headers ? { headers: { ...request.headers } } : {}),
  });
}

describe('every route × every caller', () => {
  for (const route of routeTable) {
    const key = routeKey(route) as RouteKey;

    it(`${key}`, async () => {
      const row = rules[key];
      expect(row, `no rule for ${key}`).toBeDefined();
      const expected = expectations(row);
      const refused = callerKinds.filter((kind) => REFUSED.has(expected[kind]));
      const allowed = callerKinds.filter((kind) => !REFUSED.has(expected[kind]));
      // A forged token carries the claims of a caller who would be let in (an admin's on open routes).
      const impersonated = allowed.find((kind) => kind !== 'anonymous') ?? 'admin';
      const forged = await mintToken(foreignKeys, claims[impersonated as Exclude<CallerKind, 'anonymous'>]);
      const tokenOf = (kind: CallerKind) => (kind === 'anonymous' ? undefined : tokens[kind]);

      // Refusals: one snapshot around all of them, as none may write.
      const request = await requests[key].refused();
      await api.settle();
      const before = await api.snapshot();
      const refusals: [string, string | undefined, number][] = [
        ...refused.map((kind): [string, string | undefined, number] => [kind, tokenOf(kind), expected[kind]]),
        [`forged ${impersonated}`, forged, 401],
      ];
      for (const [who, token, status] of refusals) {
        const res = await send(route, request, token);
        expectStatus(res, status, `${key} as ${who}`);
        expect(res.headers.get('content-type'), `${key} as ${who}`).toBe('application/problem+json');
        expect(res.body, `${key} as ${who}`).toMatchObject({ status, type: expect.any(String) });
        if (status === 401) expect(res.headers.get('www-authenticate')).toMatch(/^Bearer/);
      }
      await api.settle();
      expect(await api.snapshot(), `${key}: a refused call wrote`).toEqual(before);

      // Allowed callers reach the domain and get the answer the state calls for.
      for (const kind of allowed) {
        const res = await send(route, await requests[key].allowed(kind), tokenOf(kind));
        expect(res.status, `${key} as ${kind}`).not.toBe(401);
        expect(res.status, `${key} as ${kind}`).not.toBe(403);
        expectStatus(res, expected[kind], `${key} as ${kind}`);
      }
    });
  }
});
