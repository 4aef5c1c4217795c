import type { Service } from './entities.js';
/**
 * Catalog search without scans. Every service is indexed under a set of terms (facets and text bigrams),
 * each term prefixed with the service's status; a listing queries the posting list of the most selective
 * term the request names and filters the rest while reading it in order. A page of 20 therefore costs
 * about 20 / (share of the driving list that matches the other filters) posting reads, which depends on
 * how selective the filters are and not on how many services exist: the same at 1k and 100k services.
 */

/** Lower-cased, NFC, with any run of non letters/digits as one space; Hangul syllables stay whole. */
export function normalizeText(value: string): string {
  return value
    .normalize('NFC')
    .toLowerCase()
    .split(/[^\p{L}\p{N}]+/u)
    .filter(Boolean)
    .join(' ');
}

export function words(value: string): string[] {
  const normalized = normalizeText(value);
  return normalized ? [...new Set(normalized.split(' '))] : [];
}

/**
 * Character bigrams of each word (a one-character word indexes as itself). Bigrams find Korean
 * compounds by any part ("문서자동화" by "자동화") and Latin words by any infix of two letters or more.
 */
export function wordTerms(word: string): string[] {
  const chars = [...word];
  if (chars.length < 2) return chars;
  const terms: string[] = [];
  for (let i = 0; i < chars.length - 1; i++) terms.push(`${chars[i]}${chars[i + 1]}`);
  return terms;
}

export const textTerm = (bigram: string) => `t:${bigram}`;

export function searchableText(service: Pick<Service, 'name' | 'summary'>): string {
  return normalizeText(`${service.name} ${service.summary}`);
}

/** Every term a service is indexed under, before the status prefix. */
export function serviceTerms(service: Service): string[] {
  const terms = new Set<string>([
    'all',
    `cat:${service.category}`,
    `ai:${service.ai}`,
    `prov:${service.providerId}`,
    ...service.networks.map((network) => `net:${network}`),
  ]);
  if (service.csap) terms.add(`csap:${service.csap.grade}`);
  for (const word of words(`${service.name} ${service.summary}`)) {
    for (const term of wordTerms(word)) terms.add(textTerm(term));
  }
  return [...terms];
}

export const postingPartition = (status: string, term: string) => `${status}|${term}`;

/** Postings sort by normalised name, then id, so pages are stable and alphabetical (가나다 for Korean). */
export function postingSortKey(service: Pick<Service, 'id' | 'name'>): string {
  return `${normalizeText(service.name).slice(0, 120)}\u0001${service.id}`;
}

export interface ServiceFilters {
  readonly category?: string;
  readonly ai?: boolean;
  readonly network?: string;
  readonly csapGrade?: string;
  readonly providerId?: string;
  readonly q?: string;
}

/** The term whose posting list is likely the shortest among those the filters imply. */
export function drivingTerm(filters: ServiceFilters): string {
  if (filters.providerId) return `prov:${filters.providerId}`;
  const queryWords = filters.q ? words(filters.q) : [];
  if (queryWords.length) {
    // A longer word's bigrams are rarer in practice; its last bigram is as good a pick as any other.
    const longest = queryWords.reduce((a, b) => (Array.from(b).length > Array.from(a).length ? b : a));
    const terms = wordTerms(longest);
    return textTerm(terms[terms.length - 1] ?? longest);
  }
  if (filters.csapGrade) return `csap:${filters.csapGrade}`;
  if (filters.ai === true) return 'ai:true';
  if (filters.category) return `cat:${filters.category}`;
  if (filters.network) return `net:${filters.network}`;
  if (filters.ai === false) return 'ai:false';
  return 'all';
}

/** Whether a service matches the filters; applied again to hydrated items, which may be newer. */
export function matchesFilters(service: Service, filters: ServiceFilters): boolean {
  if (filters.category && service.category !== filters.category) return false;
  if (filters.ai !== undefined && service.ai !== filters.ai) return false;
  if (filters.network && !service.networks.includes(filters.network as never)) return false;
  if (filters.csapGrade && service.csap?.grade !== filters.csapGrade) return false;
  if (filters.providerId && service.providerId !== filters.providerId) return false;
  if (filters.q) {
    const haystack = searchableText(service);
    if (!words(filters.q).every((word) => haystack.includes(word))) return false;
  }
  return true;
}
