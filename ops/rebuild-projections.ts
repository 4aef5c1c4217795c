/**
 * Rebuilds a Region's projections table after it was lost (a Region that came back empty, or projections
 * gone beyond PITR and the streams' 24 hours), from what survives (DESIGN.md §4, "A Region that burns"):
 *
 * 1. `copy`: the kinds that record each change (history versions, audit events, the market events with
 *    their feed entries and plan ids) cannot be derived from the items as they are now, so they are copied
 *    from the other Region's projections table, each as a conditional put that never overwrites a record
 *    already here, up to 100 in one transaction (copied feed entries keep the other Region's order of
 *    arrival);
 * 2. `catalog`, `ledger`: the current-state kinds (search postings, list indexes, statistics, facet
 *    counts, acknowledgements) come from a parallel scan (`Segment`/`TotalSegments`) of this Region's own
 *    global-table replicas, each page fed through the projector's own `projectCurrentState`, the code the
 *    streams feed, so there is one way to project.
 *
 * Every write is idempotent (a second run changes nothing); each segment's position is checkpointed after
 * every page, so an interrupted run resumes where it stopped; consumed capacity is held to a budget in
 * units per second. The Region's loading marker (the same item the local demo load uses) is present from
 * the start until the rebuild is done and matches the other Region, so `/health` answers `starting` and no
 * router sends traffic to a half-rebuilt Region. The checkpoint lives on that marker.
 */
import {
  ConditionalCheckFailedException,
  DescribeTableCommand,
  DynamoDBClient,
  TransactionCanceledException,
} from '@aws-sdk/client-dynamodb';
import {
  DeleteCommand,
  DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  ScanCommand,
  TransactWriteCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import { itemBytes, meterCapacity, transactionalPutUnits } from '../functions/adapters/dynamodb/capacity.js';
import { addConsumedCapacity, metered } from '../functions/request-context.js';
import {
  changeKinds,
  type ProjectionKind,
  projectionKindOf,
  regionLoadingKey,
} from '../functions/adapters/dynamodb/projection-keys.js';
import { type Image, Projector } from '../functions/adapters/dynamodb/projector.js';
import { physicalTableName, type TableId, tableList } from '../functions/adapters/dynamodb/tables.js';
import { jitteredBackoffMs, sleep } from '../functions/domain/contention.js';
import { compareWhenSettled, type ProjectionComparison } from './projection-compare.js';

export interface RegionStore {
  readonly region: string;
  /** An endpoint of its own (DynamoDB Local, LocalStack); the Region's public endpoint when omitted. */
  readonly endpoint?: string;
  readonly tablePrefix: string;
}

export interface RebuildOptions {
  /** The Region being rebuilt. */
  readonly own: RegionStore;
  /** The Region whose projections hold the change records; none means they cannot be rebuilt now. */
  readonly peer?: RegionStore;
  /** Parallel scan segments per table. */
  readonly segments?: number;
  /** Capacity the rebuild may consume, read and write, in both Regions together. */
  readonly capacityUnitsPerSecond?: number;
  /** Read and count everything, write nothing (the loading marker included). */
  readonly dryRun?: boolean;
  /** How long the final comparison waits for changes in flight (writes still replicating) to settle. */
  readonly settleMs?: number;
  /** Mark the Region ready even if something could not be rebuilt or still differs. */
  readonly acceptIncomplete?: boolean;
  /** Stops after the pages in progress; the checkpoint keeps the place for the next run. */
  readonly signal?: AbortSignal;
  readonly onProgress?: (progress: RebuildProgress) => void;
}

export interface RebuildProgress {
  readonly phase: PhaseName;
  /** Items read so far in this run and the estimate of all (DynamoDB's item counts). */
  readonly read: number;
  readonly total: number;
}

export interface RebuildSummary {
  readonly region: string;
  readonly fromRegion: string | null;
  readonly dryRun: boolean;
  /** This run continued one that was interrupted. */
  readonly resumed: boolean;
  /** Stopped by its signal before the end; run again to resume. */
  readonly interrupted: boolean;
  /** Every phase done. */
  readonly complete: boolean;
  /** The loading marker is gone: `/health` reports the store's health again. */
  readonly ready: boolean;
  /** Items read in this run (scanned from the replicas and from the other Region's projections). */
  readonly items: number;
  readonly seconds: number;
  readonly itemsPerSecond: number;
  readonly capacityUnits: number;
  readonly unitsPerItem: number;
  readonly phases: Readonly<Record<PhaseName, PhaseSummary>>;
  /** What this run could not rebuild, and why. */
  readonly notRebuilt: readonly { readonly kinds: readonly ProjectionKind[]; readonly reason: string }[];
  /** This Region against the other after the rebuild; null when there was no other to compare with. */
  readonly comparison: ProjectionComparison | null;
}

export interface PhaseSummary {
  readonly done: boolean;
  /** Time this run spent on the phase. */
  readonly seconds: number;
  readonly read: number;
  /** Items projected or copied (or, in a dry run, that would be). */
  readonly applied: number;
  /** Change records the copy found already here. */
  readonly alreadyThere: number;
}

const PHASES = ['copy', 'catalog', 'ledger'] as const;
type PhaseName = (typeof PHASES)[number];

interface SegmentState {
  done: boolean;
  startKey?: Record<string, unknown>;
}

interface Checkpoint {
  readonly startedAt: string;
  readonly segments: number;
  readonly phases: Record<PhaseName, SegmentState[]>;
}

const DEFAULT_SEGMENTS = 4;
const DEFAULT_CAPACITY_UNITS_PER_SECOND = 1000;
const DEFAULT_SETTLE_MS = 30_000;
/**
 * Items per page of a scan. The copy's pages are larger: they are filtered down to the change records (about
 * half), and each page's records go out in transactions of up to 100, so a larger page means fewer, fuller
 * requests (copy 21.6–22.5 s against 24.1–29.8 s with 200 in the seed-scale drill). The projection phases
 * keep 200: with 1,000 they measured no faster.
 */
const PAGE_SIZE: Record<PhaseName, number> = { copy: 1000, catalog: 200, ledger: 200 };
/** Transactions of change records in flight at once within a page. */
const COPY_CONCURRENCY = 4;
/**
 * DynamoDB's most actions in one transaction. One request for many records rather than one each: DynamoDB
 * Local spends a request's cost per request (measured here, 5,409 records into a fresh store: 10.7 s one
 * conditional write each, 5.0 s in transactions of 100), and so does a rebuild run from far away.
 */
const COPY_TRANSACTION_ITEMS = 100;
/** Well under a transaction's 4 MB of items. */
const COPY_TRANSACTION_BYTES = 2_000_000;
/** Tries of one page's current-state projection before the rebuild stops (resumable from its checkpoint). */
const PAGE_ATTEMPTS = 5;
const CHANGE_KINDS = changeKinds.map(({ kind }) => kind);
const PROJECTION_INDEXES = tableList.find((spec) => spec.id === 'projections')?.globalSecondaryIndexes ?? [];

export async function rebuildProjections(options: RebuildOptions): Promise<RebuildSummary> {
  const started = performance.now();
  const own = connect(options.own);
  const peer = options.peer && connect(options.peer, { failFast: true });
  // The projector finds its table through the environment, as in Lambda.
  for (const spec of tableList) process.env[spec.envVar] = own.table(spec.id);
  const dryRun = options.dryRun ?? false;
  const marker = new Marker(own.db, own.table('projections'), dryRun);
  const stored = await marker.checkpoint();
  const segments = stored?.segments ?? options.segments ?? DEFAULT_SEGMENTS;
  const checkpoint: Checkpoint = stored ?? {
    startedAt: new Date().toISOString(),
    segments,
    phases: Object.fromEntries(
      PHASES.map((phase) => [phase, Array.from({ length: segments }, () => ({ done: false }))]),
    ) as Record<PhaseName, SegmentState[]>,
  };
  await marker.save(checkpoint);

  const budget = new CapacityBudget(options.capacityUnitsPerSecond ?? DEFAULT_CAPACITY_UNITS_PER_SECOND);
  const projector = new Projector(own.db);
  const notRebuilt: { kinds: ProjectionKind[]; reason: string }[] = [];
  const counts = Object.fromEntries(
    PHASES.map((phase) => [phase, { seconds: 0, read: 0, applied: 0, alreadyThere: 0 }]),
  ) as Record<PhaseName, { seconds: number; read: number; applied: number; alreadyThere: number }>;
  let read = 0;
  const total = await estimateTotal(own, peer);

  const sources: Record<PhaseName, { db: DynamoDBDocumentClient; table: string } | undefined> = {
    copy: peer && { db: peer.db, table: peer.table('projections') },
    catalog: { db: own.db, table: own.table('catalog') },
    ledger: { db: own.db, table: own.table('ledger') },
  };
  const apply: Record<PhaseName, (items: Image[]) => Promise<{ applied: number; alreadyThere: number }>> = {
    copy: (items) => copyChangeRecords(own.db, own.table('projections'), items, dryRun),
    catalog: (items) => projectItems(projector, items, dryRun),
    ledger: (items) => projectItems(projector, items, dryRun),
  };

  for (const phase of PHASES) {
    const source = sources[phase];
    const states = checkpoint.phases[phase];
    if (states.every((s) => s.done)) continue;
    if (!source) {
      notRebuilt.push({ kinds: CHANGE_KINDS, reason: 'no other Region was named to copy them from' });
      continue;
    }
    const phaseStarted = performance.now();
    // Every segment ends its page before a failure counts, so none writes on after the phase is over.
    const outcomes = await Promise.allSettled(
      states.map(async (state, segment) => {
        const scan = (startKey: Record<string, unknown> | undefined) => {
          const scanned = metered(() =>
            source.db.send(
              new ScanCommand({
                TableName: source.table,
                Segment: segment,
                TotalSegments: segments,
                Limit: PAGE_SIZE[phase],
                ExclusiveStartKey: startKey,
                ConsistentRead: true,
                ...(phase === 'copy' ? changeRecordsOnly() : {}),
              }),
            ),
          );
          // Read ahead, and perhaps never awaited (an interrupted run): a failure surfaces when awaited.
          scanned.catch(() => undefined);
          return scanned;
        };
        let ahead: ReturnType<typeof scan> | undefined;
        while (!state.done && !options.signal?.aborted) {
          const { result: page, capacityUnits: readUnits } = await (ahead ?? scan(state.startKey));
          // The next page is read while this one is applied, so the store being rebuilt need not wait for
          // the source's answer (a store in another Region, for the copy) between pages.
          ahead = page.LastEvaluatedKey ? scan(page.LastEvaluatedKey) : undefined;
          const { result: outcome, capacityUnits: writeUnits } = await metered(() =>
            apply[phase]((page.Items ?? []) as Image[]),
          );
          const capacityUnits = readUnits + writeUnits;
          counts[phase].read += page.ScannedCount ?? 0;
          counts[phase].applied += outcome.applied;
          counts[phase].alreadyThere += outcome.alreadyThere;
          read += page.ScannedCount ?? 0;
          state.done = page.LastEvaluatedKey === undefined;
          if (page.LastEvaluatedKey) state.startKey = page.LastEvaluatedKey;
          else delete state.startKey;
          await marker.save(checkpoint);
          options.onProgress?.({ phase, read, total: Math.max(total, read) });
          await budget.spend(capacityUnits);
        }
      }),
    );
    counts[phase].seconds = round((performance.now() - phaseStarted) / 1000, 2);
    const failed = outcomes.find((o): o is PromiseRejectedResult => o.status === 'rejected');
    if (failed) {
      const error = failed.reason as Error;
      if (phase !== 'copy') throw error;
      // The other Region does not answer: rebuild what the replicas give, and say what is missing.
      notRebuilt.push({
        kinds: CHANGE_KINDS,
        reason: `${options.peer?.region} did not answer (${error.name}: ${error.message})`,
      });
    }
  }

  const interrupted = options.signal?.aborted ?? false;
  const complete = PHASES.every((phase) => checkpoint.phases[phase].every((s) => s.done));
  const comparison =
    peer && !interrupted && notRebuilt.length === 0
      ? await compareWhenSettled(
          { db: own.db, table: own.table('projections') },
          { db: peer.db, table: peer.table('projections') },
          segments,
          options.settleMs ?? DEFAULT_SETTLE_MS,
        )
      : null;
  const ready =
    !dryRun &&
    !interrupted &&
    (options.acceptIncomplete || (complete && comparison?.equal === true && notRebuilt.length === 0));
  if (ready) await marker.clear();
  const seconds = (performance.now() - started) / 1000;
  const capacityUnits = budget.spent;
  own.close();
  peer?.close();
  return {
    region: options.own.region,
    fromRegion: options.peer?.region ?? null,
    dryRun,
    resumed: stored !== undefined,
    interrupted,
    complete,
    ready,
    items: read,
    seconds: round(seconds, 2),
    itemsPerSecond: round(read / Math.max(seconds, 0.001), 1),
    capacityUnits: round(capacityUnits, 1),
    unitsPerItem: round(capacityUnits / Math.max(read, 1), 2),
    phases: Object.fromEntries(
      PHASES.map((phase) => [
        phase,
        { done: checkpoint.phases[phase].every((s) => s.done), ...counts[phase] },
      ]),
    ) as Record<PhaseName, PhaseSummary>,
    notRebuilt,
    comparison,
  };
}

/**
 * Scanned items as the stream would carry them had they just been written: a new image only. A page whose
 * statistics kept losing races with the other segments' (the projector gives up after eight reads) is
 * projected again, as the event source mapping delivers a failed batch again: projecting is idempotent.
 */
async function projectItems(projector: Projector, items: Image[], dryRun: boolean) {
  if (dryRun) return { applied: items.length, alreadyThere: 0 };
  const records = items.map((item) => ({
    key: { pk: String(item.pk), sk: String(item.sk) },
    newImage: item,
  }));
  for (let attempt = 1; ; attempt++) {
    try {
      await projector.projectCurrentState(records);
      return { applied: items.length, alreadyThere: 0 };
    } catch (error) {
      if (!(error instanceof TransactionCanceledException) || attempt >= PAGE_ATTEMPTS) throw error;
      await sleep(jitteredBackoffMs(attempt, 250));
    }
  }
}

/**
 * Copies change records, each only where none is recorded yet, and every attribute only where it is
 * absent: an acknowledgement projected here first (from the ledger's replica) stays as it is. The records
 * go in transactions of conditional puts, one request for up to {@link COPY_TRANSACTION_ITEMS} of them;
 * a record whose put finds an item there (one copied before, filed here since, or an acknowledgement alone)
 * gets a write of its own that fills in only what is missing.
 */
async function copyChangeRecords(db: DynamoDBDocumentClient, table: string, items: Image[], dryRun: boolean) {
  const records = items.flatMap((item) => {
    const kind = projectionKindOf({ pk: String(item.pk) });
    const spec = changeKinds.find((change) => change.kind === kind);
    return spec ? [{ item, recordedBy: spec.recordedBy }] : [];
  });
  if (dryRun) return { applied: records.length, alreadyThere: 0 };
  const tally = { applied: 0, alreadyThere: 0 };
  const groups = transactionGroups(records);
  let next = 0;
  // A pool rather than rounds: a slow write holds up one worker, not the others sent with it.
  await Promise.all(
    Array.from({ length: Math.min(COPY_CONCURRENCY, groups.length) }, async () => {
      for (let group = groups[next++]; group; group = groups[next++]) {
        await copyGroup(db, table, group, tally);
      }
    }),
  );
  return tally;
}

interface ChangeRecord {
  readonly item: Image;
  readonly recordedBy: string;
}

/** Consecutive records, at most {@link COPY_TRANSACTION_ITEMS} and about {@link COPY_TRANSACTION_BYTES} each. */
function transactionGroups(records: readonly ChangeRecord[]): ChangeRecord[][] {
  const groups: ChangeRecord[][] = [];
  let bytes = 0;
  for (const record of records) {
    const size = itemBytes(record.item);
    const last = groups.at(-1);
    if (last && last.length < COPY_TRANSACTION_ITEMS && bytes + size <= COPY_TRANSACTION_BYTES) {
      last.push(record);
      bytes += size;
    } else {
      groups.push([record]);
      bytes = size;
    }
  }
  return groups;
}

async function copyGroup(
  db: DynamoDBDocumentClient,
  table: string,
  group: readonly ChangeRecord[],
  tally: { applied: number; alreadyThere: number },
): Promise<void> {
  for (let pending = group, attempt = 1; pending.length > 0; attempt++) {
    try {
      const { capacityUnits } = await metered(() =>
        db.send(
          new TransactWriteCommand({
            TransactItems: pending.map(({ item }) => ({
              Put: { TableName: table, Item: item, ConditionExpression: 'attribute_not_exists(pk)' },
            })),
          }),
        ),
      );
      // What DynamoDB charges for these puts, where the store reported less (DynamoDB Local does).
      const charged = pending.reduce(
        (sum, { item }) => sum + transactionalPutUnits(item, PROJECTION_INDEXES),
        0,
      );
      addConsumedCapacity(Math.max(capacityUnits, charged));
      tally.applied += pending.length;
      return;
    } catch (error) {
      if (!(error instanceof TransactionCanceledException)) throw error;
      const reasons = error.CancellationReasons ?? [];
      const present = pending.filter((_, n) => reasons[n]?.Code === 'ConditionalCheckFailed');
      for (const record of present) {
        if (await copyIntoExisting(db, table, record)) tally.applied += 1;
        else tally.alreadyThere += 1;
      }
      // The others were cancelled with them, or by a conflicting write (then after a pause, a few times).
      if (present.length === 0) {
        if (attempt >= PAGE_ATTEMPTS) throw error;
        await sleep(jitteredBackoffMs(attempt, 100));
      }
      pending = pending.filter((record) => !present.includes(record));
    }
  }
}

/** Fills in what an item already here lacks, unless it holds the record already; true if it did not. */
async function copyIntoExisting(
  db: DynamoDBDocumentClient,
  table: string,
  { item, recordedBy }: ChangeRecord,
) {
  const { pk, sk, ...fields } = item;
  const entries = Object.entries(fields);
  try {
    await db.send(
      new UpdateCommand({
        TableName: table,
        Key: { pk, sk },
        UpdateExpression: `SET ${entries.map((_, n) => `#f${n} = if_not_exists(#f${n}, :f${n})`).join(', ')}`,
        ConditionExpression: 'attribute_not_exists(#recorded)',
        ExpressionAttributeNames: {
          ...Object.fromEntries(entries.map(([name], n) => [`#f${n}`, name])),
          // Every record of its kind has it; an audit event's acknowledgement alone does not.
          '#recorded': recordedBy,
        },
        ExpressionAttributeValues: Object.fromEntries(entries.map(([, value], n) => [`:f${n}`, value])),
      }),
    );
    return true;
  } catch (error) {
    if (!(error instanceof ConditionalCheckFailedException)) throw error;
    return false;
  }
}

/** Only the change records come back from the other Region's scan (it still reads, and pays for, all). */
function changeRecordsOnly() {
  const values = changeKinds.map(({ prefix }) => prefix);
  return {
    FilterExpression: values.map((_, n) => `begins_with(pk, :p${n})`).join(' OR '),
    ExpressionAttributeValues: Object.fromEntries(values.map((prefix, n) => [`:p${n}`, prefix])),
  };
}

/** The loading marker, carrying the checkpoint. */
class Marker {
  private saving: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly table: string,
    private readonly dryRun: boolean,
  ) {}

  async checkpoint(): Promise<Checkpoint | undefined> {
    const { Item } = await this.db.send(
      new GetCommand({ TableName: this.table, Key: regionLoadingKey, ConsistentRead: true }),
    );
    return Item?.rebuild as Checkpoint | undefined;
  }

  /** Saves in the order called, so a later state is never overwritten by an earlier one. */
  save(checkpoint: Checkpoint): Promise<unknown> {
    if (this.dryRun) return Promise.resolve();
    const item = { ...regionLoadingKey, rebuild: structuredClone(checkpoint) };
    this.saving = this.saving.then(() => this.db.send(new PutCommand({ TableName: this.table, Item: item })));
    return this.saving;
  }

  async clear(): Promise<void> {
    await this.saving;
    await this.db.send(new DeleteCommand({ TableName: this.table, Key: regionLoadingKey }));
  }
}

/** Holds the average rate of consumed capacity to the budget, pausing after each page as needed. */
class CapacityBudget {
  spent = 0;
  private readonly startedAt = performance.now();

  constructor(private readonly unitsPerSecond: number) {}

  async spend(units: number): Promise<void> {
    this.spent += units;
    const due = this.startedAt + (this.spent / this.unitsPerSecond) * 1000;
    const wait = due - performance.now();
    if (wait > 0) await sleep(wait);
  }
}

interface Connected {
  readonly client: DynamoDBClient;
  readonly db: DynamoDBDocumentClient;
  table(id: TableId): string;
  close(): void;
}

function connect(store: RegionStore, { failFast = false } = {}): Connected {
  const client = new DynamoDBClient({
    region: store.region,
    // An unreachable other Region should be reported in seconds, not after the SDK's long retries.
    maxAttempts: failFast ? 2 : 8,
    ...(failFast
      ? { requestHandler: new NodeHttpHandler({ connectionTimeout: 3000, requestTimeout: 10_000 }) }
      : {}),
    ...(store.endpoint
      ? {
          endpoint: store.endpoint,
          ...(process.env.AWS_ACCESS_KEY_ID
            ? {}
            : { credentials: { accessKeyId: 'local', secretAccessKey: 'local' } }),
        }
      : {}),
  });
  meterCapacity(client);
  return {
    client,
    db: DynamoDBDocumentClient.from(client, { marshallOptions: { removeUndefinedValues: true } }),
    table: (id) => physicalTableName(store.tablePrefix, id),
    close: () => client.destroy(),
  };
}

/** DynamoDB's item counts (refreshed about every six hours in AWS, live locally): enough for an ETA. */
async function estimateTotal(own: Connected, peer: Connected | undefined): Promise<number> {
  const count = async ({ client }: Connected, table: string) =>
    (await client.send(new DescribeTableCommand({ TableName: table })).catch(() => undefined))?.Table
      ?.ItemCount ?? 0;
  const counts = await Promise.all([
    count(own, own.table('catalog')),
    count(own, own.table('ledger')),
    ...(peer ? [count(peer, peer.table('projections'))] : []),
  ]);
  return counts.reduce((sum, n) => sum + n, 0);
}

const round = (value: number, digits: number) => Number(value.toFixed(digits));
