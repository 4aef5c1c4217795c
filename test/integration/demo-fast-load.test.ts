import { ScanCommand } from '@aws-sdk/client-dynamodb';
import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import { describe, expect, it } from 'vitest';
import { documentClient, tableName } from '../../functions/adapters/dynamodb/client.js';
import { tableList } from '../../functions/adapters/dynamodb/tables.js';
import type { ReviewSession } from '../../functions/domain/entities.js';
import { caseStatuses } from '../../functions/domain/vocabulary.js';
import { type DemoData, generateDemoData } from '../../local/demo-data.js';
import { demoChangeRecords, loadDemoData } from '../../local/demo-load.js';
import { createAgency } from '../support/fixtures.js';
import { startTestApi, type TestApi } from '../support/local-api.js';

/**
 * A small seed cut from the demo data: a few edited services (with their acknowledgements), services of
 * other statuses, their contracts, a case in each state with its snapshots and contracts, contracts
 * amended, renewed (with their renewals) and with a termination scheduled, the providers and agencies
 * all these name, and two review sessions.
 */
function smallSeed(data: DemoData): DemoData {
  const edits = data.serviceEdits.slice(0, 3);
  const editedIds = new Set(edits.map((e) => e.serviceId));
  const cases = caseStatuses.flatMap((status) => {
    const inState = data.cases.filter((k) => k.status === status);
    return inState.find((k) => k.contractIds.length > 0) ?? inState.slice(0, 1);
  });
  const caseContracts = new Set(cases.flatMap((k) => k.contractIds));
  const renewals = data.contracts.filter((c) => c.renewalOf !== null).slice(0, 2);
  const renewed = new Set(renewals.map((c) => c.renewalOf));
  const afterSigning = [
    ...data.contracts.filter((c) => c.amendments.length > 0).slice(0, 2),
    ...data.contracts.filter((c) => c.termination !== null).slice(0, 2),
    ...data.contracts.filter((c) => renewed.has(c.id)),
    ...renewals,
  ];
  const services = [
    ...data.services.filter((s) => editedIds.has(s.id)),
    ...data.services.filter((s) => !editedIds.has(s.id) && s.status === 'LISTED').slice(0, 8),
    ...data.services.filter((s) => s.status !== 'LISTED').slice(0, 8),
  ];
  const serviceIds = new Set(services.map((s) => s.id));
  const picked = new Set([...caseContracts, ...afterSigning.map((c) => c.id)]);
  const contracts = [
    ...data.contracts.filter((c) => serviceIds.has(c.serviceId) && !picked.has(c.id)).slice(0, 40),
    ...data.contracts.filter((c) => picked.has(c.id)),
  ];
  const more = new Set(contracts.map((c) => c.serviceId).filter((id) => !serviceIds.has(id)));
  const allServices = [...services, ...data.services.filter((s) => more.has(s.id))];
  const agencyIds = new Set([...contracts.map((c) => c.agencyId), ...cases.map((k) => k.agencyId)]);
  const providerIds = new Set(allServices.map((s) => s.providerId));
  const eventIds = new Set(edits.flatMap((e) => e.versions.map((v) => `service:${v.id}:v${v.version}`)));
  const caseIds = new Set(cases.map((k) => k.id));
  return {
    providers: data.providers.filter((p) => providerIds.has(p.id)),
    agencies: [...data.agencies.filter((a) => agencyIds.has(a.id)), ...data.agencies.slice(0, 2)],
    services: allServices,
    contracts,
    reviewSessions: [data.reviewSessions[0], data.reviewSessions.at(-1)].filter(
      (r): r is ReviewSession => r !== undefined,
    ),
    serviceEdits: edits,
    acknowledgements: data.acknowledgements.filter((a) => eventIds.has(a.eventId)),
    cases,
    snapshots: data.snapshots.filter((s) => caseIds.has(s.caseId)),
  };
}

/**
 * An event's filing stamp (and the feed position it gives) is when the Region filed it: the projector's
 * time of arrival, the load's the change's own time. Everything else of it must match.
 */
function withoutFilingTime(item: Record<string, unknown>): Record<string, unknown> {
  if (String(item.pk).startsWith('event#')) return { ...item, stamp: '<filed>' };
  if (String(item.pk).startsWith('eventfeed#')) {
    return { ...item, sk: `<filed>${String(item.sk).slice(String(item.sk).indexOf('#'))}` };
  }
  return item;
}

/** Every item of every table of the Region, by table id and key (filing times left out, see above). */
async function tablesOf(api: TestApi): Promise<Map<string, Record<string, unknown>>> {
  const items = new Map<string, Record<string, unknown>>();
  for (const spec of tableList) {
    let ExclusiveStartKey: Record<string, any> | undefined;
    do {
      const page = await api.region.client.send(
        new ScanCommand({ TableName: tableName(spec.id), ExclusiveStartKey }),
      );
      for (const raw of page.Items ?? []) {
        const item = withoutFilingTime(unmarshall(raw));
        items.set(`${spec.id} ${item.pk} ${item.sk}`, item);
      }
      ExclusiveStartKey = page.LastEvaluatedKey;
    } while (ExclusiveStartKey);
  }
  return items;
}

describe('the fast demo loader', () => {
  it(
    'writes exactly the items that the writes themselves, projected through the streams, leave',
    {
      timeout: 180_000,
    },
    async () => {
      const seed = smallSeed(generateDemoData({ now: new Date('2026-03-02T03:00:00Z'), seed: 11 }));
      expect(seed.serviceEdits.length).toBeGreaterThan(0);
      expect(seed.acknowledgements.length).toBeGreaterThan(0);
      expect(new Set(seed.contracts.map((c) => c.status)).size).toBeGreaterThan(2);
      expect(new Set(seed.cases.map((k) => k.status))).toEqual(new Set(caseStatuses));
      expect(seed.snapshots.length).toBeGreaterThan(0);
      expect(new Set(seed.contracts.map((c) => c.cancelReason))).toEqual(
        new Set([null, 'NOT_CHOSEN', 'CASE_CLOSED']),
      );
      expect(seed.contracts.filter((c) => c.amendments.length > 0)).toHaveLength(2);
      expect(seed.contracts.filter((c) => c.termination !== null)).toHaveLength(2);
      expect(seed.contracts.filter((c) => c.renewalOf !== null)).toHaveLength(2);

      // The reference: each write stored on its own, in order, as the entity store makes it; the table
      // streams carry them to the projector, as in a Region in use. The projector takes them up once all
      // are stored, as after a load, so its events reach the agencies whose contracts are ACTIVE by then.
      const streamed = await startTestApi();
      let reference: Map<string, Record<string, unknown>>;
      try {
        const db = documentClient();
        await streamed.region.poller.pause();
        for (const { table, record } of demoChangeRecords(seed, streamed.region.region)) {
          await db.send(new PutCommand({ TableName: tableName(table), Item: record.newImage }));
        }
        streamed.region.poller.resume();
        await streamed.settle();
        reference = await tablesOf(streamed);
      } finally {
        await streamed.stop();
      }

      // As `npm start`'s first start: into tables without indexes and streams, which it adds after.
      const loaded = await startTestApi({ loading: true, bareTablesForLoad: true });
      try {
        const written = await loadDemoData(loaded.region, seed);
        await loaded.region.markReady();
        const fast = await tablesOf(loaded);
        expect(written).toBe(fast.size);
        expect([...fast.keys()].sort()).toEqual([...reference.keys()].sort());
        for (const [key, item] of reference) expect({ key, item: fast.get(key) }).toEqual({ key, item });
        expect([...reference.keys()].some((key) => key.startsWith('projections history#'))).toBe(true);
        expect([...reference.keys()].some((key) => key.startsWith('projections facets#'))).toBe(true);
        expect([...reference.keys()].some((key) => key.startsWith('projections eventfeed#'))).toBe(true);

        // Nothing of the load is projected again from the streams afterwards.
        await loaded.settle();
        expect(await tablesOf(loaded)).toEqual(fast);

        // The Region serves from its indexes, and projects what is written from now on.
        const health = await loaded.call('GET', '/health');
        expect(health.status).toBe(200);
        const admin = await loaded.call('GET', '/v1/audit?limit=100', { token: await loaded.token('admin') });
        expect(admin.status).toBe(200);
        const seededEvents = admin.body.items.length;
        expect(seededEvents).toBeGreaterThan(0);
        const agencyId = await createAgency(loaded, '9990001');
        await loaded.settle();
        const after = await loaded.call('GET', '/v1/audit?limit=100', { token: await loaded.token('admin') });
        expect(after.body.items.map((event: { entityId: string }) => event.entityId)).toContain(agencyId);
      } finally {
        await loaded.stop();
      }
    },
  );
});
