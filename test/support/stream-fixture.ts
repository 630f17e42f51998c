import type { KinesisStreamEvent } from 'aws-lambda';
import type { SqlClient } from '../../src/adapters/sql/sql-client.js';
import { ManualClock } from '../../src/runtime/clock.js';
import { QueueStore } from '../../src/runtime/queue-store.js';
import { StreamStore } from '../../src/runtime/stream-store.js';
import type { StreamTrigger, Topology } from '../../src/topology.js';
import { useMemoryDb } from './memory-db.js';

/** Keys 'a' and 'c' hash to this shard of stream `clicks`; 'b' and 'd' to the other. */
export const SHARD_0 = 'shardId-000000000000';

/** A stream `clicks` of two shards and its on-failure queue, for stream consumer tests. */
export const clicksTopology = {
  buckets: {},
  rules: {},
  stateMachines: {},
  schedules: {},
  queues: {
    'clicks-dlq': { description: 'failed clicks', visibilityTimeoutSeconds: 30, retentionSeconds: 86_400 },
  },
  streams: { clicks: { description: 'clicks', shardCount: 2, retentionHours: 24 } },
  functions: {},
} satisfies Topology;

/** A consumer of `clicks` with two retries and bisection; `overrides` sets the rest. */
export function clicksTrigger(overrides: Partial<StreamTrigger> = {}): StreamTrigger {
  return {
    stream: 'clicks',
    batchSize: 5,
    batchingWindowSeconds: 0,
    startingPosition: 'TRIM_HORIZON',
    maximumRetryAttempts: 2,
    bisectBatchOnFunctionError: true,
    onFailure: { queue: 'clicks-dlq' },
    ...overrides,
  };
}

/** The in-memory database of the file, emptied of stream and queue state before each test. */
export function useStreamDb(): () => SqlClient {
  return useMemoryDb([
    'stream_records',
    'stream_shards',
    'stream_checkpoints',
    'queue_messages',
    'function_runs',
  ]);
}

/** A fresh clock, queue store and stream store (shards created) over `db`. */
export async function openClicks(db: SqlClient) {
  const clock = new ManualClock('2024-09-01T12:00:00Z');
  const queues = new QueueStore(db, clock, clicksTopology.queues, { failureQueues: ['clicks-dlq'] });
  const streams = new StreamStore(db, clock, clicksTopology.streams);
  await streams.ensureShards();
  return { db, clock, queues, streams };
}

/** The records' data of a Kinesis batch, as text. */
export const dataOf = (event: KinesisStreamEvent) =>
  event.Records.map((record) => Buffer.from(record.kinesis.data, 'base64').toString());
