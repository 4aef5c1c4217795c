/**
 * Keeps this Region's read models (search postings, statistics, audit trail) in step with the global
 * tables, from their streams. Each Region projects every change itself, local or replicated, into its own
 * projections table, so no Region's read path depends on another and a lost Region loses no read model.
 * Every step is idempotent: streams deliver at least once, and a failed batch is delivered again.
 */
import { TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import { type DynamoDBDocumentClient, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import { postingPartition, postingSortKey, searchableText, serviceTerms } from '../../domain/search.js';
import {
  type Contribution,
  contractContribution,
  noContribution,
  serviceContribution,
} from '../../domain/stats.js';
import { jitteredBackoffMs, sleep } from '../../domain/contention.js';
import { batchGet, batchWrite } from './batch.js';
import { tableName } from './client.js';
import { type StoredChange, toEntity } from './entity-store.js';
import {
  agencySignedCountKey,
  auditPartition,
  auditSortKey,
  contributionKey,
  statsTotalsKey,
} from './projection-keys.js';
import type { Contract, Service } from '../../domain/entities.js';

export type Image = Record<string, unknown>;

export interface ChangeRecord {
  readonly key: { pk: string; sk: string };
  readonly oldImage?: Image;
  readonly newImage?: Image;
}

/** An item's first old image and last new image within a batch: what it went from and to. */
interface NetChange {
  readonly key: string;
  readonly before?: Image;
  readonly after?: Image;
}

export class Projector {
  constructor(private readonly db: DynamoDBDocumentClient) {}

  async project(records: readonly ChangeRecord[]): Promise<void> {
    const net = netChanges(records);
    await this.projectSearch(net);
    await this.projectStats(net);
    await this.projectAudit(records);
  }

  private async projectSearch(changes: readonly NetChange[]): Promise<void> {
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
    await batchWrite(this.db, tableName('projections'), [
      ...[...deletes.values()].map((Key) => ({ DeleteRequest: { Key } })),
      ...[...puts.values()].map((Item) => ({ PutRequest: { Item } })),
    ]);
  }

  /**
   * Adds to the running totals only the difference between an entity's new contribution and the one
   * stored for it, in one transaction with storing the new one, conditional on the stored version. A
   * redelivered change finds its version already stored and adds nothing.
   */
  private async projectStats(changes: readonly NetChange[]): Promise<void> {
    const contributions = changes.flatMap((change) => {
      const image = change.after;
      const contribution = image ? contributionOf(image) : undefined;
      return contribution ? [{ itemKey: change.key, version: Number(image?.version), contribution }] : [];
    });
    for (let i = 0; i < contributions.length; i += STATS_CHUNK) {
      await this.applyContributions(contributions.slice(i, i + STATS_CHUNK));
    }
  }

  /** Read what is stored, compute the differences, write them in one transaction; again if raced. */
  private async applyContributions(chunk: readonly PendingContribution[]): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      const stored = await this.readItems(chunk.map((c) => contributionKey(c.itemKey)));
      const fresh = chunk.filter(
        (c) => !(Number(stored.get(contributionKey(c.itemKey).pk)?.version) >= c.version),
      );
      if (fresh.length === 0) return;
      const { totals, agencyDeltas } = differences(fresh, stored);
      const agencyIds = [...agencyDeltas].filter(([, d]) => d !== 0).map(([id]) => id);
      const agencyCounts = await this.readItems(agencyIds.map(agencySignedCountKey));
      const agencyMoves = agencyIds.map((id) => {
        const before = Number(agencyCounts.get(agencySignedCountKey(id).pk)?.signed ?? 0);
        const after = before + (agencyDeltas.get(id) ?? 0);
        if (before === 0 && after > 0) addTo(totals, 'agencies.withContracts', 1);
        if (before > 0 && after === 0) addTo(totals, 'agencies.withContracts', -1);
        return { id, before, after };
      });
      const table = tableName('projections');
      try {
        await this.db.send(
          new TransactWriteCommand({
            TransactItems: [
              ...fresh.map((c) => contributionPut(table, c, stored.get(contributionKey(c.itemKey).pk))),
              ...agencyMoves.map((move) => agencyCountPut(table, move)),
              ...totalsUpdate(table, totals),
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

  /** One event per stored version, keyed by it, so a redelivered change writes the same event again. */
  private async projectAudit(records: readonly ChangeRecord[]): Promise<void> {
    const events = new Map<string, Image>();
    for (const record of records) {
      const image = record.newImage;
      const change = image?.change as StoredChange | undefined;
      if (!image || !change) continue;
      const kind = String(image.entityKind);
      const entityId = String(image.id);
      const toVersion = Number(image.version);
      const fromVersion = record.oldImage?.version === undefined ? null : Number(record.oldImage.version);
      events.set(`${kind}#${entityId}#${toVersion}`, {
        pk: auditPartition(kind, entityId),
        sk: auditSortKey(toVersion),
        id: `${kind}:${entityId}:v${toVersion}`,
        at: change.at,
        actor: change.actor,
        entity: kind,
        entityId,
        action: change.action,
        fromVersion,
        toVersion,
        region: change.region,
      });
    }
    await batchWrite(
      this.db,
      tableName('projections'),
      [...events.values()].map((Item) => ({ PutRequest: { Item } })),
    );
  }

  private async readItems(keys: readonly { pk: string; sk: string }[]): Promise<Map<string, Image>> {
    const items = await batchGet(this.db, tableName('projections'), keys);
    return new Map(items.map((item) => [String(item.pk), item]));
  }
}

/** Contributions per transaction: each may move one agency count too, and a transaction holds 100 items. */
const STATS_CHUNK = 40;

interface PendingContribution {
  /** The source item's key (`pk|sk`). */
  readonly itemKey: string;
  readonly version: number;
  readonly contribution: Contribution;
}

type StoredContribution = Contribution & { version: number };

const addTo = (map: Map<string, number>, name: string, by: number) =>
  map.set(name, (map.get(name) ?? 0) + by);

/** What the fresh contributions change: counter totals, and each agency's count of signed contracts. */
function differences(fresh: readonly PendingContribution[], stored: ReadonlyMap<string, Image>) {
  const totals = new Map<string, number>();
  const agencyDeltas = new Map<string, number>();
  for (const c of fresh) {
    const before =
      (stored.get(contributionKey(c.itemKey).pk) as StoredContribution | undefined) ?? noContribution;
    for (const [name, n] of Object.entries(c.contribution.counters)) addTo(totals, name, n);
    for (const [name, n] of Object.entries(before.counters)) addTo(totals, name, -n);
    if (before.agencyWithContract) addTo(agencyDeltas, before.agencyWithContract, -1);
    if (c.contribution.agencyWithContract) addTo(agencyDeltas, c.contribution.agencyWithContract, 1);
  }
  return { totals, agencyDeltas };
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
function agencyCountPut(table: string, move: { id: string; before: number; after: number }) {
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

function kindOf(image: Image | undefined): string | undefined {
  return typeof image?.entityKind === 'string' ? image.entityKind : undefined;
}

function contributionOf(image: Image): Contribution | undefined {
  switch (kindOf(image)) {
    case 'service':
      return serviceContribution(toEntity<Service>(image));
    case 'contract':
      return contractContribution(toEntity<Contract>(image));
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

function netChanges(records: readonly ChangeRecord[]): NetChange[] {
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
