/**
 * Child processes of the orders benchmark that `bench/events-children.ts` does not already give
 * (its `server` child is the Tributary server here too), each started fresh so that its peak RSS
 * is its own:
 *
 * - `bare`: the reference, a Hono app on `@hono/node-server` with one route,
 *   `POST /orders` → reads the JSON body → 201 `{"accepted": n}`. Prints `{"url","token"}` once
 *   listening; on SIGTERM (or when its stdin closes) prints its peak RSS and RSS samples.
 * - `workflow`: a fresh fabric (simulated platform, ready at the first poll), N pending orders
 *   stored untimed, then one auction execution timed from `workflows.start` to `waitFor`. Prints a
 *   {@link WorkflowResult}.
 */
import { serve } from '@hono/node-server';
import { Hono } from 'hono';
import { submitOrders } from '../src/core/orders/submit-orders.js';
import { openFabric } from '../src/runtime/fabric.js';
import { maxRssMB, type ServerReady, type ServerResult } from './events-children.js';
import { orderSource } from './orders-load.js';

/** The seed of the workflow's orders and of the simulated platform's answers. */
export const WORKFLOW_SEED = 20240901;
/** The execution's name: with the seed, it fixes the simulated platform's answers. */
const EXECUTION_NAME = 'bench-orders';
/** As POST /orders takes them, at most 1,000 per request. */
const INSERT_BATCH = 1000;

const emit = (value: unknown) => process.stdout.write(`${JSON.stringify(value)}\n`);
const rssMB = () => Math.round(process.memoryUsage.rss() / 1048576);

export async function bareChild(): Promise<void> {
  const app = new Hono();
  app.post('/orders', async (c) => {
    const orders = await c.req.json<unknown[]>();
    return c.json({ accepted: orders.length }, 201);
  });
  const server = await new Promise<ReturnType<typeof serve>>((resolve, reject) => {
    const created = serve({ fetch: app.fetch, hostname: '127.0.0.1', port: 0 }, () => resolve(created));
    created.once('error', reject);
  });
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('the bare server has no port');
  const rssSamples: [number, number][] = [];
  const sample = () => rssSamples.push([Date.now(), rssMB()]);
  const timer = setInterval(sample, 500);
  let stopping = false;
  const stop = async () => {
    if (stopping) return;
    stopping = true;
    clearInterval(timer);
    sample();
    await new Promise<void>((resolve) => server.close(() => resolve()));
    emit({ maxRssMB: maxRssMB(), rssSamples } satisfies ServerResult);
    process.exit(0);
  };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
  process.stdin.once('close', stop);
  process.stdin.resume();
  emit({ url: `http://127.0.0.1:${address.port}`, token: '' } satisfies ServerReady);
}

export interface WorkflowResult {
  orders: number;
  /** Storing the orders (untimed), in batches of 1,000 through the same core step as POST /orders. */
  insertSeconds: number;
  /** Loading the ASL interpreter and validating the definitions (untimed; once per process). */
  prepareSeconds: number;
  /** `workflows.start` to `waitFor` returning: the execution and its whole history recorded. */
  seconds: number;
  status: string;
  error: string | null;
  output: { accepted: number; rejected: number; alerted: number } | null;
  historyRows: number;
  historyByType: Record<string, number>;
  /** Seconds from `start` to each milestone, by the history's own timestamps. */
  milestones: Record<string, number>;
  /** What the data dir holds afterwards, to check the output against. */
  stored: { resultObjects: number; alerts: number; byStatus: Record<string, number> };
  maxRssMB: number;
  /** Largest half-second RSS sample while timed, and RSS just before. */
  timedRssMB: number;
  rssBeforeMB: number;
}

export async function workflowChild(dataDir: string, orders: number): Promise<void> {
  const fabric = await openFabric({
    dataDir,
    databaseUrl: undefined,
    smtpUrl: undefined,
    mailFrom: 'bench@tributary.local',
    auctionPlatform: 'simulated',
    auctionSeed: WORKFLOW_SEED,
    auctionReadyProbability: 1,
  });
  try {
    const next = orderSource(WORKFLOW_SEED, 'order');
    const inserting = performance.now();
    for (let done = 0; done < orders; done += INSERT_BATCH) {
      const batch = next(Math.min(INSERT_BATCH, orders - done)).map((o) => ({
        recordId: o.record_id,
        parameter1: o.parameter_1,
        parameter2: o.parameter_2,
      }));
      await submitOrders(batch, { repository: fabric.orders, clock: fabric.clock, ttlHours: 24 });
    }
    const insertSeconds = (performance.now() - inserting) / 1000;
    const preparing = performance.now();
    await fabric.workflows.prepare();
    const prepareSeconds = (performance.now() - preparing) / 1000;

    const rssBeforeMB = rssMB();
    let timedRssMB = rssBeforeMB;
    const timer = setInterval(() => {
      timedRssMB = Math.max(timedRssMB, rssMB());
    }, 500);
    const startedAtMs = Date.now();
    const started = performance.now();
    const id = await fabric.workflows.start('auction', fabric.auctionInput, { name: EXECUTION_NAME });
    const execution = await fabric.workflows.waitFor(id);
    const seconds = (performance.now() - started) / 1000;
    clearInterval(timer);
    timedRssMB = Math.max(timedRssMB, rssMB());

    const count = async (sql: string, params: unknown[] = []) =>
      (await fabric.db.query<{ key: string; n: number }>(sql, params)).rows;
    const historyByType = Object.fromEntries(
      (
        await count(
          'SELECT type AS key, count(*)::int8 AS n FROM workflow_history WHERE execution_id = $1 GROUP BY type ORDER BY type',
          [id],
        )
      ).map((r) => [r.key, r.n]),
    );
    const milestoneRows = await fabric.db.query<{ key: string; ms: number }>(
      `SELECT key, (extract(epoch FROM at) * 1000)::float8 AS ms FROM (
         SELECT type || ' ' || coalesce(state_name, '') AS key, min(at) AS at FROM workflow_history
         WHERE execution_id = $1 AND map_index IS NULL GROUP BY 1
         UNION ALL SELECT 'stopped_at', stopped_at FROM workflow_executions WHERE id = $1) t
       ORDER BY at`,
      [id],
    );
    const byStatus = Object.fromEntries(
      (await count('SELECT status AS key, count(*)::int8 AS n FROM orders GROUP BY status')).map((r) => [
        r.key,
        r.n,
      ]),
    );
    const [objects] = await count(
      "SELECT 'objects' AS key, count(*)::int8 AS n FROM objects WHERE bucket = 'order-results'",
    );
    const [alerts] = await count("SELECT 'alerts' AS key, count(*)::int8 AS n FROM alerts");
    emit({
      orders,
      insertSeconds,
      prepareSeconds,
      seconds,
      status: execution.status,
      error: execution.error,
      output: execution.output as WorkflowResult['output'],
      historyRows: Object.values(historyByType).reduce((sum, n) => sum + n, 0),
      historyByType,
      milestones: Object.fromEntries(
        milestoneRows.rows.map((r) => [r.key.trim(), Math.round(r.ms - startedAtMs) / 1000]),
      ),
      stored: { resultObjects: objects?.n ?? 0, alerts: alerts?.n ?? 0, byStatus },
      maxRssMB: maxRssMB(),
      timedRssMB,
      rssBeforeMB,
    } satisfies WorkflowResult);
  } finally {
    await fabric.close();
  }
}
