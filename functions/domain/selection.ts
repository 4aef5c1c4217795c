/**
 * Selection validity: when a LISTED service's selection lapses (on the Korean calendar) and the sweep that
 * writes it back. Kept apart from the service's input schemas so the scheduled sweep bundles none of them.
 */
import type { User } from './caller.js';
import type { Deps } from './ports.js';
import { postingPartition } from './search.js';
import type { ServiceStatus } from './vocabulary.js';
import type { Service } from './entities.js';

/** `LISTED` whose selection validity has passed reads as `EXPIRED`, and cannot be contracted. */
export function effectiveStatus(service: Service, now: Date): ServiceStatus {
  if (service.status === 'LISTED' && service.selection && service.selection.validUntil < seoulDate(now)) {
    return 'EXPIRED';
  }
  return service.status;
}

/** Calendar date in Korea (UTC+9, no daylight saving), which is what selection validity dates mean. */
export function seoulDate(now: Date): string {
  const seoulMs = now.getTime() + 9 * 3_600_000;
  // Every read of a service asks; the answer changes once a day.
  const day = Math.floor(seoulMs / 86_400_000);
  if (day !== lastSeoulDay.day) lastSeoulDay = { day, date: new Date(seoulMs).toISOString().slice(0, 10) };
  return lastSeoulDay.date;
}

let lastSeoulDay = { day: Number.NaN, date: '' };

/** The actor scheduled work writes as, so the audit trail says who changed what. */
export const selectionExpiryActor: User = { kind: 'user', sub: 'system:selection-expiry', role: 'admin' };

/**
 * Writes `LISTED → EXPIRED` for services whose selection validity has passed (reads already show them as
 * EXPIRED; this makes postings and statistics follow). It walks the listed postings once, off the request
 * path, and each change is one conditional write on the version read, so a run repeated or racing the same
 * run in the other Region changes each service once.
 */
export async function expireSelections(deps: Deps, now: Date): Promise<number> {
  let expired = 0;
  for await (const service of listedServices(deps)) {
    if (service.status !== 'LISTED' || effectiveStatus(service, now) !== 'EXPIRED') continue;
    const next: Service = {
      ...service,
      status: 'EXPIRED',
      updatedAt: now.toISOString(),
      version: service.version + 1,
    };
    const result = await deps.entities.update('service', next, {
      actor: selectionExpiryActor,
      action: 'expire',
    });
    if (result.outcome === 'updated') expired += 1;
  }
  return expired;
}

/** Every service in the listed postings, a page at a time (the daily job's walk). */
export async function* listedServices(deps: Deps): AsyncGenerator<Service> {
  let after: string | undefined;
  do {
    const page = await deps.search.queryPostings({
      term: postingPartition('LISTED', 'all'),
      filters: {},
      limit: 100,
      ...(after === undefined ? {} : { after }),
    });
    yield* await deps.entities.getMany<Service>('service', page.ids);
    after = page.lastSortKey ?? undefined;
  } while (after !== undefined);
}
