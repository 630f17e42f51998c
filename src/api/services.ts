import type { RecordResult } from '../core/events/accept-events.js';
import type { BatchRecord } from '../core/events/parse-event-batch.js';
import type { Account } from '../core/statements/types.js';
import type { ClientRegistry, EventsRepository } from '../ports/events-repository.js';
import type { ObjectInfo, ObjectStore, PutObjectInput } from '../ports/object-store.js';
import type { FileReport, StatementsRepository } from '../ports/statements-repository.js';
import type { StreamDescription } from '../ports/stream.js';

/** A message in a dead-letter queue, with why it got there. */
export interface DeadLetter {
  messageId: string;
  queue: string;
  sourceQueue: string | null;
  receiveCount: number;
  sentAt: Date;
  lastError: string | null;
  body: string;
}

export interface OutboxListing {
  id: string;
  from: string;
  to: string[];
  subject: string;
  createdAt: Date;
  transport: string;
}

/** What the HTTP API needs from the runtime. The API never reaches past these. */
export interface ApiServices {
  adminToken: string;
  objects: ObjectStore;
  /** Stores an object and returns the trace id of the work it triggers. */
  putObject(input: PutObjectInput): Promise<{ info: ObjectInfo; traceId: string }>;
  statements: Pick<
    StatementsRepository,
    'monthlyTotals' | 'upsertAccount' | 'listAccounts' | 'getFileReport'
  >;
  outbox: {
    list(): Promise<OutboxListing[]>;
    get(id: string): Promise<(OutboxListing & { html: string; text: string; raw: Buffer }) | undefined>;
  };
  deadLetters: {
    list(): Promise<DeadLetter[]>;
    replay(ids: readonly string[] | 'all'): Promise<number>;
    purge(queue: string): Promise<number>;
  };
  /** Work of a trace not yet settled (outside the DLQs). */
  pendingWork(traceId: string): Promise<number>;
  /** Dead letters caused by a trace. */
  traceDeadLetters(traceId: string): Promise<DeadLetter[]>;
  queueNames(): string[];
  streams(): Promise<StreamDescription[]>;
  events: Pick<EventsRepository, 'feed' | 'query' | 'listRejected' | 'poll' | 'ack' | 'getConsumer'> & {
    /** Puts records that passed the edge checks on the stream and keeps the others as rejected. */
    accept(records: readonly BatchRecord[]): Promise<RecordResult[]>;
  };
  clients: Pick<ClientRegistry, 'listClients'> & {
    /** Creates a client (or, with `rotate`, replaces its token) and returns the new token once. */
    add(
      name: string,
      options?: { rotate?: boolean },
    ): Promise<{ status: 'created' | 'rotated' | 'exists'; token?: string }>;
    /** The client a token belongs to. */
    resolveToken(token: string): Promise<string | undefined>;
  };
}

export type { Account, FileReport };
