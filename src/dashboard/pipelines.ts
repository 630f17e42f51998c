/** A pipeline as the dashboard groups the topology's resources. */
export interface PipelineView {
  id: 'statements' | 'events' | 'orders' | 'loader';
  summary: string;
  href: string;
  functions: readonly string[];
  queues: readonly string[];
  buckets: readonly string[];
  streams: readonly string[];
  stateMachines: readonly string[];
}

/**
 * Which topology resources belong to which pipeline. `pipelines.test.ts` checks that every
 * resource of the topology is in exactly one (the API authorizer serves them all and is in none).
 */
export const pipelines: readonly PipelineView[] = [
  {
    id: 'statements',
    summary: 'Transaction CSVs become account summaries sent by email',
    href: '/ui/statements',
    functions: ['statements-ingest', 'statements-notify'],
    queues: ['statements-ingest', 'statements-ingest-dlq', 'statements-notify', 'statements-notify-dlq'],
    buckets: ['transactions', 'email-templates'],
    streams: [],
    stateMachines: [],
  },
  {
    id: 'events',
    summary: 'Events from every source, validated, stored and delivered to each client in order',
    href: '/ui/events',
    functions: ['events-api', 'events-consume'],
    queues: ['events-consume-dlq'],
    buckets: [],
    streams: ['events'],
    stateMachines: [],
  },
  {
    id: 'orders',
    summary: 'Orders with a 24 h expiry, and the scheduled auction with results and alerts',
    href: '/ui/orders',
    functions: [
      'orders-api',
      'auction-fetch-results',
      'auction-store-result',
      'auction-notify',
      'auction-summarize',
      'orders-purge',
    ],
    queues: [],
    buckets: ['order-results'],
    streams: [],
    stateMachines: ['auction', 'orders-purge'],
  },
  {
    id: 'loader',
    summary: 'Files routed by name into PostgreSQL, with rejected rows and reports',
    href: '/ui/loader',
    functions: ['loader-ingest', 'reports-api'],
    queues: ['loader', 'loader-dlq'],
    buckets: ['landing'],
    streams: [],
    stateMachines: [],
  },
];

/** Functions that serve every pipeline. */
export const sharedFunctions = ['api-authorizer'] as const;
