import type { User } from './caller.js';
import type { Case, Contract, Entity, Service } from './entities.js';
import type { PatchOperation } from './json-patch.js';

export type EntityKind = 'provider' | 'agency' | 'service' | 'review' | 'contract' | 'case' | 'snapshot';

/** Who changed an entity and how; the store stamps it on the item so the audit trail can be projected. */
export interface Change {
  readonly actor: User;
  readonly action: string;
  /** The client's key for this change, left on the changed item in the same write. */
  readonly receipt?: ChangeReceipt;
}

/**
 * What a change made with an `Idempotency-Key` leaves on the entity it changed, in the same conditional
 * write (the MRSC ledger has no transactions): a retry with the key finds it and is answered, not re-applied.
 */
export interface ChangeReceipt {
  /** The key in its caller's scope (`idempotencyScope`), so two organisations' keys never meet. */
  readonly key: string;
  readonly action: string;
  /** Fingerprint of the request body, to tell a retry from the key reused with another body. */
  readonly fingerprint: string;
}

/**
 * Appends one element to a list attribute in a conditional write that does not depend on the entity's
 * version, so concurrent appends to one entity (a committee putting dozens of services on one agenda)
 * do not race each other; the version still moves by one per append.
 */
export interface ListAppend {
  readonly kind: EntityKind;
  readonly id: string;
  readonly list: string;
  readonly element: unknown;
  /** Checked against the stored entity when the append applies. */
  readonly requires: {
    readonly status: string;
    /** `value` must (true) or must not (false) already be in the list `list`. */
    readonly membership: { readonly list: string; readonly value: string; readonly present: boolean };
    /** `If-Match`, when the client sent it. */
    readonly version?: number;
  };
}

export interface IdempotentCreate {
  readonly key: string;
  readonly fingerprint: string;
  /**
   * Which attempt wrote the item: a request whose write the store reports as already there wrote it itself
   * (its answer was lost and the client retried) only if this is its own; otherwise a concurrent request
   * with the same key did, and this one is a replay.
   */
  readonly attempt?: string;
}

export interface CreateOptions {
  readonly change: Change;
  readonly idempotency?: IdempotentCreate;
  /** Business keys that must be unique across all entities of the kind, e.g. a registration number. */
  readonly uniqueKeys?: readonly string[];
}

export type CreateResult<T> =
  | { readonly outcome: 'created'; readonly entity: T }
  /** The id was taken: by a create with the same idempotency key, or, for natural ids, by any create. */
  | { readonly outcome: 'exists'; readonly original: T; readonly idempotency: IdempotentCreate | undefined }
  | { readonly outcome: 'duplicate-key'; readonly uniqueKey: string };

export type UpdateResult<T> =
  | { readonly outcome: 'updated'; readonly entity: T }
  | { readonly outcome: 'stale'; readonly current: T | undefined };

/** Source-of-truth entity storage. Implementations make each call one conditional write or read. */
export interface EntityStore {
  create<T extends Entity>(kind: EntityKind, entity: T, options: CreateOptions): Promise<CreateResult<T>>;
  get<T extends Entity>(kind: EntityKind, id: string): Promise<T | undefined>;
  /** The entity, and the receipt its item holds for the scoped key `receiptKey` when one is given. */
  getForChange<T extends Entity>(
    kind: EntityKind,
    id: string,
    options: { readonly receiptKey: string | undefined; readonly consistent: boolean },
  ): Promise<{ entity: T; receipt: ChangeReceipt | undefined } | undefined>;
  /** What a create left behind for replays: its first representation and idempotency key, if any. */
  findCreated<T extends Entity>(
    kind: EntityKind,
    id: string,
  ): Promise<Extract<CreateResult<T>, { outcome: 'exists' }> | undefined>;
  /** Whether a uniqueness guard holds `key` (what a create's guard would find). */
  uniqueKeyTaken(kind: EntityKind, key: string): Promise<boolean>;
  /** Items in the order of `ids`; missing ones are left out. */
  getMany<T extends Entity>(kind: EntityKind, ids: readonly string[]): Promise<T[]>;
  /** Writes `next` only if the stored version is still `next.version - 1`. */
  update<T extends Entity>(kind: EntityKind, next: T, change: Change): Promise<UpdateResult<T>>;
  /**
   * Sets `fields` and moves the version on by one, conditional only on the stored status being one of
   * `statuses`, not on the version: concurrent changes whose rules read nothing but the status all apply,
   * one after another. Answers with the entity as written, or `stale` when the status no longer allows it.
   */
  updateFields<T extends Entity>(
    kind: EntityKind,
    id: string,
    fields: Partial<T>,
    statuses: readonly string[],
    change: Change,
  ): Promise<UpdateResult<T>>;
  /**
   * Writes all or none, each conditional on its previous version, and `append` with them: one
   * transaction. Only for catalog entities (MREC keeps transactions; the MRSC ledger has none). `stale`
   * when any condition failed. The change's receipt goes on the appended entity, else on the first update.
   */
  updateTogether(
    updates: readonly EntityUpdate[],
    change: Change,
    append?: ListAppend,
  ): Promise<'updated' | 'stale'>;
}

export interface EntityUpdate {
  readonly kind: EntityKind;
  readonly next: Entity;
}

/** Contracts of one party, newest first. */
export interface ContractQuery {
  readonly party: 'agency' | 'provider';
  readonly partyId: string;
  readonly status?: string;
  /** Requested at or after this ISO time. */
  readonly since?: string;
  readonly limit: number;
  readonly after?: string;
}

/** Every contract, newest first (an administrator's feed), optionally of one status and since a time. */
export interface ContractFeedQuery {
  readonly status?: string;
  readonly since?: string;
  readonly limit: number;
  readonly after?: string;
}

/** Cases newest first: one agency's, or (without `agencyId`) every case. */
export interface CaseQuery {
  readonly agencyId?: string;
  readonly status?: string;
  readonly limit: number;
  readonly after?: string;
}

export interface Ledger {
  listContracts(query: ContractQuery): Promise<{ items: Contract[]; next: string | null }>;
  listCases(query: CaseQuery): Promise<{ items: Case[]; next: string | null }>;
  /** Cases whose award or close was decided and not yet carried out, for the daily job to finish. */
  casesWithPendingDecision(): Promise<Case[]>;
  /** ACTIVE contracts whose scheduled termination is due at `now`, for the daily job. */
  terminationsDue(now: string): Promise<Contract[]>;
  /** How many contracts of the service were ever signed (ACTIVE, COMPLETED or TERMINATED). */
  signedContractsOf(serviceId: string, planIds: readonly string[]): Promise<number>;
  /** The whole feed, from indexes of its own (never a scan). */
  contractFeed(query: ContractFeedQuery): Promise<{ items: Contract[]; next: string | null }>;
  /** Whether a contract in one of `statuses` uses the plan (an index read per status, never a scan). */
  planInUse(serviceId: string, planId: string, statuses: readonly string[]): Promise<boolean>;
}

/** One stored version of a service: the service exactly as it was, and who made it so. */
export interface ServiceVersion {
  readonly version: number;
  readonly at: string;
  readonly actor: { readonly sub: string; readonly role: string; readonly org?: string };
  readonly action: string;
  /** RFC 6902 patch from the version before (the whole content added, for the first). */
  readonly changes: readonly PatchOperation[];
  readonly service: Service;
}

/**
 * A service's versions, projected from the catalog's stream one item per version (see `projector.ts`);
 * nothing rewrites or deletes them. The version its writer just wrote is seen at once, before the
 * projection has it.
 */
export interface ServiceHistory {
  /** Newest first, older than `before` when given; at most `limit`. */
  list(serviceId: string, limit: number, before?: number): Promise<ServiceVersion[]>;
  /** The service exactly as it was at `version`. */
  get(serviceId: string, version: number): Promise<Service | undefined>;
}

export interface AuditEvent {
  readonly id: string;
  readonly at: string;
  readonly actor: { readonly sub: string; readonly role: string; readonly org?: string };
  readonly entity: string;
  readonly entityId: string;
  readonly action: string;
  readonly fromVersion: number | null;
  readonly toVersion: number;
  readonly region: string;
  /** RFC 6902 patch from the previous version's content; `[]` when only the status moved. */
  readonly changes: readonly PatchOperation[];
  readonly acknowledged: Acknowledgement | null;
}

/** Which administrator reviewed a change, and when. */
export interface Acknowledgement {
  readonly by: string;
  readonly at: string;
}

/** The feed's filters; each query is served from an index, the other filters applied while reading it. */
export interface AuditQuery {
  readonly entity?: string;
  readonly id?: string;
  readonly actor?: string;
  readonly org?: string;
  readonly action?: string;
  readonly acknowledged?: boolean;
  readonly since?: string;
  readonly until?: string;
  readonly limit: number;
  readonly after?: string;
}

export interface AuditTrail {
  /** Events newest first, filtered. */
  query(query: AuditQuery): Promise<{ items: AuditEvent[]; next: string | null }>;
  get(eventId: string): Promise<AuditEvent | undefined>;
  /**
   * Records the acknowledgement unless the event has one: one conditional put into the MRSC ledger, so two
   * administrators in two Regions get one record, and the second is answered with the first.
   */
  acknowledge(eventId: string, acknowledgement: Acknowledgement): Promise<Acknowledgement>;
}

export interface Page<T> {
  readonly items: T[];
  readonly next: string | null;
}

/** One posting-list query: the driving term's postings, filtered, in sort-key order. */
export interface PostingQuery {
  readonly term: string;
  readonly filters: PostingFilters;
  readonly limit: number;
  readonly after?: string;
}

export interface PostingFilters {
  readonly category?: string;
  readonly ai?: boolean;
  readonly network?: string;
  readonly csapGrade?: string;
  readonly providerId?: string;
  /** Every word must occur in the service's normalised name and summary. */
  readonly words?: readonly string[];
}

export interface PostingPage {
  readonly ids: string[];
  /** Sort key of the last posting read, when more may follow. */
  readonly lastSortKey: string | null;
}

export interface SearchIndex {
  queryPostings(query: PostingQuery): Promise<PostingPage>;
  /** Every id of one posting list that passes the filters (text facets only; see `facets.ts`). */
  allPostings(term: string, filters: PostingFilters): Promise<FacetCell[]>;
}

/** One combination of facet values and how many services have it. */
export interface FacetCell {
  readonly category: string;
  readonly ai: boolean;
  readonly networks: readonly string[];
  readonly csapGrade: string;
  readonly count: number;
}

/** Facet counter cells kept by the projector, per status, and per status and provider. */
export interface FacetCounts {
  cells(status: string, providerId?: string): Promise<FacetCell[]>;
}

export interface Statistics {
  read(): Promise<StatsSnapshot>;
}

export interface StatsSnapshot {
  readonly counters: Readonly<Record<string, number>>;
}

export interface HealthCheck {
  /** It answered within its time budget and the Region serves what it checks. */
  readonly ok: boolean;
  /** Not ok because the Region is still coming up (tables being created, data loading), not broken. */
  readonly starting?: boolean;
  readonly latencyMs: number;
  readonly error?: string;
}

export interface HealthProbe {
  /** Each check by name. */
  check(): Promise<Record<string, HealthCheck>>;
}

export interface Deps {
  readonly entities: EntityStore;
  readonly search: SearchIndex;
  readonly ledger: Ledger;
  readonly audit: AuditTrail;
  readonly history: ServiceHistory;
  readonly facets: FacetCounts;
  readonly now: () => Date;
  readonly policy: ProcurementPolicy;
  /** Milliseconds left before the current request must answer (Infinity outside a request). */
  readonly remainingMs: () => number;
}

/** The procurement rules an operator configures (DESIGN.md §7). */
export interface ProcurementPolicy {
  /** An amendment may raise the amount at signature by at most this many percent. */
  readonly amendmentLimitPercent: number;
  /** How far ahead an agency must schedule a termination. */
  readonly terminationNoticeDays: number;
}

export const defaultProcurementPolicy: ProcurementPolicy = {
  amendmentLimitPercent: 10,
  terminationNoticeDays: 30,
};
