import { type FunctionSpec, isQueueTrigger, type QueueSpec, topology } from '../../src/topology.js';
import type { BucketName, FunctionName, QueueName, StreamName, TableName } from '../topology-resources.js';

/** Files a bundle needs beside its `index.mjs`, copied after bundling (see bundling.ts). */
export type BundleFiles = 'migrations' | 'statement-templates';

/**
 * What one function touches beyond its trigger (the event source grants that itself: consume its
 * queue, read its stream, send to its on-failure queue). Every grant and every environment
 * variable of the function is derived from this, so widening access is a visible change here.
 *
 * - `tables`: `read` (GetItem, Query…) or `readWrite`; each gives `<NAME>_TABLE`.
 * - `buckets`: `read` (Get, Head, List), `put` (PutObject only), `delete` (DeleteObject only) or
 *   `readWriteDelete` (moves);
 *   together they give `BUCKETS`, the JSON map of those buckets' physical names.
 * - `streams`: put records; gives `STREAMS`, the JSON map of their physical names.
 * - `eventBus`: PutEvents on the default bus (`EVENT_BUS_NAME`).
 * - `alerts`: publish to the alerts topic (`ALERTS_TOPIC_ARN`).
 * - `mail`: send through the SES identity and configuration set (`MAIL_FROM`, `SES_CONFIGURATION_SET`).
 * - `database`: the loader database: in the VPC's functions subnets with the clients security
 *   group, reads the RDS secret (`DB_SECRET_ARN`), trusts the RDS CA, bundles the migrations,
 *   takes the routing rules (`LOADER_RULES`) when configured.
 * - `adminToken`: reads the admin token secret (`ADMIN_TOKEN_SECRET_ARN`).
 * - `auctionPlatform`: `AUCTION_URL` (and `AUCTION_BATCH_LIMIT` when configured).
 * - `orderTtl`: `ORDER_TTL_HOURS` when configured.
 * - `deadLetters`: sends a message that can never succeed straight to its trigger queue's
 *   dead-letter queue (`DEAD_LETTER_QUEUE_URL`; `sqs:SendMessage` on that queue alone), rather
 *   than leaving it to the redrive after `maxReceiveCount` receives.
 */
export interface FunctionAccess {
  tables?: Partial<Record<TableName, 'read' | 'readWrite'>>;
  buckets?: Partial<Record<BucketName, 'read' | 'put' | 'delete' | 'readWriteDelete'>>;
  streams?: readonly StreamName[];
  eventBus?: boolean;
  alerts?: boolean;
  mail?: boolean;
  database?: boolean;
  adminToken?: boolean;
  auctionPlatform?: boolean;
  orderTtl?: boolean;
  deadLetters?: boolean;
  files?: readonly BundleFiles[];
}

/**
 * Each topology function's access. Keyed by the topology's function names: a function added to
 * the topology without an entry here fails the type check.
 */
export const FUNCTION_ACCESS: Readonly<Record<FunctionName, FunctionAccess>> = {
  'statements-ingest': {
    tables: { statements: 'readWrite' },
    buckets: { transactions: 'read' },
    eventBus: true,
    deadLetters: true,
  },
  'statements-notify': {
    // Sent log and idempotency records live in the statements table too.
    tables: { statements: 'readWrite' },
    buckets: { 'email-templates': 'read' },
    mail: true,
    deadLetters: true,
    files: ['statement-templates'],
  },
  'events-consume': { tables: { events: 'readWrite' } },
  'loader-ingest': {
    // Reads the staged file, writes its outcome (moves, error reports), deletes the original.
    buckets: { landing: 'readWriteDelete' },
    database: true,
    deadLetters: true,
    files: ['migrations'],
  },
  'auction-fetch-results': { tables: { orders: 'read' }, auctionPlatform: true },
  'auction-store-result': { tables: { orders: 'readWrite' }, buckets: { 'order-results': 'put' } },
  // The alert log (once per alert id) is kept in the orders table; a rejected order's stray result
  // object (a StoreResult interrupted before its mark) is deleted.
  'auction-notify': { tables: { orders: 'readWrite' }, alerts: true, buckets: { 'order-results': 'delete' } },
  'auction-summarize': {},
  'orders-purge': { tables: { orders: 'readWrite' } },
  // The client registry lives in the events table.
  'events-api': { tables: { events: 'readWrite' }, streams: ['events'] },
  'orders-api': { tables: { orders: 'readWrite' }, orderTtl: true },
  'reports-api': { database: true, files: ['migrations'] },
  'api-authorizer': { tables: { events: 'read' }, adminToken: true },
};

/** The topology's functions as `[name, spec]` pairs, typed by name. */
export function topologyFunctions(): [FunctionName, FunctionSpec][] {
  return Object.entries(topology.functions) as [FunctionName, FunctionSpec][];
}

/**
 * The dead-letter queue of a function's trigger queue: where `deadLetters` sends. A function
 * whose trigger is no queue with a dead-letter queue has none, and asking is a mistake.
 */
export function triggerDeadLetterQueue(name: FunctionName): QueueName {
  const { trigger } = topology.functions[name] as FunctionSpec;
  const queues: Readonly<Record<string, QueueSpec>> = topology.queues;
  const deadLetter = isQueueTrigger(trigger) ? queues[trigger.queue]?.deadLetter : undefined;
  if (!deadLetter) {
    throw new Error(
      `Function ${name} sends dead letters, but its trigger is no queue with a dead-letter queue`,
    );
  }
  return deadLetter.queue as QueueName;
}
