/**
 * Compares two Regions' projections tables kind by kind (search postings, list indexes, statistics,
 * facets, history, audit feed, events, their feeds, service plans): how many items each holds, an order-independent checksum of them, and how
 * many keys differ (missing on one side or with other content). The rebuild ends with it, and the drill
 * reports it as `projectionDiff`.
 */
import { createHash } from 'node:crypto';
import { type DynamoDBDocumentClient, ScanCommand } from '@aws-sdk/lib-dynamodb';
import {
  type ProjectionKind,
  projectionKindOf,
  projectionKinds,
} from '../functions/adapters/dynamodb/projection-keys.js';
import { sleep } from '../functions/domain/contention.js';
import { canonicalJson } from '../functions/domain/ids.js';

export interface ProjectionsTable {
  readonly db: DynamoDBDocumentClient;
  readonly table: string;
}

export interface KindComparison {
  readonly count: { readonly rebuilt: number; readonly other: number };
  readonly checksum: { readonly rebuilt: string; readonly other: string };
  /** Keys missing from one side or holding other content there. */
  readonly differing: number;
}

export interface ProjectionComparison {
  readonly equal: boolean;
  readonly kinds: Readonly<Record<ProjectionKind, KindComparison>>;
  /** Full comparisons made until the tables matched or the time to settle ran out (`compareWhenSettled`). */
  readonly rounds?: number;
  /** How long that took. */
  readonly seconds?: number;
}

type Digests = Record<ProjectionKind, Map<string, string>>;

/** Scans both tables (in parallel segments) and compares them kind by kind. */
export async function compareProjections(
  rebuilt: ProjectionsTable,
  other: ProjectionsTable,
  segments = 4,
): Promise<ProjectionComparison> {
  const [a, b] = await Promise.all([digests(rebuilt, segments), digests(other, segments)]);
  const kinds = Object.fromEntries(
    (Object.keys(projectionKinds) as ProjectionKind[]).map((kind) => {
      const [mine, theirs] = [a[kind], b[kind]];
      let differing = 0;
      for (const [key, digest] of mine) if (theirs.get(key) !== digest) differing += 1;
      for (const key of theirs.keys()) if (!mine.has(key)) differing += 1;
      return [
        kind,
        {
          count: { rebuilt: mine.size, other: theirs.size },
          checksum: { rebuilt: checksum(mine), other: checksum(theirs) },
          differing,
        },
      ];
    }),
  ) as Record<ProjectionKind, KindComparison>;
  return { equal: Object.values(kinds).every((k) => k.differing === 0), kinds };
}

/**
 * Compares until the Regions match or `settleMs` is over: writes made meanwhile in the other Region reach
 * this one a moment later (replication, then each Region's own projection), so a difference counts only
 * if it outlasts that.
 */
export async function compareWhenSettled(
  rebuilt: ProjectionsTable,
  other: ProjectionsTable,
  segments: number,
  settleMs: number,
): Promise<ProjectionComparison> {
  const started = performance.now();
  const deadline = Date.now() + settleMs;
  for (let rounds = 1; ; rounds++) {
    const comparison = await compareProjections(rebuilt, other, segments);
    if (comparison.equal || Date.now() >= deadline) {
      return { ...comparison, rounds, seconds: Number(((performance.now() - started) / 1000).toFixed(2)) };
    }
    await sleep(1000);
  }
}

/** Differing keys per kind, the drill's `projectionDiff`. */
export const differingByKind = (comparison: ProjectionComparison) =>
  Object.fromEntries(Object.entries(comparison.kinds).map(([kind, c]) => [kind, c.differing])) as Record<
    ProjectionKind,
    number
  >;

/** Each item's digest by key, per kind; items of no kind (the Region's own markers) left out. */
async function digests({ db, table }: ProjectionsTable, segments: number): Promise<Digests> {
  const found = Object.fromEntries(
    Object.keys(projectionKinds).map((kind) => [kind, new Map<string, string>()]),
  ) as Digests;
  await Promise.all(
    Array.from({ length: segments }, async (_, segment) => {
      let start: Record<string, unknown> | undefined;
      do {
        const page = await db.send(
          new ScanCommand({
            TableName: table,
            Segment: segment,
            TotalSegments: segments,
            ExclusiveStartKey: start,
            ConsistentRead: true,
          }),
        );
        for (const item of page.Items ?? []) {
          const key = { pk: String(item.pk), sk: String(item.sk) };
          const kind = projectionKindOf(key);
          const content = kind && (COUNTER_KINDS.has(kind) ? withoutZeroCounters(item) : item);
          if (kind && content) {
            const { id, compared } = regionIndependent(kind, key, content);
            found[kind].set(id, digest(compared));
          }
        }
        start = page.LastEvaluatedKey;
      } while (start);
    }),
  );
  return found;
}

/**
 * Counters are added to, so one that went back to zero stays as 0 where it moved and is absent where it
 * was rebuilt from the final state; both read as zero, so both compare as absent (an item of nothing but
 * zeros as no item).
 */
const COUNTER_KINDS = new Set<ProjectionKind>(['statistics', 'facets']);

function withoutZeroCounters(item: Record<string, unknown>): Record<string, unknown> | undefined {
  const kept = Object.fromEntries(Object.entries(item).filter(([, value]) => value !== 0));
  return Object.keys(kept).some((name) => name !== 'pk' && name !== 'sk') ? kept : undefined;
}

/**
 * An item as both Regions should hold it: each Region files an event at its own time of arrival, so an
 * event's stamp and a feed entry's position (`<stamp>#<event id>`) are its own; the entry compares by
 * reader and event id.
 */
function regionIndependent(
  kind: ProjectionKind,
  key: { pk: string; sk: string },
  item: Record<string, unknown>,
): { id: string; compared: Record<string, unknown> } {
  if (kind === 'events') {
    const { stamp: _stamp, ...compared } = item;
    return { id: `${key.pk}\n${key.sk}`, compared };
  }
  if (kind === 'eventFeeds') {
    const { sk: _sk, ...compared } = item;
    return { id: `${key.pk}\n${key.sk.slice(key.sk.indexOf('#') + 1)}`, compared };
  }
  return { id: `${key.pk}\n${key.sk}`, compared: item };
}

const digest = (item: Record<string, unknown>) =>
  createHash('sha256').update(canonicalJson(item)).digest('hex').slice(0, 16);

/** The sum of the items' digests modulo 2⁶⁴: the same for the same items in any order. */
function checksum(items: ReadonlyMap<string, string>): string {
  let sum = 0n;
  for (const value of items.values()) sum = (sum + BigInt(`0x${value}`)) & 0xffffffffffffffffn;
  return sum.toString(16).padStart(16, '0');
}
