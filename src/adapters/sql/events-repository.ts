import type { Clock } from '../../ports/clock.js';
import type {
  EventsRepository,
  IncomingEvent,
  RejectedInput,
  RejectedRecord,
  StoreOutcome,
} from '../../ports/events-repository.js';
import { idConflict } from '../common/event-conflict.js';
import { ackConsumer, feedPage, getConsumer, pollConsumer, queryEvents } from './event-consumers.js';
import { checkedLimit, readRejectedCursor, rejectedCursor } from './event-cursors.js';
import type { SqlClient } from './sql-client.js';

/** Rows per INSERT statement: big enough to amortise a round trip, small enough for PGlite's memory. */
const CHUNK_SIZE = 5_000;

/**
 * The events repository over SQL (tables of migration `005-events.sql`), for PGlite and a
 * PostgreSQL server alike. Event IDs are kept lowercased (UUIDs are case-insensitive); the
 * producer's record is returned as stored in jsonb (same values, keys possibly reordered).
 * `listRejected` lists newest first. Reading is in `event-consumers.ts`, cursors in `event-cursors.ts`.
 *
 * @example
 * const repository = createSqlEventsRepository(db, systemClock);
 * const outcomes = await repository.store(events, rejected);
 * const page = await repository.feed('acme', { after: cursor, limit: 100 });
 */
export function createSqlEventsRepository(db: SqlClient, clock: Clock): EventsRepository {
  return {
    store: (events, rejected) => store(db, clock, events, rejected),
    feed: (client, options) => feedPage(db, client, options),
    query: (client, query) => queryEvents(db, client, query),
    listRejected: (options) => listRejected(db, options),
    poll: (client, name, options) => pollConsumer(db, clock, client, name, options),
    ack: (client, name, cursor) => ackConsumer(db, client, name, cursor),
    getConsumer: (client, name) => getConsumer(db, client, name),
  };
}

async function store(
  db: SqlClient,
  clock: Clock,
  events: readonly IncomingEvent[],
  rejected: readonly RejectedInput[],
): Promise<StoreOutcome[]> {
  if (events.length === 0 && rejected.length === 0) return [];
  const now = clock.now();
  // The first occurrence of an ID in the call is the one stored; later ones are judged against it.
  const ids = events.map((event) => event.id.toLowerCase());
  const firstAt = new Map<string, number>();
  ids.forEach((id, index) => {
    if (!firstAt.has(id)) firstAt.set(id, index);
  });
  return db.transaction(async (tx) => {
    const held = await fingerprints(tx, [...firstAt.keys()]);
    const fresh = [...firstAt].filter(([id]) => !held.has(id)).map(([, index]) => events[index]!);
    const inserted = await insertEvents(tx, fresh, now);
    // A concurrent transaction may have stored one of them between our look-up and our insert.
    const lost = fresh.map((event) => event.id.toLowerCase()).filter((id) => !inserted.has(id));
    for (const [id, fingerprint] of await fingerprints(tx, lost)) held.set(id, fingerprint);

    const conflicts: RejectedInput[] = [];
    const outcomes = events.map((event, index): StoreOutcome => {
      const id = ids[index]!;
      const first = firstAt.get(id)!;
      if (inserted.has(id) && first === index) return { status: 'stored' };
      const winner = held.get(id) ?? (inserted.has(id) ? events[first]!.fingerprint : undefined);
      if (winner === undefined) throw new Error(`event ${id} was neither stored nor found`);
      if (winner === event.fingerprint) return { status: 'duplicate' };
      const conflict = idConflict(event, id);
      conflicts.push(conflict.rejected);
      return { status: 'conflict', reasons: conflict.reasons };
    });
    await insertRejected(tx, [...rejected, ...conflicts], now);
    return outcomes;
  });
}

async function fingerprints(tx: SqlClient, ids: readonly string[]): Promise<Map<string, string>> {
  if (ids.length === 0) return new Map();
  const { rows } = await tx.query<{ id: string; fingerprint: string }>(
    'SELECT id, fingerprint FROM events WHERE id = ANY($1::text[])',
    [ids],
  );
  return new Map(rows.map((row) => [row.id, row.fingerprint]));
}

/**
 * Takes each client's next sequence numbers from its counter row (locked until commit: writers of
 * one client commit in sequence order), then inserts. Returns the IDs this call inserted.
 */
async function insertEvents(tx: SqlClient, fresh: readonly IncomingEvent[], now: Date): Promise<Set<string>> {
  if (fresh.length === 0) return new Set();
  const counts = new Map<string, number>();
  for (const event of fresh) counts.set(event.client, (counts.get(event.client) ?? 0) + 1);
  const { rows } = await tx.query<{ client: string; last_seq: number }>(
    `INSERT INTO event_sequences AS s (client, last_seq)
     SELECT * FROM unnest($1::text[], $2::bigint[]) AS t (client, n) ORDER BY client
     ON CONFLICT (client) DO UPDATE SET last_seq = s.last_seq + excluded.last_seq
     RETURNING client, last_seq`,
    [[...counts.keys()], [...counts.values()]],
  );
  const next = new Map(rows.map((row) => [row.client, row.last_seq - counts.get(row.client)!]));
  const seqs = fresh.map((event) => {
    const seq = next.get(event.client)! + 1;
    next.set(event.client, seq);
    return seq;
  });

  const inserted = new Set<string>();
  for (let start = 0; start < fresh.length; start += CHUNK_SIZE) {
    const chunk = fresh.slice(start, start + CHUNK_SIZE);
    const column = <T>(pick: (event: IncomingEvent) => T) => chunk.map(pick);
    const { rows: added } = await tx.query<{ id: string }>(
      `INSERT INTO events (id, client, seq, source, type, account_id, customer_id, event_time, time_text, payload,
         fingerprint, schema_version, shard_id, sequence_number, arrived_at, stored_at)
       SELECT id, client, seq, source, type, account_id, customer_id, to_timestamp(time_ms / 1000), time_text,
         payload::jsonb, fingerprint, schema_version, shard_id, sequence_number, to_timestamp(arrived_ms / 1000), $16
       FROM unnest($1::text[], $2::text[], $3::bigint[], $4::text[], $5::text[], $6::text[], $7::text[],
         $8::float8[], $9::text[], $10::text[], $11::text[], $12::text[], $13::text[], $14::text[], $15::float8[])
         AS t (id, client, seq, source, type, account_id, customer_id, time_ms, time_text, payload, fingerprint,
           schema_version, shard_id, sequence_number, arrived_ms)
       ON CONFLICT (id) DO NOTHING
       RETURNING id`,
      [
        column((event) => event.id.toLowerCase()),
        column((event) => event.client),
        seqs.slice(start, start + CHUNK_SIZE),
        column((event) => event.source),
        column((event) => event.type),
        column((event) => event.accountId),
        column((event) => event.customerId),
        column((event) => event.timeMs),
        column((event) => event.time),
        column((event) => JSON.stringify(event.payload)),
        column((event) => event.fingerprint),
        column((event) => event.schemaVersion),
        column((event) => event.position.shardId),
        column((event) => event.position.sequenceNumber),
        column((event) => event.position.arrivedAt.getTime()),
        now,
      ],
    );
    for (const row of added) inserted.add(row.id);
  }
  return inserted;
}

/** Records rejections; one already recorded at the same stream position is left as it is. */
async function insertRejected(tx: SqlClient, records: readonly RejectedInput[], now: Date): Promise<void> {
  if (records.length === 0) return;
  const column = <T>(pick: (record: RejectedInput) => T) => records.map(pick);
  await tx.query(
    `INSERT INTO events_rejected (client, event_id, stage, reasons, raw, shard_id, sequence_number, arrived_at,
       rejected_at)
     SELECT client, event_id, stage, reasons::jsonb, raw, shard_id, sequence_number, to_timestamp(arrived_ms / 1000), $9
     FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::float8[])
       AS t (client, event_id, stage, reasons, raw, shard_id, sequence_number, arrived_ms)
     ON CONFLICT (shard_id, sequence_number) DO NOTHING`,
    [
      column((record) => record.client && storable(record.client)),
      column((record) => record.eventId && storable(record.eventId)),
      column((record) => record.stage),
      column((record) =>
        JSON.stringify(record.reasons.map((r) => ({ path: storable(r.path), message: storable(r.message) }))),
      ),
      column((record) => storable(record.raw)),
      column((record) => record.position?.shardId ?? null),
      column((record) => record.position?.sequenceNumber ?? null),
      column((record) => record.position?.arrivedAt.getTime() ?? null),
      now,
    ],
  );
}

async function listRejected(
  db: SqlClient,
  options: { client?: string; cursor?: string; limit: number },
): Promise<{ records: RejectedRecord[]; next?: string }> {
  const limit = checkedLimit(options.limit);
  const params: unknown[] = [];
  const where = ['true'];
  if (options.client !== undefined) where.push(`client = $${params.push(options.client)}`);
  if (options.cursor !== undefined) where.push(`id < $${params.push(readRejectedCursor(options.cursor))}`);
  const { rows } = await db.query<RejectedRow>(
    `SELECT * FROM events_rejected WHERE ${where.join(' AND ')} ORDER BY id DESC LIMIT $${params.push(limit + 1)}`,
    params,
  );
  const page = rows.slice(0, limit);
  const last = page.at(-1);
  const more = rows.length > limit && last;
  return { records: page.map(toRejectedRecord), ...(more ? { next: rejectedCursor(last.id) } : {}) };
}

/** PostgreSQL text cannot hold NUL: a rejected record keeps everything else rather than being lost. */
function storable(text: string): string {
  return text.includes('\u0000') ? text.replaceAll('\u0000', '\uFFFD') : text;
}

interface RejectedRow {
  id: number;
  client: string | null;
  event_id: string | null;
  stage: RejectedRecord['stage'];
  reasons: RejectedRecord['reasons'];
  raw: string;
  shard_id: string | null;
  sequence_number: string | null;
  arrived_at: Date | null;
  rejected_at: Date;
}

function toRejectedRecord(row: RejectedRow): RejectedRecord {
  const { shard_id: shardId, sequence_number: sequenceNumber, arrived_at: arrivedAt } = row;
  return {
    id: String(row.id),
    client: row.client,
    eventId: row.event_id,
    stage: row.stage,
    reasons: row.reasons,
    raw: row.raw,
    ...(shardId !== null && sequenceNumber !== null && arrivedAt !== null
      ? { position: { shardId, sequenceNumber, arrivedAt } }
      : {}),
    rejectedAt: row.rejected_at,
  };
}
