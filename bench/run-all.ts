/**
 * `npm run bench`: every pipeline benchmark, one after the other, each in its own processes,
 * then docs/benchmarks.md rewritten between its `bench:generated` markers: a summary table (each
 * metric, Tributary's figure, the reference measured in the same run, their ratio), the machine,
 * and every benchmark's own tables. The notes outside the markers are kept.
 *
 * The sizes are chosen to finish in under 15 minutes on 2 cores; each script alone takes larger
 * ones (`npm run bench:events -- --events 1000000`). `--only statements,loader` runs a subset;
 * `--out <file>` writes elsewhere than docs/benchmarks.md; `--quick` runs tiny sizes (a smoke test).
 */
import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { SummaryEntry } from './summary.js';

const here = fileURLToPath(new URL('.', import.meta.url));
const START = '<!-- bench:generated:start -->';
const END = '<!-- bench:generated:end -->';

const BENCHES = [
  {
    name: 'statements',
    script: 'statements.ts',
    args: ['--rows', '1000000,5000000', '--naive-seconds', '20'],
  },
  { name: 'events', script: 'events.ts', args: ['--events', '300000', '--paths', 'bulk,batches,copy'] },
  { name: 'orders', script: 'orders.ts', args: ['--seconds', '10'] },
  { name: 'loader', script: 'loader.ts', args: ['--rows', '5000000'] },
  { name: 'startup', script: 'startup.ts', args: ['--runs', '3'] },
] as const;

/** `--quick`: tiny sizes, to check the whole run works (the figures mean nothing). */
const QUICK: Record<(typeof BENCHES)[number]['name'], readonly string[]> = {
  statements: ['--rows', '20000,40000', '--naive-seconds', '2'],
  events: ['--events', '5000', '--paths', 'bulk,batches,copy'],
  orders: ['--seconds', '4', '--warmup-seconds', '1', '--connections', '10', '--orders', '200'],
  loader: ['--rows', '20000'],
  startup: ['--runs', '1'],
};

const round = (value: number, digits = 1) => Math.round(value * 10 ** digits) / 10 ** digits;
const figure = (value: number) =>
  Math.abs(value) >= 100 ? Math.round(value).toLocaleString('en-US') : String(round(value, 2));

/** Runs one benchmark script through tsx; its tables come on stdout, its progress on stderr. */
function run(script: string, args: readonly string[], summaryFile: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', join(here, script), ...args], {
      env: { ...process.env, BENCH_SUMMARY: summaryFile },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let stdout = '';
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
    });
    child.once('error', reject);
    child.once('exit', (code) =>
      code === 0 ? resolve(stdout) : reject(new Error(`${script} exited with ${code}`)),
    );
  });
}

function summaryTable(entries: readonly SummaryEntry[]): string {
  const lines = [
    '| pipeline | metric | Tributary | reference (same run) | ratio |',
    '|---|---|---:|---|---:|',
  ];
  for (const e of entries) {
    const reference = e.reference === null ? '—' : `${figure(e.reference)} ${e.unit}: ${e.referenceName}`;
    // Ratio as "Tributary's share of the reference": above 1 means faster (or, for costs, more).
    const ratio = e.reference ? `${round(e.tributary / e.reference, 2)}×` : '—';
    lines.push(
      `| ${e.pipeline} | ${e.metric} | ${figure(e.tributary)} ${e.unit} | ${reference} | ${ratio} |`,
    );
  }
  return lines.join('\n');
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const only = args.includes('--only') ? args[args.indexOf('--only') + 1]?.split(',') : undefined;
  const out = args.includes('--out')
    ? (args[args.indexOf('--out') + 1] as string)
    : fileURLToPath(new URL('../docs/benchmarks.md', import.meta.url));
  const unknown = only?.filter((name) => !BENCHES.some((b) => b.name === name)) ?? [];
  if (unknown.length > 0) throw new Error(`--only takes ${BENCHES.map((b) => b.name).join(',')}`);

  const dir = await mkdtemp(join(os.tmpdir(), 'tributary-bench-all-'));
  const summaryFile = join(dir, 'summary.ndjson');
  await writeFile(summaryFile, '');
  const begun = performance.now();
  const sections: string[] = [];
  try {
    for (const bench of BENCHES) {
      if (only && !only.includes(bench.name)) continue;
      const started = performance.now();
      const benchArgs = args.includes('--quick') ? QUICK[bench.name] : bench.args;
      process.stderr.write(`\n== ${bench.name}: tsx bench/${bench.script} ${benchArgs.join(' ')}\n`);
      const tables = await run(bench.script, benchArgs, summaryFile);
      const seconds = Math.round((performance.now() - started) / 1000);
      sections.push(
        `### ${bench.name}\n\n\`tsx bench/${bench.script} ${benchArgs.join(' ')}\` (${seconds} s)\n\n${tables.trim()}\n`,
      );
    }
    const entries = (await readFile(summaryFile, 'utf8'))
      .split('\n')
      .filter(Boolean)
      .map((line) => JSON.parse(line) as SummaryEntry);
    const minutes = round((performance.now() - begun) / 60_000);
    const machine = `${os.availableParallelism()} cores (${os.cpus()[0]?.model ?? 'unknown CPU'}), ${round(os.totalmem() / 1024 ** 3)} GiB RAM, Node ${process.version}, ${os.platform()} ${os.arch()}`;
    const generated = [
      START,
      `## Latest run (written by \`npm run bench\`)`,
      '',
      `${new Date().toISOString().slice(0, 10)}; machine: ${machine}; whole run ${minutes} min.`,
      'Ratio: Tributary ÷ the reference. For rates, above 1× is faster than the reference; for seconds and MB, above 1× costs more.',
      '',
      summaryTable(entries),
      '',
      ...sections,
      END,
    ].join('\n');
    const current = await readFile(out, 'utf8').catch(() => '# Benchmarks\n');
    const next =
      current.includes(START) && current.includes(END)
        ? current.slice(0, current.indexOf(START)) +
          generated +
          current.slice(current.indexOf(END) + END.length)
        : `${current.trimEnd()}\n\n${generated}\n`;
    await writeFile(out, next);
    process.stderr.write(`\nwrote ${out} (${minutes} min)\n`);
    process.stdout.write(`${summaryTable(entries)}\n`);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

await main();
