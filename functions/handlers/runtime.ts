import { documentClient } from '../adapters/dynamodb/client.js';
import { DynamoAuditTrail } from '../adapters/dynamodb/audit-trail.js';
import { DynamoEntityStore } from '../adapters/dynamodb/entity-store.js';
import { DynamoHealthProbe } from '../adapters/dynamodb/health-probe.js';
import { DynamoLedger } from '../adapters/dynamodb/ledger.js';
import { DynamoSearchIndex } from '../adapters/dynamodb/search-index.js';
import { DynamoStatistics } from '../adapters/dynamodb/stats-store.js';
import type { Deps } from '../domain/ports.js';
import { remainingMs } from '../request-deadline.js';

/** Composition root shared by the handlers: built on first use, then reused for the container's life. */
let built: (Deps & { statistics: DynamoStatistics; health: DynamoHealthProbe }) | undefined;

export function runtime() {
  if (built === undefined) {
    const db = documentClient();
    built = {
      entities: new DynamoEntityStore(db),
      search: new DynamoSearchIndex(db),
      ledger: new DynamoLedger(db),
      audit: new DynamoAuditTrail(db),
      statistics: new DynamoStatistics(db),
      health: new DynamoHealthProbe(db),
      now: () => new Date(),
      remainingMs,
    };
  }
  return built;
}
