/**
 * Loader benchmark (`npm run bench:loader`; `npm run bench` runs it last).
 *
 * Generates a seeded `hired_employees` CSV of N rows (default 5,000,000; `--rows 500000` or
 * `BENCH_LOADER_ROWS=500000` for a quick run), about 5% of them invalid (an empty field, like the
 * real sample), streamed to a temp file, and beside it the same file with the valid rows only.
 * Starts one throw-away PostgreSQL server (test/support/postgres-server.ts; `DATABASE_URL` to use
 * an existing one) and measures, each of our runs in a fresh child process so that its peak RSS is
 * its own:
 *
 * - `psql`, the reference: `psql -c "\copy hired_employees_ref (…) FROM '<file>' WITH (FORMAT csv)"`
 *   into a table shaped like `hired_employees` (same columns, the audit ones defaulted, same
 *   indexes) in a new database on the server. `\copy` stops at the first bad row, so it gets the
 *   valid-rows-only file. Wall clock of the psql process; its peak RSS from `/usr/bin/time`.
 * - `postgres`: Tributary on that server: `openFabric` with `databaseUrl` (a new database), the
 *   file streamed from disk to `landing/stage/hired_employees.csv` (the put, timed on its own),
 *   then `dispatcher.drain()` (the load: loader-ingest validates, COPYs in batches of 10,000 in
 *   one transaction, records the rejected rows, moves the file to `processed/`).
 * - `pglite`: the same on embedded PGlite in a new temp data dir.
 * - `validate`: `validateRows` alone over the file, no database (where the time goes).
 * - `flat`: `postgres` and `pglite` again on a file of N/10 rows, to show that memory does not
 *   grow with the file.
 *
 * Every Tributary run is checked: loaded + rejected = N, loaded and rejected equal what the
 * generator wrote, `hired_employees` and `loader_rejected_rows` hold exactly that, the file moved
 * to `processed/hired_employees/`. psql's table must hold every valid row.
 *
 * Flags: `--rows n`, `--paths psql,postgres,pglite,validate,flat`, `--keep` (keep the temp folder).
 * Environment: `BENCH_LOADER_ROWS` (as `--rows`), `PSQL` (another psql binary), `DATABASE_URL`.
 */
import { type ChildProcess, execFile } from 'node:child_process';
import { rmSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { createDatabase, type PostgresServer, startPostgresServer } from '../test/support/postgres-server.js';
import { Child, killChildren } from './events-process.js';
import {
  type Breakdown,
  LANDING_KEY,
  type TributaryResult,
  tributaryChild,
  type ValidateResult,
  validateChild,
} from './loader-children.js';
import { type GeneratedFile, generateHiredEmployees } from './loader-data.js';
import { recordSummary } from './summary.js';

const ENTRY = fileURLToPath(import.meta.url);
const PATHS = ['psql', 'postgres', 'pglite', 'validate', 'flat'] as const;
type Path = (typeof PATHS)[number];
const DEFAULT_ROWS = 5_000_000;
const PSQL = process.env.PSQL ?? 'psql';
const GNU_TIME = '/usr/bin/time';

interface LoadRow {
  label: string;
  /** Rows in the file it read. */
  rows: number;
  loaded: number;
  rejected: number | undefined;
  putSeconds: number | undefined;
  seconds: number;
  maxRssMB: number | undefined;
}

const round = (value: number, digits = 1) => Math.round(value * 10 ** digits) / 10 ** digits;
const formatInt = (value: number) => Math.round(value).toLocaleString('en-US');
const log = (message: string) => process.stderr.write(`${message}\n`);
const mb = (bytes: number) => round(bytes / 1048576);

function optionValue(args: readonly string[], name: string): string | undefined {
  const index = args.indexOf(name);
  return index === -1 ? undefined : args[index + 1];
}

function positive(text: string, name: string): number {
  const value = Number(text.replace(/_/g, ''));
  if (!(Number.isSafeInteger(value) && value > 0)) throw new Error(`${name} takes a positive integer`);
  return value;
}

/** Processes started with {@link run} (psql), killed with the children on interruption. */
const running = new Set<ChildProcess>();

function run(file: string, args: readonly string[]): Promise<{ stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const proc = execFile(
      file,
      args,
      { encoding: 'utf8', maxBuffer: 16 * 1024 * 1024 },
      (error, stdout, stderr) => {
        running.delete(proc);
        if (error) reject(new Error(`${file} ${args.join(' ')} failed: ${stderr || error.message}`));
        else resolve({ stdout, stderr });
      },
    );
    running.add(proc);
  });
}

async function withClient<T>(url: string, fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

/** A new database on the server, dropped (and the server checkpointed) once `fn` is done. */
async function inNewDatabase<T>(serverUrl: string, fn: (url: string) => Promise<T>): Promise<T> {
  const database: PostgresServer = await createDatabase(serverUrl);
  try {
    return await fn(database.url);
  } finally {
    await database.stop();
    // So that the next measurement does not pay for this one's dirty pages.
    await withClient(serverUrl, (client) => client.query('CHECKPOINT'));
  }
}

/** `hired_employees` of migration 009, audit columns defaulted since `\copy` gives only five. */
const REFERENCE_TABLE = `
  CREATE TABLE hired_employees_ref (
    id int NOT NULL,
    name text NOT NULL,
    datetime timestamptz NOT NULL,
    department_id int NOT NULL,
    job_id int NOT NULL,
    load_file text NOT NULL DEFAULT '${LANDING_KEY}',
    load_row_number int NOT NULL DEFAULT 0,
    load_ts timestamptz NOT NULL DEFAULT now()
  );
  CREATE INDEX hired_employees_ref_load_file ON hired_employees_ref (load_file);
  CREATE INDEX hired_employees_ref_datetime ON hired_employees_ref (datetime);`;

async function runPsql(
  serverUrl: string,
  file: string,
  generated: GeneratedFile,
  root: string,
): Promise<LoadRow> {
  return inNewDatabase(serverUrl, async (url) => {
    await withClient(url, (client) => client.query(REFERENCE_TABLE));
    const copy = `\\copy hired_employees_ref (id, name, datetime, department_id, job_id) FROM '${file.replaceAll("'", "''")}' WITH (FORMAT csv)`;
    const psqlArgs = ['-X', '-q', '-v', 'ON_ERROR_STOP=1', '-d', url, '-c', copy];
    const timeFile = join(root, 'psql.time');
    const measured = await run(GNU_TIME, ['--version']).then(
      () => true,
      () => false,
    );
    const started = performance.now();
    if (measured) await run(GNU_TIME, ['-f', '%M', '-o', timeFile, PSQL, ...psqlArgs]);
    else await run(PSQL, psqlArgs);
    const seconds = (performance.now() - started) / 1000;
    const maxRssMB = measured
      ? Number((await readFile(timeFile, 'utf8')).trim().split('\n').at(-1)) / 1024
      : undefined;
    const stored = await withClient(url, async (client) => {
      const { rows } = await client.query<{ n: string }>('SELECT count(*) AS n FROM hired_employees_ref');
      return Number(rows[0]?.n);
    });
    if (stored !== generated.valid)
      throw new Error(`psql: hired_employees_ref holds ${stored} rows, the file has ${generated.valid}`);
    return {
      label: 'reference: `psql \\copy` (valid rows only)',
      rows: generated.valid,
      loaded: stored,
      rejected: undefined,
      putSeconds: undefined,
      seconds,
      maxRssMB,
    };
  });
}

function check(result: TributaryResult, generated: GeneratedFile): void {
  const problems: string[] = [];
  if (result.status !== 'loaded') problems.push(`status ${result.status}`);
  if (result.loaded + result.rejected !== generated.rows)
    problems.push(`loaded ${result.loaded} + rejected ${result.rejected} ≠ ${generated.rows} rows`);
  if (result.loaded !== generated.valid)
    problems.push(`loaded ${result.loaded}, generated ${generated.valid} valid`);
  if (result.rejected !== generated.invalid)
    problems.push(`rejected ${result.rejected}, generated ${generated.invalid} invalid`);
  if (result.tableRows !== result.loaded) problems.push(`hired_employees holds ${result.tableRows}`);
  if (result.rejectedRows !== result.rejected)
    problems.push(`loader_rejected_rows holds ${result.rejectedRows}`);
  if (!result.movedTo?.startsWith('processed/hired_employees/')) problems.push(`moved to ${result.movedTo}`);
  if (problems.length > 0) throw new Error(`${result.db}: ${problems.join('; ')}`);
}

async function runTributary(
  db: 'pglite' | 'postgres',
  file: string,
  generated: GeneratedFile,
  root: string,
  serverUrl: string | undefined,
): Promise<TributaryResult> {
  const go = async (databaseUrl: string | undefined) => {
    const dataDir = await mkdtemp(join(root, `${db}-`));
    const child = new Child(['tributary', db, file, dataDir, databaseUrl ?? ''], ENTRY);
    try {
      const result = await child.next<TributaryResult>('its result');
      await child.exited;
      check(result, generated);
      return result;
    } finally {
      await child.stop(10_000);
      await rm(dataDir, { recursive: true, force: true });
    }
  };
  if (db === 'pglite') return go(undefined);
  if (!serverUrl) throw new Error('no PostgreSQL server');
  return inNewDatabase(serverUrl, go);
}

async function runValidate(file: string, generated: GeneratedFile): Promise<ValidateResult> {
  const child = new Child(['validate', file], ENTRY);
  try {
    const result = await child.next<ValidateResult>('its result');
    await child.exited;
    if (result.valid !== generated.valid || result.rejected !== generated.invalid)
      throw new Error(`validate: ${result.valid} valid, ${result.rejected} rejected`);
    return result;
  } finally {
    await child.stop(10_000);
  }
}

const LABELS = { postgres: 'Tributary on PostgreSQL', pglite: 'Tributary on PGlite (embedded)' };

function loadRow(result: TributaryResult, generated: GeneratedFile): LoadRow {
  return {
    label: LABELS[result.db],
    rows: generated.rows,
    loaded: result.loaded,
    rejected: result.rejected,
    putSeconds: result.putSeconds,
    seconds: result.loadSeconds,
    maxRssMB: result.maxRssMB,
  };
}

function loadTable(rows: readonly LoadRow[]): string {
  const rate = (r: LoadRow) => r.rows / r.seconds;
  const reference = rows.find((r) => r.label.startsWith('reference'));
  const dash = (value: number | undefined, f: (n: number) => string) =>
    value === undefined ? '—' : f(value);
  return [
    '| path | rows | loaded | rejected | put s | load s | rows/s | peak RSS MB | ÷ psql \\copy |',
    '|---|---:|---:|---:|---:|---:|---:|---:|---:|',
    ...rows.map(
      (r) =>
        `| ${r.label} | ${formatInt(r.rows)} | ${formatInt(r.loaded)} | ${dash(r.rejected, formatInt)} | ${dash(r.putSeconds, (s) => s.toFixed(1))} | ${r.seconds.toFixed(1)} | ${formatInt(rate(r))} | ${dash(r.maxRssMB, formatInt)} | ${reference ? `${(rate(r) / rate(reference)).toFixed(2)}×` : '—'} |`,
    ),
  ].join('\n');
}

function breakdownTable(results: readonly TributaryResult[], validate: ValidateResult | undefined): string {
  const lines = [
    '| path | load s | load transaction s | read + validate s | build COPY text, other s | COPY s (calls) | other SQL s | move to processed/ s | rest s |',
    '|---|---:|---:|---:|---:|---:|---:|---:|---:|',
  ];
  for (const r of results) {
    const b: Breakdown = r.breakdown;
    const inTx = b.loadFile - b.readValidate - b.copy - b.otherSql;
    const rest = r.loadSeconds - b.loadFile - b.move;
    lines.push(
      `| ${LABELS[r.db]} | ${r.loadSeconds.toFixed(1)} | ${b.loadFile.toFixed(1)} | ${b.readValidate.toFixed(1)} | ${inTx.toFixed(1)} | ${b.copy.toFixed(1)} (${formatInt(b.copies)}) | ${b.otherSql.toFixed(1)} | ${b.move.toFixed(1)} | ${rest.toFixed(1)} |`,
    );
  }
  const table = results.length > 0 ? lines.join('\n') : '';
  if (!validate) return table;
  return `${table}${table ? '\n\n' : ''}\`validateRows\` alone over the file (no database): ${validate.seconds.toFixed(1)} s, ${formatInt(validate.rows / validate.seconds)} rows/s, peak RSS ${formatInt(validate.maxRssMB)} MB.`;
}

interface FlatRow {
  result: TributaryResult;
  generated: GeneratedFile;
}

function flatTable(rows: readonly FlatRow[]): string {
  return [
    '| path | rows | file MB | RSS before load MB | peak RSS during load MB | growth MB | V8 heap used during load MB | peak RSS (whole child) MB |',
    '|---|---:|---:|---:|---:|---:|---:|---:|',
    ...rows.map(({ result: r, generated: g }) => {
      const before = r.rss.settle?.last ?? 0;
      const peak = r.rss.load?.peak ?? 0;
      const heap = r.timeline.map(([, , heapUsed]) => heapUsed ?? 0);
      return `| ${LABELS[r.db]} | ${formatInt(g.rows)} | ${formatInt(mb(g.bytes))} | ${formatInt(before)} | ${formatInt(peak)} | ${formatInt(peak - before)} | ${Math.min(...heap)}–${Math.max(...heap)} | ${formatInt(r.maxRssMB)} |`;
    }),
  ].join('\n');
}

async function generate(root: string, name: string, rows: number): Promise<[string, string, GeneratedFile]> {
  const file = join(root, `${name}.csv`);
  const validOnlyFile = join(root, `${name}.valid.csv`);
  const started = performance.now();
  const generated = await generateHiredEmployees(file, { rows, validOnlyFile });
  log(
    `generated ${formatInt(generated.rows)} rows (${formatInt(generated.invalid)} invalid, ${mb(generated.bytes)} MB) in ${round((performance.now() - started) / 1000)} s: ${file}`,
  );
  return [file, validOnlyFile, generated];
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const childIndex = args.indexOf('--child');
  if (childIndex !== -1) {
    const [mode, ...rest] = args.slice(childIndex + 1);
    if (mode === 'tributary') {
      const [db, file, dataDir, databaseUrl] = rest;
      if ((db === 'pglite' || db === 'postgres') && file && dataDir)
        return tributaryChild(db, file, dataDir, databaseUrl || undefined);
    }
    if (mode === 'validate' && rest[0]) return validateChild(rest[0]);
    throw new Error(`unknown child ${mode}`);
  }

  const begun = performance.now();
  const valued = ['--rows', '--paths'];
  for (let i = 0; i < args.length; i += 1) {
    if (valued.includes(args[i] as string)) i += 1;
    else if (args[i] !== '--keep')
      throw new Error(`unknown argument ${args[i]}; flags: ${valued.join(', ')}, --keep`);
  }
  const rows = positive(
    optionValue(args, '--rows') ?? process.env.BENCH_LOADER_ROWS ?? String(DEFAULT_ROWS),
    '--rows',
  );
  const paths = (optionValue(args, '--paths') ?? PATHS.join(',')).split(',').map((p) => p.trim());
  const unknown = paths.filter((p) => !(PATHS as readonly string[]).includes(p));
  if (unknown.length > 0) throw new Error(`--paths takes ${PATHS.join(',')}; not ${unknown.join(',')}`);
  const wants = (path: Path) => paths.includes(path);
  const keep = args.includes('--keep');

  const root = await mkdtemp(join(os.tmpdir(), 'tributary-bench-loader-'));
  let server: PostgresServer | undefined;
  const interrupted = (signal: NodeJS.Signals) => {
    killChildren();
    for (const proc of running) proc.kill('SIGKILL');
    if (!keep) rmSync(root, { recursive: true, force: true });
    log(`interrupted (${signal})`);
    // The server's own exit hook (test/support/postgres-server.ts) stops it and removes its folder.
    process.exit(130);
  };
  process.once('SIGINT', interrupted);
  process.once('SIGTERM', interrupted);

  const loads: LoadRow[] = [];
  const breakdowns: TributaryResult[] = [];
  const flat: FlatRow[] = [];
  let validate: ValidateResult | undefined;
  try {
    const [file, validOnlyFile, generated] = await generate(root, 'hired_employees', rows);
    if (wants('psql') || wants('postgres') || wants('flat')) {
      const started = await startPostgresServer();
      if ('skipped' in started) throw new Error(started.skipped);
      server = started;
      log(`PostgreSQL server: ${server.url}`);
    }
    const serverUrl = server?.url;
    if (wants('psql') && serverUrl) {
      const row = await runPsql(serverUrl, validOnlyFile, generated, root);
      log(`psql: ${JSON.stringify(row)}`);
      loads.push(row);
    }
    for (const db of ['postgres', 'pglite'] as const) {
      if (!wants(db)) continue;
      log(`${db}: loading ${formatInt(rows)} rows…`);
      const result = await runTributary(db, file, generated, root, serverUrl);
      log(`${db}: ${JSON.stringify(result)}`);
      loads.push(loadRow(result, generated));
      breakdowns.push(result);
      flat.push({ result, generated });
    }
    if (wants('validate')) {
      validate = await runValidate(file, generated);
      log(`validate: ${JSON.stringify(validate)}`);
    }
    if (!keep) await rm(validOnlyFile, { force: true });
    if (wants('flat')) {
      const [small, smallValid, smallGenerated] = await generate(
        root,
        'hired_employees_10pct',
        Math.max(1, Math.round(rows / 10)),
      );
      await rm(smallValid, { force: true });
      for (const db of ['postgres', 'pglite'] as const) {
        log(`${db}: loading ${formatInt(smallGenerated.rows)} rows (10%)…`);
        const result = await runTributary(db, small, smallGenerated, root, serverUrl);
        log(`${db} 10%: ${JSON.stringify(result)}`);
        flat.push({ result, generated: smallGenerated });
      }
    }
    flat.sort((a, b) => a.result.db.localeCompare(b.result.db) || a.generated.rows - b.generated.rows);

    const machine = `Machine: ${os.availableParallelism()} cores (${os.cpus()[0]?.model ?? 'unknown CPU'}), ${round(os.totalmem() / 1024 ** 3)} GiB RAM, Node ${process.version}, ${os.platform()} ${os.arch()}.`;
    const out = [
      `Loader benchmark: ${formatInt(rows)} rows, ${formatInt(generated.invalid)} of them invalid, ${mb(generated.bytes)} MB (valid rows only: ${mb(generated.validOnlyBytes)} MB).`,
      machine,
      '',
      loadTable(loads),
      '',
      'rows: rows in the file read (psql gets the valid rows only: `\\copy` cannot skip bad ones). load s: Tributary `dispatcher.drain()` (validate, COPY, keep rejected rows, move the file), psql the wall clock of the process. put s: streaming the file from disk into the landing bucket. rows/s: rows ÷ load s. Peak RSS: `maxRSS` of the child (Tributary: opening PGlite, initdb included) or of psql (GNU time); the PostgreSQL server is not counted.',
    ];
    if (loads.length === 0) out.splice(2, 4);
    if (breakdowns.length > 0 || validate)
      out.push(
        '',
        'Where the load time goes (timers around the calls, in the child):',
        '',
        breakdownTable(breakdowns, validate),
      );
    if (flat.length > 0)
      out.push(
        '',
        'Memory is flat (RSS sampled every 100 ms, no forced GC during the load; before load: after the put and three forced GCs; V8 heap used: once a second, lowest–highest):',
        '',
        flatTable(flat),
      );
    out.push(
      '',
      `Whole run: ${formatInt((performance.now() - begun) / 1000)} s (generation and server start-up included).`,
    );
    const psql = loads.find((row) => row.label.includes('psql'));
    recordSummary(
      loads
        .filter((row) => row !== psql)
        .map((row) => ({
          pipeline: 'loader',
          metric: `${formatInt(row.rows)}-row CSV: ${row.label}`,
          unit: 'rows/s',
          tributary: row.rows / row.seconds,
          reference: psql ? psql.rows / psql.seconds : null,
          referenceName: 'psql \\copy into the same server (valid rows only)',
          higherIsBetter: true,
        })),
    );
    process.stdout.write(`${out.join('\n')}\n`);
  } finally {
    killChildren();
    await server?.stop();
    if (keep) log(`kept ${root}`);
    else await rm(root, { recursive: true, force: true });
  }
}

await main();
