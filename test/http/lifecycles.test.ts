/**
 * Every lifecycle move from every state, against tables written from DESIGN.md §2 (not from the code's
 * own rules): allowed moves answer 200 with the new state, every other move 409 and writes nothing.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ContractStatus, ServiceStatus } from '../../functions/domain/vocabulary.js';
import { createAgency, createProvider, seedContract, seedService } from '../support/fixtures.js';
import { type ApiCall, startTestApi, type TestApi } from '../support/local-api.js';

let api: TestApi;
let providerId: string;
let provider: string;
let admin: string;
let agencyId: string;
let agency: string;

beforeAll(async () => {
  api = await startTestApi();
  admin = await api.token('admin');
  providerId = await createProvider(api, '660811111');
  provider = await api.token('provider', providerId);
  agencyId = await createAgency(api, '1230000', { name: '조달청' });
  agency = await api.token('agency', agencyId);
});
afterAll(async () => api?.stop());

const lapsed = { sessionNumber: 40, decidedAt: '2022-01-01T00:00:00Z', validUntil: '2024-12-31' };
const valid = { sessionNumber: 62, decidedAt: '2026-11-01T00:00:00Z', validUntil: '2099-12-31' };

/** A service in each state; EXPIRED is LISTED with a lapsed selection, as the API reads it. */
const serviceStates: Record<string, { status: ServiceStatus; selection: typeof valid | null }> = {
  DRAFT: { status: 'DRAFT', selection: null },
  SUBMITTED: { status: 'SUBMITTED', selection: null },
  UNDER_REVIEW: { status: 'UNDER_REVIEW', selection: null },
  LISTED: { status: 'LISTED', selection: valid },
  REJECTED: { status: 'REJECTED', selection: null },
  SUSPENDED: { status: 'SUSPENDED', selection: valid },
  EXPIRED: { status: 'LISTED', selection: lapsed },
  WITHDRAWN: { status: 'WITHDRAWN', selection: null },
};

/** The move leaves the status as it was. */
const SAME = 'same';

/** DESIGN.md: DRAFT → SUBMITTED; LISTED ⇄ SUSPENDED; any non-terminal → WITHDRAWN by its provider. */
const serviceMoves: Record<
  string,
  { from: string[]; to: string; token: () => string; body?: object; method?: string }
> = {
  submit: { from: ['DRAFT'], to: 'SUBMITTED', token: () => provider },
  withdraw: {
    from: ['DRAFT', 'SUBMITTED', 'UNDER_REVIEW', 'LISTED', 'SUSPENDED'],
    to: 'WITHDRAWN',
    token: () => provider,
  },
  suspend: { from: ['LISTED'], to: 'SUSPENDED', token: () => admin },
  reinstate: { from: ['SUSPENDED'], to: 'LISTED', token: () => admin },
  // A DRAFT is edited freely; a LISTED service's summary, plans, networks and csap change as a new version.
  edit: {
    from: ['DRAFT', 'LISTED'],
    to: SAME,
    token: () => provider,
    body: { summary: '고침' },
    method: 'PATCH',
  },
  // An administrator reverts the content of any service not in a final state; the status stays.
  revert: {
    from: ['DRAFT', 'SUBMITTED', 'UNDER_REVIEW', 'LISTED', 'SUSPENDED'],
    to: SAME,
    token: () => admin,
    body: { toVersion: 3 },
  },
};

const contractStates: ContractStatus[] = [
  'REQUESTED',
  'QUOTED',
  'ACTIVE',
  'COMPLETED',
  'CANCELLED',
  'TERMINATED',
];

/** DESIGN.md: REQUESTED → QUOTED → ACTIVE → COMPLETED; REQUESTED|QUOTED → CANCELLED; ACTIVE → TERMINATED. */
const contractMoves: Record<
  string,
  { from: ContractStatus[]; to: ContractStatus; token: () => string; body?: object }
> = {
  quote: { from: ['REQUESTED'], to: 'QUOTED', token: () => provider, body: { amountKrw: 100_000 } },
  sign: { from: ['QUOTED'], to: 'ACTIVE', token: () => agency },
  cancel: { from: ['REQUESTED', 'QUOTED'], to: 'CANCELLED', token: () => agency },
  complete: { from: ['ACTIVE'], to: 'COMPLETED', token: () => agency },
  terminate: { from: ['ACTIVE'], to: 'TERMINATED', token: () => admin },
};

/** An allowed move answers 200 with the new state; a forbidden one 409, and writes nothing. */
async function expectMove(
  call: () => Promise<ApiCall>,
  label: string,
  allowed: boolean,
  expected: { status: string; version: number },
) {
  if (allowed) {
    const res = await call();
    expect(res.status, label).toBe(200);
    expect(res.body).toMatchObject(expected);
    return;
  }
  await api.settle();
  const before = await api.snapshot();
  expect((await call()).status, label).toBe(409);
  await api.settle();
  expect(await api.snapshot()).toEqual(before);
}

describe('service lifecycle', () => {
  for (const [move, rule] of Object.entries(serviceMoves)) {
    it(`${move}: allowed only from ${rule.from.join(', ')}`, async () => {
      for (const [state, stored] of Object.entries(serviceStates)) {
        const service = await seedService(api, providerId, stored);
        // A revert reads the version named from the history, which the projector writes.
        if (move === 'revert') await api.settle();
        const path = move === 'edit' ? `/v1/services/${service.id}` : `/v1/services/${service.id}/${move}`;
        const call = () =>
          api.call(rule.method ?? 'POST', path, {
            token: rule.token(),
            ...(rule.body ? { body: rule.body } : {}),
          });
        await expectMove(call, `${move} from ${state}`, rule.from.includes(state), {
          status: rule.to === SAME ? stored.status : rule.to,
          version: service.version + 1,
        });
      }
    });
  }
});

describe('contract lifecycle', () => {
  let serviceId: string;
  beforeAll(async () => {
    serviceId = (await seedService(api, providerId, { name: '계약 상태 서비스' })).id;
  });

  for (const [move, rule] of Object.entries(contractMoves)) {
    it(`${move}: allowed only from ${rule.from.join(', ')}`, async () => {
      for (const state of contractStates) {
        const signed = ['ACTIVE', 'COMPLETED', 'TERMINATED'].includes(state);
        const contract = await seedContract(
          api,
          { agencyId, serviceId, providerId },
          {
            status: state,
            version: 1 + contractStates.indexOf(state),
            quotedAt: state === 'REQUESTED' ? null : new Date().toISOString(),
            signedAt: signed ? new Date().toISOString() : null,
          },
        );
        const call = () =>
          api.call('POST', `/v1/contracts/${contract.id}/${move}`, {
            token: rule.token(),
            ...(rule.body ? { body: rule.body } : {}),
          });
        await expectMove(call, `${move} from ${state}`, rule.from.includes(state), {
          status: rule.to,
          version: contract.version + 1,
        });
      }
    });
  }
});
