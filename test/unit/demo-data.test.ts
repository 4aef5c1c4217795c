import { describe, expect, it } from 'vitest';
import { isValidBusinessRegistrationNumber } from '../../functions/domain/registry.js';
import { seoulDate } from '../../functions/domain/selection.js';
import { snapshotHash } from '../../functions/domain/case.js';
import type { Case } from '../../functions/domain/entities.js';
import { caseStatuses, categories } from '../../functions/domain/vocabulary.js';
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

describe('demo procurement cases', () => {
  const contracts = new Map(data.contracts.map((c) => [c.id, c]));
  const caseContracts = (kase: Case) => kase.contractIds.map((id) => contracts.get(id));

  it('has cases in every state, each with its searches, shortlist and numbered, hashed snapshots', () => {
    expect(new Set(data.cases.map((k) => k.status))).toEqual(new Set(caseStatuses));
    for (const kase of data.cases) {
      expect(kase.id).toMatch(/^cas_[0-9a-hjkmnp-tv-z]{26}$/);
      expect(kase.pendingDecision).toBeNull();
      expect(kase.searches).toHaveLength(2);
      expect(kase.shortlist.length).toBeGreaterThanOrEqual(3);
      const own = data.snapshots.filter((s) => s.caseId === kase.id);
      expect(own.map((s) => s.number)).toEqual(own.map((_, i) => i + 1));
      expect(kase.snapshots).toBe(own.length);
      for (const snapshot of own) {
        const { sha256, id, createdAt, version, ...content } = snapshot;
        expect(sha256).toBe(snapshotHash(content));
        expect([id, createdAt, version]).toEqual([`${kase.id}.${snapshot.number}`, snapshot.lockedAt, 1]);
        expect(snapshot.lockedBy.org).toBe(kase.agencyId);
        expect(snapshot.comparison.items.map((i) => i.serviceId).sort()).toEqual(
          kase.shortlist.map((e) => e.serviceId).sort(),
        );
        expect(snapshot.searches.map((s) => s.matched).every((n) => n >= 1)).toBe(true);
        expect(kase.createdAt < snapshot.lockedAt && snapshot.lockedAt < now.toISOString()).toBe(true);
      }
    }
    expect(data.cases.filter((k) => k.status === 'OPEN' && k.snapshots > 0).length).toBeGreaterThan(0);
  });

  it('asks for quotes after a snapshot, of shortlisted services, at the case quantity and months', () => {
    for (const kase of data.cases.filter((k) => k.contractIds.length > 0)) {
      const lastLock = data.snapshots.filter((s) => s.caseId === kase.id).at(-1)?.lockedAt ?? '';
      const shortlisted = new Set(kase.shortlist.map((e) => e.serviceId));
      expect(kase.contractIds).toHaveLength(3);
      for (const c of caseContracts(kase)) {
        expect(c).toMatchObject({ caseId: kase.id, agencyId: kase.agencyId });
        expect(c && [c.quantity, c.months]).toEqual([kase.quantity, kase.months]);
        expect(shortlisted.has(c?.serviceId ?? '')).toBe(true);
        expect((c?.requestedAt ?? '') > lastLock).toBe(true);
      }
    }
    const inCases = new Set(data.cases.flatMap((k) => k.contractIds));
    for (const c of data.contracts) expect(c.caseId !== null).toBe(inCases.has(c.id));
  });

  it('awards signed contracts, cancels the other quotes NOT_CHOSEN, and closes others CASE_CLOSED', () => {
    for (const kase of data.cases) {
      const own = caseContracts(kase);
      if (kase.status === 'AWARDED') {
        const chosen = contracts.get(kase.award?.contractId ?? '');
        expect(chosen && signedStatuses.has(chosen.status)).toBe(true);
        expect(kase.award).toEqual({
          contractId: chosen?.id,
          amountKrw: chosen?.amountKrw,
          awardedAt: chosen?.signedAt,
        });
        expect(kase.outcome).toBeNull();
        for (const c of own.filter((c) => c !== chosen)) {
          expect(c).toMatchObject({
            status: 'CANCELLED',
            cancelReason: 'NOT_CHOSEN',
            closedAt: chosen?.signedAt,
          });
        }
      } else {
        expect(kase.award).toBeNull();
        expect(kase.outcome !== null).toBe(kase.status !== 'OPEN');
        const open = kase.status === 'OPEN';
        for (const c of own) {
          if (open) expect(['REQUESTED', 'QUOTED']).toContain(c?.status);
          else
            expect(c).toMatchObject({
              status: 'CANCELLED',
              cancelReason: 'CASE_CLOSED',
              closedAt: kase.outcome?.at,
            });
        }
      }
    }
  });

  it('amends, renews and schedules terminations of some contracts as the domain would', () => {
    const amendedContracts = data.contracts.filter((c) => c.amendments.length > 0);
    expect(amendedContracts.length).toBeGreaterThan(0);
    for (const c of amendedContracts) {
      expect(c.status).toBe('ACTIVE');
      const last = c.amendments.at(-1);
      expect(last && [last.quantity, last.months, last.amountKrw]).toEqual([
        c.quantity,
        c.months,
        c.amountKrw,
      ]);
      expect(c.amountKrw * 100).toBeLessThanOrEqual((c.signedAmountKrw ?? 0) * 110);
      expect((c.signedAt ?? '') < (last?.at ?? '')).toBe(true);
    }
    const renewals = data.contracts.filter((c) => c.renewalOf !== null);
    expect(renewals.length).toBeGreaterThan(0);
    for (const renewal of renewals) {
      const original = contracts.get(renewal.renewalOf ?? '');
      expect(['ACTIVE', 'COMPLETED']).toContain(original?.status);
      expect(original?.renewalId).toBe(renewal.id);
      expect(['REQUESTED', 'QUOTED']).toContain(renewal.status);
      expect(renewal).toMatchObject({
        serviceId: original?.serviceId,
        planId: original?.planId,
        caseId: null,
      });
    }
    const scheduled = data.contracts.filter((c) => c.termination !== null);
    expect(scheduled.length).toBeGreaterThan(0);
    for (const c of scheduled) {
      expect(c.status).toBe('ACTIVE');
      const { requestedAt, effectiveAt } = c.termination ?? { requestedAt: '', effectiveAt: '' };
      expect(effectiveAt > now.toISOString()).toBe(true);
      expect(Date.parse(effectiveAt) - Date.parse(requestedAt)).toBeGreaterThanOrEqual(30 * 86_400_000);
    }
  });
});
