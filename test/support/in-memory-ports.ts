/**
 * The domain's ports in memory, with the semantics the DynamoDB adapters promise (one conditional write per
 * call, versions checked, receipts kept on the changed item), so use-case tests of the domain rules run in
 * milliseconds without Java. The adapters themselves are tested against DynamoDB Local.
 */
import type { Entity } from '../../functions/domain/entities.js';
import type {
  Change,
  ChangeReceipt,
  CreateOptions,
  CreateResult,
  Deps,
  EntityKind,
  EntityStore,
  EntityUpdate,
  IdempotentCreate,
  ListAppend,
  UpdateResult,
} from '../../functions/domain/ports.js';
import { defaultProcurementPolicy } from '../../functions/domain/ports.js';

interface Stored {
  entity: Entity & Record<string, unknown>;
  readonly idempotency?: IdempotentCreate;
  readonly original?: Entity;
  readonly receipts: Map<string, ChangeReceipt>;
  readonly changes: Change[];
}

const clone = <T>(value: T): T => structuredClone(value);

export class InMemoryEntityStore implements EntityStore {
  private readonly items = new Map<string, Stored>();
  private readonly uniqueKeys = new Set<string>();
  /** Called before each write decides, so a test can slip a competing write in first (it is not called
   * again for writes the hook itself makes). */
  beforeWrite: (() => void) | undefined;

  private deciding = false;

  private decide(): void {
    if (this.deciding || !this.beforeWrite) return;
    this.deciding = true;
    try {
      this.beforeWrite();
    } finally {
      this.deciding = false;
    }
  }

  private stored(kind: EntityKind, id: string): Stored | undefined {
    return this.items.get(`${kind}#${id}`);
  }

  /** Every change recorded against an entity, oldest first (what the audit trail would project). */
  changesOf(kind: EntityKind, id: string): readonly Change[] {
    return this.stored(kind, id)?.changes ?? [];
  }

  async create<T extends Entity>(
    kind: EntityKind,
    entity: T,
    options: CreateOptions,
  ): Promise<CreateResult<T>> {
    this.decide();
    const existing = this.stored(kind, entity.id);
    if (existing) {
      return {
        outcome: 'exists',
        original: clone((existing.original ?? existing.entity) as T),
        idempotency: existing.idempotency,
      };
    }
    const taken = (options.uniqueKeys ?? []).find((key) => this.uniqueKeys.has(`${kind}#${key}`));
    if (taken) return { outcome: 'duplicate-key', uniqueKey: taken };
    for (const key of options.uniqueKeys ?? []) this.uniqueKeys.add(`${kind}#${key}`);
    this.items.set(`${kind}#${entity.id}`, {
      entity: clone(entity) as Entity & Record<string, unknown>,
      ...(options.idempotency ? { idempotency: options.idempotency, original: clone(entity) } : {}),
      receipts: new Map(),
      changes: [options.change],
    });
    return { outcome: 'created', entity };
  }

  async get<T extends Entity>(kind: EntityKind, id: string): Promise<T | undefined> {
    const stored = this.stored(kind, id);
    return stored ? clone(stored.entity as unknown as T) : undefined;
  }

  async getForChange<T extends Entity>(
    kind: EntityKind,
    id: string,
    options: { receiptKey: string | undefined },
  ) {
    const stored = this.stored(kind, id);
    if (!stored) return undefined;
    const receipt = options.receiptKey ? stored.receipts.get(options.receiptKey) : undefined;
    return { entity: clone(stored.entity as unknown as T), receipt };
  }

  async uniqueKeyTaken(kind: EntityKind, key: string): Promise<boolean> {
    return this.uniqueKeys.has(`${kind}#${key}`);
  }

  async findCreated<T extends Entity>(kind: EntityKind, id: string) {
    const stored = this.stored(kind, id);
    return stored
      ? {
          outcome: 'exists' as const,
          original: clone((stored.original ?? stored.entity) as unknown as T),
          idempotency: stored.idempotency,
        }
      : undefined;
  }

  async getMany<T extends Entity>(kind: EntityKind, ids: readonly string[]): Promise<T[]> {
    return ids.flatMap((id) => {
      const stored = this.stored(kind, id);
      return stored ? [clone(stored.entity as unknown as T)] : [];
    });
  }

  async update<T extends Entity>(kind: EntityKind, next: T, change: Change): Promise<UpdateResult<T>> {
    this.decide();
    const stored = this.stored(kind, next.id);
    if (!stored || stored.entity.version !== next.version - 1) {
      return { outcome: 'stale', current: stored ? clone(stored.entity as unknown as T) : undefined };
    }
    this.apply(stored, clone(next) as Entity & Record<string, unknown>, change);
    return { outcome: 'updated', entity: next };
  }

  async updateFields<T extends Entity>(
    kind: EntityKind,
    id: string,
    fields: Partial<T>,
    statuses: readonly string[],
    change: Change,
  ): Promise<UpdateResult<T>> {
    this.decide();
    const stored = this.stored(kind, id);
    if (!stored || !statuses.includes(String(stored.entity.status)))
      return { outcome: 'stale', current: undefined };
    const next = { ...stored.entity, ...clone(fields), version: stored.entity.version + 1 };
    this.apply(stored, next, change);
    return { outcome: 'updated', entity: clone(next as unknown as T) };
  }

  async updateTogether(
    updates: readonly EntityUpdate[],
    change: Change,
    append?: ListAppend,
  ): Promise<'updated' | 'stale'> {
    this.decide();
    const targets = updates.map(({ kind, next }) => ({ stored: this.stored(kind, next.id), next }));
    if (targets.some(({ stored, next }) => !stored || stored.entity.version !== next.version - 1)) {
      return 'stale';
    }
    const appended = append ? this.stored(append.kind, append.id) : undefined;
    if (append && (!appended || !appendAllowed(appended.entity, append))) return 'stale';
    const { receipt: _receipt, ...unreceipted } = change;
    targets.forEach(({ stored, next }, i) =>
      this.apply(
        stored as Stored,
        clone(next) as Entity & Record<string, unknown>,
        appended || i > 0 ? unreceipted : change,
      ),
    );
    if (append && appended) {
      const list = (appended.entity[append.list] as unknown[]) ?? [];
      this.apply(
        appended,
        {
          ...appended.entity,
          [append.list]: [...list, clone(append.element)],
          version: appended.entity.version + 1,
        },
        change,
      );
    }
    return 'updated';
  }

  private apply(stored: Stored, next: Entity & Record<string, unknown>, change: Change): void {
    stored.entity = next;
    stored.changes.push(change);
    if (change.receipt) stored.receipts.set(change.receipt.key, change.receipt);
  }
}

function appendAllowed(entity: Record<string, unknown>, append: ListAppend): boolean {
  const { status, membership, version } = append.requires;
  const members = (entity[membership.list] as unknown[] | undefined) ?? [];
  return (
    entity.status === status &&
    members.includes(membership.value) === membership.present &&
    (version === undefined || entity.version === version)
  );
}

/** Deps for use-case tests: the in-memory store, a fixed clock, and no request deadline unless given. */
export function inMemoryDeps(options: { now?: Date; remainingMs?: () => number } = {}) {
  const entities = new InMemoryEntityStore();
  const unused = () => {
    throw new Error('not used by these use cases');
  };
  const deps: Deps = {
    entities,
    search: { queryPostings: unused, allPostings: unused },
    ledger: {
      listContracts: unused,
      contractFeed: unused,
      planInUse: async () => false,
      listCases: unused,
      casesWithPendingDecision: unused,
      terminationsDue: unused,
      signedContractsOf: unused,
    },
    audit: { query: unused, get: unused, acknowledge: unused },
    history: { list: unused, get: unused },
    facets: { cells: unused },
    now: () => options.now ?? new Date('2026-11-26T01:00:00Z'),
    policy: defaultProcurementPolicy,
    remainingMs: options.remainingMs ?? (() => Infinity),
  };
  return { deps, entities };
}
