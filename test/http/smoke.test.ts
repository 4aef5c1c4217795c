import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApi, type TestApi } from '../support/local-api.js';

let api: TestApi;
beforeAll(async () => {
  api = await startTestApi();
});
afterAll(async () => api?.stop());

describe('smoke', () => {
  it('health answers with the region and a check per table', async () => {
    const res = await api.call('GET', '/health');
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ status: 'ok', region: 'ap-northeast-2' });
    expect(Object.keys(res.body.checks).sort()).toEqual(['catalog', 'ledger', 'projections']);
  });

  it('creates a provider and a service, lists it after review', async () => {
    const admin = await api.token('admin');
    const p = await api.call('POST', '/v1/providers', {
      token: admin,
      body: { name: '(주)한빛클라우드', businessRegistrationNumber: '124-81-00998', contactEmail: 'a@b.kr' },
    });
    expect(p.status).toBe(201);
    const provider = await api.token('provider', p.body.id);
    const s = await api.call('POST', '/v1/services', {
      token: provider,
      body: {
        name: '생성형 AI 문서 자동화',
        summary: '공공 문서 초안 작성과 요약',
        category: 'CONVERGENCE',
        ai: true,
        networks: ['INTERNET'],
        csap: null,
        plans: [{ id: 'basic', name: '기본', unit: '월', unitPriceKrw: 100000 }],
      },
    });
    expect(s.status).toBe(201);
    await api.settle();
    const drafts = await api.call('GET', '/v1/services?status=DRAFT&q=문서자동', { token: provider });
    expect(drafts.status).toBe(200);
    expect(drafts.body.items.map((x: { id: string }) => x.id)).toEqual([]);
    const drafts2 = await api.call('GET', `/v1/services?status=DRAFT&q=${encodeURIComponent('자동화')}`, { token: provider });
    expect(drafts2.body.items.map((x: { id: string }) => x.id)).toEqual([s.body.id]);
  });
});
