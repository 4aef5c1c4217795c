import { describe, expect, it } from 'vitest';
import type { Delivery } from '../../functions/domain/event-ports.js';
import { eventOfChange, expiringEvents, orgsVisibleTo } from '../../functions/domain/events.js';
import { outcomeOf, retryDelayMs } from '../../functions/domain/webhook-delivery.js';
import { refusedUrl } from '../../functions/domain/webhook-address.js';
import type { Service } from '../../functions/domain/entities.js';

const contract = (status: string, extra: Record<string, unknown> = {}) => ({
  id: 'ctr_1',
  agencyId: 'agc_1',
  providerId: 'prv_1',
  serviceId: 'svc_1',
  status,
  version: 1,
  ...extra,
});

const typeOf = (
  entity: string,
  before: Record<string, unknown> | undefined,
  after: Record<string, unknown>,
) => eventOfChange({ entity, before, after, at: '2026-12-01T00:00:00.000Z' })?.event.type;

describe('events derived from changes', () => {
  it('names each contract change and reaches both parties, with the version in the id', () => {
    const derived = eventOfChange({
      entity: 'contract',
      before: undefined,
      after: contract('REQUESTED'),
      at: '2026-12-01T00:00:00.000Z',
    });
    expect(derived?.event).toMatchObject({ id: 'contract:ctr_1:v1', type: 'contract.requested', version: 1 });
    expect(derived?.audience).toEqual({ orgs: ['agc_1', 'prv_1'] });
    expect(typeOf('contract', contract('REQUESTED'), contract('QUOTED'))).toBe('contract.quoted');
    expect(typeOf('contract', contract('QUOTED'), contract('ACTIVE'))).toBe('contract.signed');
    expect(typeOf('contract', contract('QUOTED'), contract('CANCELLED'))).toBe('contract.cancelled');
    expect(typeOf('contract', contract('ACTIVE'), contract('COMPLETED'))).toBe('contract.completed');
    expect(typeOf('contract', contract('ACTIVE'), contract('TERMINATED'))).toBe('contract.terminated');
    expect(
      typeOf(
        'contract',
        contract('ACTIVE', { amendments: [] }),
        contract('ACTIVE', { amendments: [{ number: 1 }] }),
      ),
    ).toBe('contract.amended');
    expect(typeOf('contract', contract('ACTIVE'), contract('ACTIVE', { termination: { reason: 'x' } }))).toBe(
      'contract.termination_scheduled',
    );
    expect(typeOf('contract', contract('ACTIVE'), contract('ACTIVE'))).toBeUndefined();
  });

  it('names each service change; updates, suspensions and expiries also reach its contracting agencies', () => {
    const service = (status: string) => ({ id: 'svc_1', providerId: 'prv_1', status, version: 2, plans: [] });
    expect(typeOf('service', undefined, service('DRAFT'))).toBeUndefined();
    expect(typeOf('service', service('DRAFT'), service('DRAFT'))).toBe('service.updated');
    expect(typeOf('service', service('DRAFT'), service('SUBMITTED'))).toBe('service.submitted');
    expect(typeOf('service', service('SUBMITTED'), service('UNDER_REVIEW'))).toBe('service.under_review');
    expect(typeOf('service', service('UNDER_REVIEW'), service('LISTED'))).toBe('service.listed');
    expect(typeOf('service', service('UNDER_REVIEW'), service('REJECTED'))).toBe('service.rejected');
    expect(typeOf('service', service('LISTED'), service('SUSPENDED'))).toBe('service.suspended');
    expect(typeOf('service', service('SUSPENDED'), service('LISTED'))).toBe('service.reinstated');
    expect(typeOf('service', service('LISTED'), service('EXPIRED'))).toBe('service.expired');
    expect(typeOf('service', service('DRAFT'), service('WITHDRAWN'))).toBe('service.withdrawn');
    const suspended = eventOfChange({
      entity: 'service',
      before: service('LISTED'),
      after: service('SUSPENDED'),
      at: '2026-12-01T00:00:00.000Z',
    });
    expect(suspended?.audience).toEqual({ orgs: ['prv_1'], activeAgenciesOfService: 'svc_1' });
    const listed = eventOfChange({
      entity: 'service',
      before: service('UNDER_REVIEW'),
      after: service('LISTED'),
      at: '2026-12-01T00:00:00.000Z',
    });
    expect(listed?.audience).toEqual({ orgs: ['prv_1'] });
  });

  it('derives case events from a case-shaped ledger record, for its agency', () => {
    const procurementCase = (status: string, version: number) => ({
      id: 'cas_1',
      agencyId: 'agc_1',
      title: '문서 자동화 도입',
      status,
      shortlist: [],
      award: null,
      pendingDecision: null,
      version,
    });
    const opened = eventOfChange({
      entity: 'case',
      before: undefined,
      after: procurementCase('OPEN', 1),
      at: '2026-12-01T00:00:00.000Z',
    });
    expect(opened?.event).toMatchObject({ id: 'case:cas_1:v1', type: 'case.opened', entity: 'case' });
    expect(opened?.event.data).toMatchObject({ title: '문서 자동화 도입' });
    // The case as the API represents it: the award saga's pending decision is not part of it.
    expect(opened?.event.data).not.toHaveProperty('pendingDecision');
    expect(opened?.audience).toEqual({ orgs: ['agc_1'] });
    expect(typeOf('case', procurementCase('OPEN', 1), procurementCase('OPEN', 2))).toBeUndefined();
    expect(typeOf('case', procurementCase('OPEN', 2), procurementCase('AWARDED', 3))).toBe('case.awarded');
    expect(typeOf('case', procurementCase('OPEN', 2), procurementCase('NO_AWARD', 3))).toBe('case.closed');
    expect(typeOf('case', procurementCase('OPEN', 2), procurementCase('CANCELLED', 3))).toBe('case.closed');
  });

  it('makes no event of entities nobody subscribes to', () => {
    expect(typeOf('provider', undefined, { id: 'prv_1', version: 1 })).toBeUndefined();
    expect(typeOf('review', undefined, { id: '62', status: 'OPEN', version: 1 })).toBeUndefined();
  });

  it('shows a reader only the parties it may know of', () => {
    const event = {
      id: 'service:svc_1:v3',
      type: 'service.suspended' as const,
      at: '2026-12-01T00:00:00.000Z',
      entity: 'service',
      entityId: 'svc_1',
      version: 3,
      orgs: ['agc_1', 'agc_2', 'prv_1'],
      data: { id: 'svc_1', providerId: 'prv_1' },
    };
    expect(orgsVisibleTo(event, 'agc_1')).toEqual(['agc_1', 'prv_1']);
    expect(orgsVisibleTo(event, 'prv_1')).toEqual(['prv_1']);
    expect(orgsVisibleTo(event, undefined)).toEqual(['agc_1', 'agc_2', 'prv_1']);
  });
});

describe('expiry notices', () => {
  const listed = (selectionUntil: string, csapUntil: string | null): Service => ({
    id: 'svc_1',
    providerId: 'prv_1',
    name: 'n',
    summary: 's',
    category: 'SAAS',
    ai: false,
    networks: ['INTERNET'],
    csap: csapUntil ? { grade: 'LOW', certificateNumber: 'C-1', validUntil: csapUntil } : null,
    plans: [],
    status: 'LISTED',
    selection: { sessionNumber: 62, decidedAt: '2026-01-01T00:00:00.000Z', validUntil: selectionUntil },
    createdAt: '2026-01-01T00:00:00.000Z',
    updatedAt: '2026-01-01T00:00:00.000Z',
    version: 4,
  });
  // 09:00 in Seoul on 1 December 2026.
  const now = new Date('2026-12-01T00:00:00.000Z');

  it('warns 30 days before, then 7, each once per date, with the same id and time on any day of its window', () => {
    const in20 = expiringEvents(listed('2026-12-21', null), now);
    expect(in20.map((e) => [e.id, e.type, e.at])).toEqual([
      [
        'service:svc_1:selection-2026-12-21:expiring-30d',
        'service.selection_expiring',
        '2026-11-20T15:00:00.000Z',
      ],
    ]);
    expect(expiringEvents(listed('2026-12-21', null), new Date('2026-12-05T00:00:00.000Z'))).toEqual(in20);
    const in5 = expiringEvents(listed('2026-12-06', '2026-12-31'), now);
    expect(in5.map((e) => [e.id, e.type])).toEqual([
      ['service:svc_1:selection-2026-12-06:expiring-7d', 'service.selection_expiring'],
      ['service:svc_1:csap-2026-12-31:expiring-30d', 'service.csap_expiring'],
    ]);
    expect(in5.every((e) => e.orgs.join() === 'prv_1')).toBe(true);
  });

  it('says nothing far ahead, on the day or after, or for a service not listed', () => {
    expect(expiringEvents(listed('2027-06-01', '2027-06-01'), now)).toEqual([]);
    expect(expiringEvents(listed('2026-12-01', null), now)).toEqual([]);
    expect(expiringEvents({ ...listed('2026-12-10', null), status: 'SUSPENDED' }, now)).toEqual([]);
  });
});

describe('retries', () => {
  const delivery = (attempts: number, windowStart: string): Delivery => ({
    subscriptionId: 'whk_1',
    eventId: 'contract:ctr_1:v1',
    org: 'agc_1',
    type: 'contract.requested',
    status: 'pending',
    attempts,
    lastStatusCode: null,
    lastAttemptAt: null,
    nextAttemptAt: windowStart,
    windowStart,
    event: {} as Delivery['event'],
  });

  it('waits about 5 s, 30 s, 2 min, 10 min, 30 min, 1 h, then 2 h, each within ±20 %', () => {
    const bases = [5_000, 30_000, 120_000, 600_000, 1_800_000, 3_600_000, 7_200_000, 7_200_000];
    bases.forEach((base, i) => {
      expect(retryDelayMs(i + 1, 0)).toBe(base * 0.8);
      expect(retryDelayMs(i + 1, 0.5)).toBe(base);
      expect(retryDelayMs(i + 1, 0.999999)).toBeLessThanOrEqual(base * 1.2);
    });
  });

  it('is delivered on a 2xx, pending on anything else within 24 hours, failed past them', () => {
    const start = '2026-12-01T00:00:00.000Z';
    const at = new Date('2026-12-01T00:00:00.000Z');
    expect(outcomeOf(delivery(0, start), { statusCode: 204 }, at, 0.5).status).toBe('delivered');
    expect(outcomeOf(delivery(0, start), { statusCode: 500 }, at, 0.5)).toMatchObject({
      status: 'pending',
      attempts: 1,
      lastStatusCode: 500,
      nextAttemptAt: '2026-12-01T00:00:05.000Z',
    });
    expect(outcomeOf(delivery(0, start), { statusCode: 301 }, at, 0.5).status).toBe('pending');
    const late = new Date('2026-12-01T23:00:00.000Z');
    expect(outcomeOf(delivery(12, start), { statusCode: null, error: 'timeout' }, late, 0.5)).toMatchObject({
      status: 'failed',
      nextAttemptAt: null,
    });
  });
});

describe('webhook addresses', () => {
  const resolve = async (host: string) =>
    ({
      'hooks.example.com': ['93.184.216.34'],
      'internal.example.com': ['10.1.2.3'],
      'mixed.example.com': ['93.184.216.34', '192.168.1.10'],
      'metadata.example.com': ['169.254.169.254'],
      'v6.example.com': ['2606:2800:220:1:248:1893:25c8:1946'],
      'v6-local.example.com': ['fd00:ec2::254'],
    })[host] ?? [];
  const aws = { allowLocal: false };
  const local = { allowLocal: true };

  it('allows a public https address', async () => {
    expect(await refusedUrl('https://hooks.example.com/in', aws, resolve)).toBeUndefined();
    expect(await refusedUrl('https://v6.example.com/in', aws, resolve)).toBeUndefined();
  });

  it.each([
    ['http://hooks.example.com/in', 'https only'],
    ['https://internal.example.com/', 'private'],
    ['https://mixed.example.com/', 'private'],
    ['https://metadata.example.com/', 'metadata'],
    ['https://v6-local.example.com/', 'private'],
    ['https://169.254.169.254/latest/meta-data', 'metadata'],
    ['https://127.0.0.1/', 'loopback'],
    ['https://[::1]/', 'loopback'],
    ['https://[::ffff:10.0.0.1]/', 'private'],
    ['https://[fe80::1]/', 'link-local'],
    ['https://172.16.5.4/', 'private'],
    ['https://192.168.0.1/', 'private'],
    ['https://100.64.0.1/', 'reserved'],
    ['https://0.0.0.0/', 'reserved'],
    ['https://nowhere.example.com/', 'does not resolve'],
    ['https://user:pw@hooks.example.com/', 'credentials'],
    ['not a url', 'not an absolute URL'],
  ])('refuses %s in AWS', async (url, reason) => {
    expect(await refusedUrl(url, aws, resolve)).toContain(reason);
  });

  it('locally allows http://127.0.0.1 and nothing else private', async () => {
    expect(await refusedUrl('http://127.0.0.1:4000/hook', local, resolve)).toBeUndefined();
    expect(await refusedUrl('http://127.0.0.2:4000/hook', local, resolve)).toContain('https');
    expect(await refusedUrl('https://internal.example.com/', local, resolve)).toContain('private');
    expect(await refusedUrl('http://localhost:4000/', local, resolve)).toContain('https');
  });
});
