import { createHash } from 'node:crypto';
import { InvalidCursorError } from '../../ports/events-repository.js';

/**
 * Cursors of the SQL events repository: `<body>.<check>`, where `body` is the base64url of a small
 * JSON object and `check` the first 8 bytes of a SHA-256 of `body` (base64url, 11 characters).
 * The check catches edited, truncated or pasted-together cursors; it is not a signature, and needs
 * none: a cursor only names a position in its own client's events, and the client is checked.
 *
 * Kinds: `f` feed position (client, sequence number; 0 is the start), `q` query position (client,
 * event time in ms, event ID), `r` rejected-list position (record ID). A cursor of one kind is
 * refused where another is expected.
 */
type Kind = 'f' | 'q' | 'r';

const KIND_NAMES: Record<Kind, string> = { f: 'feed', q: 'query', r: 'rejected-list' };
const SHAPE = /^([A-Za-z0-9_-]{1,4096})\.([A-Za-z0-9_-]{11})$/;

/** The feed cursor after the event with sequence number `seq` of `client` (0: before the first). */
export function feedCursor(client: string, seq: number): string {
  return seal({ k: 'f', c: client, s: seq });
}

/** The query cursor after the event (`timeMs`, `id`) in (event time, ID) order. */
export function queryCursor(client: string, timeMs: number, id: string): string {
  return seal({ k: 'q', c: client, t: timeMs, i: id });
}

/** The rejected-list cursor after (in listing order) the record with ID `id`. */
export function rejectedCursor(id: number): string {
  return seal({ k: 'r', i: id });
}

/** The sequence number of a feed cursor issued for `client`; throws {@link InvalidCursorError}. */
export function readFeedCursor(cursor: string, client: string): number {
  const body = open(cursor, 'f', ['k', 'c', 's'], client);
  if (!isCount(body.s)) throw new InvalidCursorError(cursor, 'its position is not a sequence number');
  return body.s;
}

/** The (event time, ID) of a query cursor issued for `client`; throws {@link InvalidCursorError}. */
export function readQueryCursor(cursor: string, client: string): { timeMs: number; id: string } {
  const body = open(cursor, 'q', ['k', 'c', 't', 'i'], client);
  if (!Number.isSafeInteger(body.t)) throw new InvalidCursorError(cursor, 'its event time is not a number');
  if (typeof body.i !== 'string' || body.i === '')
    throw new InvalidCursorError(cursor, 'its event ID is not text');
  return { timeMs: body.t as number, id: body.i };
}

/** The record ID of a rejected-list cursor; throws {@link InvalidCursorError}. */
export function readRejectedCursor(cursor: string): number {
  const body = open(cursor, 'r', ['k', 'i']);
  if (!isCount(body.i) || body.i < 1) throw new InvalidCursorError(cursor, 'its record ID is not a number');
  return body.i;
}

/** A page size: a positive integer, or a RangeError (a caller's mistake, not a cursor's). */
export function checkedLimit(limit: number): number {
  if (!Number.isSafeInteger(limit) || limit < 1)
    throw new RangeError(`limit must be a positive integer, not ${limit}`);
  return limit;
}

function seal(body: Record<string, unknown>): string {
  const encoded = Buffer.from(JSON.stringify(body)).toString('base64url');
  return `${encoded}.${checksum(encoded)}`;
}

function open(cursor: string, kind: Kind, keys: readonly string[], client?: string): Record<string, unknown> {
  const match = SHAPE.exec(cursor);
  if (!match) throw new InvalidCursorError(cursor, 'not a cursor of this service');
  const [, encoded, check] = match as unknown as [string, string, string];
  if (checksum(encoded) !== check) throw new InvalidCursorError(cursor, 'it was altered or truncated');
  let body: unknown;
  try {
    body = JSON.parse(Buffer.from(encoded, 'base64url').toString('utf8'));
  } catch {
    throw new InvalidCursorError(cursor, 'its content is not readable');
  }
  if (typeof body !== 'object' || body === null || Array.isArray(body))
    throw new InvalidCursorError(cursor, 'its content is not readable');
  const fields = body as Record<string, unknown>;
  const found = fields.k;
  if (found !== kind) {
    const name = typeof found === 'string' && found in KIND_NAMES ? KIND_NAMES[found as Kind] : 'unknown';
    throw new InvalidCursorError(cursor, `a ${name} cursor where a ${KIND_NAMES[kind]} cursor is expected`);
  }
  const names = Object.keys(fields);
  if (names.length !== keys.length || !keys.every((key) => key in fields))
    throw new InvalidCursorError(cursor, 'its content has unexpected fields');
  if (client !== undefined && fields.c !== client)
    throw new InvalidCursorError(cursor, 'it belongs to another client');
  return fields;
}

function checksum(encoded: string): string {
  return createHash('sha256').update(encoded).digest().subarray(0, 8).toString('base64url');
}

function isCount(value: unknown): value is number {
  return Number.isSafeInteger(value) && (value as number) >= 0;
}
