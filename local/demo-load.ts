import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { batchWrite } from '../functions/adapters/dynamodb/batch.js';
import { acknowledgementKey } from '../functions/adapters/dynamodb/projection-keys.js';
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
  // Then the listed services' later versions, one write each in order, as their providers made them: the
  // stream carries each, so the history, the audit feed and the facet counts follow as they do in use.
  for (const { versions } of data.serviceEdits) {
    for (const version of versions) {
      const change: StoredChange = {
        actor: { sub: `demo-provider-${version.providerId}`, role: 'provider', org: version.providerId },
        action: 'update',
        at: version.updatedAt,
        region,
      };
      await db.send(
        new PutCommand({ TableName: tableName('catalog'), Item: entityItem('service', version, change) }),
      );
      written += 1;
    }
  }
  for (const acknowledgement of data.acknowledgements) {
    await db.send(
      new PutCommand({
        TableName: tableName('ledger'),
        Item: { ...acknowledgementKey(acknowledgement.eventId), ...acknowledgement },
      }),
    );
    written += 1;
  }
  return written;
}
