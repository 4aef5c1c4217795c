import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateSigningKeys, mintToken } from '../../local/tokens.js';
import { brn, createProvider, seedService, serviceBody } from '../support/fixtures.js';
import { rejectsWithoutWriting } from '../support/assertions.js';
import { startTestApi, type TestApi } from '../support/local-api.js';

let api: TestApi;
let admin: string;
let committee: string;
let providerId: string;
let provider: string;
let otherProviderId: string;
let otherProvider: string;

beforeAll(async () => {
  api = await startTestApi();
  admin = await api.token('admin');
  committee = await api.token('committee');
  providerId = await createProvider(api, '220811111');
  provider = await api.token('provider', providerId);
  otherProviderId = await createProvider(api, '220822222');
  otherProvider = await api.token('provider', otherProviderId);
});
afterAll(async () => api?.stop());

describe('GET /health', () => {
  it('reports the region and a deep check per table', async () => {
    const res = await api.call('GET', '/health');
    expect(res.status).toBe(200);
    expect(res.headers.get('cache-control')).toBe('no-store');
    expect(res.body).toMatchObject({ status: 'ok', region: 'ap-northeast-2' });
    for (const check of ['catalog', 'ledger', 'projections']) {
      expect(res.body.checks[check]).toMatchObject({ ok: true, latencyMs: expect.any(Number) });
    }
  });
});

describe('authentication', () => {
  it('rejects a token signed by another key, an expired token and a non-bearer header with 401', async () => {
    const foreign = await mintToken(await generateSigningKeys(), { sub: 'x', role: 'admin' });
    const expired = await mintToken(api.keys, { sub: 'x', role: 'admin' }, -10);
    for (const authorization of [
      `Bearer ${foreign}`,
      `Bearer ${expired}`,
      'Basic YWRtaW46YWRtaW4=',
      'Bearer',
    ]) {
      const res = await api.call('GET', '/v1/stats', { headers: { authorization } });
      expect(res.status).toBe(401);
      expect(res.headers.get('www-authenticate')).toMatch(/^Bearer/);
    }
  });

  it('answers 404 for unknown paths and 405 with Allow for unknown methods', async () => {
    expect((await api.call('GET', '/v1/nothing')).status).toBe(404);
    const res = await api.call('DELETE', '/v1/providers/x');
    expect(res.status).toBe(405);
    expect(res.headers.get('allow')).toBe('GET');
  });
});

describe('providers', () => {
  const body = { name: '누리데이터 주식회사', businessRegistrationNumber: '', contactEmail: 'sales@nuri.kr' };

  it('registers a provider (admin), normalising the registration number, with Location and ETag', async () => {
    const res = await api.call('POST', '/v1/providers', {
      token: admin,
      body: {
        ...body,
        businessRegistrationNumber: `${brn('123456789').slice(0, 3)}-${brn('123456789').slice(3, 5)}-${brn('123456789').slice(5)}`,
      },
    });
    expect(res.status).toBe(201);
    expect(res.body).toEqual({
      id: expect.stringMatching(/^prv_[0-9a-z]{26}$/),
      name: body.name,
      businessRegistrationNumber: brn('123456789'),
      contactEmail: body.contactEmail,
      createdAt: expect.any(String),
      version: 1,
    });
    expect(res.headers.get('location')).toBe(`/v1/providers/${res.body.id}`);
    expect(res.headers.get('etag')).toBe('"1"');

    const read = await api.call('GET', `/v1/providers/${res.body.id}`);
    expect(read.status).toBe(200);
    expect(read.body).toEqual(res.body);
    const unchanged = await api.call('GET', `/v1/providers/${res.body.id}`, {
      headers: { 'if-none-match': '"1"' },
    });
    expect(unchanged.status).toBe(304);
  });

  it('replays a create with the same Idempotency-Key and body; the same key with another body is 409', async () => {
    const request = {
      token: admin,
      body: { ...body, businessRegistrationNumber: brn('300000001') },
      headers: { 'idempotency-key': 'prov-key-1' },
    };
    const first = await api.call('POST', '/v1/providers', request);
    expect(first.status).toBe(201);
    expect(first.headers.get('idempotent-replayed')).toBeNull();
    const again = await api.call('POST', '/v1/providers', request);
    expect(again.status).toBe(201);
    expect(again.headers.get('idempotent-replayed')).toBe('true');
    expect(again.body).toEqual(first.body);
    await rejectsWithoutWriting(
      api,
      'POST',
      '/v1/providers',
      { ...request, body: { ...request.body, name: '다른 이름' } },
      409,
    );
  });

  it('refuses a second provider with the same registration number', async () => {
    await api.call('POST', '/v1/providers', {
      token: admin,
      body: { ...body, businessRegistrationNumber: brn('300000002') },
    });
    const res = await rejectsWithoutWriting(
      api,
      'POST',
      '/v1/providers',
      { token: admin, body: { ...body, name: '복제', businessRegistrationNumber: brn('300000002') } },
      409,
    );
    expect(res.body.detail).toMatch(/registration number/);
  });

  it('validates fields with a path per error', async () => {
    const res = await rejectsWithoutWriting(
      api,
      'POST',
      '/v1/providers',
      { token: admin, body: { name: '', businessRegistrationNumber: '1234567890', contactEmail: 'nope' } },
      400,
    );
    expect(res.body.errors.map((e: { path: string }) => e.path).sort()).toEqual([
      '/businessRegistrationNumber',
      '/contactEmail',
      '/name',
    ]);
  });

  it('is for administrators only, and reading is open to anyone', async () => {
    const valid = { ...body, businessRegistrationNumber: brn('300000003') };
    await rejectsWithoutWriting(api, 'POST', '/v1/providers', { body: valid }, 401);
    await rejectsWithoutWriting(api, 'POST', '/v1/providers', { token: provider, body: valid }, 403);
    expect((await api.call('GET', '/v1/providers/prv_missing')).status).toBe(404);
  });
});

describe('agencies', () => {
  const body = { name: '서울특별시 강남구', institutionCode: '3220000', kind: 'LOCAL', network: 'INTRANET' };
  let agencyId: string;

  it('registers an agency (admin) and lets only admins and that agency read it', async () => {
    const res = await api.call('POST', '/v1/agencies', { token: admin, body });
    expect(res.status).toBe(201);
    expect(res.body).toEqual({
      id: expect.stringMatching(/^agc_/),
      ...body,
      createdAt: expect.any(String),
      version: 1,
    });
    agencyId = res.body.id;
    expect((await api.call('GET', `/v1/agencies/${agencyId}`, { token: admin })).status).toBe(200);
    const own = await api.call('GET', `/v1/agencies/${agencyId}`, {
      token: await api.token('agency', agencyId),
    });
    expect(own.status).toBe(200);
    expect(own.headers.get('etag')).toBe('"1"');
    // Read back as registered: the agency's own `kind` survives storage.
    expect(own.body).toEqual(res.body);
    expect(
      (await api.call('GET', `/v1/agencies/${agencyId}`, { token: await api.token('agency', 'agc_other') }))
        .status,
    ).toBe(403);
    expect((await api.call('GET', `/v1/agencies/${agencyId}`, { token: provider })).status).toBe(403);
    expect((await api.call('GET', `/v1/agencies/${agencyId}`)).status).toBe(401);
    expect((await api.call('GET', '/v1/agencies/agc_missing', { token: admin })).status).toBe(404);
  });

  it('refuses a duplicate institution code, bad enums and bad codes', async () => {
    await rejectsWithoutWriting(
      api,
      'POST',
      '/v1/agencies',
      { token: admin, body: { ...body, name: '다른 구청' } },
      409,
    );
    const res = await rejectsWithoutWriting(
      api,
      'POST',
      '/v1/agencies',
      { token: admin, body: { ...body, institutionCode: '12345', kind: 'CITY', network: 'LAN' } },
      400,
    );
    expect(res.body.errors.map((e: { path: string }) => e.path).sort()).toEqual([
      '/institutionCode',
      '/kind',
      '/network',
    ]);
  });
});

describe('services: create, read, edit, lifecycle', () => {
  it('creates a DRAFT owned by the caller’s provider', async () => {
    const res = await api.call('POST', '/v1/services', { token: provider, body: serviceBody() });
    expect(res.status).toBe(201);
    expect(res.body).toEqual({
      id: expect.stringMatching(/^svc_/),
      providerId,
      ...serviceBody(),
      status: 'DRAFT',
      selection: null,
      createdAt: expect.any(String),
      updatedAt: res.body.createdAt,
      version: 1,
    });
    expect(res.headers.get('location')).toBe(`/v1/services/${res.body.id}`);
  });

  it('shows a draft only to its provider, the committee and admins', async () => {
    const { body } = await api.call('POST', '/v1/services', { token: provider, body: serviceBody() });
    for (const token of [provider, committee, admin]) {
      expect((await api.call('GET', `/v1/services/${body.id}`, { token })).status).toBe(200);
    }
    for (const token of [otherProvider, await api.token('agency', 'agc_1'), undefined]) {
      expect((await api.call('GET', `/v1/services/${body.id}`, token ? { token } : {})).status).toBe(404);
    }
  });

  it('edits a draft with If-Match, refuses a stale version with 412 and non-owners with 403', async () => {
    const { body } = await api.call('POST', '/v1/services', { token: provider, body: serviceBody() });
    const path = `/v1/services/${body.id}`;
    const edited = await api.call('PATCH', path, {
      token: provider,
      body: { summary: '요약을 고쳤습니다', networks: ['INTERNET', 'INTRANET'] },
      headers: { 'if-match': '"1"' },
    });
    expect(edited.status).toBe(200);
    expect(edited.body).toMatchObject({
      summary: '요약을 고쳤습니다',
      networks: ['INTERNET', 'INTRANET'],
      version: 2,
    });
    expect(edited.headers.get('etag')).toBe('"2"');
    await rejectsWithoutWriting(
      api,
      'PATCH',
      path,
      { token: provider, body: { name: 'x' }, headers: { 'if-match': '"1"' } },
      412,
    );
    await rejectsWithoutWriting(
      api,
      'PATCH',
      path,
      { token: provider, body: { name: 'x' }, headers: { 'if-match': 'one' } },
      400,
    );
    await rejectsWithoutWriting(api, 'PATCH', path, { token: otherProvider, body: { name: 'x' } }, 403);
    await rejectsWithoutWriting(api, 'PATCH', path, { token: provider, body: {} }, 400);
    await rejectsWithoutWriting(api, 'PATCH', path, { token: provider, body: { status: 'LISTED' } }, 400);
    await rejectsWithoutWriting(
      api,
      'PATCH',
      '/v1/services/svc_missing',
      { token: provider, body: { name: 'x' } },
      404,
    );
  });

  it('submits and withdraws; illegal transitions are 409 and write nothing', async () => {
    const { body } = await api.call('POST', '/v1/services', { token: provider, body: serviceBody() });
    const path = `/v1/services/${body.id}`;
    const submitted = await api.call('POST', `${path}/submit`, { token: provider });
    expect(submitted.status).toBe(200);
    expect(submitted.body).toMatchObject({ status: 'SUBMITTED', version: 2 });
    await rejectsWithoutWriting(api, 'POST', `${path}/submit`, { token: provider }, 409);
    await rejectsWithoutWriting(api, 'PATCH', path, { token: provider, body: { name: '늦은 수정' } }, 409);
    await rejectsWithoutWriting(api, 'POST', `${path}/withdraw`, { token: otherProvider }, 403);
    await rejectsWithoutWriting(api, 'POST', `${path}/suspend`, { token: admin }, 409);
    const withdrawn = await api.call('POST', `${path}/withdraw`, {
      token: provider,
      headers: { 'if-match': '"2"' },
    });
    expect(withdrawn.body).toMatchObject({ status: 'WITHDRAWN', version: 3 });
    await rejectsWithoutWriting(api, 'POST', `${path}/withdraw`, { token: provider }, 409);
  });

  it('suspends and reinstates a listed service (admin only), hiding it from the public meanwhile', async () => {
    const listed = await seedService(api, providerId, { name: '정지 대상 서비스' });
    const path = `/v1/services/${listed.id}`;
    expect((await api.call('GET', path)).status).toBe(200);
    await rejectsWithoutWriting(api, 'POST', `${path}/suspend`, { token: provider }, 403);
    await rejectsWithoutWriting(api, 'POST', `${path}/suspend`, {}, 401);
    const suspended = await api.call('POST', `${path}/suspend`, { token: admin });
    expect(suspended.body).toMatchObject({ status: 'SUSPENDED', version: listed.version + 1 });
    expect((await api.call('GET', path)).status).toBe(404);
    const reinstated = await api.call('POST', `${path}/reinstate`, { token: admin });
    expect(reinstated.body).toMatchObject({ status: 'LISTED', version: listed.version + 2 });
    await rejectsWithoutWriting(api, 'POST', `${path}/reinstate`, { token: admin }, 409);
  });

  it('reads a listed service past its selection validity as EXPIRED, and will not reinstate it', async () => {
    const expired = await seedService(api, providerId, {
      selection: { sessionNumber: 50, decidedAt: '2023-01-01T00:00:00Z', validUntil: '2024-01-01' },
    });
    const read = await api.call('GET', `/v1/services/${expired.id}`, { token: admin });
    expect(read.body.status).toBe('EXPIRED');
    await rejectsWithoutWriting(api, 'POST', `/v1/services/${expired.id}/suspend`, { token: admin }, 409);
    const suspended = await seedService(api, providerId, {
      status: 'SUSPENDED',
      selection: { sessionNumber: 50, decidedAt: '2023-01-01T00:00:00Z', validUntil: '2024-01-01' },
    });
    await rejectsWithoutWriting(api, 'POST', `/v1/services/${suspended.id}/reinstate`, { token: admin }, 409);
  });

  it('only providers with an org create services', async () => {
    await rejectsWithoutWriting(api, 'POST', '/v1/services', { token: admin, body: serviceBody() }, 403);
    await rejectsWithoutWriting(
      api,
      'POST',
      '/v1/services',
      { token: await api.token('provider'), body: serviceBody() },
      403,
    );
    await rejectsWithoutWriting(api, 'POST', '/v1/services', { body: serviceBody() }, 401);
  });
});

describe('bad input on every write route writes nothing', () => {
  let draftPath: string;
  beforeAll(async () => {
    const { body } = await api.call('POST', '/v1/services', { token: provider, body: serviceBody() });
    draftPath = `/v1/services/${body.id}`;
  });

  const writeRoutes = () => [
    { method: 'POST', path: '/v1/providers', token: admin },
    { method: 'POST', path: '/v1/agencies', token: admin },
    { method: 'POST', path: '/v1/services', token: provider },
    { method: 'PATCH', path: draftPath, token: provider },
  ];

  it('malformed JSON is 400', async () => {
    for (const route of writeRoutes()) {
      const res = await rejectsWithoutWriting(
        api,
        route.method,
        route.path,
        { token: route.token, rawBody: '{"name": ', headers: { 'content-type': 'application/json' } },
        400,
      );
      expect(res.body.detail).toMatch(/well-formed JSON/);
    }
  });

  it('wrong types and unknown fields are 400 with paths', async () => {
    for (const route of writeRoutes()) {
      const res = await rejectsWithoutWriting(
        api,
        route.method,
        route.path,
        { token: route.token, body: { name: 42, surprise: true } },
        400,
      );
      expect(res.body.errors.length).toBeGreaterThan(0);
    }
    const res = await rejectsWithoutWriting(
      api,
      'POST',
      '/v1/services',
      {
        token: provider,
        body: serviceBody({ plans: [{ id: 'a', name: 'x', unit: '월', unitPriceKrw: 10.5 }] }),
      },
      400,
    );
    expect(res.body.errors).toContainEqual({
      path: '/plans/0/unitPriceKrw',
      message: 'Amounts are whole KRW.',
    });
  });

  it('a body over 64 KiB is 413', async () => {
    for (const route of writeRoutes()) {
      await rejectsWithoutWriting(
        api,
        route.method,
        route.path,
        { token: route.token, body: { name: 'x'.repeat(70 * 1024) } },
        413,
      );
    }
  });

  it('a body that is not JSON is 415', async () => {
    for (const route of writeRoutes()) {
      await rejectsWithoutWriting(
        api,
        route.method,
        route.path,
        {
          token: route.token,
          rawBody: 'name=x',
          headers: { 'content-type': 'application/x-www-form-urlencoded' },
        },
        415,
      );
    }
  });

  it('an unusable Idempotency-Key is 400', async () => {
    await rejectsWithoutWriting(
      api,
      'POST',
      '/v1/services',
      { token: provider, body: serviceBody(), headers: { 'idempotency-key': 'k'.repeat(256) } },
      400,
    );
  });
});

describe('GET /v1/services: filters, search and pagination', () => {
  let catalogProvider: string;
  const names: string[] = [];

  beforeAll(async () => {
    catalogProvider = await createProvider(api, '220833333');
    const variants: Partial<Parameters<typeof seedService>[2]>[] = [
      {
        name: '가상서버 클라우드',
        summary: '고성능 가상 서버',
        category: 'IAAS',
        networks: ['INTERNET', 'INTRANET'],
        csap: { grade: 'HIGH', certificateNumber: 'C1', validUntil: '2030-01-01' },
      },
      {
        name: '나라 문서 자동화',
        summary: '생성형 AI 문서 요약',
        category: 'CONVERGENCE',
        ai: true,
        networks: ['INTERNET'],
      },
      {
        name: '다온 보안관제',
        summary: '클라우드 보안 관제 서비스',
        category: 'SUPPORT',
        networks: ['INTRANET'],
      },
      {
        name: '라온 데이터 플랫폼',
        summary: 'Big data analytics platform',
        category: 'PAAS',
        networks: ['INTERNET'],
        csap: { grade: 'MEDIUM', certificateNumber: 'C2', validUntil: '2030-01-01' },
      },
      {
        name: '마루 디지털트윈',
        summary: '디지털 트윈 시각화 with AI',
        category: 'CONVERGENCE',
        ai: true,
        networks: ['INTERNET', 'INTRANET'],
      },
      { name: '바다 그룹웨어', summary: '전자결재와 메일 SaaS', category: 'SAAS', networks: ['INTERNET'] },
    ];
    for (const variant of variants) {
      const service = await seedService(api, catalogProvider, variant);
      names.push(service.name);
    }
    await seedService(api, catalogProvider, { name: '사라진 초안', status: 'DRAFT', selection: null });
    await api.settle();
  });

  const list = async (query: string, token?: string) => {
    const res = await api.call(
      'GET',
      `/v1/services?providerId=${catalogProvider}&${query}`,
      token ? { token } : {},
    );
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    return res.body as { items: { name: string; status: string }[]; next: string | null };
  };
  const namesOf = (page: { items: { name: string }[] }) => page.items.map((s) => s.name);

  it('lists only LISTED services to the public, sorted by name', async () => {
    const page = await list('');
    expect(namesOf(page)).toEqual([...names].sort());
    expect(page.next).toBeNull();
  });

  it('filters by category, ai, network and CSAP grade, alone and combined', async () => {
    expect(namesOf(await list('category=CONVERGENCE'))).toEqual(['나라 문서 자동화', '마루 디지털트윈']);
    expect(namesOf(await list('ai=true&network=INTRANET'))).toEqual(['마루 디지털트윈']);
    expect(namesOf(await list('ai=false&category=IAAS'))).toEqual(['가상서버 클라우드']);
    expect(namesOf(await list('network=INTRANET'))).toEqual([
      '가상서버 클라우드',
      '다온 보안관제',
      '마루 디지털트윈',
    ]);
    expect(namesOf(await list('csapGrade=MEDIUM'))).toEqual(['라온 데이터 플랫폼']);
  });

  it('searches Korean and English text in names and summaries, any part of a word', async () => {
    expect(namesOf(await list(`q=${encodeURIComponent('문서')}`))).toEqual(['나라 문서 자동화']);
    expect(namesOf(await list(`q=${encodeURIComponent('트윈')}`))).toEqual(['마루 디지털트윈']);
    expect(namesOf(await list(`q=${encodeURIComponent('클라우드 보안')}`))).toEqual(['다온 보안관제']);
    expect(namesOf(await list('q=ANALYTICS'))).toEqual(['라온 데이터 플랫폼']);
    expect(namesOf(await list(`q=ai&category=CONVERGENCE`))).toEqual(['나라 문서 자동화', '마루 디지털트윈']);
    expect(namesOf(await list(`q=${encodeURIComponent('없는말')}`))).toEqual([]);
  });

  it('walks every page once with a small limit, each cursor bound to its query', async () => {
    const seen: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const page = await list(`limit=2${cursor ? `&cursor=${cursor}` : ''}`);
      expect(page.items.length).toBeLessThanOrEqual(2);
      seen.push(...namesOf(page));
      cursor = page.next;
      pages += 1;
    } while (cursor && pages < 10);
    expect(seen).toEqual([...names].sort());
    const first = await list('limit=2');
    const misuse = await api.call(
      'GET',
      `/v1/services?providerId=${catalogProvider}&category=IAAS&cursor=${first.next}`,
    );
    expect(misuse.status).toBe(400);
    expect((await api.call('GET', '/v1/services?cursor=garbage')).status).toBe(400);
  });

  it('rejects bad parameters with 400', async () => {
    for (const query of [
      'limit=0',
      'limit=101',
      'limit=abc',
      'category=CLOUD',
      'ai=yes',
      'color=red',
      'q=%20%20',
      'status=LIVE',
    ]) {
      const res = await api.call('GET', `/v1/services?${query}`);
      expect(res.status, query).toBe(400);
    }
  });

  it('lets providers list their own services in other states, the committee all, others none', async () => {
    const catalogToken = await api.token('provider', catalogProvider);
    expect(namesOf(await list('status=DRAFT', catalogToken))).toEqual(['사라진 초안']);
    expect(namesOf(await list('status=DRAFT', committee))).toEqual(['사라진 초안']);
    const others = await api.call('GET', `/v1/services?status=DRAFT&providerId=${catalogProvider}`, {
      token: otherProvider,
    });
    expect(others.status).toBe(403);
    expect((await api.call('GET', '/v1/services?status=DRAFT')).status).toBe(401);
    expect(
      (await api.call('GET', '/v1/services?status=DRAFT', { token: await api.token('agency', 'agc_1') }))
        .status,
    ).toBe(403);
  });
});

describe('representations', () => {
  it('carry exactly the documented fields in the documented order', async () => {
    const created = await api.call('POST', '/v1/services', { token: provider, body: serviceBody() });
    const read = await api.call('GET', `/v1/services/${created.body.id}`, { token: provider });
    const fields =
      'id providerId name summary category ai networks csap plans status selection createdAt updatedAt version';
    expect(Object.keys(read.body).join(' ')).toBe(fields);
    expect(Object.keys(read.body.plans[0]).join(' ')).toBe('id name unit unitPriceKrw');
    const providerRead = await api.call('GET', `/v1/providers/${providerId}`);
    expect(Object.keys(providerRead.body).join(' ')).toBe(
      'id name businessRegistrationNumber contactEmail createdAt version',
    );
  });
});

describe('consumed capacity', () => {
  it('meters each request’s DynamoDB capacity, exposed when the runtime asks for it', async () => {
    process.env.DSM_EXPOSE_CAPACITY = 'true';
    try {
      const listed = await seedService(api, providerId, { name: '용량 측정 서비스' });
      const read = await api.call('GET', `/v1/services/${listed.id}`);
      // One eventually consistent read of an item under 4 KB: half a read unit.
      expect(read.headers.get('x-consumed-capacity')).toBe('0.5');
      const created = await api.call('POST', '/v1/services', { token: provider, body: serviceBody() });
      expect(Number(created.headers.get('x-consumed-capacity'))).toBeGreaterThanOrEqual(1);
    } finally {
      delete process.env.DSM_EXPOSE_CAPACITY;
    }
  });
});
