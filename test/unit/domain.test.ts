import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeCursor, encodeCursor } from '../../functions/domain/cursor.js';
import { fingerprint, idForKey } from '../../functions/domain/ids.js';
import { isValidBusinessRegistrationNumber } from '../../functions/domain/registry.js';
import {
  drivingTerm,
  matchesFilters,
  normalizeText,
  serviceTerms,
  wordTerms,
} from '../../functions/domain/search.js';
import { effectiveStatus, seoulDate } from '../../functions/domain/selection.js';
import { medianFromHistogram, statsView } from '../../functions/domain/stats.js';
import { brn } from '../support/fixtures.js';
import type { Service } from '../../functions/domain/entities.js';

describe('business registration numbers', () => {
  it('accepts a real number and rejects any other check digit', () => {
    expect(isValidBusinessRegistrationNumber('1248100998')).toBe(true);
    const otherDigits = [0, 1, 2, 3, 4, 5, 6, 7, 9];
    expect(otherDigits.filter((d) => isValidBusinessRegistrationNumber(`124810099${d}`))).toEqual([]);
    expect(isValidBusinessRegistrationNumber('124-81-00998')).toBe(false);
  });

  it('exactly one check digit fits any 9-digit stem', () => {
    fc.assert(
      fc.property(fc.stringMatching(/^\d{9}$/), (stem) => {
        const valid = [...'0123456789'].filter((d) => isValidBusinessRegistrationNumber(stem + d));
        expect(valid).toEqual([brn(stem).slice(9)]);
      }),
    );
  });
});

describe('idempotency ids and fingerprints', () => {
  it('derives the same id from the same key and scope, another from any other', () => {
    expect(idForKey('ctr', 'org:agc_1', 'k1')).toBe(idForKey('ctr', 'org:agc_1', 'k1'));
    expect(idForKey('ctr', 'org:agc_1', 'k1')).not.toBe(idForKey('ctr', 'org:agc_2', 'k1'));
    expect(idForKey('ctr', 'org:agc_1', 'k1')).not.toBe(idForKey('svc', 'org:agc_1', 'k1'));
    expect(idForKey('ctr', 'org:agc_1', 'k1')).toMatch(/^ctr_[0-9a-hjkmnp-tv-z]{26}$/);
  });

  it('fingerprints ignore key order but not values', () => {
    fc.assert(
      fc.property(fc.dictionary(fc.string(), fc.jsonValue()), (body) => {
        const reversed = Object.fromEntries(Object.entries(body).reverse());
        expect(fingerprint(reversed)).toBe(fingerprint(body));
      }),
    );
    expect(fingerprint({ a: 1 })).not.toBe(fingerprint({ a: 2 }));
  });
});

describe('cursors', () => {
  it('round-trip for their own query and refuse another query or garbage', () => {
    const cursor = encodeCursor('가나다\u0001svc_1', 'query-a');
    expect(decodeCursor(cursor, 'query-a')).toBe('가나다\u0001svc_1');
    expect(() => decodeCursor(cursor, 'query-b')).toThrow(/another query/);
    expect(() => decodeCursor('%%%', 'query-a')).toThrow(/not valid/);
  });
});

const service = (overrides: Partial<Service> = {}): Service => ({
  id: 'svc_1',
  providerId: 'prv_1',
  name: '생성형 AI 문서자동화',
  summary: 'Smart 공문서 요약',
  category: 'CONVERGENCE',
  ai: true,
  networks: ['INTERNET'],
  csap: null,
  plans: [],
  status: 'LISTED',
  selection: { sessionNumber: 62, decidedAt: '2026-01-01T00:00:00Z', validUntil: '2027-12-31' },
  createdAt: '2026-01-01T00:00:00Z',
  updatedAt: '2026-01-01T00:00:00Z',
  version: 1,
  ...overrides,
});

describe('search terms', () => {
  it('normalises case, width and punctuation, keeping Hangul syllables whole', () => {
    expect(normalizeText('  Cloud·AI — 문서(요약) ')).toBe('cloud ai 문서 요약');
    expect(normalizeText('\u1100\u1161')).toBe('가');
  });

  it('indexes bigrams so any two-character infix of a word finds the service', () => {
    expect(wordTerms('자동화')).toEqual(['자동', '동화']);
    expect(wordTerms('a')).toEqual(['a']);
    const terms = serviceTerms(service());
    for (const term of [
      'all',
      'cat:CONVERGENCE',
      'ai:true',
      'prov:prv_1',
      'net:INTERNET',
      't:자동',
      't:sm',
      't:요약',
    ]) {
      expect(terms).toContain(term);
    }
  });

  it('every query word that matches a service has its driving term among the service’s terms', () => {
    fc.assert(
      fc.property(fc.constantFrom('문서', '자동화', 'ai', 'smart', '요약', '생성형', 'mart', '서자'), (q) => {
        const s = service();
        fc.pre(matchesFilters(s, { q }));
        expect(serviceTerms(s)).toContain(drivingTerm({ q }));
      }),
    );
    // The property is not vacuous: most of those words do match the service.
    expect(['문서', '자동화', 'ai', '요약'].filter((q) => !matchesFilters(service(), { q }))).toEqual([]);
  });

  it('drives by the most selective filter given', () => {
    expect(drivingTerm({ providerId: 'prv_9', category: 'SAAS' })).toBe('prov:prv_9');
    expect(drivingTerm({ category: 'SAAS', q: '그룹웨어' })).toBe('t:웨어');
    expect(drivingTerm({ category: 'SAAS', ai: true })).toBe('ai:true');
    expect(drivingTerm({})).toBe('all');
  });
});

describe('service status', () => {
  it('reads LISTED as EXPIRED from the day after validity, Korean calendar', () => {
    const s = service({
      selection: { sessionNumber: 1, decidedAt: '2025-01-01T00:00:00Z', validUntil: '2026-11-23' },
    });
    // 2026-11-23 23:59 KST is 14:59 UTC; one minute later it is the 24th in Seoul.
    expect(effectiveStatus(s, new Date('2026-11-23T14:59:00Z'))).toBe('LISTED');
    expect(effectiveStatus(s, new Date('2026-11-23T15:00:00Z'))).toBe('EXPIRED');
    expect(seoulDate(new Date('2026-11-23T15:00:00Z'))).toBe('2026-11-24');
    expect(effectiveStatus({ ...s, status: 'SUSPENDED' }, new Date('2030-01-01'))).toBe('SUSPENDED');
  });
});

describe('statistics', () => {
  it('takes the median of the lead-time histogram, averaging the two middle values', () => {
    expect(medianFromHistogram({})).toBeNull();
    expect(medianFromHistogram({ 'leadTime.tenths.50': 1 })).toBe(5);
    expect(medianFromHistogram({ 'leadTime.tenths.30': 1, 'leadTime.tenths.70': 1 })).toBe(5);
    expect(medianFromHistogram({ 'leadTime.tenths.30': 2, 'leadTime.tenths.70': 1, other: 9 })).toBe(3);
  });

  it('matches the exact median of any sample at a tenth of a day', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 900 }), { minLength: 1, maxLength: 60 }), (tenths) => {
        const histogram: Record<string, number> = {};
        for (const t of tenths)
          histogram[`leadTime.tenths.${t}`] = (histogram[`leadTime.tenths.${t}`] ?? 0) + 1;
        const sorted = [...tenths].sort((a, b) => a - b);
        const exact =
          ((sorted[Math.floor((sorted.length - 1) / 2)] ?? 0) +
            (sorted[Math.floor(sorted.length / 2)] ?? 0)) /
          2;
        expect(medianFromHistogram(histogram)).toBeCloseTo(Math.round(exact) / 10, 5);
      }),
    );
  });

  it('fills every category and status with zero when nothing was counted', () => {
    const view = statsView({});
    expect(view.services.byCategory).toEqual({ IAAS: 0, PAAS: 0, SAAS: 0, SUPPORT: 0, CONVERGENCE: 0 });
    expect(Object.values(view.contracts.byStatus).every((n) => n === 0)).toBe(true);
    expect(view.medianLeadTimeDays).toBeNull();
  });
});
