import type { User } from './caller.js';
import type { Contract } from './contract.js';

/** What every stored entity carries. */
export interface Entity {
  readonly id: string;
  readonly version: number;
  readonly createdAt: string;
}

export type EntityKind = 'provider' | 'agency' | 'service' | 'review' | 'contract';

/** Who changed an entity and how; the store stamps it on the item so the audit trail can be projected. */
export interface Change {
  readonly actor: User;
  readonly action: string;
}

export interface IdempotentCreate {
  readonly key: string;
  readonly fingerprint: string;
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
  /** What a create left behind for replays: its first representation and idempotency key, if any. */
  findCreated<T extends Entity>(
    kind: EntityKind,
    id: string,
  ): Promise<Extract<CreateResult<T>, { outcome: 'exists' }> | undefined>;
  /** Items in the order of `ids`; missing ones are left out. */
  getMany<T extends Entity>(kind: EntityKind, ids: readonly string[]): Promise<T[]>;
  /** Writes `next` only if the stored version is still `next.version - 1`. */
  update<T extends Entity>(kind: EntityKind, next: T, change: Change): Promise<UpdateResult<T>>;
  /**
   * Writes all or none, each conditional on its previous version: one transaction. Only for catalog
   * entities (MREC keeps transactions; the MRSC ledger has none).
   */
  updateTogether(updates: readonly EntityUpdate[], change: Change): Promise<'updated' | 'stale'>;
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
  readonly limit: number;
  readonly after?: string;
}

export interface Ledger {
  listContracts(query: ContractQuery): Promise<{ items: Contract[]; next: string | null }>;
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
}

export interface AuditTrail {
  /** One entity's events, newest first. */
  list(
    entity: string,
    entityId: string,
    limit: number,
    after?: string,
  ): Promise<{ items: AuditEvent[]; next: string | null }>;
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
}

export interface Statistics {
  read(): Promise<StatsSnapshot>;
}

export interface StatsSnapshot {
  readonly counters: Readonly<Record<string, number>>;
}

export interface HealthProbe {
  /** Each check's name and whether it answered within its time budget. */
  check(): Promise<Record<string, { ok: boolean; latencyMs: number; error?: string }>>;
}

export interface Deps {
  readonly entities: EntityStore;
  readonly search: SearchIndex;
  readonly ledger: Ledger;
  readonly audit: AuditTrail;
  readonly now: () => Date;
}
