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
import { auditPartition, auditSortKey } from './audit-trail.js';
import { batchGet, batchWrite } from './batch.js';
import { tableName } from './client.js';
import { type StoredChange, toEntity } from './entity-store.js';
import { STATS_TOTALS_KEY } from './stats-store.js';
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
      return contribution
        ? [{ key: `contrib#${change.key}`, version: Number(image?.version), contribution }]
        : [];
    });
    for (let i = 0; i < contributions.length; i += STATS_CHUNK) {
      await this.applyContributions(contributions.slice(i, i + STATS_CHUNK));
    }
  }

  private async applyContributions(chunk: readonly PendingContribution[]): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      const stored = await this.readItems(chunk.map((c) => ({ pk: c.key, sk: 'contrib' })));
      const fresh = chunk.filter((c) => !(Number(stored.get(c.key)?.version) >= c.version));
      if (fresh.length === 0) return;
      const totals = new Map<string, number>();
      const agencyDeltas = new Map<string, number>();
      const add = (map: Map<string, number>, name: string, by: number) =>
        map.set(name, (map.get(name) ?? 0) + by);
      for (const c of fresh) {
        const before = (stored.get(c.key) as StoredContribution | undefined) ?? noContribution;
        for (const [name, n] of Object.entries(c.contribution.counters)) add(totals, name, n);
        for (const [name, n] of Object.entries(before.counters)) add(totals, name, -n);
        if (before.agencyWithContract) add(agencyDeltas, before.agencyWithContract, -1);
        if (c.contribution.agencyWithContract) add(agencyDeltas, c.contribution.agencyWithContract, 1);
      }
      const agencyIds = [...agencyDeltas].filter(([, d]) => d !== 0).map(([id]) => id);
      const agencyCounts = await this.readItems(
        agencyIds.map((id) => ({ pk: `agencystats#${id}`, sk: 'count' })),
      );
      const agencyWrites = agencyIds.map((id) => {
        const before = Number(agencyCounts.get(`agencystats#${id}`)?.signed ?? 0);
        const after = before + (agencyDeltas.get(id) ?? 0);
        if (before === 0 && after > 0) add(totals, 'agencies.withContracts', 1);
        if (before > 0 && after === 0) add(totals, 'agencies.withContracts', -1);
        return { id, before, after };
      });
      const deltas = [...totals].filter(([, n]) => n !== 0);
      const table = tableName('projections');
      try {
        await this.db.send(
          new TransactWriteCommand({
            TransactItems: [
              ...fresh.map((c) => {
                const previous = stored.get(c.key)?.version;
                return {
                  Put: {
                    TableName: table,
                    Item: { pk: c.key, sk: 'contrib', version: c.version, ...c.contribution },
                    ...(previous === undefined
                      ? { ConditionExpression: 'attribute_not_exists(pk)' }
                      : {
                          ConditionExpression: 'version = :v',
                          ExpressionAttributeValues: { ':v': previous },
                        }),
                  },
                };
              }),
              ...agencyWrites.map((a) => ({
                Put: {
                  TableName: table,
                  Item: { pk: `agencystats#${a.id}`, sk: 'count', signed: a.after },
                  ...(a.before === 0
                    ? {
                        ConditionExpression: 'attribute_not_exists(pk) OR signed = :zero',
                        ExpressionAttributeValues: { ':zero': 0 },
                      }
                    : {
                        ConditionExpression: 'signed = :before',
                        ExpressionAttributeValues: { ':before': a.before },
                      }),
                },
              })),
              ...(deltas.length
                ? [
                    {
                      Update: {
                        TableName: table,
                        Key: STATS_TOTALS_KEY,
                        UpdateExpression: `ADD ${deltas.map((_, i) => `#c${i} :d${i}`).join(', ')}`,
                        ExpressionAttributeNames: Object.fromEntries(
                          deltas.map(([name], i) => [`#c${i}`, name]),
                        ),
                        ExpressionAttributeValues: Object.fromEntries(
                          deltas.map(([, n], i) => [`:d${i}`, n]),
                        ),
                      },
                    },
                  ]
                : []),
            ],
          }),
        );
        return;
      } catch (error) {
        // Another batch (another stream shard) moved a contribution or an agency count first: read again.
        if (!(error instanceof TransactionCanceledException) || attempt >= 8) throw error;
        await new Promise((resolve) => setTimeout(resolve, Math.random() * 20 * 2 ** attempt));
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
      const kind = String(image.kind);
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
  readonly key: string;
  readonly version: number;
  readonly contribution: Contribution;
}

type StoredContribution = Contribution & { version: number };

function kindOf(image: Image | undefined): string | undefined {
  return typeof image?.kind === 'string' ? image.kind : undefined;
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
