import type { SqlClient } from '../adapters/sql/sql-client.js';
import type { Clock } from '../ports/clock.js';
import type { StreamTrigger } from '../topology.js';

/** A consumer's position and retry state on one shard. */
export interface ShardState {
  shardId: string;
  /** Last sequence number processed (0: none yet). */
  checkpoint: number;
  /** The record whose failed attempts `attempts` counts. */
  failingSeq: number | null;
  attempts: number;
  /** Batch size in force while bisecting (null: the trigger's). */
  batchLimit: number | null;
  /** A failed batch is retried as it was: its last sequence number. */
  batchEnd: number | null;
}

/** What a processed batch changes; the lease is released with it. */
export type ShardUpdate = Omit<ShardState, 'shardId'> & { retryAt: Date | null; lastError: string | null };

const stateColumns = `shard_id AS "shardId", checkpoint, failing_seq AS "failingSeq", attempts,
  batch_limit AS "batchLimit", batch_end AS "batchEnd"`;

/**
 * One consumer's rows of `stream_checkpoints`: leases that keep a (consumer, shard) to one
 * worker at a time, even across processes on one PostgreSQL server, and checkpoint writes that
 * only the lease holder can make.
 */
export class StreamCheckpoints {
  constructor(
    private readonly db: SqlClient,
    private readonly clock: Clock,
    private readonly consumer: string,
    private readonly stream: string,
    private readonly owner: string,
    private readonly leaseSeconds: number,
  ) {}

  /**
   * Gives the consumer a checkpoint on every shard it has none on yet: before the oldest record
   * (`TRIM_HORIZON`) or at the shard's last sequence number (`LATEST`).
   */
  async register(startingPosition: StreamTrigger['startingPosition']): Promise<void> {
    await this.db.query(
      `INSERT INTO stream_checkpoints (consumer, stream, shard_id, checkpoint, updated_at)
       SELECT $1, stream, shard_id, CASE WHEN $3 = 'LATEST' THEN next_sequence - 1 ELSE 0 END, $4
       FROM stream_shards WHERE stream = $2
       ON CONFLICT DO NOTHING`,
      [this.consumer, this.stream, startingPosition, this.clock.now()],
    );
  }

  /**
   * Leases a shard that has records after the checkpoint, is not leased by another worker and
   * is not waiting out a retry backoff. Returns its state, or undefined when there is nothing to do.
   */
  async lease(shardId: string): Promise<ShardState | undefined> {
    const now = this.clock.now();
    const { rows } = await this.db.query<ShardState>(
      `UPDATE stream_checkpoints c SET lease_owner = $4, leased_until = $6
       WHERE c.consumer = $1 AND c.stream = $2 AND c.shard_id = $3
         AND (c.lease_owner IS NULL OR c.leased_until <= $5)
         AND (c.retry_at IS NULL OR c.retry_at <= $5)
         AND EXISTS (SELECT 1 FROM stream_records r
                     WHERE r.stream = c.stream AND r.shard_id = c.shard_id AND r.seq > c.checkpoint)
       RETURNING ${stateColumns}`,
      [
        this.consumer,
        this.stream,
        shardId,
        this.owner,
        now,
        new Date(now.getTime() + this.leaseSeconds * 1000),
      ],
    );
    return rows[0];
  }

  /**
   * Writes the outcome of a batch and releases the lease, in `tx` (with its DLQ message, if
   * any). Returns false, writing nothing, when the lease was lost to another worker meanwhile.
   */
  async commit(tx: SqlClient, shardId: string, update: ShardUpdate): Promise<boolean> {
    const { rowCount } = await tx.query(
      `UPDATE stream_checkpoints SET checkpoint = $5, failing_seq = $6, attempts = $7, batch_limit = $8,
         batch_end = $9, retry_at = $10, last_error = $11, lease_owner = NULL, leased_until = NULL,
         updated_at = $12
       WHERE consumer = $1 AND stream = $2 AND shard_id = $3 AND lease_owner = $4`,
      [
        this.consumer,
        this.stream,
        shardId,
        this.owner,
        update.checkpoint,
        update.failingSeq,
        update.attempts,
        update.batchLimit,
        update.batchEnd,
        update.retryAt,
        update.lastError,
        this.clock.now(),
      ],
    );
    return rowCount === 1;
  }

  /** Gives a lease back without changing the checkpoint. */
  async release(shardId: string): Promise<void> {
    await this.db.query(
      `UPDATE stream_checkpoints SET lease_owner = NULL, leased_until = NULL
       WHERE consumer = $1 AND stream = $2 AND shard_id = $3 AND lease_owner = $4`,
      [this.consumer, this.stream, shardId, this.owner],
    );
  }

  /**
   * Records after the checkpoints (only those of a trace, when given), and the earliest time a
   * shard holding some becomes readable again (after a retry backoff or another worker's lease).
   */
  async pending(traceId?: string): Promise<{ count: number; nextAt: Date | null }> {
    const now = this.clock.now();
    const { rows } = await this.db.query<{ count: number; next: Date | null }>(
      `SELECT count(*)::int8 AS count,
         min(GREATEST(COALESCE(c.retry_at, $4), CASE WHEN c.lease_owner IS NULL THEN $4 ELSE c.leased_until END)) AS next
       FROM stream_checkpoints c
       JOIN stream_records r ON r.stream = c.stream AND r.shard_id = c.shard_id AND r.seq > c.checkpoint
       WHERE c.consumer = $1 AND c.stream = $2 AND ($3::text IS NULL OR r.trace_id = $3)`,
      [this.consumer, this.stream, traceId ?? null, now],
    );
    const row = rows[0];
    return { count: row?.count ?? 0, nextAt: row?.next ?? null };
  }
}
