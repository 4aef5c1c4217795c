/**
 * Catalog listing, filtering, Korean text search and faceted search, a service's version list and the
 * audit feed (whole, and the acknowledgement queue) at growing catalog sizes, through the gateway. Each
 * size gets its own tables, seeded with the items the entity store and the projector would write (the
 * projector's own posting builder); only the posting lists these queries read are seeded, so 100k services
 * load in minutes rather than hours on DynamoDB Local. Latency and capacity should stay flat: a page reads
 * about (page size ÷ selectivity of the other filters) postings, whatever the catalog size.
 */
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { batchWrite } from '../functions/adapters/dynamodb/batch.js';
import { entityItem } from '../functions/adapters/dynamodb/entity-store.js';
import {
  auditPartition,
  auditSortKey,
  facetCountsKey,
  historyPartition,
} from '../functions/adapters/dynamodb/projection-keys.js';
import { servicePostings } from '../functions/adapters/dynamodb/projector.js';
import { facetCell } from '../functions/domain/facets.js';
import { physicalTableName, tables } from '../functions/adapters/dynamodb/tables.js';
import { categories } from '../functions/domain/vocabulary.js';
import { ensureTables } from '../local/tables.js';
import type { LocalRegion } from '../local/region.js';
import { percentiles } from '../local/percentiles.js';
import type { Service } from '../functions/domain/entities.js';

export const scaleQueries = {
  list: '/v1/services?limit=20',
  filter: '/v1/services?category=SAAS&network=INTERNET&limit=20',
  search: `/v1/services?q=${encodeURIComponent('문서')}&limit=20`,
  searchAndFilter: `/v1/services?q=${encodeURIComponent('문서')}&category=SAAS&limit=20`,
  // Facet counts read one counter item, whatever the catalog's size.
  facets: '/v1/services?category=SAAS&facets=true&limit=20',
  // One service's history, a tenth as long as the catalog is large.
  versions: '/v1/services/svc_scale0000000/versions?limit=20',
  // The audit feed (one event per service) and its queue (every other event unacknowledged); admin only.
  auditFeed: '/v1/audit?limit=20',
  auditQueue: '/v1/audit?acknowledged=false&limit=20',
} as const;
type QueryName = keyof typeof scaleQueries;

/** Queries only administrators may make. */
const adminQueries: ReadonlySet<QueryName> = new Set(['auditFeed', 'auditQueue']);

export interface ScaleReport {
  readonly sizes: Record<string, Record<QueryName, { p50Ms: number; capacityUnits: number }>>;
  /** Largest ÷ smallest size, per query: p50 and capacity. */
  readonly ratio: Record<QueryName, { p50: number; capacity: number }>;
  readonly largest: number;
  readonly smallest: number;
}

const SEARCHED = '문서';

export async function measureScale(
  region: LocalRegion,
  sizes: readonly number[],
  samples: number,
  /** A bearer token of an administrator, for the audit feed's rows. */
  adminToken: string,
): Promise<ScaleReport> {
  const db = DynamoDBDocumentClient.from(region.client, { marshallOptions: { removeUndefinedValues: true } });
  const report: ScaleReport['sizes'] = {};
  const saved = {
    catalog: process.env[tables.catalog.envVar],
    projections: process.env[tables.projections.envVar],
  };
  try {
    for (const size of sizes) {
      const prefix = `scale${size}`;
      await ensureTables(region.client, prefix);
      await seed(db, prefix, size);
      // The functions find their tables through the environment, read on every call.
      process.env[tables.catalog.envVar] = physicalTableName(prefix, 'catalog');
      process.env[tables.projections.envVar] = physicalTableName(prefix, 'projections');
      const perQuery = {} as Record<QueryName, { p50Ms: number; capacityUnits: number }>;
      for (const [name, path] of Object.entries(scaleQueries) as [QueryName, string][]) {
        const latencies: number[] = [];
        let capacityUnits = 0;
        for (let i = 0; i < samples + 3; i++) {
          const started = performance.now();
          const response = await fetch(`${region.url}${path}`, {
            headers: adminQueries.has(name) ? { authorization: `Bearer ${adminToken}` } : {},
          });
          const body = (await response.json()) as { items: unknown[] };
          if (response.status !== 200 || body.items.length !== 20)
            throw new Error(`${path} at ${size}: ${response.status}`);
          if (i >= 3) latencies.push(performance.now() - started);
          capacityUnits = Number(response.headers.get('x-consumed-capacity'));
        }
        perQuery[name] = { p50Ms: percentiles(latencies).p50, capacityUnits };
      }
      report[String(size)] = perQuery;
    }
  } finally {
    process.env[tables.catalog.envVar] = saved.catalog;
    process.env[tables.projections.envVar] = saved.projections;
  }
  const smallest = Math.min(...sizes);
  const largest = Math.max(...sizes);
  const ratio = Object.fromEntries(
    (Object.keys(scaleQueries) as QueryName[]).map((name) => {
      const small = report[String(smallest)]?.[name];
      const large = report[String(largest)]?.[name];
      return [
        name,
        {
          p50: round((large?.p50Ms ?? 0) / Math.max(small?.p50Ms ?? 1, 0.01)),
          capacity: round((large?.capacityUnits ?? 0) / Math.max(small?.capacityUnits ?? 1, 0.01)),
        },
      ];
    }),
  ) as ScaleReport['ratio'];
  return { sizes: report, ratio, largest, smallest };
}

async function seed(db: DynamoDBDocumentClient, prefix: string, size: number): Promise<void> {
  const now = new Date().toISOString();
  const read = new Set(['LISTED|all', 'LISTED|cat:SAAS', `LISTED|t:${SEARCHED}`]);
  const catalogItems: Record<string, unknown>[] = [];
  const postingItems: Record<string, unknown>[] = [];
  const cells = new Map<string, number>();
  let first: Service | undefined;
  for (let i = 0; i < size; i++) {
    const service: Service = {
      id: `svc_scale${String(i).padStart(7, '0')}`,
      providerId: `prv_scale${i % 500}`,
      name: `클라우드 서비스 ${String(i).padStart(7, '0')}`,
      // One in seven mentions documents (7 and the 5 categories are coprime, so one in 35 is a SAAS one):
      // the same selectivity at every size.
      summary: i % 7 === 0 ? '공공 문서 관리 클라우드' : '기관 업무용 클라우드',
      category: categories[i % categories.length] ?? 'SAAS',
      ai: false,
      networks: i % 3 === 0 ? ['INTERNET', 'INTRANET'] : ['INTERNET'],
      csap: null,
      plans: [{ id: 'basic', name: '기본', unit: '월', unitPriceKrw: 10_000 }],
      status: 'LISTED',
      selection: { sessionNumber: 62, decidedAt: now, validUntil: '2099-12-31' },
      createdAt: now,
      updatedAt: now,
      version: 3,
    };
    catalogItems.push(
      entityItem('service', service, {
        actor: { sub: 'bench', role: 'admin' },
        action: 'seed',
        at: now,
        region: 'bench',
      }),
    );
    for (const posting of servicePostings(service))
      if (read.has(String(posting.pk))) postingItems.push(posting);
    first ??= service;
    const cell = facetCell(service);
    cells.set(cell, (cells.get(cell) ?? 0) + 1);
    postingItems.push(auditEvent(service, i));
  }
  // The projector's facet counter item for LISTED, and the first service's long history.
  postingItems.push({ ...facetCountsKey('LISTED'), ...Object.fromEntries(cells) });
  for (let version = 1; first && version <= Math.max(25, size / 10); version++) {
    postingItems.push({
      pk: historyPartition(first.id),
      sk: auditSortKey(version),
      version,
      at: now,
      actor: { sub: 'bench', role: 'provider', org: first.providerId },
      action: 'update',
      changes: [{ op: 'replace', path: '/summary', value: `v${version}` }],
      snapshot: { ...first, version },
    });
  }
  await batchWrite(
    db,
    physicalTableName(prefix, 'catalog'),
    catalogItems.map((Item) => ({ PutRequest: { Item } })),
  );
  await batchWrite(
    db,
    physicalTableName(prefix, 'projections'),
    postingItems.map((Item) => ({ PutRequest: { Item } })),
  );
}

/** The audit event the projector writes for a service's seeded version, with the feed's index keys. */
function auditEvent(service: Service, i: number): Record<string, unknown> {
  const id = `service:${service.id}:v${service.version}`;
  const at = new Date(Date.parse(service.createdAt) - i * 1000).toISOString();
  return {
    pk: auditPartition('service', service.id),
    sk: auditSortKey(service.version),
    id,
    at,
    actor: { sub: 'bench', role: 'admin' },
    entity: 'service',
    entityId: service.id,
    action: 'seed',
    fromVersion: null,
    toVersion: service.version,
    region: 'bench',
    changes: [],
    acknowledged: i % 2 === 0 ? null : { by: 'bench-admin', at },
    feedAll: 'audit',
    feedKey: `${at}#${id}`,
    feedEntity: 'service',
    feedActor: 'bench',
    feedAction: 'seed',
    ackState: i % 2 === 0 ? 'pending' : 'acknowledged',
  };
}

const round = (n: number) => Math.round(n * 100) / 100;
