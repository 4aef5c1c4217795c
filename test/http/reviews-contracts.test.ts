import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { selectionValidUntil } from '../../functions/domain/review.js';
import { createProvider, serviceBody, createAgency as registerAgency } from '../support/fixtures.js';
import { rejectsWithoutWriting } from '../support/assertions.js';
import { startTestApi, type TestApi } from '../support/local-api.js';

let api: TestApi;
let admin: string;
let committee: string;
let providerId: string;
let provider: string;
let otherProvider: string;
let agencyId: string;
let agency: string;
let otherAgency: string;
let intranetAgency: string;

async function createAgency(code: string, network: 'INTERNET' | 'INTRANET') {
  const res = await api.call('POST', '/v1/agencies', {
    token: admin,
    body: { name: `기관 ${code}`, institutionCode: code, kind: 'CENTRAL', network },
  });
  expect(res.status).toBe(201);
  return api.token('agency', res.body.id);
}

beforeAll(async () => {
  api = await startTestApi();
  admin = await api.token('admin');
  committee = await api.token('committee');
  providerId = await createProvider(api, '440811111');
  provider = await api.token('provider', providerId);
  otherProvider = await api.token('provider', await createProvider(api, '440822222'));
  const created = await api.call('POST', '/v1/agencies', {
    token: admin,
    body: { name: '행정안전부', institutionCode: '1741000', kind: 'CENTRAL', network: 'INTERNET' },
  });
  agencyId = created.body.id;
  agency = await api.token('agency', agencyId);
  otherAgency = await createAgency('1742000', 'INTERNET');
  intranetAgency = await createAgency('1743000', 'INTRANET');
});
afterAll(async () => api?.stop());

async function submittedService(overrides: Record<string, unknown> = {}) {
  const created = await api.call('POST', '/v1/services', { token: provider, body: serviceBody(overrides) });
  expect(created.status).toBe(201);
  expect((await api.call('POST', `/v1/services/${created.body.id}/submit`, { token: provider })).status).toBe(
    200,
  );
  return created.body.id as string;
}

let sessionCounter = 100;
async function listedService(overrides: Record<string, unknown> = {}) {
  const id = await submittedService(overrides);
  const number = sessionCounter++;
  expect(
    (
      await api.call('POST', '/v1/review-sessions', {
        token: committee,
        body: { number, date: '2026-11-20' },
      })
    ).status,
  ).toBe(201);
  expect(
    (
      await api.call('POST', `/v1/review-sessions/${number}/agenda`, {
        token: committee,
        body: { serviceId: id },
      })
    ).status,
  ).toBe(200);
  const decided = await api.call('POST', `/v1/review-sessions/${number}/decisions`, {
    token: committee,
    body: { serviceId: id, decision: 'SELECTED', reason: '적합' },
  });
  expect(decided.status).toBe(200);
  return id;
}

describe('review committee', () => {
  let selected: string;
  let rejected: string;

  it('opens a session, idempotently, and refuses a second one with the same number', async () => {
    const request = {
      token: committee,
      body: { number: 62, date: '2026-11-20' },
      headers: { 'idempotency-key': 's62' },
    };
    const res = await api.call('POST', '/v1/review-sessions', request);
    expect(res.status).toBe(201);
    expect(res.body).toEqual({
      number: 62,
      date: '2026-11-20',
      status: 'OPEN',
      agenda: [],
      decisions: [],
      version: 1,
    });
    expect(res.headers.get('location')).toBe('/v1/review-sessions/62');
    const again = await api.call('POST', '/v1/review-sessions', request);
    expect(again.status).toBe(201);
    expect(again.headers.get('idempotent-replayed')).toBe('true');
    await rejectsWithoutWriting(
      api,
      'POST',
      '/v1/review-sessions',
      { ...request, body: { number: 62, date: '2026-11-21' } },
      409,
    );
    await rejectsWithoutWriting(
      api,
      'POST',
      '/v1/review-sessions',
      { token: committee, body: { number: 62, date: '2026-11-20' } },
      409,
    );
    await rejectsWithoutWriting(
      api,
      'POST',
      '/v1/review-sessions',
      { token: committee, body: { number: 0, date: 'tomorrow' } },
      400,
    );
  });

  it('puts SUBMITTED services on the agenda (→ UNDER_REVIEW), nothing else', async () => {
    selected = await submittedService({ name: '선정될 서비스' });
    rejected = await submittedService({ name: '반려될 서비스' });
    const res = await api.call('POST', '/v1/review-sessions/62/agenda', {
      token: committee,
      body: { serviceId: selected },
    });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ agenda: [selected], version: 2 });
    expect(res.headers.get('etag')).toBe('"2"');
    const service = await api.call('GET', `/v1/services/${selected}`, { token: provider });
    expect(service.body).toMatchObject({ status: 'UNDER_REVIEW', version: 3 });
    await api.call('POST', '/v1/review-sessions/62/agenda', {
      token: committee,
      body: { serviceId: rejected },
    });

    await rejectsWithoutWriting(
      api,
      'POST',
      '/v1/review-sessions/62/agenda',
      { token: committee, body: { serviceId: selected } },
      409,
    );
    const draft = (await api.call('POST', '/v1/services', { token: provider, body: serviceBody() })).body.id;
    await rejectsWithoutWriting(
      api,
      'POST',
      '/v1/review-sessions/62/agenda',
      { token: committee, body: { serviceId: draft } },
      409,
    );
    await rejectsWithoutWriting(
      api,
      'POST',
      '/v1/review-sessions/62/agenda',
      { token: committee, body: { serviceId: 'svc_none' } },
      404,
    );
    await rejectsWithoutWriting(
      api,
      'POST',
      '/v1/review-sessions/99/agenda',
      { token: committee, body: { serviceId: selected } },
      404,
    );
    await rejectsWithoutWriting(
      api,
      'POST',
      '/v1/review-sessions/62/agenda',
      { token: committee, body: { serviceId: selected }, headers: { 'if-match': '"1"' } },
      412,
    );
  });

  it('will not close with undecided agenda items', async () => {
    await rejectsWithoutWriting(api, 'POST', '/v1/review-sessions/62/close', { token: committee }, 409);
  });

  it('decides: SELECTED lists the service for three years, REJECTED rejects it, each once', async () => {
    const res = await api.call('POST', '/v1/review-sessions/62/decisions', {
      token: committee,
      body: { serviceId: selected, decision: 'SELECTED', reason: '보안 인증과 가격이 적정함' },
    });
    expect(res.status).toBe(200);
    expect(res.body.decisions).toEqual([
      {
        serviceId: selected,
        decision: 'SELECTED',
        reason: '보안 인증과 가격이 적정함',
        decidedAt: expect.any(String),
      },
    ]);
    const listed = await api.call('GET', `/v1/services/${selected}`);
    expect(listed.status).toBe(200);
    expect(listed.body.status).toBe('LISTED');
    expect(listed.body.selection).toEqual({
      sessionNumber: 62,
      decidedAt: res.body.decisions[0].decidedAt,
      validUntil: selectionValidUntil(new Date(res.body.decisions[0].decidedAt)),
    });
    await rejectsWithoutWriting(
      api,
      'POST',
      '/v1/review-sessions/62/decisions',
      { token: committee, body: { serviceId: selected, decision: 'REJECTED', reason: '번복' } },
      409,
    );
    const other = await submittedService();
    await rejectsWithoutWriting(
      api,
      'POST',
      '/v1/review-sessions/62/decisions',
      { token: committee, body: { serviceId: other, decision: 'SELECTED', reason: '안건 아님' } },
      409,
    );
    await rejectsWithoutWriting(
      api,
      'POST',
      '/v1/review-sessions/62/decisions',
      { token: committee, body: { serviceId: rejected, decision: 'MAYBE', reason: '' } },
      400,
    );
    const no = await api.call('POST', '/v1/review-sessions/62/decisions', {
      token: committee,
      body: { serviceId: rejected, decision: 'REJECTED', reason: 'CSAP 인증 미비' },
    });
    expect(no.status).toBe(200);
    expect((await api.call('GET', `/v1/services/${rejected}`, { token: provider })).body.status).toBe(
      'REJECTED',
    );
  });

  it('closes, after which the session takes nothing more; committee and admins read it', async () => {
    const closed = await api.call('POST', '/v1/review-sessions/62/close', { token: committee });
    expect(closed.body).toMatchObject({ status: 'CLOSED', agenda: [selected, rejected] });
    const late = await submittedService();
    await rejectsWithoutWriting(
      api,
      'POST',
      '/v1/review-sessions/62/agenda',
      { token: committee, body: { serviceId: late } },
      409,
    );
    await rejectsWithoutWriting(api, 'POST', '/v1/review-sessions/62/close', { token: committee }, 409);
    expect((await api.call('GET', '/v1/review-sessions/62', { token: admin })).body.status).toBe('CLOSED');
    expect((await api.call('GET', '/v1/review-sessions/62', { token: provider })).status).toBe(403);
    expect((await api.call('GET', '/v1/review-sessions/abc', { token: admin })).status).toBe(400);
    expect((await api.call('GET', '/v1/review-sessions/7', { token: admin })).status).toBe(404);
  });
});

describe('contracts', () => {
  let serviceId: string;
  const request = (overrides: Record<string, unknown> = {}) => ({
    serviceId,
    planId: 'basic',
    quantity: 10,
    months: 12,
    method: 'NEGOTIATED',
    ...overrides,
  });

  beforeAll(async () => {
    serviceId = await listedService({ name: '계약 대상 서비스' });
  });

  /** A fresh contract for this test alone: requested, or quoted at 1,700,000 KRW too. */
  async function requested(key: string): Promise<string> {
    const res = await api.call('POST', '/v1/contracts', {
      token: agency,
      body: request(),
      headers: { 'idempotency-key': key },
    });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    return res.body.id;
  }
  async function quoted(key: string): Promise<string> {
    const id = await requested(key);
    const res = await api.call('POST', `/v1/contracts/${id}/quote`, {
      token: provider,
      body: { amountKrw: 1_700_000 },
    });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    return id;
  }

  it('requests a contract at the catalog amount, computed by the server; the key is required and replays', async () => {
    const options = { token: agency, body: request(), headers: { 'idempotency-key': 'req-1' } };
    const res = await api.call('POST', '/v1/contracts', options);
    expect(res.status).toBe(201);
    expect(res.body).toEqual({
      id: expect.stringMatching(/^ctr_/),
      agencyId,
      serviceId,
      serviceVersion: expect.any(Number),
      providerId,
      planId: 'basic',
      quantity: 10,
      months: 12,
      method: 'NEGOTIATED',
      catalogAmountKrw: 15000 * 10 * 12,
      amountKrw: 15000 * 10 * 12,
      status: 'REQUESTED',
      requestedAt: expect.any(String),
      quotedAt: null,
      signedAt: null,
      closedAt: null,
      leadTimeDays: null,
      caseId: null,
      cancelReason: null,
      amendments: [],
      renewalOf: null,
      termination: null,
      version: 1,
    });
    expect(res.headers.get('location')).toBe(`/v1/contracts/${res.body.id}`);
    const replay = await api.call('POST', '/v1/contracts', options);
    expect(replay.status).toBe(201);
    expect(replay.headers.get('idempotent-replayed')).toBe('true');
    expect(replay.body).toEqual(res.body);
    await rejectsWithoutWriting(
      api,
      'POST',
      '/v1/contracts',
      { ...options, body: request({ quantity: 11 }) },
      409,
    );
    await rejectsWithoutWriting(api, 'POST', '/v1/contracts', { token: agency, body: request() }, 400);
  });

  it('refuses amounts from the client, unknown plans, unlisted services and the wrong network', async () => {
    const keyed = (key: string) => ({ 'idempotency-key': key });
    await rejectsWithoutWriting(
      api,
      'POST',
      '/v1/contracts',
      { token: agency, body: request({ amountKrw: 1 }), headers: keyed('x1') },
      400,
    );
    await rejectsWithoutWriting(
      api,
      'POST',
      '/v1/contracts',
      { token: agency, body: request({ planId: 'gold' }), headers: keyed('x2') },
      400,
    );
    await rejectsWithoutWriting(
      api,
      'POST',
      '/v1/contracts',
      { token: agency, body: request({ quantity: 1.5 }), headers: keyed('x3') },
      400,
    );
    const draft = (await api.call('POST', '/v1/services', { token: provider, body: serviceBody() })).body.id;
    await rejectsWithoutWriting(
      api,
      'POST',
      '/v1/contracts',
      { token: agency, body: request({ serviceId: draft }), headers: keyed('x4') },
      409,
    );
    await rejectsWithoutWriting(
      api,
      'POST',
      '/v1/contracts',
      { token: intranetAgency, body: request(), headers: keyed('x5') },
      409,
    );
    await rejectsWithoutWriting(
      api,
      'POST',
      '/v1/contracts',
      { token: await api.token('agency', 'agc_unregistered'), body: request(), headers: keyed('x6') },
      403,
    );
  });

  it('quotes at most the catalog amount, by the service’s provider only', async () => {
    const path = `/v1/contracts/${await requested('q-1')}`;
    await rejectsWithoutWriting(
      api,
      'POST',
      `${path}/quote`,
      { token: provider, body: { amountKrw: 1_800_001 } },
      400,
    );
    await rejectsWithoutWriting(
      api,
      'POST',
      `${path}/quote`,
      { token: provider, body: { amountKrw: 1_700_000.5 } },
      400,
    );
    await rejectsWithoutWriting(
      api,
      'POST',
      `${path}/quote`,
      { token: otherProvider, body: { amountKrw: 1_700_000 } },
      403,
    );
    await rejectsWithoutWriting(api, 'POST', `${path}/sign`, { token: agency }, 409);
    const quoted = await api.call('POST', `${path}/quote`, {
      token: provider,
      body: { amountKrw: 1_700_000 },
    });
    expect(quoted.status).toBe(200);
    expect(quoted.body).toMatchObject({
      status: 'QUOTED',
      amountKrw: 1_700_000,
      catalogAmountKrw: 1_800_000,
      version: 2,
    });
    expect(quoted.body.quotedAt).toEqual(expect.any(String));
    await rejectsWithoutWriting(
      api,
      'POST',
      `${path}/quote`,
      { token: provider, body: { amountKrw: 1 } },
      409,
    );
  });

  it('signs (the requesting agency only), recording the lead time; then completes', async () => {
    const path = `/v1/contracts/${await quoted('s-1')}`;
    await rejectsWithoutWriting(api, 'POST', `${path}/sign`, { token: otherAgency }, 403);
    await rejectsWithoutWriting(
      api,
      'POST',
      `${path}/sign`,
      { token: agency, headers: { 'if-match': '"1"' } },
      412,
    );
    const signed = await api.call('POST', `${path}/sign`, { token: agency, headers: { 'if-match': '"2"' } });
    expect(signed.body).toMatchObject({ status: 'ACTIVE', version: 3, leadTimeDays: 0 });
    expect(signed.body.signedAt >= signed.body.quotedAt).toBe(true);
    await rejectsWithoutWriting(api, 'POST', `${path}/sign`, { token: agency }, 409);
    await rejectsWithoutWriting(api, 'POST', `${path}/cancel`, { token: agency }, 409);
    const completed = await api.call('POST', `${path}/complete`, { token: admin });
    expect(completed.body).toMatchObject({ status: 'COMPLETED', version: 4 });
    expect(completed.body.closedAt).toEqual(expect.any(String));
    await rejectsWithoutWriting(api, 'POST', `${path}/terminate`, { token: agency }, 409);
    await rejectsWithoutWriting(api, 'POST', `${path}/complete`, { token: agency }, 409);
  });

  it('cancels before activation and terminates after; every other move is 409', async () => {
    const create = async (key: string) =>
      (
        await api.call('POST', '/v1/contracts', {
          token: agency,
          body: request(),
          headers: { 'idempotency-key': key },
        })
      ).body.id as string;
    const cancelled = await create('c-cancel');
    expect((await api.call('POST', `/v1/contracts/${cancelled}/cancel`, { token: agency })).body.status).toBe(
      'CANCELLED',
    );
    for (const move of ['quote', 'sign', 'cancel', 'complete', 'terminate']) {
      const token = move === 'quote' ? provider : agency;
      const body = move === 'quote' ? { amountKrw: 1 } : undefined;
      await rejectsWithoutWriting(
        api,
        'POST',
        `/v1/contracts/${cancelled}/${move}`,
        { token, ...(body ? { body } : {}) },
        409,
      );
    }
    const active = await create('c-terminate');
    await api.call('POST', `/v1/contracts/${active}/quote`, {
      token: provider,
      body: { amountKrw: 1_000_000 },
    });
    await api.call('POST', `/v1/contracts/${active}/sign`, { token: agency });
    const terminated = await api.call('POST', `/v1/contracts/${active}/terminate`, { token: agency });
    expect(terminated.body).toMatchObject({ status: 'TERMINATED', version: 4 });
  });

  it('shows a contract to its two parties and admins only, and lists each party’s own, newest first', async () => {
    const contractId = await requested('v-1');
    for (const token of [agency, provider, admin]) {
      expect((await api.call('GET', `/v1/contracts/${contractId}`, { token })).status).toBe(200);
    }
    for (const token of [otherAgency, otherProvider]) {
      expect((await api.call('GET', `/v1/contracts/${contractId}`, { token })).status).toBe(403);
    }
    expect((await api.call('GET', '/v1/contracts/ctr_none', { token: admin })).status).toBe(404);

    const mine = await api.call('GET', '/v1/contracts', { token: agency });
    expect(mine.body.items.length).toBeGreaterThanOrEqual(3);
    const times = mine.body.items.map((c: { requestedAt: string }) => c.requestedAt);
    expect(times).toEqual([...times].sort().reverse());
    expect(mine.body.items.every((c: { agencyId: string }) => c.agencyId === agencyId)).toBe(true);
    expect((await api.call('GET', '/v1/contracts', { token: provider })).body.items.length).toBe(
      mine.body.items.length,
    );
    expect((await api.call('GET', '/v1/contracts', { token: otherProvider })).body.items).toEqual([]);
    const requestedOnly = await api.call('GET', '/v1/contracts?status=REQUESTED', { token: agency });
    expect(requestedOnly.body.items.map((c: { id: string }) => c.id)).toContain(contractId);
    expect(new Set(requestedOnly.body.items.map((c: { status: string }) => c.status))).toEqual(
      new Set(['REQUESTED']),
    );

    const walked: string[] = [];
    let cursor: string | null = null;
    do {
      const page: { body: { items: { id: string }[]; next: string | null } } = await api.call(
        'GET',
        `/v1/contracts?limit=1${cursor ? `&cursor=${cursor}` : ''}`,
        { token: agency },
      );
      walked.push(...page.body.items.map((c) => c.id));
      cursor = page.body.next;
    } while (cursor);
    expect(walked).toEqual(mine.body.items.map((c: { id: string }) => c.id));

    expect(
      (await api.call('GET', `/v1/contracts?agencyId=${agencyId}`, { token: admin })).body.items.length,
    ).toBe(walked.length);
    // Without a party, an administrator gets every contract: the feed (ours among them).
    const feed = await api.call('GET', '/v1/contracts?limit=100', { token: admin });
    expect(feed.status).toBe(200);
    expect(feed.body.items.map((c: { id: string }) => c.id)).toEqual(expect.arrayContaining(walked));
    expect(
      (await api.call('GET', `/v1/contracts?agencyId=${agencyId}&providerId=${providerId}`, { token: admin }))
        .status,
    ).toBe(400);
    expect((await api.call('GET', `/v1/contracts?providerId=${providerId}`, { token: agency })).status).toBe(
      403,
    );
    expect((await api.call('GET', '/v1/contracts', { token: committee })).status).toBe(403);
  });
});

describe('concurrency', () => {
  let serviceId: string;
  beforeAll(async () => {
    serviceId = await listedService({ name: '동시성 서비스' });
  });

  it('parallel signs of one contract: exactly one succeeds, the rest are 409, none is 5xx', async () => {
    const created = await api.call('POST', '/v1/contracts', {
      token: agency,
      body: { serviceId, planId: 'basic', quantity: 1, months: 1, method: 'CATALOG' },
      headers: { 'idempotency-key': 'race-sign' },
    });
    await api.call('POST', `/v1/contracts/${created.body.id}/quote`, {
      token: provider,
      body: { amountKrw: 15000 },
    });
    const answers = await Promise.all(
      Array.from({ length: 8 }, () =>
        api.call('POST', `/v1/contracts/${created.body.id}/sign`, { token: agency }),
      ),
    );
    const statuses = answers.map((a) => a.status).sort();
    expect(statuses).toEqual([200, 409, 409, 409, 409, 409, 409, 409]);
    const final = await api.call('GET', `/v1/contracts/${created.body.id}`, { token: agency });
    expect(final.body).toMatchObject({ status: 'ACTIVE', version: 3 });
  });

  it('parallel creates with one key make one contract; a different body with that key is 409', async () => {
    const body = { serviceId, planId: 'basic', quantity: 2, months: 3, method: 'CATALOG' };
    const before = (await api.call('GET', '/v1/contracts?limit=100', { token: agency })).body.items.length;
    const answers = await Promise.all([
      ...Array.from({ length: 8 }, () =>
        api.call('POST', '/v1/contracts', {
          token: agency,
          body,
          headers: { 'idempotency-key': 'race-create' },
        }),
      ),
      api.call('POST', '/v1/contracts', {
        token: agency,
        body: { ...body, quantity: 3 },
        headers: { 'idempotency-key': 'race-create' },
      }),
    ]);
    const same = answers.slice(0, 8);
    const ids = new Set(same.filter((a) => a.status === 201).map((a) => a.body.id));
    // The odd body either lost the race (409) or won it, and then every same-body request is the 409.
    const created = answers.filter((a) => a.status === 201);
    expect(answers.every((a) => a.status === 201 || a.status === 409)).toBe(true);
    expect(new Set(created.map((a) => a.body.id)).size).toBe(1);
    expect(created.filter((a) => a.headers.get('idempotent-replayed') !== 'true').length).toBe(1);
    expect(ids.size).toBeLessThanOrEqual(1);
    const after = (await api.call('GET', '/v1/contracts?limit=100', { token: agency })).body.items.length;
    expect(after - before).toBe(1);
  });
});

describe('statistics and audit', () => {
  it('counts what its own contracts add, and keeps an audit trail newest first', async () => {
    const serviceId = await listedService({ name: '통계 서비스' });
    const buyerId = await registerAgency(api, '1749000');
    const buyer = await api.token('agency', buyerId);
    await api.settle();
    const before = (await api.call('GET', '/v1/stats')).body;

    const contract = async (key: string) => {
      const res = await api.call('POST', '/v1/contracts', {
        token: buyer,
        body: { serviceId, planId: 'basic', quantity: 2, months: 3, method: 'CATALOG' },
        headers: { 'idempotency-key': key },
      });
      expect(res.status, JSON.stringify(res.body)).toBe(201);
      return res.body.id as string;
    };
    const id = await contract('stats-completed');
    await api.call('POST', `/v1/contracts/${id}/quote`, { token: provider, body: { amountKrw: 80_000 } });
    await api.call('POST', `/v1/contracts/${id}/sign`, { token: buyer });
    await api.call('POST', `/v1/contracts/${id}/complete`, { token: admin });
    await api.call('POST', `/v1/contracts/${await contract('stats-cancelled')}/cancel`, { token: buyer });
    await api.settle();
    const after = (await api.call('GET', '/v1/stats')).body;

    expect(after.contracts.signed - before.contracts.signed).toBe(1);
    expect(after.contracts.totalAmountKrw - before.contracts.totalAmountKrw).toBe(80_000);
    expect(after.contracts.byStatus.COMPLETED - before.contracts.byStatus.COMPLETED).toBe(1);
    expect(after.contracts.byStatus.CANCELLED - before.contracts.byStatus.CANCELLED).toBe(1);
    expect(after.agencies.withContracts - before.agencies.withContracts).toBe(1);
    expect(after.services.listed).toBeGreaterThanOrEqual(1);

    const trail = await api.call('GET', `/v1/audit?entity=contract&id=${id}`, { token: admin });
    expect(trail.status).toBe(200);
    expect(trail.body.items.map((e: { action: string }) => e.action)).toEqual([
      'complete',
      'sign',
      'quote',
      'create',
    ]);
    expect(trail.body.items[0]).toEqual({
      id: `contract:${id}:v4`,
      at: expect.any(String),
      actor: { sub: expect.any(String), role: 'admin' },
      entity: 'contract',
      entityId: id,
      action: 'complete',
      fromVersion: 3,
      toVersion: 4,
      region: 'ap-northeast-2',
      changes: [],
      acknowledged: null,
    });
    expect(trail.body.items[3]).toMatchObject({
      fromVersion: null,
      toVersion: 1,
      actor: { role: 'agency', org: buyerId },
    });
    const first = await api.call('GET', `/v1/audit?entity=contract&id=${id}&limit=3`, { token: admin });
    const rest = await api.call(
      'GET',
      `/v1/audit?entity=contract&id=${id}&limit=3&cursor=${first.body.next}`,
      { token: admin },
    );
    expect([...first.body.items, ...rest.body.items]).toEqual(trail.body.items);
    expect(rest.body.next).toBeNull();
    expect((await api.call('GET', `/v1/audit?entity=contract&id=${id}`, { token: buyer })).status).toBe(403);
    // Without an id, the feed of every contract's events; an id without its entity is a 400.
    const contractFeed = await api.call('GET', '/v1/audit?entity=contract&limit=100', { token: admin });
    expect(contractFeed.status).toBe(200);
    expect(contractFeed.body.items.every((e: { entity: string }) => e.entity === 'contract')).toBe(true);
    expect((await api.call('GET', `/v1/audit?id=${id}`, { token: admin })).status).toBe(400);
  });
});
