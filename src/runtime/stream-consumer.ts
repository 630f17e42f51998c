import { randomUUID } from 'node:crypto';
import type { Context, KinesisStreamEvent, KinesisStreamRecord } from 'aws-lambda';
import type { SqlClient } from '../adapters/sql/sql-client.js';
import { type StreamHandler, streamFailureReasons } from '../functions/kinesis-batch.js';
import type { Clock } from '../ports/clock.js';
import type { StreamTrigger } from '../topology.js';
import { type DeliverTwice, deliverBatch } from './deliver-twice.js';
import { LOCAL_ACCOUNT, LOCAL_REGION } from './local-bus.js';
import type { QueueStore } from './queue-store.js';
import { type ShardState, StreamCheckpoints } from './stream-checkpoints.js';
import { STREAM_SOURCE_PREFIX, streamArn, streamFailureMessage } from './stream-failures.js';
import { type BatchOutcome, nextShardState } from './stream-retries.js';
import {
  eventBytes,
  formatSequenceNumber,
  MAX_EVENT_BYTES,
  MAX_RECORD_BYTES,
  toBase64,
} from './stream-shards.js';
import type { StoredStreamRecord, StreamStore } from './stream-store.js';
import { runInTrace } from './trace.js';

export interface StreamConsumerOptions {
  db: SqlClient;
  clock: Clock;
  streams: StreamStore;
  /** Where records that exhausted their retries go (`trigger.onFailure.queue`). */
  queues: QueueStore;
  /** The function's name: the consumer's name in `stream_checkpoints`. */
  name: string;
  trigger: StreamTrigger;
  handler: StreamHandler;
  /** A Lambda context for one invocation. */
  context: () => Context;
  /** How long a worker may hold a shard before another may take it over. */
  leaseSeconds: number;
  log: { error(message: string, fields?: Record<string, unknown>): void };
  /** Duplicate-delivery mode (a test mode): see {@link DeliverTwice}. */
  deliverTwice?: DeliverTwice;
}

/**
 * One stream-triggered function: a Lambda Kinesis event source mapping with
 * `ReportBatchItemFailures`. Each shard is read in order from the consumer's durable checkpoint,
 * one worker at a time (leases), and handed to the handler as Kinesis-shaped batches; failures
 * are retried, bisected and dead-lettered as {@link nextShardState} says. The checkpoint is
 * written after the handler returns, so a crash replays from it: handlers must be idempotent.
 */
export class StreamConsumer {
  private readonly checkpoints: StreamCheckpoints;

  constructor(private readonly options: StreamConsumerOptions) {
    const { db, clock, name, trigger, queues, streams } = options;
    streams.spec(trigger.stream);
    if (!queues.deadLetterQueues().includes(trigger.onFailure.queue)) {
      throw new Error(
        `function "${name}": onFailure queue "${trigger.onFailure.queue}" is not a dead-letter queue of the QueueStore (pass it in failureQueues)`,
      );
    }
    this.checkpoints = new StreamCheckpoints(
      db,
      clock,
      name,
      trigger.stream,
      randomUUID(),
      options.leaseSeconds,
    );
  }

  /** Gives the consumer its checkpoints (where it starts) if it has none yet. */
  open(): Promise<void> {
    return this.checkpoints.register(this.options.trigger.startingPosition);
  }

  /**
   * Processes at most one batch per shard. With `honourBatchingWindow` (the background loop), a
   * shard with fewer than a full batch whose oldest record is younger than the batching window
   * is left for a later poll. Returns how many records were handed to the handler.
   */
  async poll(options: { honourBatchingWindow?: boolean } = {}): Promise<number> {
    let handled = 0;
    for (const { shardId } of this.options.streams.shards(this.options.trigger.stream)) {
      handled += await this.pollShard(shardId, options.honourBatchingWindow ?? false);
    }
    return handled;
  }

  /** Records after the checkpoints (of a trace), and when a blocked shard can be read again. */
  pending(traceId?: string): Promise<{ count: number; nextAt: Date | null }> {
    return this.checkpoints.pending(traceId);
  }

  private async pollShard(shardId: string, honourBatchingWindow: boolean): Promise<number> {
    const { streams, trigger } = this.options;
    const state = await this.checkpoints.lease(shardId);
    if (!state) return 0;
    let committed = false;
    try {
      if (honourBatchingWindow && (await this.waitsForMore(shardId, state))) return 0;
      const records = await streams.read(
        trigger.stream,
        shardId,
        formatSequenceNumber(state.checkpoint),
        state.batchLimit ?? trigger.batchSize,
        MAX_EVENT_BYTES,
        state.batchEnd === null ? undefined : formatSequenceNumber(state.batchEnd),
      );
      if (records.length === 0) return 0;
      committed = await this.process(shardId, state, records);
      return records.length;
    } finally {
      if (!committed) await this.checkpoints.release(shardId);
    }
  }

  /**
   * A first attempt at a batch that is neither full nor old enough waits for the window. Decided
   * from counts and the oldest arrival alone: reading the records' data on every wake-up, only to
   * leave them, cost more than processing them (see docs/benchmarks.md).
   */
  private async waitsForMore(shardId: string, state: ShardState): Promise<boolean> {
    const { trigger, clock, streams } = this.options;
    if (state.attempts > 0 || state.batchLimit !== null || state.batchEnd !== null) return false;
    const waiting = await streams.backlog(trigger.stream, shardId, state.checkpoint, trigger.batchSize);
    if (waiting.count === 0 || waiting.count >= trigger.batchSize) return false;
    // So close to the payload limit that the next record might not have fitted: a full batch.
    if (waiting.bytes > MAX_EVENT_BYTES - eventBytes(MAX_RECORD_BYTES, 0)) return false;
    const oldest = waiting.oldestArrival?.getTime() ?? 0;
    return clock.now().getTime() - oldest < trigger.batchingWindowSeconds * 1000;
  }

  /** Invokes the handler and writes the outcome. Returns false when the lease was lost meanwhile. */
  private async process(shardId: string, state: ShardState, records: StoredStreamRecord[]): Promise<boolean> {
    const { db, clock, queues, trigger, name, log } = this.options;
    const { outcome, context, runs } = await this.deliver(records);
    const { update, dead } = nextShardState(state, records, outcome, trigger, clock.now());
    const committed = await db.transaction(async (tx) => {
      if (!(await this.checkpoints.commit(tx, shardId, update))) return false;
      if (dead) {
        const message = streamFailureMessage({
          functionArn: context.invokedFunctionArn,
          requestId: context.awsRequestId,
          stream: trigger.stream,
          shardId,
          ...dead,
          now: clock.now(),
        });
        await queues.sendDeadLetter(
          trigger.onFailure.queue,
          {
            body: JSON.stringify(message),
            traceId: dead.records[0]?.traceId ?? null,
            source: `${STREAM_SOURCE_PREFIX}${trigger.stream}`,
            error: dead.error.message,
            receiveCount: dead.invocations,
          },
          tx,
        );
      }
      return true;
    });
    if (!committed) {
      log.error(`${name}: lost the lease on ${trigger.stream}/${shardId}; another worker repeats the batch`);
    } else if (dead) {
      log.error(`${name}: records moved to ${trigger.onFailure.queue}`, {
        stream: trigger.stream,
        shardId,
        sequenceNumbers: dead.records.map((record) => record.sequenceNumber),
        error: dead.error.message,
      });
    }
    for (const run of runs) {
      await db.query(
        `INSERT INTO function_runs (function, trace_ids, started_at, finished_at, records, failures, error)
         VALUES ($1, $2, $3, $4, $5, $6, $7)`,
        [
          name,
          [...new Set(records.map((record) => record.traceId ?? ''))],
          run.startedAt,
          run.finishedAt,
          records.length,
          failureCount(run.outcome, records.length),
          run.outcome.kind === 'ok' ? null : run.outcome.error.message,
        ],
      );
    }
    return committed;
  }

  /** Hands the batch to the handler, once or (duplicate-delivery mode) twice: see {@link deliverBatch}. */
  private async deliver(records: readonly StoredStreamRecord[]) {
    const { clock, deliverTwice = 'off' } = this.options;
    const { decided, runs } = await deliverBatch(deliverTwice, async () => {
      const startedAt = clock.now();
      const context = this.options.context();
      const outcome = await runInTrace(records[0]?.traceId ?? randomUUID(), () =>
        this.invoke(records, context),
      );
      return { outcome, context, startedAt, finishedAt: clock.now() };
    });
    return { ...decided, runs };
  }

  private async invoke(records: readonly StoredStreamRecord[], context: Context): Promise<BatchOutcome> {
    const event: KinesisStreamEvent = { Records: records.map((record) => this.toKinesisRecord(record)) };
    let response: Awaited<ReturnType<StreamHandler>>;
    try {
      response = await this.options.handler(event, context);
    } catch (caught) {
      return { kind: 'failed', error: caught instanceof Error ? caught : new Error(String(caught)) };
    }
    const failures = response?.batchItemFailures ?? [];
    if (failures.length === 0) return { kind: 'ok' };
    const positions = new Map(records.map((record, index) => [record.sequenceNumber, index]));
    let first = records.length;
    for (const { itemIdentifier } of failures) {
      const index = positions.get(itemIdentifier);
      if (index === undefined) {
        // Lambda treats a response it cannot follow as a failure of the whole batch.
        return {
          kind: 'failed',
          error: new Error(
            `batchItemFailures names ${JSON.stringify(itemIdentifier)}, which is not a sequence number of the batch`,
          ),
        };
      }
      first = Math.min(first, index);
    }
    const failed = records[first] as StoredStreamRecord;
    const error =
      streamFailureReasons(event).get(failed.sequenceNumber) ?? new Error('reported in batchItemFailures');
    return { kind: 'partial', index: first, error, failures: failures.length };
  }

  private toKinesisRecord(record: StoredStreamRecord): KinesisStreamRecord {
    return {
      kinesis: {
        kinesisSchemaVersion: '1.0',
        partitionKey: record.partitionKey,
        sequenceNumber: record.sequenceNumber,
        data: toBase64(record.data),
        approximateArrivalTimestamp: record.approximateArrivalTimestamp.getTime() / 1000,
      },
      eventSource: 'aws:kinesis',
      eventVersion: '1.0',
      eventID: `${record.shardId}:${record.sequenceNumber}`,
      eventName: 'aws:kinesis:record',
      invokeIdentityArn: `arn:aws:iam::${LOCAL_ACCOUNT}:role/${this.options.name}`,
      awsRegion: LOCAL_REGION,
      eventSourceARN: streamArn(record.stream),
    };
  }
}

function failureCount(outcome: BatchOutcome, records: number): number {
  if (outcome.kind === 'ok') return 0;
  return outcome.kind === 'partial' ? outcome.failures : records;
}
