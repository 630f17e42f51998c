import type { Topology } from './topology-types.js';
import { auctionDefinition } from './workflows/auction.js';
import { ordersPurgeDefinition } from './workflows/orders-purge.js';

export type * from './topology-types.js';
export {
  isApiTrigger,
  isAuthorizerTrigger,
  isQueueTrigger,
  isStateMachineTaskTrigger,
  isStreamTrigger,
} from './topology-types.js';

const DAY = 86_400;

/**
 * API functions answer within API Gateway's 30-second integration timeout, so a slow request
 * fails in the function (logged) rather than at the gateway.
 */
const API_TIMEOUT_SECONDS = 29;

/**
 * Every resource of every pipeline and how they connect. Nothing about the wiring is written
 * anywhere else: `src/runtime/` reads this to run locally and `infra/` to deploy.
 */
export const topology = {
  buckets: {
    transactions: { description: 'Transaction CSVs uploaded for statements' },
    'email-templates': { description: 'Email templates (statement.html); a default ships with the code' },
    'order-results': {
      description: 'Accepted auction orders, one JSON object each (orders/<record_id>.json)',
    },
    landing: {
      description:
        'Loader files: CSVs arrive under stage/ and move to processed/<table>/, failed/ or unmatched/',
    },
  },
  queues: {
    'statements-ingest': {
      description: 'Transaction files to parse and store',
      // A large file takes a while: longer than the function timeout, as AWS requires.
      visibilityTimeoutSeconds: 960,
      retentionSeconds: 4 * DAY,
      deadLetter: { queue: 'statements-ingest-dlq', maxReceiveCount: 3 },
    },
    'statements-ingest-dlq': {
      description: 'Files whose ingestion failed three times',
      visibilityTimeoutSeconds: 30,
      retentionSeconds: 14 * DAY,
    },
    'statements-notify': {
      description: 'Summaries to send to account holders',
      visibilityTimeoutSeconds: 60,
      retentionSeconds: 4 * DAY,
      deadLetter: { queue: 'statements-notify-dlq', maxReceiveCount: 3 },
    },
    'statements-notify-dlq': {
      description: 'Summaries that could not be sent (for example: no email known)',
      visibilityTimeoutSeconds: 30,
      retentionSeconds: 14 * DAY,
    },
    loader: {
      description: 'Landing files to route and bulk-load',
      // A 5M-row file loads in minutes: longer than the function timeout, as AWS requires.
      visibilityTimeoutSeconds: 960,
      retentionSeconds: 4 * DAY,
      deadLetter: { queue: 'loader-dlq', maxReceiveCount: 3 },
    },
    'loader-dlq': {
      description: 'Landing files whose load failed three times for a reason other than their content',
      visibilityTimeoutSeconds: 30,
      retentionSeconds: 14 * DAY,
    },
    'events-consume-dlq': {
      description: 'Stream records that events-consume failed on after every retry, with the error',
      visibilityTimeoutSeconds: 30,
      retentionSeconds: 14 * DAY,
    },
  },
  streams: {
    events: {
      description: 'Events from every producer, partitioned by Client so each client keeps one order',
      shardCount: 4,
      retentionHours: 24,
    },
  },
  stateMachines: {
    auction: {
      description: 'Polls the auction platform for results, stores accepted orders, alerts on rejected ones',
      definition: auctionDefinition,
    },
    'orders-purge': { description: 'Deletes expired orders', definition: ordersPurgeDefinition },
  },
  schedules: {
    auction: {
      description: 'Runs the auction (AUCTION_SCHEDULE overrides the expression)',
      expression: 'rate(1 hour)',
      target: { stateMachine: 'auction' },
    },
    'orders-purge': {
      description: 'Deletes expired orders',
      expression: 'rate(1 hour)',
      target: { stateMachine: 'orders-purge' },
    },
  },
  rules: {
    'statements-csv-uploaded': {
      description: 'A .csv object created in bucket transactions',
      pattern: {
        source: ['aws.s3'],
        'detail-type': ['Object Created'],
        detail: { bucket: { name: ['transactions'] }, object: { key: [{ suffix: '.csv' }] } },
      },
      target: { queue: 'statements-ingest' },
    },
    'statements-summarized': {
      description: 'An account summary changed',
      pattern: { 'detail-type': ['StatementSummarized'] },
      target: { queue: 'statements-notify' },
    },
    'loader-csv-staged': {
      description: 'A .csv object created under stage/ in bucket landing',
      pattern: {
        source: ['aws.s3'],
        'detail-type': ['Object Created'],
        // Prefix and suffix on one field: a wildcard ANDs them (a list of both would OR them).
        detail: { bucket: { name: ['landing'] }, object: { key: [{ wildcard: 'stage/*.csv' }] } },
      },
      target: { queue: 'loader' },
    },
  },
  functions: {
    'statements-ingest': {
      description: 'Parses a transaction file, stores its lines and summarizes each account',
      entry: 'src/aws/functions/statements-ingest.ts',
      timeoutSeconds: 900,
      memoryMb: 1024,
      trigger: { queue: 'statements-ingest', batchSize: 1 },
    },
    'statements-notify': {
      description: 'Renders and sends the statement email',
      entry: 'src/aws/functions/statements-notify.ts',
      timeoutSeconds: 30,
      memoryMb: 256,
      trigger: { queue: 'statements-notify', batchSize: 10 },
    },
    'events-consume': {
      description: 'Validates each event against the schema registry and stores it idempotently by ID',
      entry: 'src/aws/functions/events-consume.ts',
      timeoutSeconds: 60,
      memoryMb: 512,
      trigger: {
        stream: 'events',
        batchSize: 500,
        batchingWindowSeconds: 1,
        startingPosition: 'TRIM_HORIZON',
        maximumRetryAttempts: 5,
        bisectBatchOnFunctionError: true,
        onFailure: { queue: 'events-consume-dlq' },
      },
    },
    'loader-ingest': {
      description:
        'Routes a landing file by name, bulk-loads its valid rows, keeps the rejected ones, moves the file',
      entry: 'src/aws/functions/loader-ingest.ts',
      timeoutSeconds: 900,
      memoryMb: 1024,
      trigger: { queue: 'loader', batchSize: 1 },
    },
    'auction-fetch-results': {
      description: 'Asks the auction platform for results on the pending orders',
      entry: 'src/aws/functions/auction-fetch-results.ts',
      timeoutSeconds: 60,
      memoryMb: 512,
      trigger: { stateMachine: 'auction' },
    },
    'auction-store-result': {
      description:
        'Stores an accepted order in bucket order-results; raises OrderRejected for a rejected one',
      entry: 'src/aws/functions/auction-store-result.ts',
      timeoutSeconds: 30,
      memoryMb: 256,
      trigger: { stateMachine: 'auction' },
    },
    'auction-notify': {
      description: 'Raises an alert (webhook and outbox) and marks a rejected order',
      entry: 'src/aws/functions/auction-notify.ts',
      timeoutSeconds: 30,
      memoryMb: 256,
      trigger: { stateMachine: 'auction' },
    },
    'auction-summarize': {
      description: 'Counts accepted, rejected and alerted orders: the execution output',
      entry: 'src/aws/functions/auction-summarize.ts',
      timeoutSeconds: 10,
      memoryMb: 128,
      trigger: { stateMachine: 'auction' },
    },
    'orders-purge': {
      description: 'Deletes expired orders',
      entry: 'src/aws/functions/orders-purge.ts',
      timeoutSeconds: 300,
      memoryMb: 256,
      trigger: { stateMachine: 'orders-purge' },
    },
    'events-api': {
      description:
        'Takes batches of events onto the stream and serves the clients their events. POST /events/bulk ' +
        'streams a body of any length, which Lambda (6 MB buffered) cannot: on AWS, send batches to POST /events',
      entry: 'src/aws/functions/events-api.ts',
      timeoutSeconds: API_TIMEOUT_SECONDS,
      memoryMb: 512,
      trigger: {
        api: true,
        routes: [
          'POST /events',
          'GET /events/rejected',
          'POST /clients',
          'GET /clients',
          'GET /clients/{client}/events',
          'GET /clients/{client}/events/query',
          'POST /clients/{client}/consumers/{name}/poll',
          'POST /clients/{client}/consumers/{name}/ack',
          'GET /clients/{client}/consumers/{name}',
        ],
      },
    },
    'orders-api': {
      description: 'Takes auction orders (validated, stored with their TTL) and shows them',
      entry: 'src/aws/functions/orders-api.ts',
      timeoutSeconds: API_TIMEOUT_SECONDS,
      memoryMb: 512,
      trigger: { api: true, routes: ['POST /orders', 'GET /orders', 'GET /orders/{record_id}'] },
    },
    'reports-api': {
      description: 'Loader reports and posted dataset rows, over the loader database',
      entry: 'src/aws/functions/reports-api.ts',
      timeoutSeconds: API_TIMEOUT_SECONDS,
      memoryMb: 512,
      trigger: {
        api: true,
        routes: [
          'GET /reports/hires-by-quarter',
          'GET /reports/departments-above-mean',
          'POST /datasets/{table}/rows',
          'GET /loader/files',
          'GET /loader/rejected',
        ],
      },
    },
    'api-authorizer': {
      description:
        'Lets a request through with the admin token or a client token; the functions check what it may reach',
      entry: 'src/aws/functions/api-authorizer.ts',
      timeoutSeconds: 10,
      memoryMb: 256,
      trigger: { authorizer: true },
    },
  },
} as const satisfies Topology;

export type FunctionName = keyof typeof topology.functions;
export type BucketName = keyof typeof topology.buckets;
export type StreamName = keyof typeof topology.streams;
