/**
 * Dry runs (`?dryRun=true` on every POST and PATCH): the request runs through the very same use case,
 * whose every check (authentication, authorization, validation, state, If-Match, idempotency) reads the
 * store as the real call would, and only the writes are replaced by reads that tell what each write would
 * do now. Nothing is written, so nothing follows from it either: no version, no audit event or statistic
 * (those are projected from writes), and an Idempotency-Key stays unused (a receipt lives only on an item a
 * write changed). A dry run's reads are strongly consistent, as the real write's conditions are.
 */
import type {
  Acknowledgement,
  AuditTrail,
  Change,
  CreateOptions,
  CreateResult,
  Deps,
  EntityKind,
  EntityStore,
  EntityUpdate,
  ListAppend,
  UpdateResult,
} from './ports.js';
import type { Entity } from './entities.js';

export function dryRunDeps(deps: Deps): Deps {
  return { ...deps, entities: new DryRunEntityStore(deps.entities), audit: dryRunAudit(deps.audit) };
}

class DryRunEntityStore implements EntityStore {
  constructor(private readonly store: EntityStore) {}

  get = <T extends Entity>(kind: EntityKind, id: string) => this.store.get<T>(kind, id);
  getForChange = <T extends Entity>(
    kind: EntityKind,
    id: string,
    options: { readonly receiptKey: string | undefined; readonly consistent: boolean },
  ) => this.store.getForChange<T>(kind, id, options);
  findCreated = <T extends Entity>(kind: EntityKind, id: string) => this.store.findCreated<T>(kind, id);
  getMany = <T extends Entity>(kind: EntityKind, ids: readonly string[]) => this.store.getMany<T>(kind, ids);
  uniqueKeyTaken = (kind: EntityKind, key: string) => this.store.uniqueKeyTaken(kind, key);

  /** The put's condition (no item with the id), then the uniqueness guards'. */
  async create<T extends Entity>(
    kind: EntityKind,
    entity: T,
    options: CreateOptions,
  ): Promise<CreateResult<T>> {
    const existing = await this.store.findCreated<T>(kind, entity.id);
    if (existing) return existing;
    for (const key of options.uniqueKeys ?? []) {
      if (await this.store.uniqueKeyTaken(kind, key)) return { outcome: 'duplicate-key', uniqueKey: key };
    }
    return { outcome: 'created', entity };
  }

  /** The update's condition: the stored version is the one the change was computed from. */
  async update<T extends Entity>(kind: EntityKind, next: T, _change: Change): Promise<UpdateResult<T>> {
    const current = await this.current<T>(kind, next.id);
    if (current?.version === next.version - 1) return { outcome: 'updated', entity: next };
    return { outcome: 'stale', current };
  }

  async updateFields<T extends Entity>(
    kind: EntityKind,
    id: string,
    fields: Partial<T>,
    statuses: readonly string[],
    _change: Change,
  ): Promise<UpdateResult<T>> {
    const current = await this.current<T>(kind, id);
    const status = (current as { status?: string } | undefined)?.status;
    if (!current || !statuses.includes(String(status))) return { outcome: 'stale', current: undefined };
    return { outcome: 'updated', entity: { ...current, ...fields, version: current.version + 1 } };
  }

  async updateTogether(
    updates: readonly EntityUpdate[],
    _change: Change,
    append?: ListAppend,
  ): Promise<'updated' | 'stale'> {
    for (const { kind, next } of updates) {
      if ((await this.current(kind, next.id))?.version !== next.version - 1) return 'stale';
    }
    if (append) {
      const target = (await this.current(append.kind, append.id)) as Record<string, unknown> | undefined;
      const { status, membership, version } = append.requires;
      const list = (target?.[membership.list] as unknown[] | undefined) ?? [];
      if (
        !target ||
        target.status !== status ||
        list.includes(membership.value) !== membership.present ||
        (version !== undefined && target.version !== version)
      )
        return 'stale';
    }
    return 'updated';
  }

  private async current<T extends Entity>(kind: EntityKind, id: string): Promise<T | undefined> {
    return (await this.store.getForChange<T>(kind, id, { receiptKey: undefined, consistent: true }))?.entity;
  }
}

/** An acknowledgement as it would be recorded: the event's own when it has one, else this one. */
function dryRunAudit(audit: AuditTrail): AuditTrail {
  return {
    query: (query) => audit.query(query),
    get: (eventId) => audit.get(eventId),
    acknowledge: async (eventId: string, acknowledgement: Acknowledgement) =>
      (await audit.get(eventId))?.acknowledged ?? acknowledgement,
  };
}
