/**
 * The child processes of the loader benchmark, each started fresh so that its peak RSS is its own:
 *
 * - `tributary`: `openFabric` on a new data dir (PGlite in it, or a PostgreSQL server's database),
 *   then the file, streamed from disk, put to `landing/stage/hired_employees.csv` (timed on its
 *   own), then `dispatcher.drain()` (timed: loader-ingest routes, validates, COPYs and moves the
 *   file). While it drains, the repository, the SQL client and the object store are wrapped with
 *   timers (this process only, nothing in src/ changes) to tell where the time goes. RSS is
 *   sampled every 100 ms.
 * - `validate`: `validateRows` alone over the file, no database: the validation's own speed.
 */
import { createReadStream } from 'node:fs';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import type { SqlClient } from '../src/adapters/sql/sql-client.js';
import { routeFile } from '../src/core/loader/routing-rules.js';
import { validateRows } from '../src/core/loader/validate-rows.js';
import type { LoaderRepository } from '../src/ports/loader-repository.js';
import type { ObjectStore } from '../src/ports/object-store.js';
import { type Fabric, openFabric } from '../src/runtime/fabric.js';

export const LANDING_KEY = 'stage/hired_employees.csv';

/** `process.resourceUsage().maxRSS` is in kilobytes. */
const maxRssMB = () => Math.round(process.resourceUsage().maxRSS / 1024);
const rssMB = () => Math.round(process.memoryUsage.rss() / 1048576);
const seconds = (fromMs: number) => (performance.now() - fromMs) / 1000;
const emit = (value: unknown) => process.stdout.write(`${JSON.stringify(value)}\n`);

type Phase = 'open' | 'put' | 'settle' | 'load' | 'after';

/** `global.gc` without `--expose-gc` on the command line (the children are started by `Child`). */
function exposedGc(): () => void {
  const existing = (globalThis as { gc?: () => void }).gc;
  if (existing) return existing;
  setFlagsFromString('--expose-gc');
  return runInNewContext('gc') as () => void;
}

/**
 * Collects garbage until RSS settles: opening PGlite on a new data dir (initdb) leaves several
 * hundred MB that a later GC returns, which would otherwise fall inside the load's samples.
 */
async function settle(): Promise<void> {
  const gc = exposedGc();
  for (let i = 0; i < 3; i++) {
    gc();
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
}

/** RSS every `everyMs`, labelled with the phase it fell in: peak, first and last sample per phase. */
export function rssSampler(everyMs = 100) {
  let phase: Phase = 'open';
  const peaks: Partial<Record<Phase, { first: number; peak: number; last: number }>> = {};
  const sample = () => {
    const mb = rssMB();
    const seen = peaks[phase];
    if (!seen) peaks[phase] = { first: mb, peak: mb, last: mb };
    else {
      seen.peak = Math.max(seen.peak, mb);
      seen.last = mb;
    }
  };
  const timer = setInterval(sample, everyMs);
  sample();
  /** During the load, once a second: [seconds, RSS MB, V8 heap used MB, ArrayBuffers MB]. */
  const timeline: number[][] = [];
  let timelineTimer: NodeJS.Timeout | undefined;
  return {
    timeline,
    startTimeline() {
      const started = performance.now();
      const add = () => {
        const usage = process.memoryUsage();
        timeline.push([
          Math.round((performance.now() - started) / 1000),
          ...[usage.rss, usage.heapUsed, usage.arrayBuffers].map((bytes) => Math.round(bytes / 1048576)),
        ]);
      };
      add();
      timelineTimer = setInterval(add, 1000);
    },
    enter(next: Phase) {
      sample();
      phase = next;
      sample();
    },
    stop() {
      sample();
      clearInterval(timer);
      clearInterval(timelineTimer);
      return peaks;
    },
  };
}

export interface TributaryResult {
  db: 'pglite' | 'postgres';
  openSeconds: number;
  putSeconds: number;
  /** `dispatcher.drain()`: the whole of loader-ingest. */
  loadSeconds: number;
  status: string;
  loaded: number;
  rejected: number;
  /** `count(*)` of `hired_employees` and of `loader_rejected_rows` after the load. */
  tableRows: number;
  rejectedRows: number;
  movedTo: string | null;
  maxRssMB: number;
  rss: ReturnType<ReturnType<typeof rssSampler>['stop']>;
  /** Once a second during the load: [seconds, RSS MB, V8 heap used MB, ArrayBuffers MB]. */
  timeline: number[][];
  breakdown: Breakdown;
}

/** Seconds inside loader-ingest, by what it was doing. */
export interface Breakdown {
  /** `loadFile`: the load's transaction, from its first statement to COMMIT. */
  loadFile: number;
  /** Waiting for the next batch: reading the object, decoding, splitting and validating rows. */
  readValidate: number;
  /** `copyFromCsv` calls (the driver and the database); `copies` of them. */
  copy: number;
  copies: number;
  /** Other statements of the load's transaction: deletes, rejected rows, the outcome. */
  otherSql: number;
  /** `objects.copy` to `processed/…` and `objects.delete` of the staged object: the move. */
  move: number;
}

/**
 * Wraps what loader-ingest calls, on the fabric's own objects (the handler holds the same
 * references), with timers. A few hundred calls per file: the timers cost nothing measurable.
 */
function instrument(fabric: Fabric): Breakdown {
  const b: Breakdown = { loadFile: 0, readValidate: 0, copy: 0, copies: 0, otherSql: 0, move: 0 };
  let inLoad = false;
  const timed = <A extends unknown[], R>(fn: (...args: A) => Promise<R>, add: (s: number) => void) => {
    return async (...args: A): Promise<R> => {
      const started = performance.now();
      try {
        return await fn(...args);
      } finally {
        add(seconds(started));
      }
    };
  };
  const wrapTx = (tx: SqlClient): SqlClient => ({
    dialect: tx.dialect,
    async query<R>(text: string, params?: readonly unknown[]) {
      const started = performance.now();
      try {
        return await tx.query<R>(text, params);
      } finally {
        b.otherSql += seconds(started);
      }
    },
    exec: (sql) => tx.exec(sql),
    transaction: (fn) => tx.transaction(fn),
    copyFromCsv: timed(
      (target: string, csv: string) => tx.copyFromCsv(target, csv),
      (s) => {
        b.copy += s;
        b.copies += 1;
      },
    ),
    close: () => tx.close(),
  });
  const db = fabric.db as { transaction: SqlClient['transaction'] };
  const transaction = fabric.db.transaction.bind(fabric.db);
  db.transaction = (fn) => transaction((tx) => fn(inLoad ? wrapTx(tx) : tx));

  const loader = fabric.loader as { loadFile: LoaderRepository['loadFile'] };
  const loadFile = loader.loadFile;
  loader.loadFile = async (input) => {
    async function* timedBatches() {
      const iterator = input.batches[Symbol.asyncIterator]();
      for (;;) {
        const started = performance.now();
        const next = await iterator.next();
        b.readValidate += seconds(started);
        if (next.done) return;
        yield next.value;
      }
    }
    inLoad = true;
    const started = performance.now();
    try {
      return await loadFile({ ...input, batches: timedBatches() });
    } finally {
      b.loadFile += seconds(started);
      inLoad = false;
    }
  };

  const objects = fabric.objects as { copy: ObjectStore['copy']; delete: ObjectStore['delete'] };
  const addMove = (s: number) => {
    b.move += s;
  };
  objects.copy = timed(objects.copy, addMove);
  objects.delete = timed(objects.delete, addMove);
  return b;
}

export async function tributaryChild(
  db: 'pglite' | 'postgres',
  file: string,
  dataDir: string,
  databaseUrl: string | undefined,
): Promise<void> {
  const rss = rssSampler();
  let started = performance.now();
  const fabric = await openFabric({
    dataDir,
    databaseUrl: db === 'postgres' ? databaseUrl : undefined,
    smtpUrl: undefined,
    mailFrom: 'bench@tributary.local',
  });
  try {
    const openSeconds = seconds(started);
    rss.enter('put');
    started = performance.now();
    await fabric.objects.put({
      bucket: 'landing',
      key: LANDING_KEY,
      body: createReadStream(file, { highWaterMark: 256 * 1024 }),
      contentType: 'text/csv',
    });
    const putSeconds = seconds(started);
    const breakdown = instrument(fabric);
    rss.enter('settle');
    await settle();
    rss.enter('load');
    rss.startTimeline();
    started = performance.now();
    await fabric.dispatcher.drain();
    const loadSeconds = seconds(started);
    rss.enter('after');
    const [outcome] = await fabric.loader.listFiles({ file: LANDING_KEY });
    const count = async (table: string) =>
      (await fabric.db.query<{ n: number }>(`SELECT count(*)::int8 AS n FROM ${table}`)).rows[0]?.n ?? -1;
    emit({
      db,
      openSeconds,
      putSeconds,
      loadSeconds,
      status: outcome?.status ?? 'none',
      loaded: outcome?.rowsLoaded ?? 0,
      rejected: outcome?.rowsRejected ?? 0,
      tableRows: await count('hired_employees'),
      rejectedRows: await count('loader_rejected_rows'),
      movedTo: outcome?.movedTo ?? null,
      maxRssMB: maxRssMB(),
      rss: rss.stop(),
      timeline: rss.timeline,
      breakdown,
    } satisfies TributaryResult);
  } finally {
    await fabric.close();
  }
}

export interface ValidateResult {
  rows: number;
  valid: number;
  rejected: number;
  seconds: number;
  maxRssMB: number;
}

export async function validateChild(file: string): Promise<void> {
  const rule = routeFile('hired_employees.csv');
  if (!rule) throw new Error('no routing rule for hired_employees.csv');
  const started = performance.now();
  let valid = 0;
  let rejected = 0;
  for await (const batch of validateRows(createReadStream(file, { highWaterMark: 256 * 1024 }), rule)) {
    valid += batch.valid.length;
    rejected += batch.rejected.length;
  }
  emit({
    rows: valid + rejected,
    valid,
    rejected,
    seconds: seconds(started),
    maxRssMB: maxRssMB(),
  } satisfies ValidateResult);
}
