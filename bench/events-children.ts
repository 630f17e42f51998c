/**
 * The child processes of the events benchmark, each started fresh so that its peak RSS is its own:
 *
 * - `server`: what `tributary dev` runs (src/cli/commands/server.ts): `openFabric` on a new data
 *   dir, then `startLocalServer`, whose dispatcher polls in the background. Prints
 *   `{"url","token"}` once listening; on SIGTERM (or when its stdin closes: the parent is gone) it
 *   stops the server and the fabric as `tributary dev` does and prints its peak RSS and RSS samples.
 * - `copy`: the reference. Migrates a new PGlite data dir and times `COPY events FROM` of the
 *   CSV files (read before each COPY, untimed).
 */
import { readFile } from 'node:fs/promises';
import { migrate } from '../src/adapters/sql/migrate.js';
import { openPGlite } from '../src/adapters/sql/pglite-client.js';
import { openFabric } from '../src/runtime/fabric.js';
import { startLocalServer } from '../src/runtime/server.js';
import { EVENT_COLUMNS } from './events-data.js';

/** `process.resourceUsage().maxRSS` is in kilobytes. */
export const maxRssMB = () => process.resourceUsage().maxRSS / 1024;

export interface ServerReady {
  url: string;
  token: string;
}

export interface ServerResult {
  maxRssMB: number;
  /** [epoch ms, RSS MB] every half second, so the parent can pick the timed part. */
  rssSamples: [number, number][];
}

export interface CopyResult {
  rows: number;
  seconds: number;
  files: number;
  maxRssMB: number;
}

const emit = (value: unknown) => process.stdout.write(`${JSON.stringify(value)}\n`);

export async function serverChild(dataDir: string): Promise<void> {
  const fabric = await openFabric({
    dataDir,
    databaseUrl: undefined,
    smtpUrl: undefined,
    mailFrom: 'bench@tributary.local',
  });
  let server: Awaited<ReturnType<typeof startLocalServer>>;
  try {
    server = await startLocalServer(fabric, { host: '127.0.0.1', port: 0, auth: true });
  } catch (error) {
    await fabric.close();
    throw error;
  }
  const rssSamples: [number, number][] = [];
  const sample = () => rssSamples.push([Date.now(), Math.round(process.memoryUsage.rss() / 1048576)]);
  const timer = setInterval(sample, 500);
  let stopping = false;
  const stop = async () => {
    if (stopping) return;
    stopping = true;
    clearInterval(timer);
    sample();
    await server.close();
    await fabric.close();
    emit({ maxRssMB: maxRssMB(), rssSamples } satisfies ServerResult);
    process.exit(0);
  };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
  process.stdin.once('close', stop);
  process.stdin.resume();
  emit({ url: server.url, token: fabric.adminToken } satisfies ServerReady);
}

export async function copyChild(dataDir: string, files: readonly string[]): Promise<void> {
  const db = await openPGlite(dataDir);
  try {
    await migrate(db);
    const target = `events (${EVENT_COLUMNS.join(', ')})`;
    let rows = 0;
    let timedMs = 0;
    for (const file of files) {
      const csv = await readFile(file, 'utf8');
      const started = performance.now();
      rows += await db.copyFromCsv(target, csv);
      timedMs += performance.now() - started;
    }
    const stored = await db.query<{ n: number }>('SELECT count(*)::int8 AS n FROM events');
    if (stored.rows[0]?.n !== rows)
      throw new Error(`COPY reported ${rows} rows, the table holds ${stored.rows[0]?.n}`);
    emit({ rows, seconds: timedMs / 1000, files: files.length, maxRssMB: maxRssMB() } satisfies CopyResult);
  } finally {
    await db.close();
  }
}
