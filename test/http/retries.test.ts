/**
 * Retries a careful client makes always work (DESIGN.md §3): concurrent legal writes are never a 409,
 * a change retried with its Idempotency-Key is answered rather than refused, and a write route refuses
 * parameters it does not define.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Role } from '../../functions/domain/caller.js';
import { routeTable } from '../../functions/routes.js';
import { rejectsWithoutWriting } from '../support/assertions.js';
import { createAgency, createProvider, seedContract, seedService, serviceBody } from '../support/fixtures.js';
import { startTestApi, type TestApi } from '../support/local-api.js';

let api: TestApi;
let admin: string;
let committee: string;
let providerId: string;
let provider: string;
let agencyId: string;
let agency: string;

beforeAll(async () => {
  api = await startTestApi();
  admin = await api.token('admin');
  committee = await api.token('committee');
  providerId = await createProvider(api, '550811111');
  provider = await api.token('provider', providerId);
  agencyId = await createAgency(api, '1230000', { name: '조달청' });
  agency = await api.token('agency', agencyId);
});
afterAll(async () => api?.stop());

async function draftService(): Promise<string> {
  const created = await api.call('POST', '/v1/services', { token: provider, body: serviceBody() });
  expect(created.status, JSON.stringify(created.body)).toBe(201);
  return created.body.id;
}

async function quotedContract() {
  const service = await seedService(api, providerId);
  return seedContract(
    api,
    { agencyId, serviceId: service.id, providerId },
    { status: 'QUOTED', amountKrw: 100_000, quotedAt: new Date().toISOString(), version: 2 },
  );
}

describe('contention is not a conflict', () => {
  it('20 simultaneous edits of one draft without If-Match all apply, each as its own version', async () => {
    const id = await draftService();
    const summaries = Array.from({ length: 20 }, (_, i) => `동시 편집 ${i}`);
    const answers = await Promise.all(
      summaries.map((summary) =>
        api.call('PATCH', `/v1/services/${id}`, { token: provider, body: { summary } }),
      ),
    );
    expect(answers.filter((a) => a.status !== 200).map((a) => a.body)).toEqual([]);
    const versions = answers.map((a) => a.body.version as number).sort((a, b) => a - b);
    expect(versions).toEqual(summaries.map((_, i) => i + 2));
    const final = await api.call('GET', `/v1/services/${id}`, { token: provider });
    expect(final.body.version).toBe(21);
    expect(summaries).toContain(final.body.summary);
  });

  it('30 simultaneous agenda additions to one session all succeed', async () => {
    const ids = await Promise.all(Array.from({ length: 30 }, draftService));
    for (const id of ids) {
      const submitted = await api.call('POST', `/v1/services/${id}/submit`, { token: provider });
      expect(submitted.status).toBe(200);
    }
    const opened = await api.call('POST', '/v1/review-sessions', {
      token: committee,
      body: { number: 901, date: '2026-12-01' },
    });
    expect(opened.status).toBe(201);
    const answers = await Promise.all(
      ids.map((serviceId) =>
        api.call('POST', '/v1/review-sessions/901/agenda', { token: committee, body: { serviceId } }),
      ),
    );
    expect(answers.filter((a) => a.status !== 200).map((a) => a.body)).toEqual([]);
    const session = await api.call('GET', '/v1/review-sessions/901', { token: committee });
    expect([...session.body.agenda].sort()).toEqual([...ids].sort());
    expect(session.body.version).toBe(31);
    for (const id of ids) {
      const service = await api.call('GET', `/v1/services/${id}`, { token: provider });
      expect(service.body.status, id).toBe('UNDER_REVIEW');
    }
  });

  it('an agenda addition still respects If-Match and a closed session', async () => {
    const id = await draftService();
    await api.call('POST', `/v1/services/${id}/submit`, { token: provider });
    await api.call('POST', '/v1/review-sessions', {
      token: committee,
      body: { number: 902, date: '2026-12-02' },
    });
    await rejectsWithoutWriting(
      api,
      'POST',
      '/v1/review-sessions/902/agenda',
      { token: committee, body: { serviceId: id }, headers: { 'if-match': '"7"' } },
      412,
    );
    expect((await api.call('POST', '/v1/review-sessions/902/close', { token: committee })).status).toBe(200);
    const closed = await rejectsWithoutWriting(
      api,
      'POST',
      '/v1/review-sessions/902/agenda',
      { token: committee, body: { serviceId: id } },
      409,
    );
    expect(closed.body.detail).toBe('Session 902 is closed.');
  });
});

describe('changes retried with their Idempotency-Key', () => {
  it('a sign retried after a later complete answers 200 with the contract as it is now, replayed', async () => {
    const contract = await quotedContract();
    const key = { 'idempotency-key': 'sign-once-1' };
    const signed = await api.call('POST', `/v1/contracts/${contract.id}/sign`, {
      token: agency,
      headers: key,
    });
    expect(signed.status).toBe(200);
    expect(signed.headers.get('idempotent-replayed')).toBeNull();
    expect(signed.body).toMatchObject({ status: 'ACTIVE', version: 3 });
    const completed = await api.call('POST', `/v1/contracts/${contract.id}/complete`, { token: agency });
    expect(completed.body).toMatchObject({ status: 'COMPLETED', version: 4 });

    await api.settle();
    const before = await api.snapshot();
    const retried = await api.call('POST', `/v1/contracts/${contract.id}/sign`, {
      token: agency,
      headers: key,
    });
    expect(retried.status).toBe(200);
    expect(retried.headers.get('idempotent-replayed')).toBe('true');
    expect(retried.headers.get('etag')).toBe('"4"');
    expect(retried.body).toMatchObject({ id: contract.id, status: 'COMPLETED', version: 4 });
    await api.settle();
    expect(await api.snapshot()).toEqual(before);
  });

  it('the same key on another action is a 409 that writes nothing', async () => {
    const contract = await quotedContract();
    const key = { 'idempotency-key': 'sign-once-2' };
    expect(
      (await api.call('POST', `/v1/contracts/${contract.id}/sign`, { token: agency, headers: key })).status,
    ).toBe(200);
    const reused = await rejectsWithoutWriting(
      api,
      'POST',
      `/v1/contracts/${contract.id}/cancel`,
      { token: agency, headers: key },
      409,
    );
    expect(reused.body.detail).toMatch(/Idempotency-Key was already used to sign/);
  });

  it('the same key with another body is a 409; with the same body, a replay', async () => {
    const service = await seedService(api, providerId);
    const contract = await seedContract(api, { agencyId, serviceId: service.id, providerId });
    const key = { 'idempotency-key': 'quote-1' };
    const path = `/v1/contracts/${contract.id}/quote`;
    const quoted = await api.call('POST', path, {
      token: provider,
      headers: key,
      body: { amountKrw: 90_000 },
    });
    expect(quoted.body).toMatchObject({ status: 'QUOTED', amountKrw: 90_000, version: 2 });
    const replayed = await api.call('POST', path, {
      token: provider,
      headers: key,
      body: { amountKrw: 90_000 },
    });
    expect(replayed.status).toBe(200);
    expect(replayed.headers.get('idempotent-replayed')).toBe('true');
    await rejectsWithoutWriting(
      api,
      'POST',
      path,
      { token: provider, headers: key, body: { amountKrw: 80_000 } },
      409,
    );
  });

  it('keys are scoped to the caller: another party’s key never replays this one’s change', async () => {
    const contract = await quotedContract();
    const key = { 'idempotency-key': 'shared-words' };
    await api.call('POST', `/v1/contracts/${contract.id}/sign`, { token: agency, headers: key });
    const adminMove = await api.call('POST', `/v1/contracts/${contract.id}/terminate`, {
      token: admin,
      headers: key,
    });
    expect(adminMove.status).toBe(200);
    expect(adminMove.headers.get('idempotent-replayed')).toBeNull();
    expect(adminMove.body.status).toBe('TERMINATED');
  });

  it('a keyed agenda addition retried after the service was decided is replayed', async () => {
    const id = await draftService();
    await api.call('POST', `/v1/services/${id}/submit`, { token: provider });
    await api.call('POST', '/v1/review-sessions', {
      token: committee,
      body: { number: 903, date: '2026-12-03' },
    });
    const add = { token: committee, body: { serviceId: id }, headers: { 'idempotency-key': 'agenda-903' } };
    expect((await api.call('POST', '/v1/review-sessions/903/agenda', add)).status).toBe(200);
    const decided = await api.call('POST', '/v1/review-sessions/903/decisions', {
      token: committee,
      body: { serviceId: id, decision: 'REJECTED', reason: '요건 미충족' },
    });
    expect(decided.status).toBe(200);
    const retried = await api.call('POST', '/v1/review-sessions/903/agenda', add);
    expect(retried.status).toBe(200);
    expect(retried.headers.get('idempotent-replayed')).toBe('true');
    expect(retried.body).toMatchObject({ agenda: [id], version: decided.body.version });
  });

  it('an unkeyed retry of an applied move still says what happened: 409 naming the state', async () => {
    const contract = await quotedContract();
    await api.call('POST', `/v1/contracts/${contract.id}/sign`, { token: agency });
    const again = await rejectsWithoutWriting(
      api,
      'POST',
      `/v1/contracts/${contract.id}/sign`,
      { token: agency },
      409,
    );
    expect(again.body.detail).toBe('Cannot sign a contract that is ACTIVE.');
  });
});

describe('write routes define no query parameter but dryRun', () => {
  const tokenFor = async (role: Role) =>
    role === 'provider' ? provider : role === 'agency' ? agency : role === 'committee' ? committee : admin;

  for (const route of routeTable.filter((r) => r.method !== 'GET')) {
    // A client asking for an option this server lacks (`?preview=true`, say) must not get a real write.
    it(`${route.method} ${route.path}?preview=true is a 400 that writes nothing`, async () => {
      const role = (route.access as readonly Role[])[0] as Role;
      const path = route.path
        .replace('{id}', 'svc_unknown')
        .replace('{number}', '77')
        .replace('{eventId}', 'service:svc_unknown:v1');
      const res = await rejectsWithoutWriting(
        api,
        route.method,
        `${path}?preview=true&dryRun=true`,
        { token: await tokenFor(role), body: {}, headers: { 'idempotency-key': 'query-check' } },
        400,
      );
      expect(res.body.errors).toEqual([
        { path: '/query/preview', message: 'Not a parameter of this route.' },
      ]);
    });
  }
});
