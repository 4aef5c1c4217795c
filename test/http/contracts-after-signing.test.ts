import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { terminateDue } from '../../functions/domain/contract.js';
import { deps } from '../../functions/handlers/composition-root.js';
import { expectStatus } from '../support/assertions.js';
import { createAgency, createProvider, seedService } from '../support/fixtures.js';
import { type ApiCall, startTestApi, type TestApi } from '../support/local-api.js';
import type { Service } from '../../functions/domain/entities.js';

const DAY_MS = 86_400_000;

let api: TestApi;
let agency: string;
let provider: string;
let admin: string;
let providerId: string;
let service: Service;

beforeAll(async () => {
  api = await startTestApi();
  providerId = await createProvider(api, '990811111');
  const agencyId = await createAgency(api, '9900001');
  agency = await api.token('agency', agencyId);
  provider = await api.token('provider', providerId);
  admin = await api.token('admin');
  service = await seedService(api, providerId, {
    plans: [{ id: 'basic', name: '기본', unit: '사용자/월', unitPriceKrw: 10_000 }],
  });
}, 60_000);
afterAll(async () => api?.stop());

let keys = 0;
const key = () => ({ 'idempotency-key': `after-${++keys}` });

/** An ACTIVE contract for 10 users × 10 months (1,000,000 KRW), quoted at `amountKrw`. */
async function activeContract(amountKrw = 1_000_000): Promise<string> {
  const requested = await api.call('POST', '/v1/contracts', {
    token: agency,
    headers: key(),
    body: { serviceId: service.id, planId: 'basic', quantity: 10, months: 10, method: 'NEGOTIATED' },
  });
  expectStatus(requested, 201);
  const id: string = requested.body.id;
  expectStatus(
    await api.call('POST', `/v1/contracts/${id}/quote`, { token: provider, body: { amountKrw } }),
    200,
  );
  expectStatus(await api.call('POST', `/v1/contracts/${id}/sign`, { token: agency }), 200);
  return id;
}

async function unchanged(call: () => Promise<ApiCall>, status: number): Promise<void> {
  await api.settle();
  const before = await api.snapshot();
  expectStatus(await call(), status);
  expect(await api.snapshot()).toEqual(before);
}

describe('amendments', () => {
  it('recomputes at the plan price; exactly the limit is allowed, beyond it is a 409', async () => {
    const id = await activeContract();
    const amended = await api.call('POST', `/v1/contracts/${id}/amend`, {
      token: agency,
      body: { months: 11, reason: '한 달 연장' },
    });
    expectStatus(amended, 200);
    expect(amended.body).toMatchObject({
      status: 'ACTIVE',
      months: 11,
      quantity: 10,
      amountKrw: 1_100_000,
      amendments: [{ number: 1, quantity: 10, months: 11, amountKrw: 1_100_000, reason: '한 달 연장' }],
    });
    // Still measured against the amount at signature, not the amended one.
    await unchanged(
      () =>
        api.call('POST', `/v1/contracts/${id}/amend`, {
          token: agency,
          body: { quantity: 11, reason: '증원' },
        }),
      409,
    );
    await unchanged(
      () => api.call('POST', `/v1/contracts/${id}/amend`, { token: agency, body: { reason: '무엇도' } }),
      400,
    );
    const back = await api.call('POST', `/v1/contracts/${id}/amend`, {
      token: agency,
      body: { quantity: 9, months: 10, reason: '감원' },
    });
    expect(back.body).toMatchObject({ amountKrw: 900_000, amendments: [{ number: 1 }, { number: 2 }] });
    await api.settle();
  });

  it('is for ACTIVE contracts only', async () => {
    const id = await activeContract();
    expectStatus(await api.call('POST', `/v1/contracts/${id}/complete`, { token: agency }), 200);
    await unchanged(
      () =>
        api.call('POST', `/v1/contracts/${id}/amend`, { token: agency, body: { months: 9, reason: '단축' } }),
      409,
    );
  });
});

describe('renewals', () => {
  it('asks for a new REQUESTED contract at the current price, once at a time, and a retry answers it', async () => {
    const id = await activeContract();
    const repriced = await seedService(api, providerId, {
      ...service,
      plans: [{ id: 'basic', name: '기본', unit: '사용자/월', unitPriceKrw: 11_000 }],
      version: service.version + 1,
    });
    const headers = key();
    const renewed = await api.call('POST', `/v1/contracts/${id}/renew`, {
      token: agency,
      headers,
      body: { months: 12 },
    });
    expectStatus(renewed, 201);
    expect(renewed.body).toMatchObject({
      status: 'REQUESTED',
      renewalOf: id,
      caseId: null,
      quantity: 10,
      months: 12,
      serviceVersion: repriced.version,
      catalogAmountKrw: 1_320_000,
    });
    const retry = await api.call('POST', `/v1/contracts/${id}/renew`, {
      token: agency,
      headers,
      body: { months: 12 },
    });
    expect(retry.status).toBe(201);
    expect(retry.headers.get('idempotent-replayed')).toBe('true');
    expect(retry.body.id).toBe(renewed.body.id);
    await unchanged(
      () =>
        api.call('POST', `/v1/contracts/${id}/renew`, { token: agency, headers: key(), body: { months: 6 } }),
      409,
    );
    await unchanged(
      () => api.call('POST', `/v1/contracts/${id}/renew`, { token: agency, body: { months: 6 } }),
      400,
    );
    expectStatus(await api.call('POST', `/v1/contracts/${renewed.body.id}/cancel`, { token: agency }), 200);
    expectStatus(
      await api.call('POST', `/v1/contracts/${id}/renew`, {
        token: agency,
        headers: key(),
        body: { months: 6 },
      }),
      201,
    );
  });

  it('is a 409 when the service is no longer listed', async () => {
    const id = await activeContract();
    const current = (await api.call('GET', `/v1/services/${service.id}`, { token: admin })).body;
    const suspended = await api.call('POST', `/v1/services/${service.id}/suspend`, {
      token: admin,
      headers: { 'if-match': `"${current.version}"` },
    });
    expectStatus(suspended, 200);
    await unchanged(
      () =>
        api.call('POST', `/v1/contracts/${id}/renew`, {
          token: agency,
          headers: key(),
          body: { months: 12 },
        }),
      409,
    );
    expectStatus(await api.call('POST', `/v1/services/${service.id}/reinstate`, { token: admin }), 200);
  });
});

describe('terminations', () => {
  it('keeps v1: without a body, at once', async () => {
    const id = await activeContract();
    const res = await api.call('POST', `/v1/contracts/${id}/terminate`, { token: agency });
    expect(res.body).toMatchObject({ status: 'TERMINATED', termination: null });
  });

  it('schedules a future one with notice, which the daily job carries out on the day', async () => {
    const id = await activeContract();
    const soon = new Date(Date.now() + 10 * DAY_MS).toISOString();
    await unchanged(
      () => api.call('POST', `/v1/contracts/${id}/terminate`, { token: agency, body: { effectiveAt: soon } }),
      400,
    );
    await unchanged(
      () =>
        api.call('POST', `/v1/contracts/${id}/terminate`, {
          token: agency,
          body: { effectiveAt: new Date(Date.now() - DAY_MS).toISOString() },
        }),
      400,
    );
    const effectiveAt = new Date(Date.now() + 31 * DAY_MS).toISOString();
    const scheduled = await api.call('POST', `/v1/contracts/${id}/terminate`, {
      token: agency,
      body: { reason: '사업 종료', effectiveAt },
    });
    expectStatus(scheduled, 200);
    expect(scheduled.body).toMatchObject({
      status: 'ACTIVE',
      termination: { reason: '사업 종료', effectiveAt, requestedAt: expect.any(String) },
    });
    // An administrator needs no notice.
    const other = await activeContract();
    expectStatus(
      await api.call('POST', `/v1/contracts/${other}/terminate`, {
        token: admin,
        body: { effectiveAt: soon },
      }),
      200,
    );

    expect(await terminateDue(deps(), new Date(Date.now() + 11 * DAY_MS))).toBe(1);
    expect((await api.call('GET', `/v1/contracts/${id}`, { token: agency })).body.status).toBe('ACTIVE');
    expect(await terminateDue(deps(), new Date(Date.now() + 32 * DAY_MS))).toBe(1);
    expect(await terminateDue(deps(), new Date(Date.now() + 32 * DAY_MS))).toBe(0);
    expect((await api.call('GET', `/v1/contracts/${id}`, { token: agency })).body).toMatchObject({
      status: 'TERMINATED',
      closedAt: effectiveAt,
    });
  });
});
