import type { SqlClient } from '../adapters/sql/sql-client.js';
import type { Clock } from '../ports/clock.js';
import type { StreamDescription, StreamProducer, StreamRecordInput } from '../ports/stream.js';
import type { StreamSpec } from '../topology.js';
import { describeStreams } from './stream-describe.js';
import {
  eventBytesSql,
  formatSequenceNumber,
  parseSequenceNumber,
  type ShardRange,
  shardIndexFor,
  shardRanges,
  toBase64,
  UnknownStreamError,
  validatePut,
} from './stream-shards.js';
import { currentTraceId } from './trace.js';

/** A record as the fabric stores it. */
export interface StoredStreamRecord {
  stream: string;
  shardId: string;
  sequenceNumber: string;
  partitionKey: string;
  data: Uint8Array;
  traceId: string | null;
  approximateArrivalTimestamp: Date;
}

export class ReshardingNotSupportedError extends Error {
  constructor(stream: string, stored: number, declared: number) {
    super(
      `stream "${stream}" has ${stored} shards in this database but the topology declares ${declared}: ` +
        'resharding is not supported by the embedded fabric; keep the shard count, or start on a new data dir',
    );
    this.name = 'ReshardingNotSupportedError';
  }
}

// The stream and shard are the caller's: not read back for every row of a large batch.
const recordColumns = `seq, partition_key AS "partitionKey", data, trace_id AS "traceId",
  arrived_at AS "approximateArrivalTimestamp"`;

type RecordRow = Omit<StoredStreamRecord, 'sequenceNumber' | 'stream' | 'shardId'> & { seq: number };

/**
 * Kinesis data streams over SQL: partition keys hashed to shards by MD5, per-shard ordered
 * sequence numbers, durable records and, in `stream_checkpoints`, each consumer's position.
 * Works on PGlite and on a PostgreSQL server shared by several producers and workers.
 *
 * Retention deviates from Kinesis on purpose: a record older than `retentionHours` is deleted
 * only once every consumer of its stream has checkpointed past it, so nothing accepted is lost
 * to a consumer that fell behind. A consumer removed from the topology keeps its checkpoints
 * (and so holds back trimming) until its rows are deleted.
 */
export class StreamStore implements StreamProducer {
  private readonly ranges = new Map<string, ShardRange[]>();
  private readonly shardOfKey = new Map<string, number>();

  constructor(
    private readonly db: SqlClient,
    private readonly clock: Clock,
    private readonly specs: Readonly<Record<string, StreamSpec>>,
  ) {
    for (const [name, spec] of Object.entries(specs)) this.ranges.set(name, shardRanges(spec.shardCount));
  }

  spec(stream: string): StreamSpec {
    const spec = this.specs[stream];
    if (!spec) throw new UnknownStreamError(stream);
    return spec;
  }

  streamNames(): string[] {
    return Object.keys(this.specs);
  }

  shards(stream: string): readonly ShardRange[] {
    const ranges = this.ranges.get(stream);
    if (!ranges) throw new UnknownStreamError(stream);
    return ranges;
  }

  /**
   * Creates the shards of every stream of the topology that has none yet. A stream whose
   * stored shard count differs from the topology's is refused: resharding is not supported.
   */
  async ensureShards(): Promise<void> {
    const { rows } = await this.db.query<{ stream: string; shards: number }>(
      'SELECT stream, count(*)::int8 AS shards FROM stream_shards WHERE stream = ANY($1::text[]) GROUP BY stream',
      [this.streamNames()],
    );
    const stored = new Map(rows.map((row) => [row.stream, row.shards]));
    for (const [stream, spec] of Object.entries(this.specs)) {
      const count = stored.get(stream);
      if (count !== undefined && count !== spec.shardCount) {
        throw new ReshardingNotSupportedError(stream, count, spec.shardCount);
      }
      if (count !== undefined) continue;
      const ranges = this.shards(stream);
      await this.db.query(
        `INSERT INTO stream_shards (stream, shard_id, shard_count, starting_hash_key, ending_hash_key, created_at)
         SELECT $1, id, $2, start_key::numeric, end_key::numeric, $5
         FROM unnest($3::text[], $4::text[], $6::text[]) AS s(id, start_key, end_key)
         ON CONFLICT DO NOTHING`,
        [
          stream,
          spec.shardCount,
          ranges.map((range) => range.shardId),
          ranges.map((range) => range.startingHashKey.toString()),
          this.clock.now(),
          ranges.map((range) => range.endingHashKey.toString()),
        ],
      );
    }
  }

  /** The shard a partition key goes to. */
  shardFor(stream: string, partitionKey: string): string {
    const ranges = this.shards(stream);
    const cacheKey = `${stream}\u0000${partitionKey}`;
    let index = this.shardOfKey.get(cacheKey);
    if (index === undefined) {
      index = shardIndexFor(ranges, partitionKey);
      if (this.shardOfKey.size >= 10_000) this.shardOfKey.clear();
      this.shardOfKey.set(cacheKey, index);
    }
    return (ranges[index] as ShardRange).shardId;
  }

  /**
   * Kinesis PutRecords: writes every record or none (a call Kinesis would refuse throws
   * {@link InvalidStreamRecordError} naming the record and the limit). Records of one shard get
   * increasing sequence numbers in input order; sequence numbers are taken in the write
   * transaction, so a shard's sequence order is its commit order even with concurrent producers.
   * Pass `db` to write inside a caller's transaction (the shards it writes to stay locked until
   * that transaction ends).
   */
  async putRecords(
    stream: string,
    records: readonly StreamRecordInput[],
    db: SqlClient = this.db,
  ): Promise<{ shardId: string; sequenceNumber: string }[]> {
    this.spec(stream);
    validatePut(records);
    const shardIds = records.map((record) => this.shardFor(stream, record.partitionKey));
    const counts = new Map<string, number>();
    for (const id of shardIds) counts.set(id, (counts.get(id) ?? 0) + 1);
    const touched = [...counts.keys()].sort();
    const traceId = currentTraceId() ?? null;
    const arrivedAt = this.clock.now();
    return db.transaction(async (tx) => {
      // Lock the shard rows in one order, so two producers never wait on each other in a cycle.
      await tx.query(
        'SELECT 1 FROM stream_shards WHERE stream = $1 AND shard_id = ANY($2::text[]) ORDER BY shard_id FOR UPDATE',
        [stream, touched],
      );
      const { rows } = await tx.query<{ shardId: string; first: number }>(
        `UPDATE stream_shards s SET next_sequence = s.next_sequence + c.n
         FROM unnest($2::text[], $3::int8[]) AS c(shard_id, n)
         WHERE s.stream = $1 AND s.shard_id = c.shard_id
         RETURNING s.shard_id AS "shardId", s.next_sequence - c.n AS first`,
        [stream, touched, touched.map((id) => counts.get(id))],
      );
      if (rows.length !== touched.length) {
        throw new Error(`stream "${stream}" has no shards in the database: call ensureShards() first`);
      }
      const next = new Map(rows.map((row) => [row.shardId, row.first]));
      const seqs = shardIds.map((id) => {
        const seq = next.get(id) as number;
        next.set(id, seq + 1);
        return seq;
      });
      await tx.query(
        `INSERT INTO stream_records (stream, shard_id, seq, partition_key, data, trace_id, arrived_at)
         SELECT $1, shard, seq, pkey, decode(data, 'base64'), $6, $7
         FROM unnest($2::text[], $3::int8[], $4::text[], $5::text[]) AS r(shard, seq, pkey, data)`,
        [
          stream,
          shardIds,
          seqs,
          records.map((record) => record.partitionKey),
          records.map((record) => toBase64(record.data)),
          traceId,
          arrivedAt,
        ],
      );
      return shardIds.map((id, i) => ({ shardId: id, sequenceNumber: formatSequenceNumber(seqs[i] ?? 0) }));
    });
  }

  /**
   * Up to `limit` records of a shard after `afterSequence` ('' or '0' for the oldest), oldest
   * first, as many as fit in `maxEventBytes` of a Lambda event (always at least one), and none
   * after `throughSequence` when given.
   */
  /**
   * How many records wait after `afterSequence` (counting at most `limit`), their Lambda payload
   * size and the oldest one's arrival: enough to decide a batching window without reading data.
   */
  async backlog(
    stream: string,
    shardId: string,
    afterSequence: number,
    limit: number,
  ): Promise<{ count: number; bytes: number; oldestArrival: Date | null }> {
    const { rows } = await this.db.query<{ count: number; bytes: number | null; oldest: Date | null }>(
      `SELECT count(*)::int8 AS count, sum(${eventBytesSql})::int8 AS bytes, min(arrived_at) AS oldest
       FROM (SELECT * FROM stream_records WHERE stream = $1 AND shard_id = $2 AND seq > $3
             ORDER BY seq LIMIT $4) waiting`,
      [stream, shardId, afterSequence, limit],
    );
    const row = rows[0];
    return { count: row?.count ?? 0, bytes: row?.bytes ?? 0, oldestArrival: row?.oldest ?? null };
  }

  async read(
    stream: string,
    shardId: string,
    afterSequence: string,
    limit: number,
    maxEventBytes = Number.MAX_SAFE_INTEGER,
    throughSequence?: string,
  ): Promise<StoredStreamRecord[]> {
    this.spec(stream);
    const { rows } = await this.db.query<RecordRow>(
      `SELECT ${recordColumns} FROM (
         SELECT *, row_number() OVER (ORDER BY seq) AS n, sum(${eventBytesSql}) OVER (ORDER BY seq) AS bytes
         FROM (SELECT * FROM stream_records
               WHERE stream = $1 AND shard_id = $2 AND seq > $3 AND ($6::int8 IS NULL OR seq <= $6)
               ORDER BY seq LIMIT $4) first_records
       ) sized
       WHERE n = 1 OR bytes <= $5 ORDER BY seq`,
      [
        stream,
        shardId,
        afterSequence === '' ? 0 : parseSequenceNumber(afterSequence),
        limit,
        maxEventBytes,
        throughSequence === undefined ? null : parseSequenceNumber(throughSequence),
      ],
    );
    return rows.map(({ seq, data, ...row }) => ({
      stream,
      shardId,
      sequenceNumber: formatSequenceNumber(seq),
      ...row,
      data: new Uint8Array(data.buffer, data.byteOffset, data.byteLength),
    }));
  }

  /**
   * Drops every lease. Only for the embedded fabric at start-up: the data-dir lock proves that
   * whoever held them is gone. On a shared server, leases of other workers expire instead.
   */
  async releaseLeases(): Promise<number> {
    const { rowCount } = await this.db.query(
      'UPDATE stream_checkpoints SET lease_owner = NULL, leased_until = NULL WHERE lease_owner IS NOT NULL',
    );
    return rowCount;
  }

  /** Per stream: its shards (hash range, records, last sequence number) and its consumers' state. */
  describe(): Promise<StreamDescription[]> {
    return describeStreams(
      this.db,
      this.streamNames().map((stream) => ({ stream, spec: this.spec(stream), ranges: this.shards(stream) })),
    );
  }

  /**
   * Deletes records older than their stream's retention that every consumer of the stream has
   * checkpointed past (see the class comment). Returns how many were deleted.
   */
  async trim(now: Date = this.clock.now()): Promise<number> {
    let deleted = 0;
    for (const [stream, spec] of Object.entries(this.specs)) {
      const cutoff = new Date(now.getTime() - spec.retentionHours * 3_600_000);
      const { rowCount } = await this.db.query(
        `DELETE FROM stream_records r USING stream_shards s
         WHERE s.stream = $1 AND r.stream = s.stream AND r.shard_id = s.shard_id AND r.arrived_at < $2
           AND r.seq <= COALESCE((SELECT min(c.checkpoint) FROM stream_checkpoints c
                                  WHERE c.stream = s.stream AND c.shard_id = s.shard_id), s.next_sequence)`,
        [stream, cutoff],
      );
      deleted += rowCount;
    }
    return deleted;
  }
}
