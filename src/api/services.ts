import type { BearerCheckDeps } from '../core/access/authorize-bearer.js';
import type { RecordResult } from '../core/events/accept-events.js';
import type { BatchRecord } from '../core/events/parse-event-batch.js';
import type { RoutingRule } from '../core/loader/routing-rules.js';
import type { SubmittedOrders } from '../core/orders/submit-orders.js';
import type { OrderInput } from '../core/orders/types.js';
import type { Account } from '../core/statements/types.js';
import type { Clock } from '../ports/clock.js';
import type { ClientRegistry, EventsRepository } from '../ports/events-repository.js';
import type { LoaderRepository } from '../ports/loader-repository.js';
import type { ObjectInfo, ObjectStore, PutObjectInput } from '../ports/object-store.js';
import type { OrdersRepository } from '../ports/orders-repository.js';
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

/** A state machine execution as the API shows it. */
export interface ExecutionSummary {
  executionId: string;
  stateMachine: string;
  status: 'RUNNING' | 'SUCCEEDED' | 'FAILED' | 'ABORTED' | 'TIMED_OUT';
  input: unknown;
  output?: unknown;
  error?: string | null;
  cause?: string | null;
  startedAt: Date;
  stoppedAt: Date | null;
}

/** One step of an execution's history: a state entered, exited, failed, retried or caught. */
export interface ExecutionHistoryEvent {
  sequence: number;
  timestamp: Date;
  type: string;
  stateName?: string | null;
  stateType?: string | null;
  mapIndex?: number | null;
  input?: unknown;
  output?: unknown;
  error?: string | null;
  cause?: string | null;
}

/** An alert kept in the outbox, with how its delivery went. */
export interface AlertListing {
  id: string;
  kind: string;
  text: string;
  details: unknown;
  createdAt: Date;
  delivery: string;
  attempts: number;
  lastError: string | null;
}

/**
 * What the HTTP API needs from the runtime. The API never reaches past these. The local server
 * has them all; a Lambda function behind API Gateway has only those of its route groups (see
 * {@link routeGroupServices}).
 */
export interface ApiServices {
  /** How the app checks bearer tokens itself (locally; on AWS the API Gateway authorizer does). */
  auth: BearerCheckDeps;
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
  auction: {
    /** Starts an execution of the auction workflow now, with the configured wait and attempts. */
    start(): Promise<string>;
    list(limit: number): Promise<ExecutionSummary[]>;
    get(executionId: string): Promise<ExecutionSummary | undefined>;
    history(executionId: string): Promise<ExecutionHistoryEvent[]>;
  };
  alerts: { list(): Promise<AlertListing[]> };
  /** The time routes stamp what they store with (a posted batch's load time). */
  clock: Clock;
  loader: Pick<
    LoaderRepository,
    'hiresByQuarter' | 'departmentsAboveMean' | 'insertRows' | 'listFiles' | 'listRejected'
  >;
  /** The configured routing rules: `POST /datasets/:table/rows` loads into the first rule of `table`. */
  loaderRules: readonly RoutingRule[];
  events: Pick<EventsRepository, 'feed' | 'query' | 'listRejected' | 'poll' | 'ack' | 'getConsumer'> & {
    /** Puts records that passed the edge checks on the stream and keeps the others as rejected. */
    accept(records: readonly BatchRecord[]): Promise<RecordResult[]>;
  };
  orders: Pick<OrdersRepository, 'get' | 'list'> & {
    /** Stores validated orders as pending, received now and expiring after the configured TTL. */
    submit(orders: readonly OrderInput[]): Promise<SubmittedOrders>;
  };
  clients: Pick<ClientRegistry, 'listClients'> & {
    /** Creates a client (or, with `rotate`, replaces its token) and returns the new token once. */
    add(
      name: string,
      options?: { rotate?: boolean },
    ): Promise<{ status: 'created' | 'rotated' | 'exists'; token?: string }>;
  };
}

/**
 * The services each route group reads. `createApp` serves a group when all of its services are
 * given, so a Lambda function is built with only what its routes need.
 */
export const routeGroupServices = {
  objects: ['objects', 'putObject'],
  statements: ['statements', 'objects'],
  operations: ['outbox', 'alerts', 'deadLetters', 'queueNames', 'streams', 'pendingWork', 'traceDeadLetters'],
  events: ['events'],
  clients: ['clients', 'events'],
  orders: ['orders'],
  auction: ['auction'],
  reports: ['loader'],
  datasets: ['loader', 'loaderRules', 'clock'],
} as const satisfies Record<string, readonly (keyof ApiServices)[]>;

export type RouteGroup = keyof typeof routeGroupServices;

/**
 * The services that serve the given route groups.
 *
 * @example
 * const services: ServicesFor<'orders'> = { orders };
 * createApp(services, { routes: ['orders'], principalFrom: principalFromAuthorizer });
 */
export type ServicesFor<G extends RouteGroup> = Pick<ApiServices, (typeof routeGroupServices)[G][number]>;

export type { Account, FileReport };
