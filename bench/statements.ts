/**
 * Statements benchmark (`npm run bench`).
 *
 * Generates transaction CSV files (1M and 5M rows by default; `--rows 100000` to override) with a
 * seeded PRNG, so every run measures the same bytes, then measures each size in a fresh child
 * process (so the peak RSS reported is that run's alone):
 *
 * - `tributary`: the embedded fabric end to end. Upload the file to bucket `transactions`, then
 *   settle the dispatcher (ingest, summaries, emails). Timed from upload start to settled.
 * - `naive`: the same file split line by line and inserted one row per statement into PGlite.
 *   Capped by a time budget (`--naive-seconds`, default 60); rows/s is measured on the rows it
 *   got through.
 *
 * Flags: `--rows a,b,…`, `--naive-seconds n`, `--keep` (keep the temp folder).
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import os from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { migrate } from '../src/adapters/sql/migrate.js';
import { openPGlite } from '../src/adapters/sql/pglite-client.js';
import { openFabric } from '../src/runtime/fabric.js';
import { prng } from './prng.js';
import { recordSummary, type SummaryEntry } from './summary.js';

const ACCOUNTS = 100;
const YEAR = '2024';
const SEED = 20240701;
const HEADER = 'TransactionId,Date,Amount,AccountId';

type Mode = 'tributary' | 'naive';

interface ChildResult {
  mode: Mode;
  /** Rows the timed run covered (the naive run may stop early). */
  rows: number;
  /** Rows in the file. */
  fileRows: number;
  complete: boolean;
  seconds: number;
  maxRssMB: number;
  details: Record<string, unknown>;
}

// ---------------------------------------------------------------------------------------------
// Data generation

const DAYS_IN_MONTH = [31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

/** Writes `rows` data lines to `file`, streamed in chunks with backpressure. */
async function generateCsv(file: string, rows: number): Promise<void> {
  const random = prng(SEED);
  const out = createWriteStream(file);
  out.write(`${HEADER}\n`);
  const chunkRows = 10_000;
  for (let start = 0; start < rows; start += chunkRows) {
    const end = Math.min(rows, start + chunkRows);
    let chunk = '';
    for (let i = start; i < end; i += 1) {
      const month = 1 + Math.floor(random() * 12);
      const day = 1 + Math.floor(random() * (DAYS_IN_MONTH[month - 1] ?? 28));
      const cents = 1 + Math.floor(random() * 250_000);
      const sign = random() < 0.45 ? '+' : '-';
      const amount = `${sign}${Math.floor(cents / 100)}.${String(cents % 100).padStart(2, '0')}`;
      const account = 1 + Math.floor(random() * ACCOUNTS);
      chunk += `T${i + 1},${month}/${day},${amount},acct-${account}\n`;
    }
    if (!out.write(chunk)) await once(out, 'drain');
  }
  out.end();
  await once(out, 'finish');
}

// ---------------------------------------------------------------------------------------------
// Child: one measured run

function maxRssMB(): number {
  // `maxRSS` is in kilobytes.
  return process.resourceUsage().maxRSS / 1024;
}

async function countDataLines(file: string): Promise<number> {
  let newlines = 0;
  for await (const chunk of createReadStream(file) as AsyncIterable<Buffer>) {
    for (let i = chunk.indexOf(10); i !== -1; i = chunk.indexOf(10, i + 1)) newlines += 1;
  }
  return newlines - 1;
}

/** Samples RSS every second so the output shows whether memory grows during the run. */
function rssSampler(): { stop(): { rssMB: number[]; sampledPeakMB: number } } {
  const samples: number[] = [];
  const timer = setInterval(() => samples.push(Math.round(process.memoryUsage.rss() / 1048576)), 1000);
  return {
    stop() {
      clearInterval(timer);
      samples.push(Math.round(process.memoryUsage.rss() / 1048576));
      // The first seconds still carry the footprint of PGlite's initdb, which the kernel reclaims shortly after.
      return { rssMB: samples, sampledPeakMB: Math.max(...samples.slice(Math.min(2, samples.length - 1))) };
    },
  };
}

async function runTributary(file: string, workDir: string): Promise<ChildResult> {
  const fileRows = await countDataLines(file);
  const dataDir = await mkdtemp(join(workDir, 'fabric-'));
  const fabric = await openFabric({
    dataDir,
    databaseUrl: undefined,
    smtpUrl: undefined,
    mailFrom: 'bench@tributary.local',
  });
  try {
    for (let i = 1; i <= ACCOUNTS; i += 1) {
      await fabric.statements.upsertAccount({
        accountId: `acct-${i}`,
        email: `holder${i}@example.com`,
        name: `Holder ${i}`,
      });
    }
    const key = `bench/${fileRows}.csv`;
    const sampler = rssSampler();
    const started = performance.now();
    const info = await fabric.objects.put({
      bucket: 'transactions',
      key,
      body: createReadStream(file),
      metadata: { year: YEAR },
    });
    const uploaded = performance.now();
    const settled = await fabric.dispatcher.settle({
      timeoutMs: 60 * 60_000,
      sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
    });
    const finished = performance.now();
    const { rssMB, sampledPeakMB } = sampler.stop();
    if (!settled.settled) throw new Error(`dispatcher did not settle: ${settled.pending} pending`);

    const totals = await fabric.statements.monthlyTotals('acct-1');
    if (totals.length === 0) throw new Error('no summary stored for acct-1');
    const report = await fabric.statements.getFileReport(`${info.bucket}/${info.key}@${info.etag}`);
    if (report?.status !== 'processed') throw new Error(`file not processed: ${JSON.stringify(report)}`);
    if (report.accepted !== fileRows) throw new Error(`accepted ${report.accepted} of ${fileRows} lines`);
    const emails = (await fabric.outbox.list()).length;
    const runs = await fabric.db.query<{ function: string; runs: number; seconds: number }>(
      `SELECT function, count(*)::int AS runs,
              round(sum(extract(epoch FROM finished_at - started_at))::numeric, 2)::float8 AS seconds
       FROM function_runs GROUP BY function ORDER BY function`,
    );
    const dead = await fabric.db.query<{ count: number }>(
      'SELECT count(*)::int AS count FROM queue_messages WHERE source_queue IS NOT NULL',
    );
    return {
      mode: 'tributary',
      rows: fileRows,
      fileRows,
      complete: true,
      seconds: (finished - started) / 1000,
      maxRssMB: maxRssMB(),
      details: {
        uploadSeconds: round((uploaded - started) / 1000),
        settleSeconds: round((finished - uploaded) / 1000),
        accepted: report.accepted,
        inserted: report.inserted,
        accounts: report.accounts.length,
        emails,
        deadLettered: dead.rows[0]?.count ?? 0,
        functionRuns: runs.rows,
        sampledPeakMB,
        rssMBPerSecond: rssMB,
      },
    };
  } finally {
    await fabric.close();
  }
}

async function runNaive(file: string, workDir: string, budgetSeconds: number): Promise<ChildResult> {
  const fileRows = await countDataLines(file);
  const dir = await mkdtemp(join(workDir, 'naive-'));
  const db = await openPGlite(dir);
  try {
    await migrate(db);
    const sampler = rssSampler();
    const started = performance.now();
    const deadline = started + budgetSeconds * 1000;
    let rows = 0;
    let complete = true;
    let header = true;
    const lines = createInterface({ input: createReadStream(file), crlfDelay: Number.POSITIVE_INFINITY });
    for await (const line of lines) {
      if (header) {
        header = false;
        continue;
      }
      if (line === '') continue;
      const [transactionId, date, amount, accountId] = line.split(',');
      const [month, day] = (date ?? '').split('/');
      const isoDate = `${YEAR}-${(month ?? '').padStart(2, '0')}-${(day ?? '').padStart(2, '0')}`;
      const amountCents = Math.round(Number.parseFloat(amount ?? '') * 100);
      await db.query(
        `INSERT INTO statement_transactions (account_id, transaction_id, date, amount_cents)
         VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING`,
        [accountId, transactionId, isoDate, amountCents],
      );
      rows += 1;
      if ((rows & 255) === 0 && performance.now() > deadline) {
        complete = rows === fileRows;
        break;
      }
    }
    lines.close();
    const finished = performance.now();
    const { rssMB, sampledPeakMB } = sampler.stop();
    const stored = await db.query<{ count: number }>(
      'SELECT count(*)::int AS count FROM statement_transactions',
    );
    if (stored.rows[0]?.count !== rows)
      throw new Error(`stored ${stored.rows[0]?.count} rows, inserted ${rows}`);
    return {
      mode: 'naive',
      rows,
      fileRows,
      complete,
      seconds: (finished - started) / 1000,
      maxRssMB: maxRssMB(),
      details: { budgetSeconds, sampledPeakMB, rssMBPerSecond: rssMB },
    };
  } finally {
    await db.close();
  }
}

async function child(mode: string, file: string, workDir: string, budgetSeconds: number): Promise<void> {
  const begun = performance.now();
  let result: ChildResult;
  if (mode === 'tributary') result = await runTributary(file, workDir);
  else if (mode === 'naive') result = await runNaive(file, workDir, budgetSeconds);
  else throw new Error(`unknown mode ${mode}`);
  result.details.childSeconds = round((performance.now() - begun) / 1000);
  process.stdout.write(`${JSON.stringify(result)}\n`);
}

// ---------------------------------------------------------------------------------------------
// Parent

function runChild(mode: Mode, file: string, workDir: string, budgetSeconds: number): Promise<ChildResult> {
  return new Promise((resolve, reject) => {
    const proc = spawn(
      process.execPath,
      [
        '--import',
        'tsx',
        fileURLToPath(import.meta.url),
        '--child',
        mode,
        file,
        '--work-dir',
        workDir,
        '--naive-seconds',
        String(budgetSeconds),
      ],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    );
    let stdout = '';
    proc.stdout.setEncoding('utf8');
    proc.stdout.on('data', (chunk: string) => {
      stdout += chunk;
    });
    proc.on('error', reject);
    proc.on('close', (code) => {
      const lines = stdout.trim().split('\n');
      const last = lines.pop() ?? '';
      // Anything else the child printed goes to stderr, to keep this process's stdout a report.
      if (lines.length > 0) process.stderr.write(`${lines.join('\n')}\n`);
      if (code !== 0) {
        reject(new Error(`child ${mode} exited with code ${code}`));
        return;
      }
      try {
        resolve(JSON.parse(last) as ChildResult);
      } catch {
        reject(new Error(`child ${mode} printed no result: ${last}`));
      }
    });
  });
}

function round(value: number, digits = 2): number {
  const factor = 10 ** digits;
  return Math.round(value * factor) / factor;
}

function formatInt(value: number): string {
  return Math.round(value).toLocaleString('en-US');
}

function optionValue(args: readonly string[], name: string): string | undefined {
  const index = args.indexOf(name);
  return index === -1 ? undefined : args[index + 1];
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const budgetSeconds = Number(optionValue(args, '--naive-seconds') ?? 60);
  const childIndex = args.indexOf('--child');
  if (childIndex !== -1) {
    const workDir = optionValue(args, '--work-dir') ?? os.tmpdir();
    await child(args[childIndex + 1] ?? '', args[childIndex + 2] ?? '', workDir, budgetSeconds);
    return;
  }

  const sizes = (optionValue(args, '--rows') ?? '1000000,5000000')
    .split(',')
    .map((text) => Number(text.trim().replace(/_/g, '')));
  if (sizes.some((n) => !Number.isSafeInteger(n) || n <= 0))
    throw new Error('--rows takes positive integers, e.g. 1000000,5000000');
  if (!(budgetSeconds > 0)) throw new Error('--naive-seconds takes a positive number');
  const keep = args.includes('--keep');

  const root = await mkdtemp(join(os.tmpdir(), 'tributary-bench-'));
  const results: ChildResult[] = [];
  try {
    for (const rows of sizes) {
      const file = join(root, `transactions-${rows}.csv`);
      const generationStart = performance.now();
      await generateCsv(file, rows);
      const { size } = await stat(file);
      console.error(
        `generated ${formatInt(rows)} rows (${round(size / 1048576, 1)} MB) in ${round((performance.now() - generationStart) / 1000, 1)} s: ${file}`,
      );
      for (const mode of ['tributary', 'naive'] as const) {
        const workDir = await mkdtemp(join(root, `${mode}-${rows}-`));
        console.error(`running ${mode} on ${formatInt(rows)} rows…`);
        const result = await runChild(mode, file, workDir, budgetSeconds);
        console.error(JSON.stringify(result));
        results.push(result);
        if (!keep) await rm(workDir, { recursive: true, force: true });
      }
      if (!keep) await rm(file, { force: true });
    }
  } finally {
    if (keep) console.error(`kept ${root}`);
    else await rm(root, { recursive: true, force: true });
  }

  const rate = (r: ChildResult) => r.rows / r.seconds;
  const summary: SummaryEntry[] = [];
  for (const rows of sizes) {
    const tributary = results.find((r) => r.mode === 'tributary' && r.fileRows === rows);
    const naive = results.find((r) => r.mode === 'naive' && r.fileRows === rows);
    if (tributary)
      summary.push({
        pipeline: 'statements',
        metric: `file of ${formatInt(rows)} rows, end to end (parse, store, summarize, email)`,
        unit: 'rows/s',
        tributary: rate(tributary),
        reference: naive ? rate(naive) : null,
        referenceName: 'row-by-row INSERT loop',
        higherIsBetter: true,
      });
  }
  const peak = (rows: number | undefined) =>
    results.find((r) => r.mode === 'tributary' && r.fileRows === rows)?.details.sampledPeakMB as
      | number
      | undefined;
  const [smallest, largest] = [Math.min(...sizes), Math.max(...sizes)];
  const [small, large] = [peak(smallest), peak(largest)];
  if (smallest !== largest && small !== undefined && large !== undefined)
    summary.push({
      pipeline: 'statements',
      metric: `peak RSS while loading ${formatInt(largest)} rows (reference: ${formatInt(smallest)} rows)`,
      unit: 'MB',
      tributary: large,
      reference: small,
      referenceName: `the same at ${formatInt(smallest)} rows`,
      higherIsBetter: false,
    });
  recordSummary(summary);
  const lines = [
    '| rows | mode | seconds | rows/s | peak RSS MB | RSS in timed part MB | Tributary ÷ naive | notes |',
    '|---:|---|---:|---:|---:|---:|---:|---|',
  ];
  for (const rows of sizes) {
    const tributary = results.find((r) => r.mode === 'tributary' && r.fileRows === rows);
    const naive = results.find((r) => r.mode === 'naive' && r.fileRows === rows);
    if (tributary) {
      const ratio = naive ? `${round(rate(tributary) / rate(naive), 1)}×` : '';
      const d = tributary.details;
      lines.push(
        `| ${formatInt(rows)} | Tributary end to end | ${round(tributary.seconds, 1)} | ${formatInt(rate(tributary))} | ${formatInt(tributary.maxRssMB)} | ${d.sampledPeakMB} | ${ratio} | upload ${d.uploadSeconds} s + settle ${d.settleSeconds} s; ${d.emails} emails |`,
      );
    }
    if (naive) {
      const note = naive.complete
        ? 'all rows'
        : `measured on first ${formatInt(naive.rows)} rows (${budgetSeconds} s budget); full file ≈ ${formatInt(rows / rate(naive))} s`;
      lines.push(
        `| ${formatInt(rows)} | naive row-by-row INSERT | ${round(naive.seconds, 1)} | ${formatInt(rate(naive))} | ${formatInt(naive.maxRssMB)} | ${naive.details.sampledPeakMB} | 1× | ${note} |`,
      );
    }
  }
  const machine = `Machine: ${os.availableParallelism()} cores (${os.cpus()[0]?.model ?? 'unknown CPU'}), ${round(os.totalmem() / 1024 ** 3, 1)} GiB RAM, Node ${process.version}, ${os.platform()} ${os.arch()}.`;
  const legend =
    'Peak RSS: `process.resourceUsage().maxRSS` of the child process at its end (opening a new PGlite data dir is included). ' +
    'RSS in timed part: the largest of the RSS samples taken every second while the timed work ran, skipping the first two seconds (still holding the initdb footprint) and including one at the end.';
  process.stdout.write(`${lines.join('\n')}\n\n${machine}\n${legend}\n`);
}

await main();
