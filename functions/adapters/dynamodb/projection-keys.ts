/**
 * Every key of the projections table, in one place: what each read model is stored under. Search
 * postings are keyed by the domain's own terms (`postingPartition`), as the queries name them.
 */
import { textTerm } from '../../domain/search.js';

type Key = { readonly pk: string; readonly sk: string };

/** The running statistics totals: one item of counters. */
export const statsTotalsKey: Key = { pk: 'stats', sk: 'totals' };

/** What one entity (keyed by its item key) last contributed to the statistics, with its version. */
export const contributionKey = (itemKey: string): Key => ({ pk: `contrib#${itemKey}`, sk: 'contrib' });

/** How many signed contracts one agency has, so "agencies with contracts" moves only at 0 ↔ 1. */
export const agencySignedCountKey = (agencyId: string): Key => ({
  pk: `agencystats#${agencyId}`,
  sk: 'count',
});

/** One entity's audit events, one per stored version, oldest first by sort key. */
export const auditPartition = (entity: string, entityId: string) => `audit#${entity}#${entityId}`;
export const auditSortKey = (version: number) => `v${String(version).padStart(10, '0')}`;

/** A service's versions, one item per version (the service as it was, who made it so, the changes). */
export const historyPartition = (serviceId: string) => `history#service#${serviceId}`;

/** An audit event's acknowledgement, in the MRSC ledger (not here): one record per event, ever. */
export const acknowledgementKey = (eventId: string): Key => ({ pk: `ack#${eventId}`, sk: 'ack' });

/** Facet counter cells of one status, over every provider or of one (`providerId`). */
export const facetCountsKey = (status: string, providerId?: string): Key => ({
  pk: providerId ? `facets#${status}#${providerId}` : `facets#${status}`,
  sk: 'facets',
});

/**
 * Present while the Region is still loading the data it serves; the health probe reads it (never
 * replicated: the projections table is the Region's own).
 */
export const regionLoadingKey: Key = { pk: 'region#loading', sk: 'region' };

/**
 * What each item of the projections table is, by its key, for rebuilding a lost Region and comparing two
 * Regions. `currentState` kinds follow from the global tables' items as they are now, so a scan of them
 * through the projector gives them back; `change` kinds record each change (they need its old image) and
 * are copied from the other Region's projections instead. Items of no kind (the loading marker) are the
 * Region's own.
 */
export const projectionKinds = {
  searchPostings: { source: 'currentState' },
  listIndexes: { source: 'currentState' },
  statistics: { source: 'currentState' },
  facets: { source: 'currentState' },
  history: { source: 'change', prefix: historyPartition('') },
  auditFeed: { source: 'change', prefix: 'audit#' },
} as const satisfies Record<string, { source: 'currentState' } | { source: 'change'; prefix: string }>;

export type ProjectionKind = keyof typeof projectionKinds;

/** The kinds that record each change, with the key prefix that tells their items. */
export const changeKinds = Object.entries(projectionKinds).flatMap(([kind, spec]) =>
  spec.source === 'change' ? [{ kind: kind as ProjectionKind, prefix: spec.prefix }] : [],
);

export function projectionKindOf(key: { readonly pk: string }): ProjectionKind | undefined {
  const { pk } = key;
  const change = changeKinds.find(({ prefix }) => pk.startsWith(prefix));
  if (change) return change.kind;
  if (pk.startsWith('facets#')) return 'facets';
  if (pk === statsTotalsKey.pk || pk.startsWith('contrib#') || pk.startsWith('agencystats#')) {
    return 'statistics';
  }
  // Postings are `<status>|<term>`: text terms are the search index, the others the listings.
  const term = /^[A-Z_]+\|(.+)$/.exec(pk)?.[1];
  if (term === undefined) return undefined;
  return term.startsWith(textTerm('')) ? 'searchPostings' : 'listIndexes';
}
