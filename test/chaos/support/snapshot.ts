import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { openPGlite } from '../../../src/adapters/sql/pglite-client.js';
import type { SqlClient } from '../../../src/adapters/sql/sql-client.js';

/** How often each distinct value occurs: at-least-once records (dead letters, refusals). */
export type Tally = Record<string, number>;

/**
 * A run's final state, read from its data dir once the child has stopped, normalised for
 * comparison: ids, times, stream positions and per-attempt counters are left out; everything a
 * user sees as the outcome of the inputs is kept. Rows are compact strings so a diff stays short.
 */
export interface Snapshot {
  statements: {
    transactions: string[];
    holders: string[];
    /** Per file: outcome and line counts; `inserted`/`duplicates` describe the last attempt only. */
    files: string[];
    emails: string[];
  };
  events: { byClient: Record<string, string[]>; rejected: Tally };
  orders: {
    orders: {
      recordId: string;
      parameter1: string;
      parameter2: number;
      status: string;
      power: number | null;
    }[];
    results: Record<string, { order: unknown; result: { status: string; power: number } }>;
    alerts: { kind: string; recordId: string | null; executionId: string | null }[];
    executions: { id: string; stateMachine: string; status: string; cause: string | null }[];
  };
  loader: {
    tables: Record<string, string[]>;
    rejected: string[];
    files: string[];
    /** Each object of bucket landing: its key without the time stamp, its etag, the send it came from. */
    objects: { key: string; send: string | null }[];
  };
  /** Every message of every DLQ: its queue, what it is about and why it failed. */
  deadLetters: Tally;
  /** Work that should not be left: queued messages outside DLQs, unread stream records. */
  leftovers: { queued: number; unconsumed: number };
}

const DEAD_LETTER_QUEUES = [
  'statements-ingest-dlq',
  'statements-notify-dlq',
  'loader-dlq',
  'events-consume-dlq',
];
const LOADER_TABLES = {
  departments: 'id, department',
  jobs: 'id, job',
  hired_employees: 'id, name, datetime, department_id, job_id',
};

const tally = (values: string[]): Tally => {
  const counts: Tally = {};
  for (const value of values) counts[value] = (counts[value] ?? 0) + 1;
  return counts;
};

async function lines(db: SqlClient, sql: string): Promise<string[]> {
  const { rows } = await db.query<Record<string, unknown>>(sql);
  return rows.map((row) => JSON.stringify(Object.values(row)));
}

/** Reads the snapshot of a stopped fabric's data dir. */
export async function readSnapshot(dataDir: string): Promise<Snapshot> {
  const db = await openPGlite(join(dataDir, 'pgdata'));
  try {
    return {
      statements: await statements(db),
      events: await events(db),
      orders: await orders(db, dataDir),
      loader: await loader(db),
      deadLetters: await deadLetters(db),
      leftovers: await leftovers(db),
    };
  } finally {
    await db.close();
  }
}

async function statements(db: SqlClient): Promise<Snapshot['statements']> {
  return {
    transactions: await lines(
      db,
      'SELECT account_id, transaction_id, date, amount_cents FROM statement_transactions ORDER BY 1, 2',
    ),
    holders: await lines(db, 'SELECT account_id, email, name, source FROM statement_accounts ORDER BY 1'),
    files: await lines(
      db,
      `SELECT key, etag, status, error, accepted, rejected_count, rejected, accounts
       FROM statement_file_reports ORDER BY key, etag`,
    ),
    emails: await lines(db, 'SELECT id, recipients, subject, transport FROM outbox ORDER BY id'),
  };
}

/** A summary names its account and fingerprint; anything else is named by its body. */
async function deadLetters(db: SqlClient): Promise<Tally> {
  const { rows } = await db.query<{ queue: string; body: string; last_error: string | null }>(
    'SELECT queue, body, last_error FROM queue_messages WHERE queue = ANY($1::text[])',
    [DEAD_LETTER_QUEUES],
  );
  return tally(
    rows.map((row) => {
      const { detail } = JSON.parse(row.body) as { detail?: { accountId?: string; fingerprint?: string } };
      const about = detail?.accountId ? `${detail.accountId} ${detail.fingerprint}` : row.body;
      return JSON.stringify([row.queue, about, row.last_error]);
    }),
  );
}

async function events(db: SqlClient): Promise<Snapshot['events']> {
  const { rows } = await db.query<{ client: string; line: string }>(
    `SELECT client, json_build_array(id, source, type, account_id, customer_id, time_text, payload, fingerprint,
       schema_version)::text AS line
     FROM events ORDER BY client, seq`,
  );
  const byClient: Record<string, string[]> = {};
  for (const row of rows) byClient[row.client] = [...(byClient[row.client] ?? []), row.line];
  return {
    byClient,
    rejected: tally(await lines(db, 'SELECT client, event_id, stage, reasons, raw FROM events_rejected')),
  };
}

async function orders(db: SqlClient, dataDir: string): Promise<Snapshot['orders']> {
  const { rows } = await db.query<{
    record_id: string;
    parameter_1: string;
    parameter_2: number;
    status: string;
    power: number | null;
  }>('SELECT record_id, parameter_1, parameter_2, status, power FROM orders ORDER BY record_id');
  const objects = await db.query<{ key: string }>(
    `SELECT key FROM objects WHERE bucket = 'order-results' ORDER BY key`,
  );
  const results: Snapshot['orders']['results'] = {};
  for (const { key } of objects.rows) {
    const document = JSON.parse(await readFile(join(dataDir, 'buckets', 'order-results', key), 'utf8'));
    results[key] = { order: document.order, result: document.result };
  }
  const alerts = await db.query<{
    kind: string;
    details: { executionId?: string; result?: { record_id?: string } };
  }>('SELECT kind, details FROM alerts ORDER BY id');
  const executions = await db.query<{
    id: string;
    state_machine: string;
    status: string;
    cause: string | null;
  }>('SELECT id, state_machine, status, cause FROM workflow_executions ORDER BY started_at');
  return {
    orders: rows.map((row) => ({
      recordId: row.record_id,
      parameter1: row.parameter_1,
      parameter2: row.parameter_2,
      status: row.status,
      power: row.power,
    })),
    results,
    alerts: alerts.rows.map((row) => ({
      kind: row.kind,
      recordId: row.details.result?.record_id ?? null,
      // The execution's ARN (`$$.Execution.Id`): its name, the last part, is the id.
      executionId: row.details.executionId?.split(':').pop() ?? null,
    })),
    executions: executions.rows.map((row) => ({
      id: row.id,
      stateMachine: row.state_machine,
      status: row.status,
      cause: row.cause,
    })),
  };
}

async function loader(db: SqlClient): Promise<Snapshot['loader']> {
  const tables: Record<string, string[]> = {};
  for (const [table, columns] of Object.entries(LOADER_TABLES)) {
    tables[table] = await lines(
      db,
      `SELECT ${columns}, load_file, load_row_number FROM ${table} ORDER BY load_file, load_row_number`,
    );
  }
  const objects = await db.query<{ key: string; etag: string; send: string | null }>(
    `SELECT key, etag, metadata->>'chaos-send' AS send FROM objects WHERE bucket = 'landing' ORDER BY key`,
  );
  return {
    tables,
    rejected: await lines(
      db,
      'SELECT load_file, table_name, row_number, raw, reasons FROM loader_rejected_rows ORDER BY 1, 3',
    ),
    files: await lines(
      db,
      'SELECT load_file, table_name, status, rows_loaded, rows_rejected, error FROM loader_files ORDER BY 1',
    ),
    // processed/<table>/<name>_<YYYYMMDD-HHMMSS>[-n].csv: the stamp says when, not what.
    objects: objects.rows.map((row) => ({
      key: `${row.key.replace(/_\d{8}-\d{6}(-\d+)?(\.csv)$/, '$2')} ${row.etag}`,
      send: row.send,
    })),
  };
}

async function leftovers(db: SqlClient): Promise<Snapshot['leftovers']> {
  const queued = await db.query<{ n: number }>(
    'SELECT count(*)::int AS n FROM queue_messages WHERE NOT (queue = ANY($1::text[]))',
    [DEAD_LETTER_QUEUES],
  );
  const unconsumed = await db.query<{ n: number }>(
    `SELECT coalesce(sum(s.next_sequence - 1 - coalesce(c.checkpoint, 0)), 0)::int AS n
     FROM stream_shards s LEFT JOIN stream_checkpoints c ON c.stream = s.stream AND c.shard_id = s.shard_id`,
  );
  return { queued: queued.rows[0]?.n ?? 0, unconsumed: unconsumed.rows[0]?.n ?? 0 };
}
