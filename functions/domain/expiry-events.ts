import type { EventFeed } from './event-ports.js';
import { expiringEvents } from './events.js';
import type { Deps } from './ports.js';
import { listedServices } from './selection.js';

/**
 * The daily job's `service.selection_expiring` and `service.csap_expiring` events: for every listed service
 * whose selection or CSAP certificate ends within a notice period. Their ids are fixed by the date and the
 * notice, so running again, or in the other Region, files nothing new.
 */
export async function announceExpiring(deps: Deps, feed: EventFeed, now: Date): Promise<number> {
  let announced = 0;
  for await (const service of listedServices(deps)) {
    const events = expiringEvents(service, now);
    await feed.publish(events);
    announced += events.length;
  }
  return announced;
}
