import type { Clock } from '../../ports/clock.js';
import type { Mailer, OutgoingEmail } from '../../ports/mailer.js';
import type { SqlClient } from '../sql/sql-client.js';

/** How an outbox entry left: kept locally only, or delivered over SMTP. */
export type OutboxTransport = 'outbox' | 'smtp';

/** One message as listed (no bodies). */
export interface OutboxEntrySummary {
  id: string;
  from: string;
  to: string[];
  subject: string;
  createdAt: Date;
  transport: OutboxTransport;
}

/** One message in full; `raw` is the RFC 5322 message, ready to save as an `.eml` file. */
export interface OutboxEntry extends OutboxEntrySummary {
  html: string;
  text: string;
  raw: Buffer;
}

export interface OutboxMailer extends Mailer {
  /** Every message, newest first. */
  list(): Promise<OutboxEntrySummary[]>;
  get(id: string): Promise<OutboxEntry | undefined>;
}

/**
 * The local default mailer: "sending" stores the message in the `outbox` table (migration
 * `003-mail.sql`), where the dashboard and the CLI show it. Nothing is ever delivered or deleted.
 * A second message with an id already stored is not stored again and yields `'duplicate'`.
 *
 * @example
 * const mailer = createOutboxMailer(db, systemClock);
 * await mailer.send(email); // 'sent'
 * await mailer.send(email); // 'duplicate'
 */
export function createOutboxMailer(db: SqlClient, clock: Clock): OutboxMailer {
  return {
    async send(email) {
      const stored = await recordInOutbox(db, email, 'outbox', clock.now());
      return stored ? 'sent' : 'duplicate';
    },
    async list() {
      const { rows } = await db.query<SummaryRow>(
        `SELECT ${SUMMARY_COLUMNS} FROM outbox ORDER BY created_at DESC, id DESC`,
      );
      return rows.map(toSummary);
    },
    async get(id) {
      const { rows } = await db.query<EntryRow>(
        `SELECT ${SUMMARY_COLUMNS}, html, text, raw FROM outbox WHERE id = $1`,
        [id],
      );
      const row = rows[0];
      return row && { ...toSummary(row), html: row.html, text: row.text, raw: toBuffer(row.raw) };
    },
  };
}

/**
 * Stores `email` in the outbox unless its id is already there. Returns whether it was stored.
 * Shared by the outbox and SMTP mailers so both keep the same record.
 */
export async function recordInOutbox(
  db: SqlClient,
  email: OutgoingEmail,
  transport: OutboxTransport,
  createdAt: Date,
): Promise<boolean> {
  const { rowCount } = await db.query(
    `INSERT INTO outbox (id, sender, recipients, subject, html, text, raw, created_at, transport)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
     ON CONFLICT (id) DO NOTHING`,
    [email.id, email.from, email.to, email.subject, email.html, email.text, email.raw, createdAt, transport],
  );
  return rowCount > 0;
}

/** Whether a message with this id is already in the outbox. */
export async function isInOutbox(db: SqlClient, id: string): Promise<boolean> {
  const { rows } = await db.query('SELECT 1 FROM outbox WHERE id = $1', [id]);
  return rows.length > 0;
}

const SUMMARY_COLUMNS = 'id, sender, recipients, subject, created_at, transport';

interface SummaryRow {
  id: string;
  sender: string;
  recipients: string[];
  subject: string;
  created_at: Date;
  transport: OutboxTransport;
}

interface EntryRow extends SummaryRow {
  html: string;
  text: string;
  /** PGlite returns a Uint8Array, node-postgres a Buffer. */
  raw: Uint8Array;
}

function toSummary(row: SummaryRow): OutboxEntrySummary {
  return {
    id: row.id,
    from: row.sender,
    to: row.recipients,
    subject: row.subject,
    createdAt: row.created_at,
    transport: row.transport,
  };
}

function toBuffer(bytes: Uint8Array): Buffer {
  return Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}
