/**
 * A service's history: every version it ever had, each with the RFC 6902 `changes` from the one before,
 * and reverts that write a new version with an older content. Nothing is rewritten or deleted: each version
 * is projected once per Region from the stream record of the write that made it (see `projector.ts`).
 */
import * as z from 'zod/mini';
import { type Caller, requireUser, type User } from './caller.js';
import { decodeCursor, encodeCursor } from './cursor.js';
import { forbidden, invalid, notFound } from './errors.js';
import type { PatchOperation } from './json-patch.js';
import type { Deps, Page, ServiceVersion } from './ports.js';
import { getService, serviceTransitionRule } from './service.js';
import type { Changed, ChangeRequest } from './transition.js';
import { lazySchema, pageQuery, parseInput } from './validation.js';
import type { ServiceStatus } from './vocabulary.js';
import type { Service } from './entities.js';

/** The fields a revert restores: what a provider describes, never state, selection or ownership. */
const REVERTED = ['name', 'summary', 'category', 'ai', 'networks', 'csap', 'plans'] as const;

export interface VersionEntry {
  readonly version: number;
  readonly at: string;
  readonly actor: ServiceVersion['actor'];
  readonly action: string;
  readonly status: ServiceStatus;
  readonly changes: readonly PatchOperation[];
}

export const versionListQuery = lazySchema(() => z.strictObject({ ...pageQuery() }));

/**
 * Newest first, visible to whoever may see the service: one query of the service's own history partition,
 * whose cost depends on the page size, never on how long the history is. The history is projected from
 * the catalog's stream, so the newest version shows up there a moment (the projection delay) after the
 * write that made it.
 */
export async function listVersions(
  deps: Deps,
  caller: Caller,
  serviceId: string,
  query: Record<string, string | undefined>,
): Promise<Page<VersionEntry>> {
  const { limit, cursor } = parseInput(versionListQuery, query, 'query');
  await getService(deps, caller, serviceId);
  const queryKey = `versions#${serviceId}`;
  const before = cursor === undefined ? undefined : Number(decodeCursor(cursor, queryKey));
  // One more than the page, to know whether another page follows.
  const read = await deps.history.list(serviceId, limit + 1, before);
  const page = read.slice(0, limit);
  const items = page.map((entry) => ({
    version: entry.version,
    at: entry.at,
    actor: entry.actor,
    action: entry.action,
    status: entry.service.status,
    changes: entry.changes,
  }));
  const last = page.at(-1);
  const more = read.length > limit && last !== undefined;
  return { items, next: more ? encodeCursor(String(last.version), queryKey) : null };
}

export const versionNumber = lazySchema(() =>
  z.coerce.number().check(z.int(), z.minimum(1), z.maximum(1_000_000_000)),
);

/** The service exactly as it was at `version`. */
export async function getVersion(
  deps: Deps,
  caller: Caller,
  serviceId: string,
  version: string,
): Promise<Service> {
  const number = parseVersion(version);
  await getService(deps, caller, serviceId);
  const found = await deps.history.get(serviceId, number);
  if (!found) throw notFound(`Version ${number} of service ${serviceId}`);
  return found;
}

function parseVersion(value: string): number {
  const result = versionNumber().safeParse(value);
  if (!result.success)
    throw invalid('The version is not valid.', [
      { path: '/version', message: 'A version number, 1 or more.' },
    ]);
  return result.data;
}

export const revertInput = lazySchema(() =>
  z.strictObject({
    toVersion: z.int().check(z.minimum(1), z.maximum(1_000_000_000)),
  }),
);

const terminal: readonly ServiceStatus[] = ['REJECTED', 'EXPIRED', 'WITHDRAWN'];

/**
 * A new version whose content equals `toVersion`'s; status and selection stay as they are. Administrators
 * may revert any service that is not in a final state; its provider only while it is a `DRAFT`.
 */
export async function revertService(
  deps: Deps,
  caller: Caller,
  id: string,
  request: ChangeRequest,
): Promise<Changed<Service>> {
  const { toVersion } = parseInput(revertInput, request.body, 'revert');
  requireUser(caller);
  const target = await deps.history.get(id, toVersion);
  return serviceTransitionRule(deps, caller, id, request, {
    action: 'revert',
    allowed: ['DRAFT', 'SUBMITTED', 'UNDER_REVIEW', 'LISTED', 'SUSPENDED'].filter(
      (s) => !terminal.includes(s as ServiceStatus),
    ),
    authorize: (who, service) => mayRevert(who, service),
    apply: (service) => {
      if (!target) throw notFound(`Version ${toVersion} of service ${id}`);
      const restored = Object.fromEntries(REVERTED.map((field) => [field, target[field]]));
      return { ...service, ...restored };
    },
  });
}

function mayRevert(caller: Caller, service: Service): User {
  const user = requireUser(caller);
  if (user.role === 'admin') return user;
  if (user.role === 'provider' && user.org === service.providerId) {
    if (service.status === 'DRAFT') return user;
    throw forbidden('A provider may revert its service only while it is a DRAFT; ask an administrator.');
  }
  throw forbidden('Only administrators, or the owning provider of a DRAFT, may revert a service.');
}
