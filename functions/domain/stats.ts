import { facetCell } from './facets.js';
import { type Category, categories, contractStatuses } from './vocabulary.js';
import type { Case, Contract, Service } from './entities.js';

/**
 * What one entity adds to the statistics. The projection stores each entity's last contribution and adds
 * only the difference, so a redelivered or replayed change counts once.
 */
export interface Contribution {
  readonly counters: Readonly<Record<string, number>>;
  /** The agency this entity makes an "agency with contracts", if any. */
  readonly agencyWithContract?: string;
  /** The facet cell a service occupies in its status, over all providers and in its provider's (`facets.ts`). */
  readonly facet?: { readonly status: string; readonly providerId: string; readonly cell: string };
}

export const noContribution: Contribution = { counters: {} };

export function serviceContribution(service: Service): Contribution {
  const facet = { status: service.status, providerId: service.providerId, cell: facetCell(service) };
  if (service.status !== 'LISTED') return { counters: {}, facet };
  return {
    counters: {
      'services.listed': 1,
      'services.ai': service.ai ? 1 : 0,
      [`services.byCategory.${service.category}`]: 1,
    },
    facet,
  };
}

/** "Signed" counts contracts that reached ACTIVE, including those COMPLETED or TERMINATED since. */
export function contractContribution(contract: Contract): Contribution {
  const counters: Record<string, number> = { [`contracts.byStatus.${contract.status}`]: 1 };
  if (!contract.signedAt) return { counters };
  counters['contracts.signed'] = 1;
  counters['contracts.totalAmountKrw'] = contract.amountKrw;
  if (contract.leadTimeDays !== null) counters[leadTimeCounter(contract.leadTimeDays)] = 1;
  return { counters, agencyWithContract: contract.agencyId };
}

const LEAD_TIME_PREFIX = 'leadTime.tenths.';
const leadTimeCounter = (days: number) => `${LEAD_TIME_PREFIX}${Math.round(days * 10)}`;
const DAYS_TO_AWARD_PREFIX = 'daysToAward.tenths.';
const DAY_MS = 86_400_000;

/** A case counts in its status; an awarded one adds its days from opening to award to a histogram. */
export function caseContribution(kase: Case): Contribution {
  const counters: Record<string, number> = { [`cases.byStatus.${kase.status}`]: 1 };
  if (kase.award) {
    const days = (Date.parse(kase.award.awardedAt) - Date.parse(kase.createdAt)) / DAY_MS;
    counters[`${DAYS_TO_AWARD_PREFIX}${Math.max(0, Math.round(days * 10))}`] = 1;
  }
  return { counters };
}

export interface StatsView {
  readonly services: { listed: number; ai: number; byCategory: Record<Category, number> };
  readonly agencies: { withContracts: number };
  readonly contracts: { signed: number; totalAmountKrw: number; byStatus: Record<string, number> };
  readonly medianLeadTimeDays: number | null;
  readonly cases: {
    open: number;
    awarded: number;
    noAward: number;
    cancelled: number;
    medianDaysToAward: number | null;
  };
}

export function statsView(counters: Readonly<Record<string, number>>): StatsView {
  const count = (name: string) => counters[name] ?? 0;
  return {
    services: {
      listed: count('services.listed'),
      ai: count('services.ai'),
      byCategory: Object.fromEntries(categories.map((c) => [c, count(`services.byCategory.${c}`)])) as Record<
        Category,
        number
      >,
    },
    agencies: { withContracts: count('agencies.withContracts') },
    contracts: {
      signed: count('contracts.signed'),
      totalAmountKrw: count('contracts.totalAmountKrw'),
      byStatus: Object.fromEntries(contractStatuses.map((s) => [s, count(`contracts.byStatus.${s}`)])),
    },
    medianLeadTimeDays: medianFromHistogram(counters),
    cases: {
      open: count('cases.byStatus.OPEN'),
      awarded: count('cases.byStatus.AWARDED'),
      noAward: count('cases.byStatus.NO_AWARD'),
      cancelled: count('cases.byStatus.CANCELLED'),
      medianDaysToAward: medianFromHistogram(counters, DAYS_TO_AWARD_PREFIX),
    },
  };
}

/** Median of a histogram of days (tenths of a day → count), exact to its resolution; lead times by default. */
export function medianFromHistogram(
  counters: Readonly<Record<string, number>>,
  prefix = LEAD_TIME_PREFIX,
): number | null {
  const buckets = Object.entries(counters)
    .filter(([name, n]) => name.startsWith(prefix) && n > 0)
    .map(([name, n]) => [Number(name.slice(prefix.length)), n] as const)
    .sort((a, b) => a[0] - b[0]);
  const total = buckets.reduce((sum, [, n]) => sum + n, 0);
  if (total === 0) return null;
  const valueAt = (rank: number) => {
    let seen = 0;
    for (const [tenths, n] of buckets) {
      seen += n;
      if (seen > rank) return tenths;
    }
    return buckets[buckets.length - 1]?.[0] ?? 0;
  };
  const middle = (valueAt(Math.floor((total - 1) / 2)) + valueAt(Math.floor(total / 2))) / 2;
  return Math.round(middle) / 10;
}
