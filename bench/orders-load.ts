/**
 * The orders benchmark's data and load: seeded orders with record ids unique for the life of a
 * source, and the autocannon run that POSTs them, two per request, from this process.
 */
import { createRequire } from 'node:module';
import { prng } from './prng.js';

/** One item of a `POST /orders` body. */
export interface OrderItem {
  record_id: string;
  parameter_1: string;
  parameter_2: number;
}

const PARAMETER_1 = ['abc', 'def', 'ghi', 'jkl', 'mno', 'pqr'] as const;

/**
 * Seeded orders: record ids `<prefix>-000000001`, `<prefix>-000000002`, … (never repeated by one
 * source), `parameter_1` one of six short codes, `parameter_2` 0–100 with two decimals. The same
 * seed gives the same orders in the same order.
 */
export function orderSource(seed: number, prefix: string): (count: number) => OrderItem[] {
  const random = prng(seed);
  let next = 0;
  return (count) =>
    Array.from({ length: count }, () => {
      next += 1;
      return {
        record_id: `${prefix}-${String(next).padStart(9, '0')}`,
        parameter_1: PARAMETER_1[Math.floor(random() * PARAMETER_1.length)] as string,
        parameter_2: Math.round(random() * 10_000) / 100,
      };
    });
}

/** What this benchmark uses of autocannon's options and results (the package has no types). */
interface AutocannonRequest {
  method?: string;
  path?: string;
  headers?: Record<string, string>;
  body?: string | Buffer;
}
interface AutocannonOptions {
  url: string;
  connections: number;
  duration: number;
  method: string;
  headers: Record<string, string>;
  timeout: number;
  requests: { setupRequest: (request: AutocannonRequest) => AutocannonRequest }[];
}
interface Histogram {
  average: number;
  p50: number;
  p99: number;
  max: number;
  total: number;
}
interface AutocannonResult {
  duration: number;
  errors: number;
  timeouts: number;
  non2xx: number;
  '2xx': number;
  statusCodeStats: Record<string, { count: number }>;
  latency: Histogram;
  requests: Histogram & { sent: number };
}
interface AutocannonInstance extends PromiseLike<AutocannonResult> {
  stop(): void;
}
const autocannon = createRequire(import.meta.url)('autocannon') as (
  options: AutocannonOptions,
) => AutocannonInstance;

/** The instance running now, so an interrupted benchmark can stop its load. */
let running: AutocannonInstance | undefined;
export function stopLoad(): void {
  running?.stop();
}

export interface LoadResult {
  seconds: number;
  /** 2xx responses received within the run. */
  ok: number;
  non2xx: number;
  /** Connection errors and timeouts. */
  errors: number;
  timeouts: number;
  statusCodes: Record<string, number>;
  /** Requests sent, including those still in flight when the run ended. */
  sent: number;
  requestsPerSecond: number;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
  meanMs: number;
  /** CPU time of this process (autocannon) over the run's wall time: 100% is one core. */
  loadCpuPercent: number;
}

/**
 * Loads `POST <url>/orders` for `seconds` from `connections` keep-alive connections, each request
 * a body of `perRequest` orders taken from `next` (a new body, so new record ids, every request).
 */
export async function loadOrders(options: {
  url: string;
  token?: string;
  connections: number;
  seconds: number;
  perRequest: number;
  next: (count: number) => OrderItem[];
}): Promise<LoadResult> {
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (options.token) headers.authorization = `Bearer ${options.token}`;
  const instance = autocannon({
    url: `${options.url}/orders`,
    connections: options.connections,
    duration: options.seconds,
    method: 'POST',
    headers,
    timeout: 10,
    requests: [
      {
        setupRequest: (request) => ({ ...request, body: JSON.stringify(options.next(options.perRequest)) }),
      },
    ],
  });
  running = instance;
  const cpu = process.cpuUsage();
  try {
    const result = await instance;
    const used = process.cpuUsage(cpu);
    return {
      seconds: result.duration,
      ok: result['2xx'],
      non2xx: result.non2xx,
      errors: result.errors,
      timeouts: result.timeouts,
      statusCodes: Object.fromEntries(
        Object.entries(result.statusCodeStats).map(([code, { count }]) => [code, count]),
      ),
      sent: result.requests.sent,
      requestsPerSecond: result['2xx'] / result.duration,
      p50Ms: result.latency.p50,
      p99Ms: result.latency.p99,
      maxMs: result.latency.max,
      meanMs: result.latency.average,
      loadCpuPercent: Math.round((used.user + used.system) / 10_000 / result.duration),
    };
  } finally {
    running = undefined;
  }
}
