import { ResourceNotFoundException } from '@aws-sdk/client-dynamodb';
import { type DynamoDBDocumentClient, GetCommand } from '@aws-sdk/lib-dynamodb';
import type { HealthCheck, HealthProbe } from '../../domain/ports.js';
import { tableName } from './client.js';
import { regionLoadingKey } from './projection-keys.js';
import { type TableId, tables } from './tables.js';

/**
 * Each probe's own limit, matched to the per-attempt limit of API calls: a store slower than this cannot
 * serve requests within their deadline either, so the Region should leave DNS rather than time them out.
 */
const PROBE_TIMEOUT_MS = 1000;

/**
 * A deep check: one strongly consistent read of each table through this Region's endpoint, each with
 * its own deadline, so Route 53 fails the Region over when its store stops answering (or, for the MRSC
 * ledger, when the Region is cut off from its quorum). A table that does not exist yet, or the loading
 * marker (present while the Region loads the data it serves: a restore, or locally the demo data and its
 * projections), means the Region is starting rather than broken, so no router sends it traffic yet.
 */
export class DynamoHealthProbe implements HealthProbe {
  constructor(private readonly db: DynamoDBDocumentClient) {}

  async check() {
    const ids = Object.keys(tables) as TableId[];
    const results = await Promise.all(ids.map((id) => this.probe(id)));
    return Object.fromEntries(ids.map((id, i) => [id, results[i] as HealthCheck]));
  }

  private async probe(id: TableId): Promise<HealthCheck> {
    const started = performance.now();
    const latencyMs = () => Math.round(performance.now() - started);
    try {
      const { Item } = await this.db.send(
        new GetCommand({
          TableName: tableName(id),
          Key: id === 'projections' ? regionLoadingKey : { pk: 'health', sk: 'health' },
          ConsistentRead: true,
        }),
        { abortSignal: AbortSignal.timeout(PROBE_TIMEOUT_MS) },
      );
      return Item
        ? { ok: false, starting: true, latencyMs: latencyMs() }
        : { ok: true, latencyMs: latencyMs() };
    } catch (error) {
      const missing = error instanceof ResourceNotFoundException;
      return {
        ok: false,
        latencyMs: latencyMs(),
        ...(missing ? { starting: true } : {}),
        error: (error as Error).name || 'Error',
      };
    }
  }
}
