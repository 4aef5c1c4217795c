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

/** One event of the feed (DESIGN.md §8), under its id, with when this Region first filed it. */
export const eventKey = (eventId: string): Key => ({ pk: `event#${eventId}`, sk: 'event' });

/** One reader's feed (an organisation, or `*` for every event), in this Region's order of arrival. */
export const eventFeedPartition = (reader: string) => `eventfeed#${reader}`;

/** Every plan id a service has ever had, so its agencies with an `ACTIVE` contract can be looked up. */
export const servicePlansPartition = (serviceId: string) => `serviceplans#${serviceId}`;
export const servicePlanKey = (serviceId: string, planId: string): Key => ({
  pk: servicePlansPartition(serviceId),
  sk: planId,
});

/**
 * What each item of the projections table is, by its key, for rebuilding a lost Region and comparing two
 * Regions. `currentState` kinds follow from the global tables' items as they are now, so a scan of them
 * through the projector gives them back; `change` kinds record each change (they need its old image) and
 * are copied from the other Region's projections instead, each item only where this Region has none with
 * its `recordedBy` attribute. Events are change records: one per change, derived from its record. Items of
 * no kind (the loading marker, deliveries deferred while the ledger refused) are the Region's own.
 */
export const projectionKinds = {
  searchPostings: { source: 'currentState' },
  listIndexes: { source: 'currentState' },
  statistics: { source: 'currentState' },
  facets: { source: 'currentState' },
  history: { source: 'change', prefix: historyPartition(''), recordedBy: 'at' },
  auditFeed: { source: 'change', prefix: 'audit#', recordedBy: 'at' },
  events: { source: 'change', prefix: eventKey('').pk, recordedBy: 'event' },
  eventFeeds: { source: 'change', prefix: eventFeedPartition(''), recordedBy: 'event' },
  // Every plan a service ever had: plans it no longer offers are gone from its item, so a scan misses them.
  servicePlans: { source: 'change', prefix: servicePlansPartition(''), recordedBy: 'planId' },
} as const satisfies Record<
  string,
  { source: 'currentState' } | { source: 'change'; prefix: string; recordedBy: string }
>;

export type ProjectionKind = keyof typeof projectionKinds;

/** The kinds that record each change, with the key prefix that tells their items. */
export const changeKinds = Object.entries(projectionKinds).flatMap(([kind, spec]) =>
  spec.source === 'change'
    ? [{ kind: kind as ProjectionKind, prefix: spec.prefix, recordedBy: spec.recordedBy }]
    : [],
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

/** An event whose deliveries could not be opened when it was filed (the ledger refused); the sweep opens them. */
export const deferredDeliveriesKey = (eventId: string): Key => ({ pk: 'deliveries#deferred', sk: eventId });
