import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { Clock } from '../../ports/clock.js';
import type { IncomingEvent, StoredEvent } from '../../ports/events-repository.js';
import { feedCursor } from '../sql/event-cursors.js';

// The keys and item shapes shared by the modules of the DynamoDB events repository (the layout is
// documented in `dynamo-events-repository.ts`); request helpers are in `dynamo-events-requests.ts`.

/** What every module of the repository works with. */
export interface EventsTable {
  client: DynamoDBDocumentClient;
  tableName: string;
  clock: Clock;
  /** Requests in flight at once for the items of one call. */
  concurrency: number;
  /** How long a store holds a client's feed lock before another writer may take it over. */
  lockMs: number;
  /** How long (real time) a store waits for a client's feed lock before giving up. */
  lockWaitMs: number;
}

/** Just the table, for helpers that need neither the clock nor the lock settings. */
export type TableRef = Pick<EventsTable, 'client' | 'tableName'>;

export type Key = { pk: string; sk: string };

/** Escapes `#` (the key separator) and `%` in a key part, so no name can make two keys collide. */
export function part(value: string): string {
  return value.replace(/[%#]/g, (char) => (char === '%' ? '%25' : '%23'));
}

/** Sequence numbers as fixed-width text: the sort key orders them like numbers. */
export function seqKey(seq: number): string {
  return String(seq).padStart(16, '0');
}

/** Event times are shifted by this much so that every RFC 3339 instant (years 0–9999) is positive. */
const TIME_OFFSET_MS = 100_000_000_000_000;
export const MIN_TIME_MS = -TIME_OFFSET_MS;
export const MAX_TIME_MS = Number.MAX_SAFE_INTEGER - TIME_OFFSET_MS;

/** An epoch-ms instant as fixed-width text that sorts like the instant. */
export function timeKey(ms: number): string {
  if (!Number.isSafeInteger(ms) || ms < MIN_TIME_MS || ms > MAX_TIME_MS)
    throw new RangeError(`event time ${ms} ms is outside the range the events table can sort`);
  return String(ms + TIME_OFFSET_MS).padStart(16, '0');
}

/** The (event time, ID) sort key of an event in the time and account indexes. */
export const timeSortKey = (timeMs: number, id: string) => `${timeKey(timeMs)}#${part(id)}`;

export const keys = {
  head: (client: string): Key => ({ pk: `CLIENT#${part(client)}`, sk: 'FEED' }),
  slot: (client: string, seq: number): Key => ({ pk: feedPartition(client), sk: seqKey(seq) }),
  claim: (id: string): Key => ({ pk: `EVENT#${part(id)}`, sk: 'EVENT' }),
  consumer: (client: string, name: string): Key => ({
    pk: `CLIENT#${part(client)}`,
    sk: `CONSUMER#${part(name)}`,
  }),
};

export const feedPartition = (client: string) => `FEED#${part(client)}`;
export const timePartition = (client: string) => `TIME#${part(client)}`;
export const accountPartition = (client: string, account: string) =>
  `ACCOUNT#${part(client)}#${part(account)}`;

/** A feed slot holding an event. */
export interface EventItem extends Key {
  kind: 'event';
  seq: number;
  id: string;
  client: string;
  source: string;
  type: string;
  accountId: string;
  customerId: string;
  time: string;
  timeMs: number;
  /** The producer's record as JSON text: exactly what was sent, key order included. */
  payload: string;
  fingerprint: string;
  schemaVersion: string;
  shardId: string;
  sequenceNumber: string;
  arrivedAt: number;
  storedAt: number;
  /** The time index: `TIME#<client>` / (event time, ID). */
  gsi1pk: string;
  gsi1sk: string;
  /** The account index: `ACCOUNT#<client>#<account>` / (event time, ID). */
  gsi2pk: string;
  gsi2sk: string;
}

/** A feed slot that will never hold an event (see "holes" in `dynamo-events-repository.ts`). */
export interface HoleItem extends Key {
  kind: 'hole';
  seq: number;
}

export type SlotItem = EventItem | HoleItem;

/** The ID claim of an event: who holds the ID, with which content, in which feed slot. */
export interface ClaimItem extends Key {
  id: string;
  client: string;
  fingerprint: string;
  seq: number;
}

export function eventItem(event: IncomingEvent, seq: number, storedAt: Date): EventItem {
  const id = event.id.toLowerCase();
  const sortKey = timeSortKey(event.timeMs, id);
  return {
    ...keys.slot(event.client, seq),
    kind: 'event',
    seq,
    id,
    client: event.client,
    source: event.source,
    type: event.type,
    accountId: event.accountId,
    customerId: event.customerId,
    time: event.time,
    timeMs: event.timeMs,
    payload: JSON.stringify(event.payload),
    fingerprint: event.fingerprint,
    schemaVersion: event.schemaVersion,
    shardId: event.position.shardId,
    sequenceNumber: event.position.sequenceNumber,
    arrivedAt: event.position.arrivedAt.getTime(),
    storedAt: storedAt.getTime(),
    gsi1pk: timePartition(event.client),
    gsi1sk: sortKey,
    gsi2pk: accountPartition(event.client, event.accountId),
    gsi2sk: sortKey,
  };
}

export function toStoredEvent(item: EventItem): StoredEvent {
  return {
    cursor: feedCursor(item.client, item.seq),
    id: item.id,
    client: item.client,
    source: item.source,
    type: item.type,
    accountId: item.accountId,
    customerId: item.customerId,
    time: item.time,
    storedAt: new Date(item.storedAt),
    shardId: item.shardId,
    sequenceNumber: item.sequenceNumber,
    event: JSON.parse(item.payload) as Record<string, unknown>,
  };
}
