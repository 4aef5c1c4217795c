import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { batchWrite } from '../functions/adapters/dynamodb/batch.js';
import { tableName } from '../functions/adapters/dynamodb/client.js';
import {
  entityItem,
  type StoredChange,
  tableOf,
  uniqueGuardItem,
} from '../functions/adapters/dynamodb/entity-store.js';
import type { EntityKind } from '../functions/domain/ports.js';
import type { DemoData } from './demo-data.js';
import type { Entity } from '../functions/domain/entities.js';

/**
 * Writes demo entities as the entity store would have stored them (same items, same uniqueness guards),
 * in bulk. The projector then builds search postings, statistics and audit events from the streams.
 */
export async function loadDemoData(client: DynamoDBClient, data: DemoData, region: string): Promise<number> {
  const db = DynamoDBDocumentClient.from(client, { marshallOptions: { removeUndefinedValues: true } });
  const seeded = (entity: Entity): StoredChange => ({
    actor: { sub: 'demo-loader', role: 'admin' },
    action: 'seed',
    at: entity.createdAt,
    region,
  });
  const groups: [EntityKind, readonly Entity[], (entity: never) => string[]][] = [
    [
      'provider',
      data.providers,
      (p: { businessRegistrationNumber: string }) => [`brn:${p.businessRegistrationNumber}`],
    ],
    ['agency', data.agencies, (a: { institutionCode: string }) => [`institution:${a.institutionCode}`]],
    ['service', data.services, () => []],
    ['review', data.reviewSessions, () => []],
    ['contract', data.contracts, () => []],
  ];
  let written = 0;
  for (const [kind, entities, uniqueKeys] of groups) {
    const items = entities.flatMap((entity) => [
      entityItem(kind, entity, seeded(entity)),
      ...uniqueKeys(entity as never).map((key) => uniqueGuardItem(kind, key, entity.id)),
    ]);
    await batchWrite(
      db,
      tableName(tableOf[kind]),
      items.map((Item) => ({ PutRequest: { Item } })),
    );
    written += items.length;
  }
  return written;
}
