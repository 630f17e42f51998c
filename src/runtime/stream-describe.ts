import type { SqlClient } from '../adapters/sql/sql-client.js';
import type { ConsumerShardDescription, StreamDescription } from '../ports/stream.js';
import type { StreamSpec } from '../topology.js';
import { formatSequenceNumber, type ShardRange } from './stream-shards.js';

const optionalSequence = (seq: number | null) => (seq ? formatSequenceNumber(seq) : null);

/** Every stream's shards and consumers, for operators and the dashboard. */
export async function describeStreams(
  db: SqlClient,
  streams: readonly { stream: string; spec: StreamSpec; ranges: readonly ShardRange[] }[],
): Promise<StreamDescription[]> {
  const names = streams.map((s) => s.stream);
  const shardRows = await db.query<{ stream: string; shardId: string; records: number; last: number }>(
    `SELECT s.stream, s.shard_id AS "shardId", s.next_sequence - 1 AS last,
       -- Sequence numbers have no gaps and trimming removes the oldest: records = last - first + 1,
       -- read from the primary key instead of counting a stream that may hold millions.
       coalesce(s.next_sequence - (SELECT min(r.seq) FROM stream_records r
                                   WHERE r.stream = s.stream AND r.shard_id = s.shard_id), 0)::int8 AS records
     FROM stream_shards s WHERE s.stream = ANY($1::text[])`,
    [names],
  );
  const consumerRows = await db.query<
    Omit<ConsumerShardDescription, 'checkpoint' | 'failingSequenceNumber'> & {
      stream: string;
      checkpoint: number;
      failingSeq: number | null;
    }
  >(
    `SELECT c.consumer, c.stream, c.shard_id AS "shardId", c.checkpoint, c.attempts, c.failing_seq AS "failingSeq",
       c.retry_at AS "retryAt", c.last_error AS "lastError", c.batch_limit AS "batchLimit",
       c.leased_until AS "leasedUntil",
       -- No gaps: everything after the checkpoint up to the last sequence number is waiting.
       ((SELECT s.next_sequence - 1 FROM stream_shards s WHERE s.stream = c.stream AND s.shard_id = c.shard_id)
        - c.checkpoint)::int8 AS lag
     FROM stream_checkpoints c WHERE c.stream = ANY($1::text[]) ORDER BY c.consumer, c.shard_id`,
    [names],
  );
  return streams.map(({ stream, spec, ranges }) => ({
    stream,
    shardCount: spec.shardCount,
    retentionHours: spec.retentionHours,
    shards: ranges.map((range) => {
      const row = shardRows.rows.find((r) => r.stream === stream && r.shardId === range.shardId);
      return {
        shardId: range.shardId,
        startingHashKey: range.startingHashKey.toString(),
        endingHashKey: range.endingHashKey.toString(),
        records: row?.records ?? 0,
        lastSequenceNumber: optionalSequence(row?.last ?? null),
      };
    }),
    consumers: consumerRows.rows
      .filter((row) => row.stream === stream)
      .map(({ stream: _stream, checkpoint, failingSeq, ...row }) => ({
        ...row,
        checkpoint: optionalSequence(checkpoint),
        failingSequenceNumber: optionalSequence(failingSeq),
      })),
  }));
}
