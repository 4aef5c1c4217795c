import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { canonicalJson } from '../../functions/domain/ids.js';
import { expectStatus, quoteEach } from '../support/assertions.js';
import { createAgency, createProvider, seedService } from '../support/fixtures.js';
import { type ApiCall, startTestApi, type TestApi } from '../support/local-api.js';
import type { Service } from '../../functions/domain/entities.js';

let api: TestApi;
let agency: string;
let agencyId: string;
let otherAgency: string;
let provider: string;
let providerId: string;
let admin: string;
let cheap: Service;
let dear: Service;
let mid: Service;
let intranetOnly: Service;

let keys = 0;
const key = () => ({ 'idempotency-key': `cases-${++keys}` });

const plan = (unitPriceKrw: number, id = 'basic') => ({
  id,
  name: `${id} 요금제`,
  unit: '사용자/월',
  unitPriceKrw,
});

beforeAll(async () => {
  api = await startTestApi();
  providerId = await createProvider(api, '770811111', '한빛클라우드');
  agencyId = await createAgency(api, '7700001');
  const otherAgencyId = await createAgency(api, '7700002');
  agency = await api.token('agency', agencyId);
  otherAgency = await api.token('agency', otherAgencyId);
  provider = await api.token('provider', providerId);
  admin = await api.token('admin');
  cheap = await seedService(api, providerId, {
    name: '민원 챗봇',
    plans: [plan(9_000), plan(20_000, 'pro')],
  });
  dear = await seedService(api, providerId, { name: '상담 분석', plans: [plan(15_000)] });
  mid = await seedService(api, providerId, { name: '문서 요약', plans: [plan(12_000)] });
  intranetOnly = await seedService(api, providerId, {
    name: '내부망 전용',
    networks: ['INTRANET'],
    plans: [plan(1_000)],
  });
  await api.settle();
}, 60_000);
afterAll(async () => api?.stop());

async function openCase(body: Record<string, unknown> = {}): Promise<string> {
  const res = await api.call('POST', '/v1/cases', {
    token: agency,
    body: { title: '민원 상담 자동화', need: '민원 응대 시간을 줄인다', quantity: 10, months: 12, ...body },
  });
  expectStatus(res, 201);
  return res.body.id;
}

async function shortlist(id: string, services: readonly Service[]) {
  const res = await api.call('PATCH', `/v1/cases/${id}`, {
    token: agency,
    body: { shortlist: services.map((s) => ({ serviceId: s.id, note: `${s.name} 후보` })) },
  });
  expectStatus(res, 200);
  return res;
}

/** A case with three services shortlisted, a snapshot, and one quote from each provider, all QUOTED. */
async function quotedCase(): Promise<{ id: string; contracts: string[] }> {
  const id = await openCase({ budgetKrw: 1_500_000 });
  await shortlist(id, [cheap, dear, mid]);
  expectStatus(await api.call('POST', `/v1/cases/${id}/snapshots`, { token: agency }), 201);
  const asked = await api.call('POST', `/v1/cases/${id}/quotes`, {
    token: agency,
    headers: key(),
    body: {
      requests: [cheap, dear, mid].map((s) => ({ serviceId: s.id, planId: 'basic' })),
      method: 'NEGOTIATED',
    },
  });
  expectStatus(asked, 201);
  const contracts: string[] = asked.body.contracts.map((c: { id: string }) => c.id);
  await quoteEach(api, provider, contracts, 1_000_000);
  return { id, contracts };
}

/** Every write refused: the tables are exactly as before. */
async function expectNothingWritten(call: () => Promise<ApiCall>, status: number): Promise<ApiCall> {
  await api.settle();
  const before = await api.snapshot();
  const res = await call();
  expectStatus(res, status);
  await api.settle();
  expect(await api.snapshot()).toEqual(before);
  return res;
}

describe('a case from opening to its record', () => {
  it('opens OPEN for the calling agency, reads back with its ETag, and lists newest first', async () => {
    const first = await openCase({ title: '첫 사업' });
    const second = await openCase({ title: '둘째 사업', budgetKrw: 5_000_000 });
    const read = await api.call('GET', `/v1/cases/${second}`, { token: agency });
    expectStatus(read, 200);
    expect(read.headers.get('etag')).toBe('"1"');
    expect(read.body).toMatchObject({
      agencyId,
      status: 'OPEN',
      budgetKrw: 5_000_000,
      searches: [],
      shortlist: [],
      snapshots: 0,
      contractIds: [],
      award: null,
      outcome: null,
      version: 1,
    });
    const mine = await api.call('GET', '/v1/cases?limit=2', { token: agency });
    expect(mine.body.items.map((c: { id: string }) => c.id)).toEqual([second, first]);
    expect((await api.call('GET', `/v1/cases/${first}`, { token: otherAgency })).status).toBe(403);
    expect((await api.call('GET', '/v1/cases', { token: otherAgency })).body.items).toEqual([]);
    const forAdmin = await api.call('GET', `/v1/cases?agencyId=${agencyId}&status=OPEN`, { token: admin });
    expect(forAdmin.body.items.map((c: { id: string }) => c.id)).toContain(first);
    const everyCase = await api.call('GET', '/v1/cases', { token: admin });
    expect(everyCase.body.items.length).toBeGreaterThanOrEqual(2);
    expect((await api.call('GET', `/v1/cases?agencyId=${agencyId}`, { token: otherAgency })).status).toBe(
      403,
    );
  });

  it('refuses a shortlist over 10 or with a repeat (400), and unlisted services (409), writing nothing', async () => {
    const id = await openCase();
    const eleven = Array.from({ length: 11 }, (_, i) => ({ serviceId: `svc_${i}` }));
    await expectNothingWritten(
      () => api.call('PATCH', `/v1/cases/${id}`, { token: agency, body: { shortlist: eleven } }),
      400,
    );
    await expectNothingWritten(
      () =>
        api.call('PATCH', `/v1/cases/${id}`, {
          token: agency,
          body: { shortlist: [{ serviceId: cheap.id }, { serviceId: cheap.id }] },
        }),
      400,
    );
    const suspended = await seedService(api, providerId, { status: 'SUSPENDED' });
    const lapsed = await seedService(api, providerId, {
      selection: { sessionNumber: 40, decidedAt: '2022-01-01T00:00:00Z', validUntil: '2025-01-01' },
    });
    for (const service of [suspended, lapsed]) {
      await expectNothingWritten(
        () =>
          api.call('PATCH', `/v1/cases/${id}`, {
            token: agency,
            body: { shortlist: [{ serviceId: cheap.id }, { serviceId: service.id }] },
          }),
        409,
      );
    }
    const edited = await shortlist(id, [cheap, dear]);
    expect(edited.body.shortlist.map((e: { serviceId: string }) => e.serviceId)).toEqual([cheap.id, dear.id]);
    expect(edited.body.version).toBe(2);
    const stale = await api.call('PATCH', `/v1/cases/${id}`, {
      token: agency,
      headers: { 'if-match': '"1"' },
      body: { title: '새 제목' },
    });
    expect(stale.status).toBe(412);
  });

  it('keeps up to ten saved searches; the eleventh is a 409', async () => {
    const id = await openCase();
    const saved = await api.call('POST', `/v1/cases/${id}/searches`, {
      token: agency,
      headers: { 'idempotency-key': 'search-once' },
      body: { q: '챗봇', category: 'SAAS' },
    });
    expectStatus(saved, 201);
    expect(saved.body).toEqual({
      id: expect.any(String),
      query: { q: '챗봇', category: 'SAAS' },
      savedAt: expect.any(String),
    });
    const replay = await api.call('POST', `/v1/cases/${id}/searches`, {
      token: agency,
      headers: { 'idempotency-key': 'search-once' },
      body: { q: '챗봇', category: 'SAAS' },
    });
    expect(replay.status).toBe(201);
    expect(replay.headers.get('idempotent-replayed')).toBe('true');
    expect(replay.body).toEqual(saved.body);
    for (let i = 0; i < 9; i++) {
      expectStatus(
        await api.call('POST', `/v1/cases/${id}/searches`, { token: agency, body: { ai: i % 2 === 0 } }),
        201,
      );
    }
    await expectNothingWritten(
      () => api.call('POST', `/v1/cases/${id}/searches`, { token: agency, body: { q: '열한째' } }),
      409,
    );
    await expectNothingWritten(
      () => api.call('POST', `/v1/cases/${id}/searches`, { token: agency, body: { ai: 'yes' } }),
      400,
    );
  });

  it('compares the shortlist at quantity × months, cheapest first, with budget and network fit, unlisted last', async () => {
    const id = await openCase({ budgetKrw: 1_300_000 });
    const soonSuspended = await seedService(api, providerId, { name: '곧 중지', plans: [plan(100)] });
    await shortlist(id, [dear, soonSuspended, cheap, intranetOnly, mid]);
    await seedService(api, providerId, {
      ...soonSuspended,
      status: 'SUSPENDED',
      version: soonSuspended.version + 1,
    });
    const res = await api.call('GET', `/v1/cases/${id}/comparison`, { token: agency });
    expectStatus(res, 200);
    const rows = res.body.items.map((i: Record<string, unknown>) => [
      i.name,
      i.lowestAmountKrw,
      i.withinBudget,
      i.offeredOnAgencyNetwork,
      i.listed,
    ]);
    expect(rows).toEqual([
      ['내부망 전용', 120_000, true, false, true],
      ['민원 챗봇', 1_080_000, true, true, true],
      ['문서 요약', 1_440_000, false, true, true],
      ['상담 분석', 1_800_000, false, true, true],
      ['곧 중지', 12_000, true, true, false],
    ]);
    expect(res.body.quantity).toBe(10);
    expect(res.body.items[1]).toMatchObject({
      providerName: '한빛클라우드',
      serviceVersion: cheap.version,
      plans: [
        { id: 'basic', unitPriceKrw: 9_000, amountKrw: 1_080_000 },
        { id: 'pro', unitPriceKrw: 20_000, amountKrw: 2_400_000 },
      ],
      contractsSigned: 0,
    });
    const noBudget = await openCase();
    await shortlist(noBudget, [cheap]);
    const unbudgeted = await api.call('GET', `/v1/cases/${noBudget}/comparison`, { token: admin });
    expect(unbudgeted.body.items[0].withinBudget).toBeNull();
  });

  it('locks numbered, hashed, immutable snapshots, as JSON, CSV and the Korean record', async () => {
    const id = await openCase({ budgetKrw: 1_500_000 });
    await shortlist(id, [dear, cheap]);
    expectStatus(
      await api.call('POST', `/v1/cases/${id}/searches`, { token: agency, body: { q: '챗봇' } }),
      201,
    );
    expectStatus(
      await api.call('POST', `/v1/cases/${id}/searches`, { token: agency, body: { category: 'SAAS' } }),
      201,
    );
    const first = await api.call('POST', `/v1/cases/${id}/snapshots`, { token: agency });
    expectStatus(first, 201);
    expect(first.headers.get('location')).toBe(`/v1/cases/${id}/snapshots/1`);
    const { sha256, ...content } = first.body;
    expect(sha256).toBe(createHash('sha256').update(canonicalJson(content)).digest('hex'));
    expect(first.body).toMatchObject({
      number: 1,
      caseId: id,
      lockedBy: { org: agencyId },
      case: { title: '민원 상담 자동화', quantity: 10, months: 12, budgetKrw: 1_500_000 },
      comparison: { items: [{ serviceId: cheap.id }, { serviceId: dear.id }] },
    });
    expect(first.body.searches[0]).toMatchObject({
      query: { q: '챗봇' },
      matched: 1,
      results: [{ serviceId: cheap.id, version: cheap.version }],
    });
    // As many as the catalog counts in that category, not in every category.
    const saas = await api.call('GET', '/v1/services?category=SAAS&facets=true&limit=1');
    expect(first.body.searches[1].matched).toBe(saas.body.facets.category.SAAS);
    expect(first.body.searches[1].matched).toBeGreaterThanOrEqual(4);

    await shortlist(id, [dear]);
    const second = await api.call('POST', `/v1/cases/${id}/snapshots`, { token: agency });
    expect(second.body.number).toBe(2);
    expect(second.body.sha256).not.toBe(sha256);
    const again = await api.call('GET', `/v1/cases/${id}/snapshots/1`, { token: admin });
    expect(again.body).toEqual(first.body);
    expect((await api.call('GET', `/v1/cases/${id}`, { token: agency })).body.snapshots).toBe(2);

    const csv = await fetch(`${api.region.url}/v1/cases/${id}/snapshots/1`, {
      headers: { authorization: `Bearer ${agency}`, accept: 'text/csv' },
    });
    expect(csv.headers.get('content-type')).toBe('text/csv; charset=utf-8');
    expect((await csv.text()).split('\r\n')).toEqual([
      'serviceId,name,providerName,category,csapGrade,networks,listed,lowestPlanId,lowestAmountKrw,withinBudget',
      `${cheap.id},민원 챗봇,한빛클라우드,SAAS,,INTERNET,true,basic,1080000,true`,
      `${dear.id},상담 분석,한빛클라우드,SAAS,,INTERNET,true,basic,1800000,false`,
      '',
    ]);
    const html = await fetch(`${api.region.url}/v1/cases/${id}/snapshots/1`, {
      headers: { authorization: `Bearer ${agency}`, accept: 'text/html' },
    });
    expect(html.headers.get('content-type')).toBe('text/html; charset=utf-8');
    const page = await html.text();
    expect(page).toContain('<html lang="ko">');
    expect(page).toContain('민원 응대 시간을 줄인다');
    expect(page).toContain('검색어 “챗봇”');
    expect(page).toContain('1,080,000원');
    expect(page).toContain(sha256);
    expect(page).not.toMatch(/<script|https?:\/\//);
    expect((await api.call('GET', `/v1/cases/${id}/snapshots/3`, { token: agency })).status).toBe(404);
  });

  it('answers a keyed snapshot retry with the same snapshot', async () => {
    const id = await openCase();
    await shortlist(id, [cheap]);
    const headers = { 'idempotency-key': 'lock-once' };
    const first = await api.call('POST', `/v1/cases/${id}/snapshots`, { token: agency, headers });
    const retry = await api.call('POST', `/v1/cases/${id}/snapshots`, { token: agency, headers });
    expect(retry.status).toBe(201);
    expect(retry.headers.get('idempotent-replayed')).toBe('true');
    expect(retry.body).toEqual(first.body);
    expect((await api.call('GET', `/v1/cases/${id}`, { token: agency })).body.snapshots).toBe(1);
  });
});

describe('quotes, award and close', () => {
  it('needs a snapshot and shortlisted services, and a retry answers the same contracts', async () => {
    const id = await openCase();
    await shortlist(id, [cheap, dear]);
    const body = { requests: [{ serviceId: cheap.id, planId: 'basic' }], method: 'NEGOTIATED' };
    await expectNothingWritten(
      () => api.call('POST', `/v1/cases/${id}/quotes`, { token: agency, headers: key(), body }),
      409,
    );
    expectStatus(await api.call('POST', `/v1/cases/${id}/snapshots`, { token: agency }), 201);
    await expectNothingWritten(
      () =>
        api.call('POST', `/v1/cases/${id}/quotes`, {
          token: agency,
          headers: key(),
          body: { requests: [{ serviceId: mid.id, planId: 'basic' }], method: 'NEGOTIATED' },
        }),
      409,
    );
    await expectNothingWritten(
      () => api.call('POST', `/v1/cases/${id}/quotes`, { token: agency, body }),
      400,
    );
    const headers = key();
    const asked = await api.call('POST', `/v1/cases/${id}/quotes`, { token: agency, headers, body });
    expectStatus(asked, 201);
    expect(asked.body.contracts).toHaveLength(1);
    expect(asked.body.contracts[0]).toMatchObject({
      caseId: id,
      status: 'REQUESTED',
      quantity: 10,
      months: 12,
      catalogAmountKrw: 1_080_000,
      cancelReason: null,
      amendments: [],
      renewalOf: null,
      termination: null,
    });
    const retry = await api.call('POST', `/v1/cases/${id}/quotes`, { token: agency, headers, body });
    expect(retry.status).toBe(201);
    expect(retry.headers.get('idempotent-replayed')).toBe('true');
    expect(retry.body.contracts.map((c: { id: string }) => c.id)).toEqual([asked.body.contracts[0].id]);
    expect((await api.call('GET', `/v1/cases/${id}`, { token: agency })).body.contractIds).toEqual([
      asked.body.contracts[0].id,
    ]);
  });

  it('awards one quote, cancels the others NOT_CHOSEN, refuses signing case contracts directly, and counts it', async () => {
    const { id, contracts } = await quotedCase();
    const [chosen, ...others] = contracts as [string, ...string[]];
    await expectNothingWritten(
      () => api.call('POST', `/v1/contracts/${chosen}/sign`, { token: agency }),
      409,
    );
    await expectNothingWritten(
      () => api.call('POST', `/v1/cases/${id}/award`, { token: agency, body: { contractId: 'ctr_unknown' } }),
      409,
    );
    const dry = await expectNothingWritten(
      () =>
        api.call('POST', `/v1/cases/${id}/award?dryRun=true`, {
          token: agency,
          body: { contractId: chosen },
        }),
      200,
    );
    expect(dry.headers.get('dry-run')).toBe('true');
    const awarded = await api.call('POST', `/v1/cases/${id}/award`, {
      token: agency,
      headers: { 'idempotency-key': `award-${id}` },
      body: { contractId: chosen },
    });
    expectStatus(awarded, 200);
    expect(awarded.body).toMatchObject({
      status: 'AWARDED',
      award: { contractId: chosen, amountKrw: 1_000_000, awardedAt: expect.any(String) },
    });
    expect((await api.call('GET', `/v1/contracts/${chosen}`, { token: agency })).body.status).toBe('ACTIVE');
    for (const other of others) {
      expect((await api.call('GET', `/v1/contracts/${other}`, { token: provider })).body).toMatchObject({
        status: 'CANCELLED',
        cancelReason: 'NOT_CHOSEN',
      });
    }
    const retry = await api.call('POST', `/v1/cases/${id}/award`, {
      token: agency,
      headers: { 'idempotency-key': `award-${id}` },
      body: { contractId: chosen },
    });
    expect(retry.status).toBe(200);
    expect(retry.headers.get('idempotent-replayed')).toBe('true');
    await expectNothingWritten(
      () =>
        api.call('POST', `/v1/cases/${id}/close`, {
          token: agency,
          body: { outcome: 'CANCELLED', reason: '늦음' },
        }),
      409,
    );
    await expectNothingWritten(
      () => api.call('PATCH', `/v1/cases/${id}`, { token: agency, body: { title: '늦은 변경' } }),
      409,
    );
    await api.settle();
    const stats = await api.call('GET', '/v1/stats');
    expect(stats.body.cases.awarded).toBeGreaterThanOrEqual(1);
    expect(stats.body.cases.medianDaysToAward).toBe(0);
    const trail = await api.call('GET', `/v1/audit?entity=case&id=${id}`, { token: admin });
    expect(trail.body.items.map((e: { action: string }) => e.action).slice(0, 2)).toEqual([
      'award',
      'decide-award',
    ]);
  });

  it('closes without an award, cancelling open contracts CASE_CLOSED', async () => {
    const { id, contracts } = await quotedCase();
    await expectNothingWritten(
      () =>
        api.call('POST', `/v1/cases/${id}/close`, {
          token: agency,
          body: { outcome: 'AWARDED', reason: '틀림' },
        }),
      400,
    );
    const closed = await api.call('POST', `/v1/cases/${id}/close`, {
      token: agency,
      body: { outcome: 'NO_AWARD', reason: '적합한 서비스 없음' },
    });
    expectStatus(closed, 200);
    expect(closed.body).toMatchObject({
      status: 'NO_AWARD',
      award: null,
      outcome: { reason: '적합한 서비스 없음' },
    });
    for (const contractId of contracts) {
      expect((await api.call('GET', `/v1/contracts/${contractId}`, { token: agency })).body).toMatchObject({
        status: 'CANCELLED',
        cancelReason: 'CASE_CLOSED',
      });
    }
    const cancelled = await openCase();
    expectStatus(
      await api.call('POST', `/v1/cases/${cancelled}/close`, {
        token: agency,
        body: { outcome: 'CANCELLED', reason: '사업 취소' },
      }),
      200,
    );
    await api.settle();
    const stats = (await api.call('GET', '/v1/stats')).body.cases;
    expect(stats.noAward).toBeGreaterThanOrEqual(1);
    expect(stats.cancelled).toBeGreaterThanOrEqual(1);
    expect(stats.open).toBeGreaterThanOrEqual(1);
  });
});
