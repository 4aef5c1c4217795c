/**
 * The composition root: the one place that wires the domain to its adapters (DynamoDB). ApiPorts on first use, then reused for the container's life.
 */
import { DynamoAuditTrail } from '../adapters/dynamodb/audit-trail.js';
import {
  currentRegion,
  DYNAMODB_BACKGROUND_ATTEMPT_TIMEOUT_MS,
  documentClient,
} from '../adapters/dynamodb/client.js';
import { DynamoEntityStore } from '../adapters/dynamodb/entity-store.js';
import { DynamoHealthProbe } from '../adapters/dynamodb/health-probe.js';
import { DynamoLedger } from '../adapters/dynamodb/ledger.js';
import { DynamoFacetCounts, DynamoSearchIndex } from '../adapters/dynamodb/search-index.js';
import { DynamoServiceHistory } from '../adapters/dynamodb/service-history.js';
import { dryRunDeps } from '../domain/dry-run.js';
import { DynamoStatistics } from '../adapters/dynamodb/stats-store.js';
import { type Deps, defaultProcurementPolicy, type ProcurementPolicy } from '../domain/ports.js';
import { isDryRun, remainingMs } from '../request-context.js';
import { DynamoEventFeed } from '../adapters/dynamodb/event-feed.js';
import { DynamoWebhookStore } from '../adapters/dynamodb/webhook-store.js';
import { checkWebhookUrl, HttpWebhookSender } from '../adapters/webhook-http.js';
import type { EventDeps } from '../domain/event-ports.js';
import type { DeliveryPorts } from '../domain/webhook-delivery.js';

export type ApiPorts = Deps & { statistics: DynamoStatistics; health: DynamoHealthProbe };
let built: ApiPorts | undefined;
let dry: ApiPorts | undefined;

/**
 * The domain's ports, backed by this Region's DynamoDB tables; during a dry run (`?dryRun=true`), the same
 * ports with every write replaced by the read that tells what it would do.
 */
export function deps(): ApiPorts {
  const real = realDeps();
  if (!isDryRun()) return real;
  dry ??= { ...real, ...dryRunDeps(real) };
  return dry;
}

function realDeps(): ApiPorts {
  if (built === undefined) {
    const db = documentClient();
    built = {
      entities: new DynamoEntityStore(db),
      search: new DynamoSearchIndex(db),
      ledger: new DynamoLedger(db),
      audit: new DynamoAuditTrail(db),
      history: new DynamoServiceHistory(db),
      facets: new DynamoFacetCounts(db),
      statistics: new DynamoStatistics(db),
      health: new DynamoHealthProbe(db),
      now: () => new Date(),
      policy: procurementPolicy(),
      remainingMs,
    };
  }
  return built;
}

/** The configured procurement rules (`AMENDMENT_LIMIT_PERCENT`, `TERMINATION_NOTICE_DAYS`), else the defaults. */
function procurementPolicy(): ProcurementPolicy {
  const configured = (name: string, fallback: number) => {
    const value = Number(process.env[name]);
    return process.env[name] && Number.isFinite(value) && value >= 0 ? value : fallback;
  };
  return {
    amendmentLimitPercent: configured(
      'AMENDMENT_LIMIT_PERCENT',
      defaultProcurementPolicy.amendmentLimitPercent,
    ),
    terminationNoticeDays: configured(
      'TERMINATION_NOTICE_DAYS',
      defaultProcurementPolicy.terminationNoticeDays,
    ),
  };
}

let events: EventDeps | undefined;

/** The event feed's and the webhooks' ports (a dry run is decided in their use cases, which write last). */
export function eventDeps(): EventDeps {
  if (events === undefined) {
    const db = documentClient();
    const webhooks = new DynamoWebhookStore(db);
    events = {
      feed: new DynamoEventFeed(db, webhooks),
      webhooks,
      refusedUrl: checkWebhookUrl,
      region: currentRegion(),
      now: () => new Date(),
    };
  }
  return events;
}

let delivery: DeliveryPorts | undefined;

/** What the delivery function sends with: off the request path, so its store calls take background limits. */
export function deliveryPorts(): DeliveryPorts {
  if (delivery === undefined) {
    const db = documentClient(DYNAMODB_BACKGROUND_ATTEMPT_TIMEOUT_MS);
    const webhooks = new DynamoWebhookStore(db);
    delivery = {
      webhooks,
      feed: new DynamoEventFeed(db, webhooks),
      sender: new HttpWebhookSender(),
      region: currentRegion(),
      now: () => new Date(),
      random: Math.random,
    };
  }
  return delivery;
}
