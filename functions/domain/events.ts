/**
 * Events (DESIGN.md §8): every stored change an organisation should hear of becomes one event, derived by
 * the projector from the change's stream record (and by the daily job for the `…_expiring` ones). An event's
 * id names the change (`<entity>:<entityId>:v<version>`), so both Regions, each projecting its own stream,
 * derive the same event with the same id, and a redelivered record derives it again, not a second one.
 */
import { seoulDate } from './selection.js';
import { caseView, contractView, serviceView } from './views.js';
import type { Case, Contract, Service } from './entities.js';

export const eventTypes = [
  'contract.requested',
  'contract.quoted',
  'contract.signed',
  'contract.amended',
  'contract.termination_scheduled',
  'contract.cancelled',
  'contract.completed',
  'contract.terminated',
  'service.submitted',
  'service.under_review',
  'service.listed',
  'service.rejected',
  'service.updated',
  'service.suspended',
  'service.reinstated',
  'service.expired',
  'service.withdrawn',
  'service.selection_expiring',
  'service.csap_expiring',
  'case.opened',
  'case.awarded',
  'case.closed',
] as const;
export type EventType = (typeof eventTypes)[number];

export interface MarketEvent {
  readonly id: string;
  readonly type: EventType;
  readonly at: string;
  readonly entity: string;
  readonly entityId: string;
  readonly version: number;
  /** Every organisation that receives it (administrators see all events besides). */
  readonly orgs: readonly string[];
  /** The resource as of that version. */
  readonly data: Record<string, unknown>;
}

type Resource = Record<string, unknown>;

/** One stored change of an entity, as the projector reads it from a stream record. */
export interface EntityChange {
  readonly entity: string;
  readonly before: Resource | undefined;
  readonly after: Resource;
  readonly at: string;
}

/** Who an event reaches: organisations named on the resource, and maybe a service's contracting agencies. */
export interface Audience {
  readonly orgs: readonly string[];
  /** Also every agency with an `ACTIVE` contract on this service (looked up by the projector). */
  readonly activeAgenciesOfService?: string;
}

interface EventRule {
  /** The event a change makes, if any (a change nobody needs to hear of makes none). */
  readonly type: (change: EntityChange) => EventType | undefined;
  readonly audience: (type: EventType, resource: Resource) => Audience;
  /** The resource's representation, as the API answers it (the stored item as it is, without one). */
  readonly view?: (resource: Resource) => Resource;
}

const statusOf = (resource: Resource | undefined) =>
  typeof resource?.status === 'string' ? resource.status : undefined;
const lengthOf = (value: unknown) => (Array.isArray(value) ? value.length : 0);
const org = (value: unknown) => (typeof value === 'string' && value ? [value] : []);

/** The event a status move makes, else what a change within one status makes. */
function byStatus(
  moves: Readonly<Record<string, EventType | ((before: string | undefined) => EventType | undefined)>>,
  unmoved: (change: EntityChange) => EventType | undefined,
) {
  return (change: EntityChange): EventType | undefined => {
    const before = statusOf(change.before);
    const after = statusOf(change.after);
    if (before === after) return unmoved(change);
    const move = after === undefined ? undefined : moves[after];
    return typeof move === 'function' ? move(before) : move;
  };
}

const SERVICE_AGENCY_TYPES: ReadonlySet<EventType> = new Set([
  'service.updated',
  'service.suspended',
  'service.expired',
]);

/**
 * Entity kind → how its changes become events and who hears of them. A new kind of resource (the
 * procurement case) is one entry here.
 */
export const eventRules: Readonly<Record<string, EventRule>> = {
  contract: {
    type: byStatus(
      {
        REQUESTED: 'contract.requested',
        QUOTED: 'contract.quoted',
        ACTIVE: 'contract.signed',
        CANCELLED: 'contract.cancelled',
        COMPLETED: 'contract.completed',
        TERMINATED: 'contract.terminated',
      },
      ({ before, after }) => {
        if (lengthOf(after.amendments) > lengthOf(before?.amendments)) return 'contract.amended';
        if (after.termination && !before?.termination) return 'contract.termination_scheduled';
        return undefined;
      },
    ),
    audience: (_type, contract) => ({ orgs: [...org(contract.agencyId), ...org(contract.providerId)] }),
    view: (contract) => ({ ...contractView(contract as unknown as Contract) }),
  },
  service: {
    type: byStatus(
      {
        SUBMITTED: 'service.submitted',
        UNDER_REVIEW: 'service.under_review',
        LISTED: (before) => (before === 'SUSPENDED' ? 'service.reinstated' : 'service.listed'),
        REJECTED: 'service.rejected',
        SUSPENDED: 'service.suspended',
        EXPIRED: 'service.expired',
        WITHDRAWN: 'service.withdrawn',
      },
      // A new DRAFT is the provider's own business; every later edit within a status is an update.
      ({ before }) => (before ? 'service.updated' : undefined),
    ),
    audience: (type, service) => ({
      orgs: org(service.providerId),
      ...(SERVICE_AGENCY_TYPES.has(type) ? { activeAgenciesOfService: String(service.id) } : {}),
    }),
    view: (service) => ({ ...serviceView(service as unknown as Service) }),
  },
  case: {
    type: byStatus(
      { OPEN: 'case.opened', AWARDED: 'case.awarded', NO_AWARD: 'case.closed', CANCELLED: 'case.closed' },
      () => undefined,
    ),
    audience: (_type, procurementCase) => ({ orgs: org(procurementCase.agencyId) }),
    // As the API answers it: not the award's or close's pending decision, the saga's own.
    view: (procurementCase) => ({ ...caseView(procurementCase as unknown as Case) }),
  },
};

export const eventId = (entity: string, entityId: string, version: number) =>
  `${entity}:${entityId}:v${version}`;

/** The event one change makes, and who hears of it; undefined when it makes none. */
export function eventOfChange(
  change: EntityChange,
): { event: Omit<MarketEvent, 'orgs'>; audience: Audience } | undefined {
  const rule = eventRules[change.entity];
  const type = rule?.type(change);
  if (!rule || !type) return undefined;
  const entityId = String(change.after.id);
  const version = Number(change.after.version);
  return {
    event: {
      id: eventId(change.entity, entityId, version),
      type,
      at: change.at,
      entity: change.entity,
      entityId,
      version,
      data: rule.view ? rule.view(change.after) : change.after,
    },
    audience: rule.audience(type, change.after),
  };
}

/** Days before a validity date when its owner is told, and the suffix of that event's id. */
export const EXPIRY_NOTICES = [
  { days: 30, suffix: 'expiring-30d' },
  { days: 7, suffix: 'expiring-7d' },
] as const;

const DAY_MS = 86_400_000;

/**
 * The `…_expiring` events a `LISTED` service is due today: for its selection and its CSAP certificate, the
 * nearest notice whose day has come (30 days before, then 7) while the date is still ahead. The id names
 * the date it warns of (a renewed selection is warned of again) and the notice, and `at` is the notice's
 * day, so the daily job in either Region, on any day of the window, makes the same event.
 */
export function expiringEvents(service: Service, now: Date): MarketEvent[] {
  if (service.status !== 'LISTED') return [];
  const today = seoulDate(now);
  const dates = [
    ['selection', service.selection?.validUntil],
    ['csap', service.csap?.validUntil],
  ] as const;
  return dates.flatMap(([what, validUntil]) => {
    if (!validUntil || validUntil <= today) return [];
    const daysLeft = Math.round((Date.parse(validUntil) - Date.parse(today)) / DAY_MS);
    const notice = [...EXPIRY_NOTICES].reverse().find((n) => daysLeft <= n.days);
    if (!notice) return [];
    const noticeDay = new Date(Date.parse(validUntil) - notice.days * DAY_MS).toISOString().slice(0, 10);
    return [
      {
        id: `service:${service.id}:${what}-${validUntil}:${notice.suffix}`,
        type: what === 'selection' ? 'service.selection_expiring' : 'service.csap_expiring',
        // Midnight in Korea, where the validity dates are meant.
        at: new Date(Date.parse(`${noticeDay}T00:00:00+09:00`)).toISOString(),
        entity: 'service',
        entityId: service.id,
        version: service.version,
        orgs: org(service.providerId),
        data: { ...serviceView(service) },
      },
    ];
  });
}

/**
 * The organisations of an event a reader may see: its own and the resource's own parties (a service's
 * provider, a contract's two sides), never which other agencies contract a service.
 */
export function orgsVisibleTo(event: MarketEvent, readerOrg: string | undefined): string[] {
  if (readerOrg === undefined) return [...event.orgs];
  const parties = new Set([...org(event.data.providerId), ...org(event.data.agencyId), readerOrg]);
  return event.orgs.filter((o) => parties.has(o));
}
