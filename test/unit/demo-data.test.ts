import { describe, expect, it } from 'vitest';
import { isValidBusinessRegistrationNumber } from '../../functions/domain/registry.js';
import { seoulDate } from '../../functions/domain/selection.js';
import { categories } from '../../functions/domain/vocabulary.js';
import { demoScale, generateDemoData } from '../../local/demo-data.js';

const now = new Date('2025-06-01T03:00:00Z');
const data = generateDemoData({ now, seed: 7 });
const signedStatuses = new Set(['ACTIVE', 'COMPLETED', 'TERMINATED']);
const signed = data.contracts.filter((c) => signedStatuses.has(c.status));
const listed = data.services.filter((s) => s.status === 'LISTED');

describe('generateDemoData', () => {
  it('is deterministic for the same now and seed', () => {
    expect(generateDemoData({ now, seed: 7 })).toEqual(data);
    expect(generateDemoData({ now, seed: 8 })).not.toEqual(data);
  });

  it('gives some listed services two or three price edits after their contracts, some acknowledged', () => {
    expect(data.serviceEdits.length).toBeGreaterThanOrEqual(20);
    const byId = new Map(data.services.map((s) => [s.id, s]));
    for (const { serviceId, versions } of data.serviceEdits) {
      const base = byId.get(serviceId);
      expect(base?.status).toBe('LISTED');
      expect([2, 3]).toContain(versions.length);
      expect(versions.map((v) => v.version)).toEqual(versions.map((_, i) => (base?.version ?? 0) + i + 1));
      let previous = base;
      for (const version of versions) {
        expect(version.plans.map((p) => p.id)).toEqual(previous?.plans.map((p) => p.id));
        expect(version.plans.every((p) => Number.isSafeInteger(p.unitPriceKrw) && p.unitPriceKrw > 0)).toBe(
          true,
        );
        expect(version.updatedAt <= now.toISOString()).toBe(true);
        previous = version;
      }
      for (const c of data.contracts.filter((c) => c.serviceId === serviceId)) {
        expect(c.serviceVersion).toBe(base?.version);
        expect(c.requestedAt < (versions[0]?.updatedAt ?? '')).toBe(true);
      }
    }
    const edits = data.serviceEdits.reduce((n, e) => n + e.versions.length, 0);
    expect(data.acknowledgements.length).toBeGreaterThan(0);
    expect(data.acknowledgements.length).toBeLessThan(edits);
  });

  it('matches the published scale exactly', () => {
    expect(listed).toHaveLength(demoScale.listedServices);
    expect(listed.filter((s) => s.ai)).toHaveLength(demoScale.aiConvergenceServices);
    expect(listed.filter((s) => s.ai).every((s) => s.category === 'CONVERGENCE')).toBe(true);
    expect(data.agencies).toHaveLength(demoScale.agencies);
    expect(signed).toHaveLength(demoScale.signedContracts);
    expect(signed.reduce((sum, c) => sum + c.amountKrw, 0)).toBe(demoScale.signedAmountKrw);
    expect(demoScale.signedAmountKrw).toBe(642_100_000_000);
  });

  it('signs and dates every signed contract, and none of the others', () => {
    for (const c of signed) {
      expect(c.quotedAt && c.signedAt).toBeTruthy();
      expect(c.requestedAt < (c.quotedAt ?? '') && (c.quotedAt ?? '') < (c.signedAt ?? '')).toBe(true);
      expect(c.closedAt === null).toBe(c.status === 'ACTIVE');
      if (c.closedAt) expect((c.signedAt ?? '') < c.closedAt).toBe(true);
      expect(c.leadTimeDays).toBeGreaterThan(0);
    }
    const unsigned = data.contracts.filter((c) => !signedStatuses.has(c.status));
    expect(unsigned.length).toBeGreaterThan(0);
    for (const c of unsigned) {
      expect(['REQUESTED', 'QUOTED', 'CANCELLED']).toContain(c.status);
      expect(c.signedAt).toBeNull();
      expect(c.leadTimeDays).toBeNull();
    }
    for (const c of data.contracts) {
      for (const at of [c.requestedAt, c.quotedAt, c.signedAt, c.closedAt]) {
        if (at !== null) expect(Date.parse(at)).toBeLessThan(now.getTime());
      }
    }
  });

  it('gives every agency at least one signed contract', () => {
    const withContract = new Set(signed.map((c) => c.agencyId));
    for (const agency of data.agencies) expect(withContract.has(agency.id)).toBe(true);
  });

  it('registers providers with valid, distinct business registration numbers', () => {
    const numbers = data.providers.map((p) => p.businessRegistrationNumber);
    for (const brn of numbers) expect(isValidBusinessRegistrationNumber(brn)).toBe(true);
    expect(new Set(numbers).size).toBe(numbers.length);
  });

  it('keeps every contract consistent with its agency, service and plan', () => {
    const agencies = new Map(data.agencies.map((a) => [a.id, a]));
    const services = new Map(data.services.map((s) => [s.id, s]));
    for (const c of data.contracts) {
      const agency = agencies.get(c.agencyId);
      const service = services.get(c.serviceId);
      expect(agency && service).toBeTruthy();
      if (!agency || !service) continue;
      expect(service.status).toBe('LISTED');
      expect(service.networks).toContain(agency.network);
      expect(c.providerId).toBe(service.providerId);
      const plan = service.plans.find((p) => p.id === c.planId);
      expect(plan).toBeDefined();
      if (!plan) continue;
      expect(Number.isInteger(c.quantity) && c.quantity >= 1).toBe(true);
      expect(Number.isInteger(c.months) && c.months >= 1 && c.months <= 36).toBe(true);
      expect(c.catalogAmountKrw).toBe(plan.unitPriceKrw * c.quantity * c.months);
      expect(c.amountKrw).toBeLessThanOrEqual(c.catalogAmountKrw);
      expect(c.amountKrw).toBeGreaterThan(0);
      for (const krw of [c.amountKrw, c.catalogAmountKrw, plan.unitPriceKrw]) {
        expect(Number.isSafeInteger(krw)).toBe(true);
      }
    }
    for (const service of data.services) {
      for (const plan of service.plans) {
        expect(Number.isSafeInteger(plan.unitPriceKrw) && plan.unitPriceKrw > 0).toBe(true);
      }
    }
  });

  it('lists services in all five categories, none of them expired', () => {
    expect(new Set(listed.map((s) => s.category))).toEqual(new Set(categories));
    const today = seoulDate(now);
    for (const service of listed) {
      expect(service.selection).not.toBeNull();
      expect((service.selection?.validUntil ?? '') > today).toBe(true);
    }
  });

  it('uses unique, well-formed ids', () => {
    const ids = [...data.providers, ...data.agencies, ...data.services, ...data.contracts].map((e) => e.id);
    for (const id of ids) expect(id).toMatch(/^(prv|agc|svc|ctr)_[0-9a-hjkmnp-tv-z]{26}$/);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('keeps service text short and names distinct', () => {
    for (const service of data.services) {
      expect([...service.summary].length).toBeLessThanOrEqual(40);
      expect([...service.name].length).toBeLessThanOrEqual(20);
    }
    expect(new Set(data.services.map((s) => s.name)).size).toBe(data.services.length);
  });
});

describe('demo review sessions', () => {
  it('record every selection and rejection, and put every service under review on the open agenda', () => {
    const data = generateDemoData({ now: new Date('2026-11-23T00:00:00Z') });
    const sessions = data.reviewSessions;
    const open = sessions.filter((s) => s.status === 'OPEN');
    expect(open).toHaveLength(1);
    const byId = new Map(data.services.map((s) => [s.id, s]));
    for (const session of sessions.filter((s) => s.status === 'CLOSED')) {
      expect(session.agenda).toEqual(session.decisions.map((d) => d.serviceId));
      for (const decision of session.decisions) {
        const service = byId.get(decision.serviceId);
        if (decision.decision === 'SELECTED') expect(service?.selection?.sessionNumber).toBe(session.number);
        else expect(service?.status).toBe('REJECTED');
      }
    }
    const selected = sessions.flatMap((s) => s.decisions.filter((d) => d.decision === 'SELECTED'));
    expect(selected).toHaveLength(data.services.filter((s) => s.selection).length);
    expect([...(open[0]?.agenda ?? [])].sort()).toEqual(
      data.services
        .filter((s) => s.status === 'UNDER_REVIEW')
        .map((s) => s.id)
        .sort(),
    );
  });
});
