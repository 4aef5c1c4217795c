/**
 * Issue 26: the writer sees its own version at once, though the history is projected from the stream. The
 * projector of this file's local Region is stopped part-way, so what the history holds stays put.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createProvider, seedService } from '../support/fixtures.js';
import { startTestApi, type TestApi } from '../support/local-api.js';

let own: TestApi;
beforeAll(async () => {
  own = await startTestApi();
}, 60_000);
afterAll(async () => own?.stop());

describe('the writer reads its own version', () => {
  it('lists and reads the version a PATCH just wrote before the history has projected it', async () => {
    const ownProvider = await createProvider(own, '260822222');
    const token = await own.token('provider', ownProvider, 'agreement-own');
    const service = await seedService(own, ownProvider, { version: 5 });
    await own.settle();
    // The projector stops here: what the history shows now is all it will show during this test.
    await own.region.poller.stop();
    const patched = await own.call('PATCH', `/v1/services/${service.id}`, {
      token,
      body: { summary: '방금 바꾼 요약' },
    });
    expect(patched.status, JSON.stringify(patched.body)).toBe(200);
    expect(patched.body.version).toBe(6);
    const versions = await own.call('GET', `/v1/services/${service.id}/versions`, { token });
    expect(versions.status).toBe(200);
    expect(versions.body.items[0]).toMatchObject({
      version: 6,
      action: 'update',
      actor: { sub: 'agreement-own', role: 'provider' },
      status: 'LISTED',
      changes: [{ op: 'replace', path: '/summary', value: '방금 바꾼 요약' }],
    });
    expect(versions.body.items[1]).toMatchObject({ version: 5 });
    const six = await own.call('GET', `/v1/services/${service.id}/versions/6`, { token });
    expect(six.status).toBe(200);
    expect(six.body).toMatchObject({ version: 6, summary: '방금 바꾼 요약' });
  });
});
