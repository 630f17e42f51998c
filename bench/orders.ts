/**
 * Orders benchmark (`npm run bench:orders`; `npm run bench` runs it after the events one).
 *
 * - `api`: `POST /orders` under load from autocannon in this process: 50 keep-alive connections
 *   (`--connections`), 15 s (`--seconds`) after a 2 s warm-up (`--warmup-seconds`), every request a
 *   new body of 2 seeded orders with new record ids (`o-000000001`, …), so each is an insert, not
 *   a repost. Two servers, each in a fresh child process so that its peak RSS is its own:
 *   - `tributary`: as `tributary dev` runs it (openFabric on a new data dir + startLocalServer,
 *     auth on, loopback), with `Authorization: Bearer <admin token>`. After it stops, its PGlite
 *     must hold every order it answered 201 for.
 *   - `bare`, the reference: a Hono route on `@hono/node-server` that reads the JSON body and
 *     answers 201 `{"accepted": n}`.
 *   Any non-2xx answer, connection error or timeout fails the benchmark.
 * - `workflow`: a fresh fabric in a child process with the simulated platform ready at the first
 *   poll; N pending orders (default 10,000, `--orders`) stored untimed, then one auction execution
 *   timed from `workflows.start('auction', fabric.auctionInput)` to `waitFor`.
 *
 * Flags: `--seconds n`, `--warmup-seconds n` (0 for none), `--connections n`, `--orders n`,
 * `--parts api,workflow`, `--keep` (keep the temp folder).
 */

import { rmSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { openPGlite } from '../src/adapters/sql/pglite-client.js';
import { MAX_ORDERS_PER_AUCTION } from '../src/core/auction/auction-steps.js';
import { type ServerReady, type ServerResult, serverChild } from './events-children.js';
import { Child, killChildren } from './events-process.js';
import { bareChild, type WorkflowResult, workflowChild } from './orders-children.js';
import { type LoadResult, loadOrders, orderSource, stopLoad } from './orders-load.js';
import { recordSummary } from './summary.js';

const ENTRY = fileURLToPath(import.meta.url);
const PARTS = ['api', 'workflow'] as const;
const TARGETS = ['tributary', 'bare'] as const;
type Target = (typeof TARGETS)[number];
const ORDERS_PER_REQUEST = 2;
const LOAD_SEED = 20240902;

interface Options {
  seconds: number;
  warmupSeconds: number;
  connections: number;
  orders: number;
}

interface ApiResult extends LoadResult {
  target: Target;
  warmupRequests: number;
  maxRssMB: number;
  timedRssMB?: number;
  /** Tributary: orders in its database afterwards (warm-up included; in-flight ones at the end too). */
  storedOrders?: number;
}

const round = (value: number, digits = 2) => Math.round(value * 10 ** digits) / 10 ** digits;
const formatInt = (value: number) => Math.round(value).toLocaleString('en-US');
const log = (message: string) => process.stderr.write(`${message}\n`);
/** autocannon records whole milliseconds: 0 means under one. */
const latency = (ms: number) => (ms < 1 ? '<1' : formatInt(ms));

function optionValue(args: readonly string[], name: string): string | undefined {
  const index = args.indexOf(name);
  return index === -1 ? undefined : args[index + 1];
}

function integer(args: readonly string[], name: string, fallback: number, min = 1): number {
  const value = Number((optionValue(args, name) ?? String(fallback)).replace(/_/g, ''));
  if (!(Number.isSafeInteger(value) && value >= min))
    throw new Error(`${name} takes an integer of at least ${min}`);
  return value;
}

function checkLoad(target: Target, phase: string, load: LoadResult): void {
  if (load.non2xx > 0 || load.errors > 0 || load.timeouts > 0)
    throw new Error(
      `${target} (${phase}): ${load.non2xx} non-2xx answers, ${load.errors} errors, ${load.timeouts} timeouts; status codes ${JSON.stringify(load.statusCodes)}`,
    );
  if (load.ok === 0) throw new Error(`${target} (${phase}): no request succeeded`);
}

async function countOrders(dataDir: string): Promise<number> {
  const db = await openPGlite(join(dataDir, 'pgdata'));
  try {
    const { rows } = await db.query<{ n: number }>('SELECT count(*)::int8 AS n FROM orders');
    return rows[0]?.n ?? 0;
  } finally {
    await db.close();
  }
}

async function runApi(target: Target, root: string, o: Options): Promise<ApiResult> {
  const dataDir = join(root, `${target}-data`);
  const child = new Child(target === 'tributary' ? ['server', dataDir] : ['bare'], ENTRY);
  try {
    const server = await child.next<ServerReady>('its URL');
    const next = orderSource(LOAD_SEED, 'o');
    const load = (seconds: number) =>
      loadOrders({
        url: server.url,
        ...(target === 'tributary' ? { token: server.token } : {}),
        connections: o.connections,
        seconds,
        perRequest: ORDERS_PER_REQUEST,
        next,
      });
    let warmupRequests = 0;
    if (o.warmupSeconds > 0) {
      log(`${target}: server at ${server.url}; warming up for ${o.warmupSeconds} s…`);
      const warmup = await load(o.warmupSeconds);
      checkLoad(target, 'warm-up', warmup);
      warmupRequests = warmup.ok;
    }
    log(`${target}: ${o.connections} connections for ${o.seconds} s…`);
    const timedFrom = Date.now();
    const measured = await load(o.seconds);
    const timedTo = Date.now();
    checkLoad(target, 'measured', measured);
    await child.stop();
    const usage = await child.next<ServerResult>('its peak RSS');
    const timed = usage.rssSamples.filter(([at]) => at >= timedFrom && at <= timedTo).map(([, mb]) => mb);
    const result: ApiResult = {
      target,
      ...measured,
      warmupRequests,
      maxRssMB: usage.maxRssMB,
      ...(timed.length > 0 ? { timedRssMB: Math.max(...timed) } : {}),
    };
    if (target === 'tributary') {
      // Every 201 stored its two orders; requests cut off by the end of a run may have been stored too.
      const stored = await countOrders(dataDir);
      const answered = (warmupRequests + measured.ok) * ORDERS_PER_REQUEST;
      const cutOff = 2 * o.connections * ORDERS_PER_REQUEST;
      if (stored < answered || stored > answered + cutOff)
        throw new Error(`tributary: ${stored} orders stored for ${answered} answered with 201`);
      result.storedOrders = stored;
    }
    return result;
  } finally {
    await child.stop(10_000);
  }
}

async function runWorkflow(root: string, o: Options): Promise<WorkflowResult> {
  const child = new Child(['workflow', join(root, 'workflow-data'), String(o.orders)], ENTRY);
  try {
    log(`workflow: storing ${formatInt(o.orders)} pending orders, then one auction execution…`);
    const result = await child.next<WorkflowResult>('its result');
    await child.exited;
    const out = result.output;
    const { byStatus, resultObjects, alerts } = result.stored;
    if (result.status !== 'SUCCEEDED' || !out)
      throw new Error(`workflow: the execution ended ${result.status} (${result.error})`);
    if (
      out.accepted + out.rejected !== o.orders ||
      out.alerted !== out.rejected ||
      resultObjects !== out.accepted ||
      alerts !== out.rejected ||
      (byStatus.accepted ?? 0) !== out.accepted ||
      (byStatus.rejected ?? 0) !== out.rejected ||
      (byStatus.pending ?? 0) !== 0
    )
      throw new Error(`workflow: the output does not match what was stored: ${JSON.stringify(result)}`);
    return result;
  } finally {
    await child.stop(10_000);
  }
}

function tables(api: readonly ApiResult[], workflow: WorkflowResult | undefined, o: Options, whole: number) {
  const out: string[] = [];
  const bare = api.find((r) => r.target === 'bare');
  const label: Record<Target, string> = {
    tributary: 'Tributary `POST /orders` (auth, validation, PGlite upsert)',
    bare: 'reference: bare Hono route (reads the JSON, 201)',
  };
  if (api.length > 0) {
    out.push(
      `| API, ${o.connections} connections, ${ORDERS_PER_REQUEST} orders a request | requests | requests/s | p50 ms | p99 ms | non-2xx | peak RSS MB | autocannon CPU | ÷ bare |`,
      '|---|---:|---:|---:|---:|---:|---:|---:|---:|',
      ...api.map((r) => {
        const ratio = bare ? `${(r.requestsPerSecond / bare.requestsPerSecond).toPrecision(2)}×` : '';
        return `| ${label[r.target]} | ${formatInt(r.ok)} | ${formatInt(r.requestsPerSecond)} | ${latency(r.p50Ms)} | ${latency(r.p99Ms)} | ${r.non2xx} | ${formatInt(r.maxRssMB)} | ${r.loadCpuPercent}% | ${ratio} |`;
      }),
      '',
    );
  }
  if (workflow?.output) {
    const w = workflow;
    const output = w.output as NonNullable<WorkflowResult['output']>;
    out.push(
      '| workflow: one `auction` execution | orders | seconds | orders/s | accepted | rejected | alerted | history rows | peak RSS MB | RSS in timed part MB |',
      '|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|',
      `| simulated platform, ready at the first poll | ${formatInt(w.orders)} | ${w.seconds.toFixed(1)} | ${formatInt(w.orders / w.seconds)} | ${formatInt(output.accepted)} | ${formatInt(output.rejected)} | ${formatInt(output.alerted)} | ${formatInt(w.historyRows)} | ${formatInt(w.maxRssMB)} | ${formatInt(w.timedRssMB)} |`,
      '',
    );
  }
  out.push(
    `Machine: ${os.availableParallelism()} cores (${os.cpus()[0]?.model ?? 'unknown CPU'}), ${round(os.totalmem() / 1024 ** 3, 1)} GiB RAM, Node ${process.version}, ${os.platform()} ${os.arch()}.`,
    `API: ${o.seconds} s each after a ${o.warmupSeconds} s warm-up; requests = 2xx answers in the timed part; p50/p99 = autocannon's latency; autocannon runs in the benchmark process on the same machine (its CPU: 100% is one core saturated, so the server could go faster). ` +
      'Workflow: `workflows.start` to `waitFor` returning, history written. Peak RSS: `maxRSS` of the child (PGlite initdb of its new data dir included for Tributary); RSS in timed part: largest half-second sample.',
    `Whole run: ${formatInt(whole)} s (server start-ups and storing the workflow's orders included).`,
  );
  return `${out.join('\n')}\n`;
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const childIndex = args.indexOf('--child');
  if (childIndex !== -1) {
    const [mode, dataDir, count] = args.slice(childIndex + 1);
    if (mode === 'server' && dataDir) return serverChild(dataDir);
    if (mode === 'bare') return bareChild();
    if (mode === 'workflow' && dataDir && count) return workflowChild(dataDir, Number(count));
    throw new Error(`unknown child ${mode}`);
  }

  const begun = performance.now();
  const valued = ['--seconds', '--warmup-seconds', '--connections', '--orders', '--parts'];
  for (let i = 0; i < args.length; i += 1) {
    if (valued.includes(args[i] as string)) i += 1;
    else if (args[i] !== '--keep')
      throw new Error(`unknown argument ${args[i]}; flags: ${valued.join(', ')}, --keep`);
  }
  const o: Options = {
    seconds: integer(args, '--seconds', 15),
    warmupSeconds: integer(args, '--warmup-seconds', 2, 0),
    connections: integer(args, '--connections', 50),
    orders: integer(args, '--orders', 10_000),
  };
  if (o.orders > MAX_ORDERS_PER_AUCTION)
    throw new Error(`--orders: one execution asks about at most ${MAX_ORDERS_PER_AUCTION} pending orders`);
  const parts = (optionValue(args, '--parts') ?? PARTS.join(',')).split(',').map((p) => p.trim());
  const unknown = parts.filter((p) => !(PARTS as readonly string[]).includes(p));
  if (unknown.length > 0) throw new Error(`--parts takes ${PARTS.join(',')}; not ${unknown.join(',')}`);
  const keep = args.includes('--keep');

  const root = await mkdtemp(join(os.tmpdir(), 'tributary-bench-orders-'));
  const interrupted = (signal: NodeJS.Signals) => {
    stopLoad();
    killChildren();
    if (!keep) rmSync(root, { recursive: true, force: true });
    log(`interrupted (${signal})`);
    process.exit(130);
  };
  process.once('SIGINT', interrupted);
  process.once('SIGTERM', interrupted);
  const api: ApiResult[] = [];
  let workflow: WorkflowResult | undefined;
  try {
    if (parts.includes('api')) {
      for (const target of TARGETS) {
        const result = await runApi(target, root, o);
        log(JSON.stringify(result));
        api.push(result);
        if (!keep) await rm(join(root, `${target}-data`), { recursive: true, force: true });
      }
    }
    if (parts.includes('workflow')) {
      workflow = await runWorkflow(root, o);
      log(JSON.stringify(workflow));
    }
  } finally {
    stopLoad();
    killChildren();
    if (keep) log(`kept ${root}`);
    else await rm(root, { recursive: true, force: true });
  }
  const bare = api.find((r) => r.target === 'bare');
  const tributary = api.find((r) => r.target !== 'bare');
  if (tributary)
    recordSummary([
      {
        pipeline: 'orders',
        metric: `POST /orders, ${o.connections} connections (auth, validation, store)`,
        unit: 'requests/s',
        tributary: tributary.requestsPerSecond,
        reference: bare?.requestsPerSecond ?? null,
        referenceName: 'bare Hono route that reads the JSON',
        higherIsBetter: true,
      },
    ]);
  if (workflow?.output)
    recordSummary([
      {
        pipeline: 'orders',
        metric: `one auction execution over ${formatInt(workflow.orders)} orders`,
        unit: 'orders/s',
        tributary: workflow.orders / workflow.seconds,
        reference: null,
        referenceName: 'none (no other interpreter here)',
        higherIsBetter: true,
      },
    ]);
  process.stdout.write(tables(api, workflow, o, (performance.now() - begun) / 1000));
}

await main();
