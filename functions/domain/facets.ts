/**
 * Facet counts for catalog searches (`facets=true`): per category, AI flag, network and CSAP grade, over
 * every service the query matches, each dimension counted with its own filter ignored.
 *
 * How they stay exact without a scan: every service occupies one *cell*, the combination of its category,
 * AI flag, set of networks and CSAP grade (5 × 2 × 3 × 4 = 120 possible cells). The stream projector keeps,
 * per status, one item of cell counters over every provider and one per provider, and moves a service's
 * cell only by the difference between the cell it last applied and the one it now has, in the same
 * transaction that stores the service's contribution with its version (`projector.ts`): a redelivered
 * record finds its version already applied and changes nothing, and an older record arriving after a newer
 * one is skipped for the same reason, so the counters always equal the services' latest versions. A search
 * then reads one item (the status's, or the provider's) and sums the cells that match, whatever the
 * catalog's size. A text query (`q`) cannot be answered from cells: its counts come from the driving text
 * term's posting list, read with the other filters applied, which is as long as that term is common (never
 * a scan of the catalog).
 */
import type { FacetCell } from './ports.js';
import type { ServiceFilters } from './search.js';
import { categories, csapGrades, networks } from './vocabulary.js';
import type { Service } from './entities.js';

export const NO_CSAP = 'NONE';

/** The cell a service occupies: `category|ai|networks (sorted, +-joined)|grade`. */
export function facetCell(service: Pick<Service, 'category' | 'ai' | 'networks' | 'csap'>): string {
  return [
    service.category,
    String(service.ai),
    [...service.networks].sort().join('+'),
    service.csap?.grade ?? NO_CSAP,
  ].join('|');
}

export function parseCell(cell: string, count: number): FacetCell {
  const [category = '', ai = 'false', nets = '', csapGrade = NO_CSAP] = cell.split('|');
  return { category, ai: ai === 'true', networks: nets ? nets.split('+') : [], csapGrade, count };
}

export interface Facets {
  readonly category: Record<string, number>;
  readonly ai: { true: number; false: number };
  readonly network: Record<string, number>;
  readonly csapGrade: Record<string, number>;
}

type Dimension = 'category' | 'ai' | 'network' | 'csapGrade';

function matches(cell: FacetCell, filters: ServiceFilters, ignored: Dimension): boolean {
  if (ignored !== 'category' && filters.category && cell.category !== filters.category) return false;
  if (ignored !== 'ai' && filters.ai !== undefined && cell.ai !== filters.ai) return false;
  if (ignored !== 'network' && filters.network && !cell.networks.includes(filters.network)) return false;
  if (ignored !== 'csapGrade' && filters.csapGrade && cell.csapGrade !== filters.csapGrade) return false;
  return true;
}

/** The counts of each dimension over the cells that match every filter but that dimension's own. */
export function facetCounts(cells: readonly FacetCell[], filters: ServiceFilters): Facets {
  const zeros = (values: readonly string[]) => Object.fromEntries(values.map((v) => [v, 0]));
  const facets = {
    category: zeros(categories),
    ai: { true: 0, false: 0 },
    network: zeros(networks),
    csapGrade: zeros([...csapGrades, NO_CSAP]),
  };
  for (const cell of cells) {
    if (cell.count === 0) continue;
    if (matches(cell, filters, 'category'))
      facets.category[cell.category] = (facets.category[cell.category] ?? 0) + cell.count;
    if (matches(cell, filters, 'ai')) facets.ai[cell.ai ? 'true' : 'false'] += cell.count;
    if (matches(cell, filters, 'network'))
      for (const network of cell.networks)
        facets.network[network] = (facets.network[network] ?? 0) + cell.count;
    if (matches(cell, filters, 'csapGrade'))
      facets.csapGrade[cell.csapGrade] = (facets.csapGrade[cell.csapGrade] ?? 0) + cell.count;
  }
  return facets;
}
