/**
 * Startup: how long `tributary dev` takes to answer `GET /health`, on a new data dir (initdb of
 * PGlite, migrations, admin token) and on an existing one, beside a bare Node process serving a
 * Hono `/health` route (the floor: Node and the HTTP stack). Each is the median of `--runs` (3)
 * spawns, from spawn to the first 200.
 *
 * Flags: `--runs n`.
 */
import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { recordSummary } from './summary.js';

const bin = fileURLToPath(new URL('../bin/tributary.js', import.meta.url));
const repoRoot = fileURLToPath(new URL('..', import.meta.url));
const BARE = `
import { serve } from '@hono/node-server';
import { Hono } from 'hono';
const app = new Hono().get('/health', (c) => c.json({ status: 'ok' }));
const server = serve({ fetch: app.fetch, hostname: '127.0.0.1', port: 0 }, (info) =>
  console.log('running at http://127.0.0.1:' + info.port));
process.on('SIGTERM', () => server.close(() => process.exit(0)));
`;

const round = (value: number, digits = 2) => Math.round(value * 10 ** digits) / 10 ** digits;

/** Spawns a server, waits for its URL on stdout, then polls /health: seconds to the first 200. */
async function timeToHealth(command: string, args: string[]): Promise<number> {
  const started = performance.now();
  const child = spawn(command, args, { cwd: repoRoot, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  try {
    const url = await new Promise<string>((resolve, reject) => {
      const onData = (chunk: Buffer) => {
        output += chunk.toString();
        const match = /running at (\S+)/.exec(output);
        if (match?.[1]) resolve(match[1]);
      };
      child.stdout.on('data', onData);
      child.stderr.on('data', onData);
      child.once('exit', (code) => reject(new Error(`exited with ${code}:\n${output}`)));
    });
    for (;;) {
      const response = await fetch(`${url}/health`).catch(() => undefined);
      if (response?.status === 200) return (performance.now() - started) / 1000;
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
  } finally {
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGTERM');
    await exited;
  }
}

const median = (values: number[]) =>
  [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] as number;

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const runsAt = args.indexOf('--runs');
  const runs = runsAt === -1 ? 3 : Number(args[runsAt + 1]);
  if (!Number.isInteger(runs) || runs < 1) throw new Error('--runs takes a positive integer');
  const root = await mkdtemp(join(os.tmpdir(), 'tributary-bench-startup-'));
  const dev = (dataDir: string) => [bin, 'dev', '--port', '0', '--data-dir', dataDir];
  try {
    const fresh: number[] = [];
    for (let i = 0; i < runs; i += 1)
      fresh.push(await timeToHealth(process.execPath, dev(join(root, `new-${i}`))));
    const existing: number[] = [];
    for (let i = 0; i < runs; i += 1)
      existing.push(await timeToHealth(process.execPath, dev(join(root, 'new-0'))));
    const bare: number[] = [];
    for (let i = 0; i < runs; i += 1)
      bare.push(await timeToHealth(process.execPath, ['--input-type=module', '-e', BARE]));

    const reference = median(bare);
    const rows = [
      ['`tributary dev`, new data dir', median(fresh), fresh],
      ['`tributary dev`, existing data dir', median(existing), existing],
      ['reference: bare Node + Hono `/health`', reference, bare],
    ] as const;
    recordSummary(
      rows.slice(0, 2).map(([label, seconds]) => ({
        pipeline: 'startup',
        metric: `${label} to a 200 on /health`,
        unit: 's',
        tributary: seconds,
        reference,
        referenceName: 'a bare Node process serving a Hono /health route',
        higherIsBetter: false,
      })),
    );
    const lines = [
      '| server | seconds to a 200 on `/health` (median) | runs | ÷ bare |',
      '|---|---:|---|---:|',
      ...rows.map(
        ([label, seconds, all]) =>
          `| ${label} | ${round(seconds)} | ${all.map((s) => round(s)).join(', ')} | ${round(seconds / reference, 1)}× |`,
      ),
    ];
    process.stdout.write(
      `${lines.join('\n')}\n\nFrom spawn to the first 200 on \`GET /health\`; \`tributary dev\` runs through tsx (as \`npm start\` does), so TypeScript compilation of the modules it loads is included.\n`,
    );
  } finally {
    await rm(root, { recursive: true, force: true });
  }
}

await main();
