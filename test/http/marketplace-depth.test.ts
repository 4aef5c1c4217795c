/**
 * Issue 12 through HTTP on DynamoDB Local: listed services change as new versions with their history,
 * reverts, the plan-in-use rule and `serviceVersion`; dry runs; the audit feed and its acknowledgements;
 * the administrators' contract feed; facet counts.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { applyPatch, type Json, type PatchOperation } from '../../functions/domain/json-patch.js';
import { rejectsWithoutWriting } from '../support/assertions.js';
import { createAgency, createProvider, seedService } from '../support/fixtures.js';
import { startTestApi, type TestApi } from '../support/local-api.js';

let api: TestApi;
let admin: string;
let providerId: string;
let provider: string;
let agencyId: string;
let agency: string;
let keys = 0;
const key = () => `depth-${++keys}`;

beforeAll(async () => {
  api = await startTestApi();
  admin = await api.token('admin', undefined, 'depth-admin');
  providerId = await createProvider(api, '330811111');
  provider = await api.token('provider', providerId, 'depth-provider');
  agencyId = await createAgency(api, '3300001');
  agency = await api.token('agency', agencyId, 'depth-agency');
}, 60_000);
afterAll(async () => api?.stop());

const plans = (basicPrice: number, extra = true) => [
  { id: 'basic', name: '기본', unit: '월', unitPriceKrw: basicPrice },
  ...(extra ? [{ id: 'pro', name: '프로', unit: '월', unitPriceKrw: 50_000 }] : []),
];

async function listed(overrides = {}) {
  return seedService(api, providerId, { plans: plans(10_000), ...overrides });
}

async function patch(id: string, body: unknown, token = provider) {
  return api.call('PATCH', `/v1/services/${id}`, { token, body });
}

async function requestContract(serviceId: string, planId: string, idempotencyKey = key()) {
  return api.call('POST', '/v1/contracts', {
    token: agency,
    body: { serviceId, planId, quantity: 2, months: 12, method: 'CATALOG' },
    headers: { 'idempotency-key': idempotencyKey },
  });
}

describe('a LISTED service changes as new versions', () => {
  it('takes summary, plans, networks and csap at once as a new version; name, category and ai are 409', async () => {
    const service = await listed();
    const edited = await patch(service.id, { summary: '요약을 새로 씀', plans: plans(12_000) });
    expect(edited.status, JSON.stringify(edited.body)).toBe(200);
    expect(edited.body).toMatchObject({ status: 'LISTED', version: 4, summary: '요약을 새로 씀' });
    expect(edited.headers.get('etag')).toBe('"4"');
    for (const body of [
      { name: '새 이름' },
      { category: 'IAAS' },
      { ai: true },
      { name: 'x', summary: 'y' },
    ]) {
      await rejectsWithoutWriting(api, 'PATCH', `/v1/services/${service.id}`, { token: provider, body }, 409);
    }
    const read = await api.call('GET', `/v1/services/${service.id}`);
    expect(read.body.plans[0].unitPriceKrw).toBe(12_000);
  });

  it('lists its history newest first with RFC 6902 changes, and returns each version exactly as it was', async () => {
    const service = await listed();
    await patch(service.id, { plans: plans(11_000) });
    await patch(service.id, { plans: plans(13_000), summary: '두 번째 편집' });
    await api.settle();
    const history = await api.call('GET', `/v1/services/${service.id}/versions`);
    expect(history.status).toBe(200);
    expect(history.body.items.map((v: { version: number }) => v.version)).toEqual([5, 4, 3]);
    const [latest, previous] = history.body.items;
    expect(latest).toMatchObject({ action: 'update', status: 'LISTED', actor: { sub: 'depth-provider' } });
    expect(latest.changes).toEqual(
      expect.arrayContaining([
        { op: 'replace', path: '/summary', value: '두 번째 편집' },
        { op: 'replace', path: '/plans/0/unitPriceKrw', value: 13_000 },
      ]),
    );
    expect(previous.changes).toEqual([{ op: 'replace', path: '/plans/0/unitPriceKrw', value: 11_000 }]);
    // Each version's changes turn the one before into it.
    const v4 = await api.call('GET', `/v1/services/${service.id}/versions/4`);
    const v5 = await api.call('GET', `/v1/services/${service.id}/versions/5`);
    expect(v4.status).toBe(200);
    expect(v4.body).toMatchObject({ version: 4, summary: service.summary });
    expect(v4.body.plans[0].unitPriceKrw).toBe(11_000);
    const content = (s: Record<string, Json>) => ({
      ...s,
      version: 0,
      updatedAt: '',
    });
    expect(content(applyPatch(v4.body, latest.changes as PatchOperation[]) as Record<string, Json>)).toEqual(
      content(v5.body),
    );
    // Pages of one: the cursor walks the whole history.
    const seen: number[] = [];
    let cursor: string | null = null;
    do {
      const page: { body: { items: { version: number }[]; next: string | null } } = await api.call(
        'GET',
        `/v1/services/${service.id}/versions?limit=1${cursor ? `&cursor=${cursor}` : ''}`,
      );
      seen.push(...page.body.items.map((v) => v.version));
      cursor = page.body.next;
    } while (cursor);
    expect(seen).toEqual([5, 4, 3]);
    expect((await api.call('GET', `/v1/services/${service.id}/versions/9`)).status).toBe(404);
    expect((await api.call('GET', `/v1/services/${service.id}/versions/x`)).status).toBe(400);
  });

  it('reverts after two edits: the content of the version named, as a third version; history kept', async () => {
    const service = await listed();
    await patch(service.id, { plans: plans(20_000), summary: '첫 편집' });
    await patch(service.id, { plans: plans(30_000), summary: '둘째 편집' });
    await api.settle();
    await rejectsWithoutWriting(
      api,
      'POST',
      `/v1/services/${service.id}/revert`,
      { token: provider, body: { toVersion: 3 } },
      403,
    );
    const reverted = await api.call('POST', `/v1/services/${service.id}/revert`, {
      token: admin,
      body: { toVersion: 3 },
    });
    expect(reverted.status, JSON.stringify(reverted.body)).toBe(200);
    expect(reverted.body).toMatchObject({ version: 6, status: 'LISTED', summary: service.summary });
    expect(reverted.body.plans).toEqual(service.plans);
    await api.settle();
    const history = await api.call('GET', `/v1/services/${service.id}/versions`);
    expect(history.body.items.map((v: { version: number }) => v.version)).toEqual([6, 5, 4, 3]);
    expect(history.body.items[0]).toMatchObject({ action: 'revert', actor: { sub: 'depth-admin' } });
    const v5 = await api.call('GET', `/v1/services/${service.id}/versions/5`);
    expect(v5.body.summary).toBe('둘째 편집');
    await rejectsWithoutWriting(
      api,
      'POST',
      `/v1/services/${service.id}/revert`,
      { token: admin, body: { toVersion: 42 } },
      404,
    );
  });

  it('refuses to remove a plan a REQUESTED or QUOTED contract uses; contracts keep the version that priced them', async () => {
    const service = await listed();
    const contract = await requestContract(service.id, 'pro');
    expect(contract.status, JSON.stringify(contract.body)).toBe(201);
    expect(contract.body).toMatchObject({ serviceVersion: 3, catalogAmountKrw: 50_000 * 2 * 12 });
    await rejectsWithoutWriting(
      api,
      'PATCH',
      `/v1/services/${service.id}`,
      { token: provider, body: { plans: plans(10_000, false) } },
      409,
    );
    // A price change of the plan in use is fine, and leaves the contract as it was priced.
    const repriced = await patch(service.id, {
      plans: [plans(10_000)[0], { id: 'pro', name: '프로', unit: '월', unitPriceKrw: 70_000 }],
    });
    expect(repriced.status).toBe(200);
    const read = await api.call('GET', `/v1/contracts/${contract.body.id}`, { token: agency });
    expect(read.body).toMatchObject({ serviceVersion: 3, catalogAmountKrw: 50_000 * 2 * 12 });
    const next = await requestContract(service.id, 'pro');
    expect(next.body).toMatchObject({ serviceVersion: 4, catalogAmountKrw: 70_000 * 2 * 12 });
    // Once no open contract uses it, the plan can go.
    for (const id of [contract.body.id, next.body.id]) {
      expect((await api.call('POST', `/v1/contracts/${id}/cancel`, { token: agency })).status).toBe(200);
    }
    expect((await patch(service.id, { plans: plans(10_000, false) })).status).toBe(200);
  });
});

describe('dry runs', () => {
  it('a dry-run contract request answers 201 and writes nothing; the real one with the same key is 201, not a replay', async () => {
    const service = await listed();
    const idempotencyKey = key();
    await api.settle();
    const before = await api.snapshot();
    const dry = await api.call('POST', '/v1/contracts?dryRun=true', {
      token: agency,
      body: { serviceId: service.id, planId: 'basic', quantity: 1, months: 6, method: 'CATALOG' },
      headers: { 'idempotency-key': idempotencyKey },
    });
    expect(dry.status, JSON.stringify(dry.body)).toBe(201);
    expect(dry.headers.get('dry-run')).toBe('true');
    expect(dry.headers.get('idempotent-replayed')).toBeNull();
    expect(dry.body).toMatchObject({ status: 'REQUESTED', catalogAmountKrw: 60_000 });
    await api.settle();
    expect(await api.snapshot()).toEqual(before);
    const real = await api.call('POST', '/v1/contracts', {
      token: agency,
      body: { serviceId: service.id, planId: 'basic', quantity: 1, months: 6, method: 'CATALOG' },
      headers: { 'idempotency-key': idempotencyKey },
    });
    expect(real.status).toBe(201);
    expect(real.headers.get('idempotent-replayed')).toBeNull();
    expect(real.headers.get('dry-run')).toBeNull();
    expect(real.body.id).toBe(dry.body.id);
    // After the real call, a dry run with the key answers the replay the real retry would get.
    const again = await api.call('POST', '/v1/contracts?dryRun=true', {
      token: agency,
      body: { serviceId: service.id, planId: 'basic', quantity: 1, months: 6, method: 'CATALOG' },
      headers: { 'idempotency-key': idempotencyKey },
    });
    expect(again.status).toBe(201);
    expect(again.headers.get('idempotent-replayed')).toBe('true');
  });

  it('a dry-run price change answers the new version and writes no version, event or statistic', async () => {
    const service = await listed();
    await api.settle();
    const before = await api.snapshot();
    const dry = await api.call('PATCH', `/v1/services/${service.id}?dryRun=true`, {
      token: provider,
      body: { plans: plans(9_000) },
      headers: { 'if-match': '"3"' },
    });
    expect(dry.status).toBe(200);
    expect(dry.headers.get('dry-run')).toBe('true');
    expect(dry.body).toMatchObject({ version: 4 });
    expect(dry.body.plans[0].unitPriceKrw).toBe(9_000);
    // The same checks as the real call: a stale If-Match, a locked field.
    const stale = await api.call('PATCH', `/v1/services/${service.id}?dryRun=true`, {
      token: provider,
      body: { plans: plans(9_000) },
      headers: { 'if-match': '"2"' },
    });
    expect(stale.status).toBe(412);
    expect(stale.headers.get('dry-run')).toBe('true');
    const locked = await api.call('PATCH', `/v1/services/${service.id}?dryRun=true`, {
      token: provider,
      body: { name: '다른 이름' },
    });
    expect(locked.status).toBe(409);
    await api.settle();
    expect(await api.snapshot()).toEqual(before);
  });

  it('runs the uniqueness check of a create and the record of an acknowledgement without writing', async () => {
    const taken = await api.call('POST', '/v1/providers', { token: admin });
    expect(taken.status).toBe(400);
    const registered = await api.call('GET', `/v1/providers/${providerId}`);
    await api.settle();
    const before = await api.snapshot();
    const clash = await api.call('POST', '/v1/providers?dryRun=true', {
      token: admin,
      body: {
        name: '다른 공급자',
        businessRegistrationNumber: registered.body.businessRegistrationNumber,
        contactEmail: 'other@example.kr',
      },
    });
    expect(clash.status).toBe(409);
    expect(clash.headers.get('dry-run')).toBe('true');
    const eventId = `provider:${providerId}:v1`;
    const acknowledged = await api.call('POST', `/v1/audit/${eventId}/acknowledge?dryRun=true`, {
      token: admin,
    });
    expect(acknowledged.status).toBe(200);
    expect(acknowledged.headers.get('dry-run')).toBe('true');
    expect(acknowledged.body.acknowledged).toEqual({ by: 'depth-admin', at: expect.any(String) });
    await api.settle();
    expect(await api.snapshot()).toEqual(before);
  });

  it('any other query parameter on a write, or a dryRun that is not true or false, is a 400', async () => {
    const service = await listed();
    for (const query of ['dryrun=true', 'dryRun=yes', 'dryRun=true&x=1']) {
      await rejectsWithoutWriting(
        api,
        'PATCH',
        `/v1/services/${service.id}?${query}`,
        { token: provider, body: { summary: '요약' } },
        400,
      );
    }
  });
});

describe('the audit feed', () => {
  it('is the whole feed newest first, with changes, filters, and an acknowledgement queue', async () => {
    const service = await listed();
    const edited = await patch(service.id, { plans: plans(15_000) });
    expect(edited.status).toBe(200);
    await api.settle();
    const feed = await api.call('GET', '/v1/audit?limit=100', { token: admin });
    expect(feed.status).toBe(200);
    const times = feed.body.items.map((e: { at: string }) => e.at);
    expect(times).toEqual([...times].sort().reverse());
    const eventId = `service:${service.id}:v4`;
    const event = feed.body.items.find((e: { id: string }) => e.id === eventId);
    expect(event).toMatchObject({
      entity: 'service',
      entityId: service.id,
      action: 'update',
      fromVersion: 3,
      toVersion: 4,
      actor: { sub: 'depth-provider', role: 'provider', org: providerId },
      changes: [{ op: 'replace', path: '/plans/0/unitPriceKrw', value: 15_000 }],
      acknowledged: null,
    });
    const queue = await api.call('GET', '/v1/audit?entity=service&action=update&acknowledged=false', {
      token: admin,
    });
    expect(queue.body.items.map((e: { id: string }) => e.id)).toContain(eventId);
    for (const query of [
      `actor=depth-provider`,
      `org=${providerId}`,
      `action=update`,
      `entity=service`,
      `entity=service&id=${service.id}`,
      `since=${encodeURIComponent(event.at)}&until=${encodeURIComponent(event.at)}`,
    ]) {
      const res = await api.call('GET', `/v1/audit?${query}&limit=100`, { token: admin });
      expect(res.status, query).toBe(200);
      expect(
        res.body.items.map((e: { id: string }) => e.id),
        query,
      ).toContain(eventId);
    }
    const none = await api.call('GET', `/v1/audit?actor=someone-else&limit=100`, { token: admin });
    expect(none.body.items).toEqual([]);
    await rejectsWithoutWriting(api, 'GET', `/v1/audit?id=${service.id}`, { token: admin }, 400);
    await rejectsWithoutWriting(api, 'GET', '/v1/audit?since=yesterday', { token: admin }, 400);

    // Acknowledging twice answers the same record.
    const first = await api.call('POST', `/v1/audit/${eventId}/acknowledge`, { token: admin });
    expect(first.status, JSON.stringify(first.body)).toBe(200);
    expect(first.body.acknowledged).toEqual({ by: 'depth-admin', at: expect.any(String) });
    const otherAdmin = await api.token('admin', undefined, 'second-admin');
    const second = await api.call('POST', `/v1/audit/${eventId}/acknowledge`, { token: otherAdmin });
    expect(second.status).toBe(200);
    expect(second.body).toEqual(first.body);
    await api.settle();
    const acknowledged = await api.call('GET', '/v1/audit?acknowledged=true&limit=100', { token: admin });
    expect(acknowledged.body.items.map((e: { id: string }) => e.id)).toContain(eventId);
    const waiting = await api.call('GET', '/v1/audit?acknowledged=false&limit=100', { token: admin });
    expect(waiting.body.items.map((e: { id: string }) => e.id)).not.toContain(eventId);
    await rejectsWithoutWriting(
      api,
      'POST',
      `/v1/audit/service:${service.id}:v99/acknowledge`,
      { token: admin },
      404,
    );
  });
});

describe('the administrators’ contract feed', () => {
  it('lists every contract newest first without a party, by status and since', async () => {
    const service = await listed();
    const made = [];
    for (let i = 0; i < 3; i++) made.push((await requestContract(service.id, 'basic')).body);
    await api.call('POST', `/v1/contracts/${made[0].id}/cancel`, { token: agency });
    const all = await api.call('GET', '/v1/contracts?limit=100', { token: admin });
    expect(all.status).toBe(200);
    const ids = all.body.items.map((c: { id: string }) => c.id);
    for (const c of made) expect(ids).toContain(c.id);
    const requested = all.body.items.map((c: { requestedAt: string }) => c.requestedAt);
    expect(requested).toEqual([...requested].sort().reverse());
    const cancelled = await api.call('GET', '/v1/contracts?status=CANCELLED&limit=100', { token: admin });
    expect(cancelled.body.items.map((c: { id: string }) => c.id)).toContain(made[0].id);
    expect(cancelled.body.items.every((c: { status: string }) => c.status === 'CANCELLED')).toBe(true);
    const since = await api.call(
      'GET',
      `/v1/contracts?since=${encodeURIComponent(made[1].requestedAt)}&limit=100`,
      { token: admin },
    );
    expect(since.body.items.map((c: { id: string }) => c.id)).toEqual(
      expect.arrayContaining([made[1].id, made[2].id]),
    );
    expect(since.body.items.map((c: { id: string }) => c.id)).not.toContain(made[0].id);
    const paged = await api.call('GET', '/v1/contracts?limit=1', { token: admin });
    expect(paged.body.items).toHaveLength(1);
    expect(paged.body.next).toEqual(expect.any(String));
  });
});

describe('facet counts', () => {
  it('count every matching service, each dimension with its own filter ignored, as listing every page does', async () => {
    const facetProvider = await createProvider(api, '330822222');
    const shapes = [
      { category: 'SAAS', ai: false, networks: ['INTERNET'], csap: null },
      { category: 'SAAS', ai: true, networks: ['INTERNET', 'INTRANET'], csap: null },
      {
        category: 'IAAS',
        ai: false,
        networks: ['INTRANET'],
        csap: { grade: 'HIGH', certificateNumber: 'C-1', validUntil: '2030-01-01' },
      },
      {
        category: 'CONVERGENCE',
        ai: true,
        networks: ['INTERNET'],
        csap: { grade: 'LOW', certificateNumber: 'C-2', validUntil: '2030-01-01' },
      },
      {
        category: 'SAAS',
        ai: false,
        networks: ['INTERNET'],
        csap: { grade: 'HIGH', certificateNumber: 'C-3', validUntil: '2030-01-01' },
      },
    ] as const;
    for (let i = 0; i < 12; i++) {
      const shape = shapes[i % shapes.length] ?? shapes[0];
      await seedService(api, facetProvider, { ...shape, networks: [...shape.networks] });
    }
    // A listed service changes its networks: the counts follow its latest version only.
    const moved = await seedService(api, facetProvider, { category: 'PAAS', networks: ['INTERNET'] });
    const facetOwner = await api.token('provider', facetProvider);
    expect((await patch(moved.id, { networks: ['INTRANET'] }, facetOwner)).status).toBe(200);
    await api.settle();

    const everyPage = async (query: string) => {
      const items: { category: string; ai: boolean; networks: string[]; csap: { grade: string } | null }[] =
        [];
      let cursor: string | null = null;
      do {
        const res: { body: { items: typeof items; next: string | null } } = await api.call(
          'GET',
          `/v1/services?providerId=${facetProvider}&limit=5${query}${cursor ? `&cursor=${cursor}` : ''}`,
        );
        items.push(...res.body.items);
        cursor = res.body.next;
      } while (cursor);
      return items;
    };
    const filters = { category: 'SAAS', network: 'INTERNET' };
    const res = await api.call(
      'GET',
      `/v1/services?providerId=${facetProvider}&category=SAAS&network=INTERNET&facets=true&limit=2`,
    );
    expect(res.status).toBe(200);
    expect(res.body.items.length).toBeLessThanOrEqual(2);
    const withoutCategory = await everyPage(`&network=${filters.network}`);
    const withoutNetwork = await everyPage(`&category=${filters.category}`);
    const withBoth = await everyPage(`&category=${filters.category}&network=${filters.network}`);
    const tally = <T>(items: T[], keyOf: (item: T) => string[]) => {
      const counts: Record<string, number> = {};
      for (const item of items) for (const k of keyOf(item)) counts[k] = (counts[k] ?? 0) + 1;
      return counts;
    };
    const nonZero = (counts: Record<string, number>) =>
      Object.fromEntries(Object.entries(counts).filter(([, n]) => n > 0));
    expect(nonZero(res.body.facets.category)).toEqual(tally(withoutCategory, (s) => [s.category]));
    expect(nonZero(res.body.facets.network)).toEqual(tally(withoutNetwork, (s) => s.networks));
    expect(nonZero(res.body.facets.ai)).toEqual(tally(withBoth, (s) => [String(s.ai)]));
    expect(nonZero(res.body.facets.csapGrade)).toEqual(tally(withBoth, (s) => [s.csap?.grade ?? 'NONE']));
    expect(res.body.facets.category.PAAS).toBe(0);
    const all = await api.call('GET', `/v1/services?providerId=${facetProvider}&facets=true`);
    expect(all.body.facets.network).toEqual({ INTERNET: 10, INTRANET: 6 });
    expect(all.body.facets.category.PAAS).toBe(1);
    // A text query counts from its posting list, with the same rules.
    const text = await api.call(
      'GET',
      `/v1/services?providerId=${facetProvider}&q=${encodeURIComponent('클라우드')}&facets=true`,
    );
    expect(text.status).toBe(200);
    expect(text.body.facets.category).toEqual(all.body.facets.category);
    const plain = await api.call('GET', `/v1/services?providerId=${facetProvider}`);
    expect(plain.body.facets).toBeUndefined();
  });
});
