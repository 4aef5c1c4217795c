import { type DynamoDBDocumentClient, GetCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { NO_CSAP, parseCell } from '../../domain/facets.js';
import type {
  FacetCell,
  FacetCounts,
  PostingFilters,
  PostingPage,
  PostingQuery,
  SearchIndex,
} from '../../domain/ports.js';
import { tableName } from './client.js';
import { facetCountsKey } from './projection-keys.js';

/**
 * At most this many postings are read for one page. When filters are so selective that a page is not
 * full by then, the page comes back short with a cursor, so no request reads an unbounded range.
 */
export const POSTINGS_READ_BUDGET = 1000;

export class DynamoSearchIndex implements SearchIndex {
  constructor(private readonly db: DynamoDBDocumentClient) {}

  async queryPostings(query: PostingQuery): Promise<PostingPage> {
    const filter = filterExpression(query.filters);
    const ids: string[] = [];
    let position = query.after;
    let read = 0;
    while (read < POSTINGS_READ_BUDGET) {
      // Unfiltered, a page needs its own postings and one more (to know whether more follow); filtered,
      // read ahead so thin matches do not take many round trips.
      const want = filter.expression ? Math.max(query.limit * 2, 50) : query.limit + 1;
      const pageSize = Math.min(POSTINGS_READ_BUDGET - read, want);
      const response = await this.db.send(
        new QueryCommand({
          TableName: tableName('projections'),
          KeyConditionExpression: position === undefined ? 'pk = :pk' : 'pk = :pk AND sk > :after',
          ...(filter.expression ? { FilterExpression: filter.expression } : {}),
          ExpressionAttributeNames: Object.keys(filter.names).length ? filter.names : undefined,
          ExpressionAttributeValues: {
            ':pk': query.term,
            ...(position === undefined ? {} : { ':after': position }),
            ...filter.values,
          },
          ProjectionExpression: 'sk, id',
          Limit: pageSize,
        }),
      );
      read += response.ScannedCount ?? 0;
      for (const item of response.Items ?? []) {
        ids.push(item.id as string);
        if (ids.length === query.limit) {
          const more =
            item.sk !== (response.Items ?? []).at(-1)?.sk || response.LastEvaluatedKey !== undefined;
          return { ids, lastSortKey: more ? (item.sk as string) : null };
        }
      }
      if (!response.LastEvaluatedKey) return { ids, lastSortKey: null };
      position = response.LastEvaluatedKey.sk as string;
    }
    return { ids, lastSortKey: position ?? null };
  }

  /** A text query's facet cells: its driving term's postings that pass the filters, each a cell of one. */
  async allPostings(term: string, filters: PostingFilters): Promise<FacetCell[]> {
    const filter = filterExpression(filters);
    const cells: FacetCell[] = [];
    let startKey: Record<string, unknown> | undefined;
    do {
      const response = await this.db.send(
        new QueryCommand({
          TableName: tableName('projections'),
          KeyConditionExpression: 'pk = :pk',
          ...(filter.expression ? { FilterExpression: filter.expression } : {}),
          ExpressionAttributeNames: {
            ...filter.names,
            '#category': 'category',
            '#ai': 'ai',
            '#networks': 'networks',
            '#csapGrade': 'csapGrade',
          },
          ExpressionAttributeValues: { ':pk': term, ...filter.values },
          ProjectionExpression: '#category, #ai, #networks, #csapGrade',
          ExclusiveStartKey: startKey,
        }),
      );
      for (const item of response.Items ?? []) {
        cells.push({
          category: String(item.category),
          ai: item.ai === true,
          networks: (item.networks as string[] | undefined) ?? [],
          csapGrade: typeof item.csapGrade === 'string' ? item.csapGrade : NO_CSAP,
          count: 1,
        });
      }
      startKey = response.LastEvaluatedKey;
    } while (startKey);
    return cells;
  }
}

/** The projector's facet counter cells (see `facets.ts`): one item read per search. */
export class DynamoFacetCounts implements FacetCounts {
  constructor(private readonly db: DynamoDBDocumentClient) {}

  async cells(status: string, providerId?: string): Promise<FacetCell[]> {
    const { Item } = await this.db.send(
      new GetCommand({ TableName: tableName('projections'), Key: facetCountsKey(status, providerId) }),
    );
    const { pk: _pk, sk: _sk, ...cells } = Item ?? {};
    return Object.entries(cells).map(([cell, count]) => parseCell(cell, Number(count)));
  }
}

function filterExpression(filters: PostingFilters) {
  const clauses: string[] = [];
  const names: Record<string, string> = {};
  const values: Record<string, unknown> = {};
  const equals = (attribute: string, value: unknown) => {
    names[`#${attribute}`] = attribute;
    values[`:${attribute}`] = value;
    clauses.push(`#${attribute} = :${attribute}`);
  };
  if (filters.category) equals('category', filters.category);
  if (filters.ai !== undefined) equals('ai', filters.ai);
  if (filters.csapGrade) equals('csapGrade', filters.csapGrade);
  if (filters.providerId) equals('providerId', filters.providerId);
  if (filters.network) {
    names['#networks'] = 'networks';
    values[':network'] = filters.network;
    clauses.push('contains(#networks, :network)');
  }
  (filters.words ?? []).forEach((word, i) => {
    names['#text'] = 'text';
    values[`:w${i}`] = word;
    clauses.push(`contains(#text, :w${i})`);
  });
  return { expression: clauses.join(' AND '), names, values };
}
