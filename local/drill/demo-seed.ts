/**
 * The demo data set as the drill's Regions hold it before a fire: all of it (seed scale), or a share of it
 * for short drills and tests, loaded by the ordinary demo loader straight into each Region's store (as
 * if it had been written in one Region and replicated) with the projections each Region's projector
 * would have made of it, so the Regions start their pollers from the latest records.
 */
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { type DemoData, generateDemoData } from '../demo-data.js';
import { loadDemoData } from '../demo-load.js';
import { tableEnvironment } from '../tables.js';

/**
 * A consistent share of the data: the first services with their edits and acknowledgements, the first
 * contracts, the agencies those contracts name and those agencies' cases whose contracts are among them;
 * every provider (each is one small item).
 */
export function sampleDemoData(data: DemoData, share: number): DemoData {
  if (share >= 1) return data;
  const take = <T>(items: readonly T[]) => items.slice(0, Math.max(1, Math.round(items.length * share)));
  const services = take(data.services);
  const serviceIds = new Set(services.map((s) => s.id));
  const serviceEdits = data.serviceEdits.filter((e) => serviceIds.has(e.serviceId));
  const editEvents = new Set(
    serviceEdits.flatMap((e) => e.versions.map((v) => `service:${v.id}:v${v.version}`)),
  );
  const contracts = take(data.contracts);
  const agencyIds = new Set(contracts.map((c) => c.agencyId));
  const contractIds = new Set(contracts.map((c) => c.id));
  const cases = data.cases.filter(
    (k) => agencyIds.has(k.agencyId) && k.contractIds.every((id) => contractIds.has(id)),
  );
  const caseIds = new Set(cases.map((k) => k.id));
  return {
    providers: data.providers,
    agencies: data.agencies.filter((a) => agencyIds.has(a.id)),
    services,
    contracts,
    reviewSessions: [],
    serviceEdits,
    acknowledgements: data.acknowledgements.filter((a) => editEvents.has(a.eventId)),
    cases,
    snapshots: data.snapshots.filter((s) => caseIds.has(s.caseId)),
  };
}

/**
 * Loads the same items and their projections into every store given, in parallel. `region` is the one
 * recorded as where the changes were made.
 */
export async function loadDemoStores(
  clients: readonly DynamoDBClient[],
  options: { share: number; region: string; tablePrefix: string },
): Promise<DemoData> {
  // The loader finds its tables through the environment, as the functions do.
  Object.assign(process.env, tableEnvironment(options.tablePrefix));
  const data = sampleDemoData(generateDemoData({ now: new Date() }), options.share);
  await Promise.all(clients.map((client) => loadDemoData({ client, region: options.region }, data)));
  return data;
}
