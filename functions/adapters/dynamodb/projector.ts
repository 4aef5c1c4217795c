/**
 * Keeps this Region's read models (search postings, statistics, audit trail) in step with the global
 * tables, from their streams. Each Region projects every change itself, local or replicated, into its own
 * projections table, so no Region's read path depends on another and a lost Region loses no read model.
 * Every step is idempotent: streams deliver at least once, and a failed batch is delivered again.
 */
import { TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import { type DynamoDBDocumentClient, TransactWriteCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { changesBetween } from '../../domain/version-changes.js';
import { postingPartition, postingSortKey, searchableText, serviceTerms } from '../../domain/search.js';
import {
  caseContribution,
  type Contribution,
  contractContribution,
  noContribution,
  serviceContribution,
} from '../../domain/stats.js';
import { jitteredBackoffMs, sleep } from '../../domain/contention.js';
import { batchGet, batchWrite } from './batch.js';
import { tableName } from './client.js';
import { applyAcknowledgement } from './audit-trail.js';
import { DynamoEventFeed } from './event-feed.js';
import { EventProjection } from './event-projection.js';
import { DynamoWebhookStore } from './webhook-store.js';
import { type StoredChange, toEntity } from './entity-store.js';
import {
  agencySignedCountKey,
  auditPartition,
  auditSortKey,
  contributionKey,
  facetCountsKey,
  historyPartition,
  statsTotalsKey,
} from './projection-keys.js';
import type { Case, Contract, Service } from '../../domain/entities.js';

export type Image = Record<string, unknown>;

export interface ChangeRecord {
  readonly key: { pk: string; sk: string };
  readonly oldImage?: Image;
  readonly newImage?: Image;
}

/** An item's first old image and last new image within a batch: what it went from and to. */
export interface NetChange {
  readonly key: string;
  readonly before?: Image;
  readonly after?: Image;
}

export class Projector {
  private readonly events: EventProjection;

  constructor(private readonly db: DynamoDBDocumentClient) {
    this.events = new EventProjection(db, new DynamoEventFeed(db, new DynamoWebhookStore(db)));
  }

  /** A batch of stream records: every read model, the current state and the changes themselves. */
  async project(records: readonly ChangeRecord[]): Promise<void> {
    await this.projectCurrentState(records);
    await this.projectChanges(records);
  }

  /**
   * The read models that follow from the items as they are now (search postings and list indexes,
   * statistics, facet counts, acknowledgements): the same from a stream record as from the item read by a
   * scan (a record with only a new image), which is how a lost Region's projections are rebuilt from its
   * replicas (`ops/rebuild-projections.ts`).
   */
  async projectCurrentState(records: readonly ChangeRecord[]): Promise<void> {
    const net = netChanges(records);
    await this.projectSearch(net);
    await this.projectStats(net);
    await this.projectAcknowledgements(records);
  }

  /**
   * The read models of each change (an audit event and a history version per stored version): they need
   * the record of the change itself, its old image included, so a scan cannot give them back; a rebuild
   * copies them from the other Region's projections instead.
   */
  async projectChanges(records: readonly ChangeRecord[]): Promise<void> {
    await this.projectAudit(records);
    await this.projectHistory(records);
    await this.events.project(records);
  }

  /**
   * A service's history: one item per version, from the stream record that made it (its new image, and the
   * patch from its old one). Why no version is recorded twice or lost:
   *  - the item's key is the version itself, and its content a function of that version's stream record:
   *    a redelivered or reordered record writes the same item again, never a second one;
   *  - every versioned write of a service is one conditional write on the version before it (the entity
   *    store's), so one Region's stream holds one record per version, and the stream holds every change;
   *    a batch that fails is delivered again until it succeeds, so none is skipped;
   *  - each Region projects its own replica's stream, local and replicated writes alike, into its own
   *    history, so a lost Region loses no history in the other.
   * The catalog is MREC: the one case left is two Regions writing the same version of one service within
   * the replication delay (a service has one provider, served by one Region at a time under failover
   * DNS). Both Regions then settle on the last writer's service item (last writer wins), and the history
   * item of that version is rewritten from the winning record when it arrives, so it ends as that content.
   */
  private async projectHistory(records: readonly ChangeRecord[]): Promise<void> {
    const versions = new Map<string, Image>();
    for (const record of records) {
      const item = historyItem(record);
      if (item) versions.set(`${item.pk}\n${item.sk}`, item);
    }
    await batchWrite(
      this.db,
      tableName('projections'),
      [...versions.values()].map((Item) => ({ PutRequest: { Item } })),
    );
  }

  /** Acknowledgements recorded in the ledger, copied onto this Region's events (idempotent). */
  private async projectAcknowledgements(records: readonly ChangeRecord[]): Promise<void> {
    for (const record of records) {
      const image = record.newImage;
      if (!record.key.pk.startsWith('ack#') || !image) continue;
      await applyAcknowledgement(this.db, String(image.eventId), {
        by: String(image.by),
        at: String(image.at),
      });
    }
  }

  private async projectSearch(changes: readonly NetChange[]): Promise<void> {
    const { puts, deletes } = searchWrites(changes);
    await batchWrite(this.db, tableName('projections'), [
      ...deletes.map((Key) => ({ DeleteRequest: { Key } })),
      ...puts.map((Item) => ({ PutRequest: { Item } })),
    ]);
  }

  /**
   * Adds to the running totals only the difference between an entity's new contribution and the one
   * stored for it, in one transaction with storing the new one, conditional on the stored version. A
   * redelivered change finds its version already stored and adds nothing.
   */
  private async projectStats(changes: readonly NetChange[]): Promise<void> {
    const contributions = pendingContributions(changes);
    for (let i = 0; i < contributions.length; i += STATS_CHUNK) {
      await this.applyContributions(contributions.slice(i, i + STATS_CHUNK));
    }
  }

  /** Read what is stored, compute the differences, write them in one transaction; again if raced. */
  private async applyContributions(chunk: readonly PendingContribution[]): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      const stored = await this.readItems(chunk.map((c) => contributionKey(c.itemKey)));
      const fresh = freshContributions(chunk, stored);
      if (fresh.length === 0) return;
      const { totals, agencyDeltas, facetDeltas } = differences(fresh, stored);
      const agencyIds = [...agencyDeltas].filter(([, d]) => d !== 0).map(([id]) => id);
      const agencyCounts = await this.readItems(agencyIds.map(agencySignedCountKey));
      const agencyMoves = moveAgencyCounts(agencyIds, agencyDeltas, agencyCounts, totals);
      const table = tableName('projections');
      try {
        await this.db.send(
          new TransactWriteCommand({
            TransactItems: [
              ...fresh.map((c) => contributionPut(table, c, stored.get(contributionKey(c.itemKey).pk))),
              ...agencyMoves.map((move) => agencyCountPut(table, move)),
              ...totalsUpdate(table, totals),
              ...[...facetDeltas].flatMap(([pk, cells]) => facetUpdate(table, pk, cells)),
            ],
          }),
        );
        return;
      } catch (error) {
        // Another batch (another stream shard) moved a contribution or an agency count first: read again.
        if (!(error instanceof TransactionCanceledException) || attempt >= 8) throw error;
        await sleep(jitteredBackoffMs(attempt, 20));
      }
    }
  }

  /**
   * One event per stored version, keyed by it, so a redelivered change writes the same event again. Each is
   * an update, not a put: an acknowledgement (projected from the ledger, possibly first) is never undone,
   * and `ackState` starts as `pending` only where none is set.
   */
  private async projectAudit(records: readonly ChangeRecord[]): Promise<void> {
    const events = new Map<string, Image>();
    for (const record of records) {
      const event = auditEvent(record);
      if (event) events.set(String(event.id), event);
    }
    const pending = [...events.values()];
    for (let i = 0; i < pending.length; i += 10) {
      await Promise.all(pending.slice(i, i + 10).map((event) => this.db.send(eventUpdate(event))));
    }
  }

  private async readItems(keys: readonly { pk: string; sk: string }[]): Promise<Map<string, Image>> {
    const items = await batchGet(this.db, tableName('projections'), keys);
    return new Map(items.map((item) => [String(item.pk), item]));
  }
}

/**
 * The item-building half of the projector, pure: what each stream record or net change makes. `Projector`
 * writes these to the projections table; the local demo loader applies the same ones in memory and writes
 * the result in bulk (`local/demo-projections.ts`), so both produce the same items.
 */

/** A service version's history item, from the stream record that stored it. */
export function historyItem(record: ChangeRecord): Image | undefined {
  const image = record.newImage;
  const change = image?.change as StoredChange | undefined;
  if (!image || !change || image.entityKind !== 'service') return undefined;
  const service = toEntity<Service>(image);
  return {
    pk: historyPartition(service.id),
    sk: auditSortKey(service.version),
    version: service.version,
    at: change.at,
    actor: change.actor,
    action: change.action,
    changes: changesBetween(record.oldImage ? toEntity(record.oldImage) : undefined, service),
    snapshot: service,
  };
}

/** The audit event of a stored version (every attribute but the acknowledgement, which `eventUpdate` keeps). */
export function auditEvent(record: ChangeRecord): Image | undefined {
  const image = record.newImage;
  const change = image?.change as StoredChange | undefined;
  if (!image || !change) return undefined;
  const kind = String(image.entityKind);
  const entityId = String(image.id);
  const toVersion = Number(image.version);
  const fromVersion = record.oldImage?.version === undefined ? null : Number(record.oldImage.version);
  const id = `${kind}:${entityId}:v${toVersion}`;
  return {
    pk: auditPartition(kind, entityId),
    sk: auditSortKey(toVersion),
    id,
    at: change.at,
    actor: change.actor,
    entity: kind,
    entityId,
    action: change.action,
    fromVersion,
    toVersion,
    region: change.region,
    changes: changesBetween(
      record.oldImage ? toEntity(record.oldImage) : undefined,
      toEntity<Record<string, unknown>>(image),
    ),
    feedAll: 'audit',
    feedKey: `${change.at}#${id}`,
    feedEntity: kind,
    feedActor: change.actor.sub,
    ...(change.actor.org ? { feedOrg: change.actor.org } : {}),
    feedAction: change.action,
  };
}

/** The postings to remove (the services' before images') and to write (their after images'). */
export function searchWrites(changes: readonly NetChange[]): {
  puts: Image[];
  deletes: { pk: string; sk: string }[];
} {
  const puts = new Map<string, Image>();
  const deletes = new Map<string, { pk: string; sk: string }>();
  for (const change of changes) {
    if (kindOf(change.before ?? change.after) !== 'service') continue;
    for (const posting of change.before ? servicePostings(toEntity<Service>(change.before)) : []) {
      deletes.set(`${posting.pk}\n${posting.sk}`, { pk: String(posting.pk), sk: String(posting.sk) });
    }
    for (const posting of change.after ? servicePostings(toEntity<Service>(change.after)) : []) {
      const id = `${posting.pk}\n${posting.sk}`;
      deletes.delete(id);
      puts.set(id, posting);
    }
  }
  return { puts: [...puts.values()], deletes: [...deletes.values()] };
}

/** What each changed entity now contributes to the statistics, with its version. */
export function pendingContributions(changes: readonly NetChange[]): PendingContribution[] {
  return changes.flatMap((change) => {
    const image = change.after;
    const contribution = image ? contributionOf(image) : undefined;
    return contribution ? [{ itemKey: change.key, version: Number(image?.version), contribution }] : [];
  });
}

/** The contributions newer than the one stored for their entity (a redelivered change is not). */
export function freshContributions(
  pending: readonly PendingContribution[],
  stored: ReadonlyMap<string, Image>,
): PendingContribution[] {
  return pending.filter((c) => !(Number(stored.get(contributionKey(c.itemKey).pk)?.version) >= c.version));
}

/**
 * Each agency's signed count after the deltas, from the counts stored (keyed by their `pk`); "agencies with
 * contracts" moves in `totals` only when a count crosses between 0 and more.
 */
export function moveAgencyCounts(
  agencyIds: readonly string[],
  agencyDeltas: ReadonlyMap<string, number>,
  counts: ReadonlyMap<string, Image>,
  totals: Map<string, number>,
): AgencyMove[] {
  return agencyIds.map((id) => {
    const before = Number(counts.get(agencySignedCountKey(id).pk)?.signed ?? 0);
    const after = before + (agencyDeltas.get(id) ?? 0);
    if (before === 0 && after > 0) addTo(totals, 'agencies.withContracts', 1);
    if (before > 0 && after === 0) addTo(totals, 'agencies.withContracts', -1);
    return { id, before, after };
  });
}

export interface AgencyMove {
  readonly id: string;
  readonly before: number;
  readonly after: number;
}

/**
 * Contributions per transaction: each may move one agency count or one provider's facet counters too, and a
 * transaction holds 100 items (30 + 30 + the totals + the status facet items stays under it).
 */
const STATS_CHUNK = 30;

export interface PendingContribution {
  /** The source item's key (`pk|sk`). */
  readonly itemKey: string;
  readonly version: number;
  readonly contribution: Contribution;
}

type StoredContribution = Contribution & { version: number };

const addTo = (map: Map<string, number>, name: string, by: number) =>
  map.set(name, (map.get(name) ?? 0) + by);

/** What the fresh contributions change: counter totals, and each agency's count of signed contracts. */
export function differences(fresh: readonly PendingContribution[], stored: ReadonlyMap<string, Image>) {
  const totals = new Map<string, number>();
  const agencyDeltas = new Map<string, number>();
  const facetDeltas = new Map<string, Map<string, number>>();
  const moveFacet = (facet: Contribution['facet'], by: number) => {
    if (!facet) return;
    for (const key of [facetCountsKey(facet.status), facetCountsKey(facet.status, facet.providerId)]) {
      const cells = facetDeltas.get(key.pk) ?? new Map<string, number>();
      facetDeltas.set(key.pk, cells);
      addTo(cells, facet.cell, by);
    }
  };
  for (const c of fresh) {
    const before =
      (stored.get(contributionKey(c.itemKey).pk) as StoredContribution | undefined) ?? noContribution;
    moveFacet(before.facet, -1);
    moveFacet(c.contribution.facet, 1);
    for (const [name, n] of Object.entries(c.contribution.counters)) addTo(totals, name, n);
    for (const [name, n] of Object.entries(before.counters)) addTo(totals, name, -n);
    if (before.agencyWithContract) addTo(agencyDeltas, before.agencyWithContract, -1);
    if (c.contribution.agencyWithContract) addTo(agencyDeltas, c.contribution.agencyWithContract, 1);
  }
  return { totals, agencyDeltas, facetDeltas };
}

/** Adds a service's cell moves to one facet counter item; commutative like the totals. */
function facetUpdate(table: string, pk: string, cells: ReadonlyMap<string, number>) {
  const deltas = [...cells].filter(([, n]) => n !== 0);
  if (deltas.length === 0) return [];
  return [
    {
      Update: {
        TableName: table,
        Key: { pk, sk: 'facets' },
        UpdateExpression: `ADD ${deltas.map((_, i) => `#c${i} :d${i}`).join(', ')}`,
        ExpressionAttributeNames: Object.fromEntries(deltas.map(([name], i) => [`#c${i}`, name])),
        ExpressionAttributeValues: Object.fromEntries(deltas.map(([, n], i) => [`:d${i}`, n])),
      },
    },
  ];
}

/** Stores an entity's new contribution, only over the version read (or none). */
function contributionPut(table: string, c: PendingContribution, previous: Image | undefined) {
  const key = contributionKey(c.itemKey);
  return {
    Put: {
      TableName: table,
      Item: { ...key, version: c.version, ...c.contribution },
      ...(previous === undefined
        ? { ConditionExpression: 'attribute_not_exists(pk)' }
        : { ConditionExpression: 'version = :v', ExpressionAttributeValues: { ':v': previous.version } }),
    },
  };
}

/** Moves an agency's signed count, only from the count read (absent counts as zero). */
function agencyCountPut(table: string, move: AgencyMove) {
  return {
    Put: {
      TableName: table,
      Item: { ...agencySignedCountKey(move.id), signed: move.after },
      ...(move.before === 0
        ? {
            ConditionExpression: 'attribute_not_exists(pk) OR signed = :zero',
            ExpressionAttributeValues: { ':zero': 0 },
          }
        : { ConditionExpression: 'signed = :before', ExpressionAttributeValues: { ':before': move.before } }),
    },
  };
}

/** Adds the non-zero differences to the totals; commutative, so it needs no condition. */
function totalsUpdate(table: string, totals: ReadonlyMap<string, number>) {
  const deltas = [...totals].filter(([, n]) => n !== 0);
  if (deltas.length === 0) return [];
  return [
    {
      Update: {
        TableName: table,
        Key: statsTotalsKey,
        UpdateExpression: `ADD ${deltas.map((_, i) => `#c${i} :d${i}`).join(', ')}`,
        ExpressionAttributeNames: Object.fromEntries(deltas.map(([name], i) => [`#c${i}`, name])),
        ExpressionAttributeValues: Object.fromEntries(deltas.map(([, n], i) => [`:d${i}`, n])),
      },
    },
  ];
}

function eventUpdate(event: Image) {
  const { pk, sk, ...fields } = event;
  const entries = Object.entries(fields);
  return new UpdateCommand({
    TableName: tableName('projections'),
    Key: { pk, sk },
    UpdateExpression: [
      `SET ${entries.map((_, i) => `#f${i} = :f${i}`).join(', ')}`,
      '#ack = if_not_exists(#ack, :null)',
      '#ackState = if_not_exists(#ackState, :pending)',
    ].join(', '),
    ExpressionAttributeNames: {
      ...Object.fromEntries(entries.map(([name], i) => [`#f${i}`, name])),
      '#ack': 'acknowledged',
      '#ackState': 'ackState',
    },
    ExpressionAttributeValues: {
      ...Object.fromEntries(entries.map(([, value], i) => [`:f${i}`, value])),
      ':null': null,
      ':pending': 'pending',
    },
  });
}

function kindOf(image: Image | undefined): string | undefined {
  return typeof image?.entityKind === 'string' ? image.entityKind : undefined;
}

function contributionOf(image: Image): Contribution | undefined {
  switch (kindOf(image)) {
    case 'service':
      return serviceContribution(toEntity<Service>(image));
    case 'contract':
      return contractContribution(toEntity<Contract>(image));
    case 'case':
      return caseContribution(toEntity<Case>(image));
    default:
      return undefined;
  }
}

/** The posting items a service is indexed under; the scale benchmark seeds its catalogs with them too. */
export function servicePostings(service: Service): Image[] {
  const sk = postingSortKey(service);
  const text = searchableText(service);
  return serviceTerms(service).map((term) => ({
    pk: postingPartition(service.status, term),
    sk,
    id: service.id,
    category: service.category,
    ai: service.ai,
    networks: [...service.networks],
    providerId: service.providerId,
    text,
    ...(service.csap ? { csapGrade: service.csap.grade } : {}),
  }));
}

export function netChanges(records: readonly ChangeRecord[]): NetChange[] {
  const byKey = new Map<string, { before?: Image; after?: Image }>();
  for (const record of records) {
    const key = `${record.key.pk}\n${record.key.sk}`;
    const seen = byKey.get(key);
    byKey.set(key, {
      ...(seen
        ? seen.before
          ? { before: seen.before }
          : {}
        : record.oldImage
          ? { before: record.oldImage }
          : {}),
      ...(record.newImage ? { after: record.newImage } : {}),
    });
  }
  return [...byKey].map(([key, change]) => ({ key: key.replace('\n', '|'), ...change }));
}
