import { type DynamoDBDocumentClient, GetCommand } from '@aws-sdk/lib-dynamodb';
import type { HealthProbe } from '../../domain/ports.js';
import { tableName } from './client.js';
import { type TableId, tables } from './tables.js';

const PROBE_TIMEOUT_MS = 2000;

/**
 * A deep check: one strongly consistent read of each table through this Region's endpoint, each with
 * its own deadline, so Route 53 fails the Region over when its store stops answering.
 */
export class DynamoHealthProbe implements HealthProbe {
  constructor(private readonly db: DynamoDBDocumentClient) {}

  async check() {
    const ids = Object.keys(tables) as TableId[];
    const results = await Promise.all(ids.map((id) => this.probe(id)));
    return Object.fromEntries(ids.map((id, i) => [id, results[i] ?? { ok: false, latencyMs: 0 }]));
  }

  private async probe(id: TableId) {
    const started = performance.now();
    try {
      await this.db.send(
        new GetCommand({
          TableName: tableName(id),
          Key: { pk: 'health', sk: 'health' },
          ConsistentRead: true,
        }),
        { abortSignal: AbortSignal.timeout(PROBE_TIMEOUT_MS) },
      );
      return { ok: true, latencyMs: Math.round(performance.now() - started) };
    } catch (error) {
      return {
        ok: false,
        latencyMs: Math.round(performance.now() - started),
        error: (error as Error).name || 'Error',
      };
    }
  }
}
