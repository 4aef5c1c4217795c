/**
 * Plays Lambda's DynamoDB Streams event source mapping locally: reads each table's stream shard by shard,
 * in order, and hands batches to the projector handler the deployed stack subscribes to the same streams.
 * A failed batch is retried from its checkpoint, as the event source mapping would.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { DescribeTableCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  type _Record,
  DescribeStreamCommand,
  DynamoDBStreamsClient,
  GetRecordsCommand,
  GetShardIteratorCommand,
  type Shard,
} from '@aws-sdk/client-dynamodb-streams';
import type { DynamoDBRecord, DynamoDBStreamEvent } from 'aws-lambda';

/** Deliveries of a failing batch before drain gives up (the projector retries each write itself too). */
const DRAIN_ATTEMPTS = 5;

export interface StreamPollerOptions {
  readonly client: DynamoDBClient;
  readonly endpoint: string;
  readonly region: string;
  readonly tables: readonly string[];
  readonly handler: (event: DynamoDBStreamEvent) => Promise<void>;
  /** Where to keep shard checkpoints across restarts; in memory when omitted. */
  readonly checkpointFile?: string;
  /**
   * Pause after a pass that found nothing new (default {@link IDLE_POLL_MS}); a pass that delivered records
   * is followed by the next at once, as a shard with a backlog is read without waiting.
   */
  readonly intervalMs?: number;
  readonly batchSize?: number;
  readonly onError?: (error: unknown) => void;
  /**
   * Start after what the streams hold already, delivering none of it: a Region that came back empty has
   * its replicas re-seeded by replication before its functions start, and those copies are not changes
   * (the rebuild projects the items as they are, and copies the changes' records from the other Region).
   */
  readonly fromLatest?: boolean;
}

/**
 * Lambda's event source mapping polls each stream shard four times a second. Polling an idle stream more
 * often cost a quiet two-core machine more than it bought: two idle drill Regions (a projector's and a
 * delivery poller each, every 100 ms) slowed a seed-scale projections rebuild beside them from 54 s to 68 s.
 */
const IDLE_POLL_MS = 250;

/**
 * How long a stream's list of shards is reused by the background passes before it is described again (a
 * pass that finds a shard closed describes it again at once). `drain` always describes afresh.
 */
const SHARD_LIST_MS = 1000;

const STALE_ITERATOR = new Set(['ExpiredIteratorException', 'TrimmedDataAccessException']);

type Checkpoints = Record<string, { sequence?: string; done?: boolean }>;

export class StreamPoller {
  private readonly streams: DynamoDBStreamsClient;
  private readonly checkpoints: Checkpoints;
  private readonly iterators = new Map<string, string>();
  private readonly shardLists = new Map<string, { readonly shards: Shard[]; readonly at: number }>();
  private streamArns: string[] = [];
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<number> | undefined;
  private stopped = false;
  private paused = false;

  constructor(private readonly options: StreamPollerOptions) {
    this.streams = new DynamoDBStreamsClient({
      endpoint: options.endpoint,
      region: options.region,
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    });
    const file = options.checkpointFile;
    this.checkpoints =
      file && existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as Checkpoints) : {};
  }

  async start(): Promise<void> {
    this.streamArns = [];
    for (const table of this.options.tables) {
      const { Table } = await this.options.client.send(new DescribeTableCommand({ TableName: table }));
      if (Table?.LatestStreamArn) this.streamArns.push(Table.LatestStreamArn);
    }
    if (this.options.fromLatest) {
      await this.tick(false);
    }
    const loop = async () => {
      if (this.stopped) return;
      let delivered = 0;
      try {
        if (!this.paused) delivered = await this.tick();
      } catch (error) {
        this.options.onError?.(error);
      }
      if (!this.stopped) {
        this.timer = setTimeout(loop, delivered > 0 ? 0 : (this.options.intervalMs ?? IDLE_POLL_MS));
      }
    };
    this.timer = setTimeout(loop, 0);
  }

  /**
   * Resolves once a full pass over every shard finds nothing new: all writes so far are projected. A
   * failed batch is delivered again, as Lambda redelivers it, a few times before the failure is final.
   */
  async drain(): Promise<void> {
    // A pass already under way may have read its shards before the caller's last write: let it finish,
    // so the passes below all start after that write.
    await this.running?.catch(() => 0);
    for (let failures = 0; ;) {
      try {
        if ((await this.tick(true, { freshShards: true })) === 0) return;
      } catch (error) {
        if (++failures >= DRAIN_ATTEMPTS) throw error;
        this.options.onError?.(error);
        await new Promise((resolve) => setTimeout(resolve, 200 * failures));
      }
    }
  }

  /**
   * Stops the background passes (once the one under way ends) until `resume`, so that a bulk loader's writes
   * are not projected from the streams while it writes their projections itself.
   */
  async pause(): Promise<void> {
    this.paused = true;
    await this.running?.catch(() => 0);
  }

  resume(): void {
    this.paused = false;
  }

  /**
   * Moves every checkpoint past the records now in the streams without delivering them: they are projected
   * already (by the bulk loader that wrote them and their projections). Only while paused, so no pass
   * delivers them meanwhile.
   */
  async skipPending(): Promise<void> {
    if (!this.paused) throw new Error('skipPending needs the poller paused');
    while ((await this.tick(false)) > 0);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    await this.running?.catch(() => 0);
    this.streams.destroy();
  }

  /**
   * One pass over every shard; concurrent callers share the pass in progress. `deliver: false` reads and
   * checkpoints without handing the records over (`skipPending`).
   */
  private tick(deliver = true, { freshShards = false } = {}): Promise<number> {
    if (freshShards) this.shardLists.clear();
    this.running ??= this.pass(deliver).finally(() => {
      this.running = undefined;
    });
    return this.running;
  }

  private async pass(deliver: boolean): Promise<number> {
    let read = 0;
    for (const streamArn of this.streamArns) {
      for (const shard of await this.shardsInOrder(streamArn)) {
        read += await this.drainShard(streamArn, shard, deliver);
      }
    }
    return read;
  }

  /** Parents before children, as stream records must be read in order per item. */
  private async shardsInOrder(streamArn: string): Promise<Shard[]> {
    const shards = await this.shardsOf(streamArn);
    const known = new Set(shards.map((shard) => shard.ShardId));
    return shards.filter(
      (shard) =>
        !this.checkpoints[`${streamArn}|${shard.ShardId}`]?.done &&
        (!shard.ParentShardId ||
          !known.has(shard.ParentShardId) ||
          this.checkpoints[`${streamArn}|${shard.ParentShardId}`]?.done),
    );
  }

  private async shardsOf(streamArn: string): Promise<Shard[]> {
    const listed = this.shardLists.get(streamArn);
    if (listed && performance.now() - listed.at < SHARD_LIST_MS) return listed.shards;
    const shards: Shard[] = [];
    let start: string | undefined;
    do {
      const { StreamDescription } = await this.streams.send(
        new DescribeStreamCommand({ StreamArn: streamArn, ExclusiveStartShardId: start }),
      );
      shards.push(...(StreamDescription?.Shards ?? []));
      start = StreamDescription?.LastEvaluatedShardId;
    } while (start);
    this.shardLists.set(streamArn, { shards, at: performance.now() });
    return shards;
  }

  private async drainShard(streamArn: string, shard: Shard, deliver: boolean): Promise<number> {
    const id = `${streamArn}|${shard.ShardId}`;
    let delivered = 0;
    for (;;) {
      const cached = this.iterators.get(id);
      const iterator = cached ?? (await this.iteratorFor(streamArn, shard, id));
      let page: Awaited<ReturnType<typeof this.getRecords>>;
      try {
        page = await this.getRecords(iterator);
      } catch (error) {
        // A kept iterator can go stale (expired, or refused as trimmed by DynamoDB Local after an empty
        // read); a fresh one from the checkpoint resumes at the same place. A fresh one failing is real.
        this.iterators.delete(id);
        if (cached && STALE_ITERATOR.has((error as Error).name)) continue;
        throw error;
      }
      const { Records = [], NextShardIterator } = page;
      if (Records.length) {
        if (deliver) {
          await this.options.handler({ Records: Records.map((record) => toLambdaRecord(record, streamArn)) });
        }
        this.checkpoints[id] = { sequence: Records.at(-1)?.dynamodb?.SequenceNumber };
        this.save();
        delivered += Records.length;
      }
      if (!NextShardIterator) {
        this.checkpoints[id] = { ...this.checkpoints[id], done: true };
        this.iterators.delete(id);
        // Its children, if any, are new since the list was made.
        this.shardLists.delete(streamArn);
        this.save();
        return delivered;
      }
      this.iterators.set(id, NextShardIterator);
      if (!Records.length) return delivered;
    }
  }

  private getRecords(iterator: string) {
    return this.streams.send(
      new GetRecordsCommand({ ShardIterator: iterator, Limit: this.options.batchSize ?? 1000 }),
    );
  }

  private async iteratorFor(streamArn: string, shard: Shard, id: string): Promise<string> {
    const sequence = this.checkpoints[id]?.sequence;
    const { ShardIterator } = await this.streams.send(
      new GetShardIteratorCommand({
        StreamArn: streamArn,
        ShardId: shard.ShardId,
        ...(sequence
          ? { ShardIteratorType: 'AFTER_SEQUENCE_NUMBER', SequenceNumber: sequence }
          : { ShardIteratorType: 'TRIM_HORIZON' }),
      }),
    );
    if (!ShardIterator) throw new Error(`no iterator for ${id}`);
    return ShardIterator;
  }

  private save(): void {
    const file = this.options.checkpointFile;
    if (!file) return;
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, JSON.stringify(this.checkpoints));
  }
}

function toLambdaRecord(record: _Record, streamArn: string): DynamoDBRecord {
  return {
    eventID: record.eventID,
    eventName: record.eventName,
    eventVersion: record.eventVersion,
    eventSource: 'aws:dynamodb',
    awsRegion: record.awsRegion,
    eventSourceARN: streamArn,
    dynamodb: record.dynamodb as DynamoDBRecord['dynamodb'],
  };
}
