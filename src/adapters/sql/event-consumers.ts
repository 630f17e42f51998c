import type { Clock } from '../../ports/clock.js';
import {
  AckBeyondDeliveryError,
  type ConsumerPoll,
  type ConsumerState,
  type EventQuery,
  type FeedPage,
  type QueryPage,
  type StoredEvent,
} from '../../ports/events-repository.js';
import { checkedLimit, feedCursor, queryCursor, readFeedCursor, readQueryCursor } from './event-cursors.js';
import type { SqlClient } from './sql-client.js';

// What consumers read (DESIGN.md, events): a client's feed in ingestion order, queries by event
// time, and named consumer groups with their checkpoints, over the tables of `005-events.sql`.

/** The columns {@link toStoredEvent} reads, `time_ms` being the event time as epoch ms. */
const EVENT_COLUMNS = `id, client, seq, source, type, account_id, customer_id, time_text,
  round(extract(epoch FROM event_time) * 1000)::bigint AS time_ms, payload, shard_id, sequence_number, stored_at`;

interface EventRow {
  id: string;
  client: string;
  seq: number;
  source: string;
  type: string;
  account_id: string;
  customer_id: string;
  time_text: string;
  time_ms: number;
  payload: Record<string, unknown>;
  shard_id: string;
  sequence_number: string;
  stored_at: Date;
}

function toStoredEvent(row: EventRow): StoredEvent {
  return {
    cursor: feedCursor(row.client, row.seq),
    id: row.id,
    client: row.client,
    source: row.source,
    type: row.type,
    accountId: row.account_id,
    customerId: row.customer_id,
    time: row.time_text,
    storedAt: row.stored_at,
    shardId: row.shard_id,
    sequenceNumber: row.sequence_number,
    event: row.payload,
  };
}

/** A page of `client`'s feed; `next` is the last event's cursor, else `after` (else the start). */
export async function feedPage(
  db: SqlClient,
  client: string,
  { after, limit }: { after?: string; limit: number },
): Promise<FeedPage> {
  const afterSeq = after === undefined ? 0 : readFeedCursor(after, client);
  const rows = await readFeed(db, client, afterSeq, checkedLimit(limit));
  const last = rows.at(-1);
  return {
    events: rows.map(toStoredEvent),
    next: last ? feedCursor(client, last.seq) : (after ?? feedCursor(client, 0)),
  };
}

/** Up to `limit` of `client`'s events after sequence number `afterSeq`, in ingestion order. */
async function readFeed(db: SqlClient, client: string, afterSeq: number, limit: number) {
  const { rows } = await db.query<EventRow>(
    `SELECT ${EVENT_COLUMNS} FROM events WHERE client = $1 AND seq > $2 ORDER BY seq LIMIT $3`,
    [client, afterSeq, limit],
  );
  return rows;
}

/** Query bounds are clamped into PostgreSQL's timestamp range, far beyond any RFC 3339 time. */
const MIN_MS = -200_000_000_000_000;
const MAX_MS = 8_640_000_000_000_000;

/** A client's events matching `query`, by (event time, ID), a page at a time. */
export async function queryEvents(db: SqlClient, client: string, query: EventQuery): Promise<QueryPage> {
  const limit = checkedLimit(query.limit);
  const after = query.cursor === undefined ? undefined : readQueryCursor(query.cursor, client);
  const params: unknown[] = [client];
  const where = ['client = $1'];
  const add = (condition: (...refs: string[]) => string, ...values: unknown[]) => {
    const refs = values.map((value) => `$${params.push(value)}`);
    where.push(condition(...refs));
  };
  if (query.account !== undefined) add((p) => `account_id = ${p}`, query.account);
  if (query.type !== undefined) add((p) => `type = ${p}`, query.type);
  if (query.fromMs !== undefined)
    add((p) => `event_time >= to_timestamp(${p}::float8 / 1000)`, bound(query.fromMs));
  if (query.toMs !== undefined)
    add((p) => `event_time < to_timestamp(${p}::float8 / 1000)`, bound(query.toMs));
  if (after)
    add((t, i) => `(event_time, id) > (to_timestamp(${t}::float8 / 1000), ${i})`, after.timeMs, after.id);
  const { rows } = await db.query<EventRow>(
    `SELECT ${EVENT_COLUMNS} FROM events WHERE ${where.join(' AND ')}
     ORDER BY event_time, id LIMIT $${params.push(limit + 1)}`,
    params,
  );
  const page = rows.slice(0, limit);
  const last = page.at(-1);
  const more = rows.length > limit && last;
  return {
    events: page.map(toStoredEvent),
    ...(more ? { next: queryCursor(client, last.time_ms, last.id) } : {}),
  };
}

function bound(ms: number): number {
  if (Number.isNaN(ms)) throw new RangeError('an event-time bound must be a number of milliseconds');
  return Math.min(MAX_MS, Math.max(MIN_MS, ms));
}

interface GroupRow {
  committed_seq: number;
  delivered_seq: number;
  lease_expires_at: Date | null;
}

const NEW_GROUP: GroupRow = { committed_seq: 0, delivered_seq: 0, lease_expires_at: null };

/**
 * One poll of a consumer group (see `EventsRepository.poll`), under a row lock on the group so that
 * concurrent polls hand out consecutive pages, never the same one. A poll that hands out nothing
 * changes nothing (it neither creates nor renews a lease); its `ackCursor` is then `committed`, so
 * acknowledging it is a no-op rather than a commit of pages another member still holds.
 */
export async function pollConsumer(
  db: SqlClient,
  clock: Clock,
  client: string,
  name: string,
  options: { limit: number; leaseSeconds: number },
): Promise<ConsumerPoll> {
  const limit = checkedLimit(options.limit);
  if (!Number.isFinite(options.leaseSeconds) || options.leaseSeconds <= 0)
    throw new RangeError(`leaseSeconds must be a positive number, not ${options.leaseSeconds}`);
  return db.transaction(async (tx) => {
    await tx.query('INSERT INTO event_consumers (client, name) VALUES ($1, $2) ON CONFLICT DO NOTHING', [
      client,
      name,
    ]);
    const group = (await lockGroup(tx, client, name)) ?? NEW_GROUP;
    const now = clock.now();
    const outstanding = group.delivered_seq > group.committed_seq;
    const expired = outstanding && group.lease_expires_at !== null && group.lease_expires_at <= now;
    const rows = await readFeed(tx, client, expired ? group.committed_seq : group.delivered_seq, limit);
    const last = rows.at(-1);
    let state = group;
    if (last) {
      const lease = new Date(now.getTime() + options.leaseSeconds * 1000);
      state = { committed_seq: group.committed_seq, delivered_seq: last.seq, lease_expires_at: lease };
    } else if (expired) {
      // Only reachable if outstanding events vanished: nothing is left to lease.
      state = {
        committed_seq: group.committed_seq,
        delivered_seq: group.committed_seq,
        lease_expires_at: null,
      };
    }
    if (state !== group) await saveGroup(tx, client, name, state);
    return {
      ...toConsumerState(client, name, state),
      events: rows.map(toStoredEvent),
      ackCursor: feedCursor(client, last ? last.seq : state.committed_seq),
      redelivered: expired && rows.length > 0,
    };
  });
}

/**
 * Commits a consumer group up to `cursor`: a no-op for a cursor already committed, an
 * {@link AckBeyondDeliveryError} past `delivered`. The lease ends once everything delivered is
 * committed. A group that never polled is at the start of the feed.
 */
export async function ackConsumer(
  db: SqlClient,
  client: string,
  name: string,
  cursor: string,
): Promise<ConsumerState> {
  const seq = readFeedCursor(cursor, client);
  return db.transaction(async (tx) => {
    const group = (await lockGroup(tx, client, name)) ?? NEW_GROUP;
    if (seq <= group.committed_seq) return toConsumerState(client, name, group);
    if (seq > group.delivered_seq)
      throw new AckBeyondDeliveryError(
        `consumer group "${name}" of client "${client}" cannot acknowledge event #${seq}: it was given events up to #${group.delivered_seq}`,
      );
    const state: GroupRow = {
      committed_seq: seq,
      delivered_seq: group.delivered_seq,
      lease_expires_at: seq === group.delivered_seq ? null : group.lease_expires_at,
    };
    await saveGroup(tx, client, name, state);
    return toConsumerState(client, name, state);
  });
}

export async function getConsumer(db: SqlClient, client: string, name: string) {
  const { rows } = await db.query<GroupRow>(
    'SELECT committed_seq, delivered_seq, lease_expires_at FROM event_consumers WHERE client = $1 AND name = $2',
    [client, name],
  );
  return rows[0] && toConsumerState(client, name, rows[0]);
}

async function lockGroup(tx: SqlClient, client: string, name: string): Promise<GroupRow | undefined> {
  const { rows } = await tx.query<GroupRow>(
    `SELECT committed_seq, delivered_seq, lease_expires_at FROM event_consumers
     WHERE client = $1 AND name = $2 FOR UPDATE`,
    [client, name],
  );
  return rows[0];
}

async function saveGroup(tx: SqlClient, client: string, name: string, group: GroupRow): Promise<void> {
  await tx.query(
    `UPDATE event_consumers SET committed_seq = $3, delivered_seq = $4, lease_expires_at = $5
     WHERE client = $1 AND name = $2`,
    [client, name, group.committed_seq, group.delivered_seq, group.lease_expires_at],
  );
}

function toConsumerState(client: string, name: string, group: GroupRow): ConsumerState {
  return {
    client,
    name,
    committed: feedCursor(client, group.committed_seq),
    delivered: feedCursor(client, group.delivered_seq),
    leaseExpiresAt: group.lease_expires_at,
  };
}
