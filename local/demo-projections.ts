/**
 * The projector's work for a bulk load, done in memory: the items `Projector.project(records)` leaves in an
 * empty projections table, built with the projector's own item builders, so the loader can write them in
 * bulk instead of waiting for every record to travel the streams. The writes are applied as DynamoDB would
 * apply the projector's (puts replace, `ADD` sums, `if_not_exists` keeps), in the projector's order.
 * test/integration/demo-fast-load.test.ts compares the result item by item with the streams' own.
 *
 * Events are filed as the projector files them, stamped with their change's time rather than the time the
 * projector would have seen it (the feed of a bulk load is in the order its changes were made), and reach
 * the agencies with an `ACTIVE` contract once the load is in, as the projector finds them after it. No
 * subscription exists while the Region loads, so no delivery is opened.
 */
import { acknowledgedEvent } from '../functions/adapters/dynamodb/audit-trail.js';
import { planStatusKey } from '../functions/adapters/dynamodb/entity-store.js';
import {
  agenciesOf,
  derivedEvent,
  feedEntries,
  filedEventItem,
  recipients,
  servicePlanItems,
} from '../functions/adapters/dynamodb/event-projection.js';
import {
  agencySignedCountKey,
  contributionKey,
  servicePlansPartition,
  statsTotalsKey,
} from '../functions/adapters/dynamodb/projection-keys.js';
import {
  auditEvent,
  type ChangeRecord,
  differences,
  freshContributions,
  historyItem,
  type Image,
  moveAgencyCounts,
  netChanges,
  pendingContributions,
  searchWrites,
} from '../functions/adapters/dynamodb/projector.js';

type Key = { pk: string; sk: string };

export async function projectInMemory(records: readonly ChangeRecord[]): Promise<Image[]> {
  const items = new Map<string, Image>();
  const id = (key: Key) => `${key.pk}\n${key.sk}`;
  const put = (item: Image) => items.set(id(item as Key), item);
  const byPk = (keys: readonly Key[]) =>
    new Map(keys.flatMap((key) => (items.has(id(key)) ? [[key.pk, items.get(id(key)) as Image]] : [])));
  /** `ADD name :n` for every non-zero n, as `totalsUpdate` and `facetUpdate` write them. */
  const add = (key: Key, deltas: ReadonlyMap<string, number>) => {
    const moved = [...deltas].filter(([, n]) => n !== 0);
    if (moved.length === 0) return;
    const item = { ...key, ...items.get(id(key)) } as Record<string, unknown>;
    for (const [name, n] of moved) item[name] = Number(item[name] ?? 0) + n;
    put(item);
  };
  const net = netChanges(records);

  const { puts, deletes } = searchWrites(net);
  for (const key of deletes) items.delete(id(key));
  for (const posting of puts) put(posting);

  const pending = pendingContributions(net);
  const stored = byPk(pending.map((c) => contributionKey(c.itemKey)));
  const fresh = freshContributions(pending, stored);
  const { totals, agencyDeltas, facetDeltas } = differences(fresh, stored);
  const agencyIds = [...agencyDeltas].filter(([, d]) => d !== 0).map(([agency]) => agency);
  const moves = moveAgencyCounts(agencyIds, agencyDeltas, byPk(agencyIds.map(agencySignedCountKey)), totals);
  for (const c of fresh) put({ ...contributionKey(c.itemKey), version: c.version, ...c.contribution });
  for (const move of moves) put({ ...agencySignedCountKey(move.id), signed: move.after });
  add(statsTotalsKey, totals);
  for (const [pk, cells] of facetDeltas) add({ pk, sk: 'facets' }, cells);

  for (const record of records) {
    const event = auditEvent(record);
    if (!event) continue;
    const before = items.get(id(event as Key));
    put({
      ...before,
      ...event,
      acknowledged: before && 'acknowledged' in before ? before.acknowledged : null,
      ackState: before?.ackState ?? 'pending',
    });
  }
  for (const record of records) {
    const item = historyItem(record);
    if (item) put(item);
  }
  for (const record of records) {
    const image = record.newImage;
    if (!record.key.pk.startsWith('ack#') || !image) continue;
    const marked = acknowledgedEvent(String(image.eventId), { by: String(image.by), at: String(image.at) });
    if (!marked) continue;
    const { key, ...fields } = marked;
    put({ ...key, ...items.get(id(key)), ...fields });
  }

  const plansOf = new Map<string, string[]>();
  for (const item of servicePlanItems(records)) {
    put(item);
    plansOf.set(String(item.pk), [...(plansOf.get(String(item.pk)) ?? []), String(item.planId)]);
  }
  const activeAgencies = new Map<string, string[]>();
  for (const { after } of net) {
    if (after?.entityKind !== 'contract' || after.status !== 'ACTIVE') continue;
    const agencies = activeAgencies.get(String(after.planStatus)) ?? [];
    activeAgencies.set(String(after.planStatus), [...agencies, String(after.agencyId)]);
  }
  for (const record of records) {
    const derived = derivedEvent(record);
    if (!derived) continue;
    const serviceId = derived.audience.activeAgenciesOfService;
    const planIds = serviceId ? (plansOf.get(servicePlansPartition(serviceId)) ?? []) : [];
    const agencies = await agenciesOf(
      derived.audience,
      planIds,
      async (service, plan) => activeAgencies.get(planStatusKey(service, plan, 'ACTIVE')) ?? [],
    );
    const event = { ...derived.event, orgs: recipients(derived.audience, agencies) };
    put(filedEventItem(event, event.at));
    for (const entry of feedEntries(event, event.at)) put(entry);
  }
  return [...items.values()];
}
