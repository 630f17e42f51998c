import { randomUUID } from 'node:crypto';
import type { SqlClient } from '../adapters/sql/sql-client.js';
import type { Clock } from '../ports/clock.js';
import type { QueueSpec } from '../topology.js';

/** A message as the fabric stores it. */
export interface StoredMessage {
  messageId: string;
  queue: string;
  body: string;
  traceId: string | null;
  receiveCount: number;
  sentAt: Date;
  firstReceivedAt: Date | null;
  visibleAt: Date;
  receipt: string | null;
  sourceQueue: string | null;
  lastError: string | null;
}

export interface OutgoingMessage {
  body: string;
  traceId?: string | undefined;
  delaySeconds?: number;
}

export class UnknownQueueError extends Error {
  constructor(readonly queue: string) {
    super(`queue "${queue}" is not declared in the topology`);
    this.name = 'UnknownQueueError';
  }
}

/** Delay before a failed message is offered again: 1 s, 2 s, 4 s … capped at 5 minutes. */
export function retryDelaySeconds(receiveCount: number): number {
  return Math.min(2 ** Math.max(0, receiveCount - 1), 300);
}

const columns = `message_id AS "messageId", queue, body, trace_id AS "traceId", receive_count AS "receiveCount",
  sent_at AS "sentAt", first_received_at AS "firstReceivedAt", visible_at AS "visibleAt", receipt,
  source_queue AS "sourceQueue", last_error AS "lastError"`;

/**
 * SQS semantics over SQL: visibility timeout, receive counts, retries with backoff, and a DLQ
 * after `maxReceiveCount` failed receives, with redrive. Works on PGlite and on a PostgreSQL
 * server shared by several workers (`FOR UPDATE SKIP LOCKED`).
 */
export class QueueStore {
  private readonly failureQueues: readonly string[];

  /**
   * `failureQueues` names queues that are a dead-letter queue without being any queue's
   * `deadLetter`: the `onFailure` destinations of stream consumers.
   */
  constructor(
    private readonly db: SqlClient,
    private readonly clock: Clock,
    private readonly specs: Readonly<Record<string, QueueSpec>>,
    options: { failureQueues?: readonly string[] } = {},
  ) {
    this.failureQueues = options.failureQueues ?? [];
    for (const queue of this.failureQueues) this.spec(queue);
  }

  spec(queue: string): QueueSpec {
    const spec = this.specs[queue];
    if (!spec) throw new UnknownQueueError(queue);
    return spec;
  }

  queueNames(): string[] {
    return Object.keys(this.specs);
  }

  /** Names of the queues that are some queue's dead-letter queue, or a failure destination. */
  deadLetterQueues(): string[] {
    return [
      ...new Set([
        ...Object.values(this.specs).flatMap((spec) => spec.deadLetter?.queue ?? []),
        ...this.failureQueues,
      ]),
    ];
  }

  async send(
    queue: string,
    messages: readonly OutgoingMessage[],
    db: SqlClient = this.db,
  ): Promise<string[]> {
    this.spec(queue);
    if (messages.length === 0) return [];
    const now = this.clock.now().getTime();
    const ids = messages.map(() => randomUUID());
    await db.query(
      `INSERT INTO queue_messages (queue, message_id, body, trace_id, visible_at, sent_at)
       SELECT $1, id, body, trace, to_timestamp(visible / 1000.0), $6
       FROM unnest($2::text[], $3::text[], $4::text[], $5::float8[]) AS m(id, body, trace, visible)`,
      [
        queue,
        ids,
        messages.map((m) => m.body),
        messages.map((m) => m.traceId ?? null),
        messages.map((m) => now + (m.delaySeconds ?? 0) * 1000),
        new Date(now),
      ],
    );
    return ids;
  }

  /**
   * Receives up to `max` visible messages and hides them for the queue's visibility timeout.
   * Each receive gets a new receipt; only the latest receipt can acknowledge or fail a message.
   */
  async receive(queue: string, max: number): Promise<StoredMessage[]> {
    const spec = this.spec(queue);
    const now = this.clock.now();
    const hiddenUntil = new Date(now.getTime() + spec.visibilityTimeoutSeconds * 1000);
    const { rows } = await this.db.query<StoredMessage & { seq: number }>(
      `UPDATE queue_messages SET receive_count = receive_count + 1, receipt = gen_random_uuid()::text,
         visible_at = $3, first_received_at = COALESCE(first_received_at, $2)
       WHERE id IN (SELECT id FROM queue_messages WHERE queue = $1 AND visible_at <= $2
                    ORDER BY visible_at, id LIMIT $4 FOR UPDATE SKIP LOCKED)
       RETURNING id AS seq, ${columns}`,
      [queue, now, hiddenUntil, max],
    );
    // RETURNING has no order, and every row now has the same visible_at: oldest message first.
    return rows.sort((a, b) => a.seq - b.seq).map(({ seq: _seq, ...message }) => message);
  }

  /** Deletes messages that were processed (SQS DeleteMessage). Stale receipts are ignored. */
  async acknowledge(receipts: readonly string[]): Promise<void> {
    if (receipts.length === 0) return;
    await this.db.query('DELETE FROM queue_messages WHERE receipt = ANY($1::text[])', [receipts]);
  }

  /**
   * Makes received messages visible again at once, without counting a failure (SQS
   * ChangeMessageVisibility to 0). Stale receipts are ignored.
   */
  async release(receipts: readonly string[]): Promise<void> {
    if (receipts.length === 0) return;
    await this.db.query(
      'UPDATE queue_messages SET receipt = NULL, visible_at = $2 WHERE receipt = ANY($1::text[])',
      [receipts, this.clock.now()],
    );
  }

  /**
   * Records a failed processing. The message is offered again after a backoff, or moved to the
   * dead-letter queue when it has been received `maxReceiveCount` times or the failure is not
   * retriable. A queue without a DLQ retries until the message is purged.
   */
  async fail(
    message: StoredMessage,
    error: string,
    options: { retriable: boolean },
  ): Promise<'retry' | 'dead'> {
    const spec = this.spec(message.queue);
    const now = this.clock.now().getTime();
    const dlq = spec.deadLetter;
    if (dlq && (!options.retriable || message.receiveCount >= dlq.maxReceiveCount)) {
      await this.db.query(
        `UPDATE queue_messages SET queue = $2, source_queue = $3, last_error = $4, receipt = NULL, visible_at = $5
         WHERE receipt = $1`,
        [message.receipt, dlq.queue, message.queue, error, new Date(now)],
      );
      return 'dead';
    }
    await this.db.query(
      'UPDATE queue_messages SET last_error = $2, receipt = NULL, visible_at = $3 WHERE receipt = $1',
      [message.receipt, error, new Date(now + retryDelaySeconds(message.receiveCount) * 1000)],
    );
    return 'retry';
  }

  /**
   * Puts a message straight into a dead-letter queue with where it came from (`source`, for
   * example `stream:events`) and why. Returns its id.
   */
  async sendDeadLetter(
    queue: string,
    letter: { body: string; traceId: string | null; source: string; error: string; receiveCount: number },
    db: SqlClient = this.db,
  ): Promise<string> {
    if (!this.deadLetterQueues().includes(queue)) {
      throw new Error(`queue "${queue}" is not a dead-letter queue of the topology`);
    }
    const messageId = randomUUID();
    const now = this.clock.now();
    await db.query(
      `INSERT INTO queue_messages (queue, message_id, body, trace_id, receive_count, visible_at, sent_at,
         source_queue, last_error)
       VALUES ($1, $2, $3, $4, $5, $6, $6, $7, $8)`,
      [queue, messageId, letter.body, letter.traceId, letter.receiveCount, now, letter.source, letter.error],
    );
    return messageId;
  }

  /**
   * Deletes and returns, oldest first, the dead letters whose source starts with `sourcePrefix`
   * (all of them, or those of `messageIds`): for a caller that replays them elsewhere in `db`'s
   * transaction.
   */
  async takeDeadLetters(
    messageIds: readonly string[] | 'all',
    sourcePrefix: string,
    db: SqlClient = this.db,
  ): Promise<StoredMessage[]> {
    const { rows } = await db.query<StoredMessage & { seq: number }>(
      `DELETE FROM queue_messages
       WHERE queue = ANY($1::text[]) AND starts_with(source_queue, $2)
         AND ($3::text[] IS NULL OR message_id = ANY($3::text[]))
       RETURNING id AS seq, ${columns}`,
      [this.deadLetterQueues(), sourcePrefix, messageIds === 'all' ? null : messageIds],
    );
    return rows.sort((a, b) => a.seq - b.seq).map(({ seq: _seq, ...message }) => message);
  }

  /**
   * Makes every in-flight message visible again. Only for the embedded fabric at start-up: the
   * data-dir lock proves that whoever received them is gone.
   */
  async releaseInFlight(): Promise<number> {
    const { rowCount } = await this.db.query(
      'UPDATE queue_messages SET receipt = NULL, visible_at = $1 WHERE receipt IS NOT NULL',
      [this.clock.now()],
    );
    return rowCount;
  }

  async list(queue?: string, limit = 1000): Promise<StoredMessage[]> {
    const { rows } = await this.db.query<StoredMessage>(
      `SELECT ${columns} FROM queue_messages WHERE ($1::text IS NULL OR queue = $1) ORDER BY id LIMIT $2`,
      [queue ?? null, limit],
    );
    return rows;
  }

  async get(messageId: string): Promise<StoredMessage | undefined> {
    const { rows } = await this.db.query<StoredMessage>(
      `SELECT ${columns} FROM queue_messages WHERE message_id = $1`,
      [messageId],
    );
    return rows[0];
  }

  /**
   * Moves dead-lettered messages back to their source queue with a fresh receive count. Dead
   * letters from elsewhere (a stream) are left to the replay of their source.
   */
  async redrive(messageIds: readonly string[] | 'all'): Promise<number> {
    const dlqs = this.deadLetterQueues();
    const { rowCount } = await this.db.query(
      `UPDATE queue_messages SET queue = source_queue, source_queue = NULL, receive_count = 0, receipt = NULL,
         visible_at = $1, first_received_at = NULL
       WHERE queue = ANY($2::text[]) AND source_queue = ANY($4::text[])
         AND ($3::text[] IS NULL OR message_id = ANY($3::text[]))`,
      [this.clock.now(), dlqs, messageIds === 'all' ? null : messageIds, this.queueNames()],
    );
    return rowCount;
  }

  async purge(queue: string): Promise<number> {
    this.spec(queue);
    const { rowCount } = await this.db.query('DELETE FROM queue_messages WHERE queue = $1', [queue]);
    return rowCount;
  }

  /** Visible, in-flight and delayed message counts per queue. */
  async depths(): Promise<Record<string, { visible: number; inFlight: number; delayed: number }>> {
    const now = this.clock.now();
    const { rows } = await this.db.query<{
      queue: string;
      visible: number;
      inFlight: number;
      delayed: number;
    }>(
      `SELECT queue,
         count(*) FILTER (WHERE visible_at <= $1)::int8 AS visible,
         count(*) FILTER (WHERE receipt IS NOT NULL AND visible_at > $1)::int8 AS "inFlight",
         count(*) FILTER (WHERE receipt IS NULL AND visible_at > $1)::int8 AS delayed
       FROM queue_messages GROUP BY queue`,
      [now],
    );
    const depths: Record<string, { visible: number; inFlight: number; delayed: number }> = {};
    for (const name of this.queueNames()) depths[name] = { visible: 0, inFlight: 0, delayed: 0 };
    for (const row of rows)
      depths[row.queue] = { visible: row.visible, inFlight: row.inFlight, delayed: row.delayed };
    return depths;
  }

  /**
   * Messages of a trace that are not settled yet (in a work queue, not a DLQ), and the earliest
   * time one of them becomes visible.
   */
  async pending(traceId?: string): Promise<{ count: number; nextVisibleAt: Date | null }> {
    const { rows } = await this.db.query<{ count: number; next: Date | null }>(
      `SELECT count(*)::int8 AS count, min(visible_at) AS next FROM queue_messages
       WHERE queue <> ALL($1::text[]) AND ($2::text IS NULL OR trace_id = $2)`,
      [this.deadLetterQueues(), traceId ?? null],
    );
    const row = rows[0];
    return { count: row?.count ?? 0, nextVisibleAt: row?.next ?? null };
  }
}
