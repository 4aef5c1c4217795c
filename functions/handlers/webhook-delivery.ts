import { Logger } from '@aws-lambda-powertools/logger';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import type { DynamoDBStreamEvent } from 'aws-lambda';
import { attemptDelivery, deliverDue } from '../domain/webhook-delivery.js';
import { deliveryPorts } from './composition-root.js';

const logger = new Logger({ serviceName: 'marketplace-webhook-delivery' });

type StreamImage = Parameters<typeof unmarshall>[0];

/**
 * Two triggers, one delivery code. The ledger's stream (filtered to delivery records) brings each new or
 * redelivered delivery to both Regions at once: each tries its lease, one sends, within moments of the
 * change. A schedule sweeps what is due later: retries, and deliveries whose lease a dead Region held.
 * Neither logs a secret or a body: only ids, statuses and counts.
 */
export async function handler(event: DynamoDBStreamEvent | { sweep: true }): Promise<{ attempted: number }> {
  const ports = deliveryPorts();
  if ('sweep' in event) {
    // `oldestDueAgeSeconds` feeds the backlog metric (a metric filter on this line).
    const { attempted, oldestDueAgeSeconds } = await deliverDue(ports);
    logger.info('delivery sweep', { attempted, oldestDueAgeSeconds });
    return { attempted };
  }
  let attempted = 0;
  for (const record of event.Records) {
    const image = record.dynamodb?.NewImage
      ? (unmarshall(record.dynamodb.NewImage as StreamImage) as Record<string, unknown>)
      : undefined;
    if (!isDueDelivery(image, ports.now())) continue;
    const delivery = await attemptDelivery(ports, {
      subscriptionId: String(image.subscriptionId),
      eventId: String(image.eventId),
    });
    if (delivery) {
      attempted += 1;
      logger.info('delivery attempt', { eventId: delivery.eventId, status: delivery.status });
    }
  }
  return { attempted };
}

/** A delivery record that is pending, due and not leased: what a stream record should make us try. */
export function isDueDelivery(
  image: Record<string, unknown> | undefined,
  now: Date,
): image is Record<string, unknown> {
  return (
    typeof image?.pk === 'string' &&
    image.pk.startsWith('delivery#') &&
    image.status === 'pending' &&
    typeof image.dueAt === 'string' &&
    image.dueAt <= now.toISOString() &&
    image.leaseToken === undefined
  );
}
