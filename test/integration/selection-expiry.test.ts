import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { handler as expireSelections } from '../../functions/handlers/selection-expiry.js';
import { createProvider, seedService } from '../support/fixtures.js';
import { startTestApi, type TestApi } from '../support/local-api.js';

let api: TestApi;
beforeAll(async () => {
  api = await startTestApi();
});
afterAll(async () => api?.stop());

describe('scheduled selection expiry', () => {
  it('writes EXPIRED once for lapsed selections, so listings and statistics follow', async () => {
    const providerId = await createProvider(api, '550811111');
    const lapsed = await seedService(api, providerId, {
      name: '기한 지난 서비스',
      selection: { sessionNumber: 40, decidedAt: '2022-01-01T00:00:00Z', validUntil: '2025-01-01' },
    });
    const valid = await seedService(api, providerId, { name: '유효한 서비스' });
    await api.settle();
    expect((await api.call('GET', '/v1/stats')).body.services.listed).toBe(2);

    expect(await expireSelections()).toMatchObject({ expired: 1 });
    expect(await expireSelections()).toMatchObject({ expired: 0 });
    await api.settle();

    const admin = await api.token('admin');
    expect((await api.call('GET', `/v1/services/${lapsed.id}`, { token: admin })).body).toMatchObject({
      status: 'EXPIRED',
      version: lapsed.version + 1,
    });
    expect((await api.call('GET', '/v1/stats')).body.services.listed).toBe(1);
    const listed = await api.call('GET', `/v1/services?providerId=${providerId}`);
    expect(listed.body.items.map((s: { id: string }) => s.id)).toEqual([valid.id]);
    const expired = await api.call('GET', `/v1/services?status=EXPIRED&providerId=${providerId}`, {
      token: admin,
    });
    expect(expired.body.items.map((s: { id: string }) => s.id)).toEqual([lapsed.id]);
    const trail = await api.call('GET', `/v1/audit?entity=service&id=${lapsed.id}`, { token: admin });
    expect(trail.body.items[0]).toMatchObject({
      action: 'expire',
      actor: { sub: 'system:selection-expiry', role: 'admin' },
    });
  });
});
