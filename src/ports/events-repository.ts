import type { Reason, ValidEvent } from '../core/events/types.js';

/** Where a record sat on the stream. Redelivery of the same position is recognised. */
export interface StreamPosition {
  shardId: string;
  sequenceNumber: string;
  arrivedAt: Date;
}

export interface IncomingEvent extends ValidEvent {
  position: StreamPosition;
}

/** A record that will never be stored as an event, kept with every reason and its raw payload. */
export interface RejectedInput {
  /** The `Client` it named, when it named one. */
  client: string | null;
  /** The `ID` it carried, when it carried one as a string. */
  eventId: string | null;
  /** Where it was refused: at the HTTP/CLI edge, by the schema, or as a conflicting duplicate ID. */
  stage: 'ingest' | 'validation' | 'conflict';
  reasons: Reason[];
  /** The payload as received (text; at most the record size limit). */
  raw: string;
  /** Absent for records refused before reaching the stream. */
  position?: StreamPosition;
}

export interface RejectedRecord extends RejectedInput {
  id: string;
  rejectedAt: Date;
}

export type StoreOutcome =
  | { status: 'stored' }
  | { status: 'duplicate' }
  | { status: 'conflict'; reasons: Reason[] };

/** An event as readers get it. */
export interface StoredEvent {
  /** Opaque: pass it as `after` to read what follows. */
  cursor: string;
  id: string;
  client: string;
  source: string;
  type: string;
  accountId: string;
  customerId: string;
  time: string;
  storedAt: Date;
  shardId: string;
  sequenceNumber: string;
  /** The record as the producer sent it. */
  event: Record<string, unknown>;
}

export interface FeedPage {
  events: StoredEvent[];
  /** Cursor to continue from: the last event's, or the `after` given when there was nothing new. */
  next: string;
}

export interface QueryPage {
  events: StoredEvent[];
  /** Absent when there is nothing more. */
  next?: string;
}

export interface EventQuery {
  account?: string;
  type?: string;
  /** Inclusive lower bound on event time (epoch ms). */
  fromMs?: number;
  /** Exclusive upper bound on event time (epoch ms). */
  toMs?: number;
  cursor?: string;
  limit: number;
}

/** A named consumer group's position in one client's feed. */
export interface ConsumerState {
  client: string;
  name: string;
  /** Everything up to here is acknowledged; after a lease expires, delivery restarts here. */
  committed: string;
  /** Everything up to here was handed out by a poll. */
  delivered: string;
  /** While delivered > committed: when the unacknowledged events become due again. */
  leaseExpiresAt: Date | null;
}

export interface ConsumerPoll extends ConsumerState {
  events: StoredEvent[];
  /** Acknowledge this cursor to commit the page. */
  ackCursor: string;
  /** True when the page repeats events handed out before whose lease expired unacknowledged. */
  redelivered: boolean;
}

export class InvalidCursorError extends Error {
  constructor(cursor: string, why: string) {
    super(`invalid cursor "${cursor.slice(0, 80)}": ${why}`);
    this.name = 'InvalidCursorError';
  }
}

/** An ack for a cursor past what the consumer was given. */
export class AckBeyondDeliveryError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'AckBeyondDeliveryError';
  }
}

/**
 * Persistence of the events pipeline. One implementation over SQL serves PGlite and a PostgreSQL
 * server; a DynamoDB one comes with the AWS target.
 */
export interface EventsRepository {
  /**
   * Stores valid events idempotently by ID (same ID and fingerprint: duplicate; other fingerprint:
   * conflict, which is also recorded as rejected) and records `rejected`, in one transaction.
   * Replaying the same stream positions changes nothing. One outcome per event, in order.
   */
  store(events: readonly IncomingEvent[], rejected: readonly RejectedInput[]): Promise<StoreOutcome[]>;
  /** A client's events in ingestion order, after `after` (from the start when absent). */
  feed(client: string, options: { after?: string; limit: number }): Promise<FeedPage>;
  /** A client's events sorted by event time (then ID), filtered. */
  query(client: string, query: EventQuery): Promise<QueryPage>;
  listRejected(options: { client?: string; cursor?: string; limit: number }): Promise<{
    records: RejectedRecord[];
    next?: string;
  }>;
  /**
   * Hands out the next page of a consumer group (created at the start of the feed on first use):
   * the events after `delivered`, or after `committed` again when the lease of unacknowledged
   * events expired. Renews the lease to `now + leaseSeconds`.
   */
  poll(client: string, name: string, options: { limit: number; leaseSeconds: number }): Promise<ConsumerPoll>;
  /** Commits up to `cursor` (idempotent for cursors already committed). */
  ack(client: string, name: string, cursor: string): Promise<ConsumerState>;
  getConsumer(client: string, name: string): Promise<ConsumerState | undefined>;
}

/** Clients that read events, each with its own token (only a hash of it is kept). */
export interface ClientRegistry {
  /** Creates the client, or replaces its token when `rotate` is set. */
  addClient(
    name: string,
    tokenHash: string,
    options?: { rotate?: boolean },
  ): Promise<'created' | 'rotated' | 'exists'>;
  clientForTokenHash(tokenHash: string): Promise<string | undefined>;
  listClients(): Promise<{ name: string; createdAt: Date }[]>;
}
