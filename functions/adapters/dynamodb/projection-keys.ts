/**
 * Every key of the projections table, in one place: what each read model is stored under. Search
 * postings are keyed by the domain's own terms (`postingPartition`), as the queries name them.
 */
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

/**
 * Present while the Region is still loading the data it serves; the health probe reads it (never
 * replicated: the projections table is the Region's own).
 */
export const regionLoadingKey: Key = { pk: 'region#loading', sk: 'region' };
