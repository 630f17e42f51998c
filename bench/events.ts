/**
 * Events benchmark (`npm run bench:events`; `npm run bench` runs it after the statements one).
 *
 * Generates N valid events (default 1,000,000; `--events 100000` for a quick run) with a seeded
 * PRNG, so every run sends the same bytes, as one NDJSON file; then, each in a fresh child process
 * so that peak RSS is that run's own:
 *
 * - `bulk`: a server as `tributary dev` runs it (openFabric on a new data dir + startLocalServer,
 *   dispatcher in the background); this process streams the file to `POST /events/bulk`.
 * - `batches`: the same on another new data dir, the file sent as `POST /events` NDJSON batches of
 *   500 from `--connections` (default 4) concurrent keep-alive connections, as producers would.
 *   Both are timed from the first byte sent until `GET /streams` shows every event on the stream
 *   and no consumer lag. After the server stops, its PGlite gives the stored count and the p50/p99
 *   of `stored_at − arrived_at` (accept to stored).
 * - `copy`, the reference: the same events as rows of the `events` table (CSV made from the same
 *   NDJSON, untimed), bulk-loaded with PGlite `COPY` into a new, migrated data dir. Timed COPY only.
 *
 * Flags: `--events n`, `--connections n`, `--paths bulk,batches,copy`, `--poll-ms n` (GET /streams
 * interval, default 250), `--timeout-seconds n`, `--keep` (keep the temp folder).
 */

import { rmSync } from 'node:fs';
import { mkdir, mkdtemp, rm, stat } from 'node:fs/promises';
import os from 'node:os';
import { join } from 'node:path';
import { MAX_RECORDS_PER_REQUEST } from '../src/core/events/limits.js';
import {
  type CopyResult,
  copyChild,
  type ServerReady,
  type ServerResult,
  serverChild,
} from './events-children.js';
import { generateNdjson, ndjsonToCsv } from './events-data.js';
import { readStored, type SendResult, sendBatches, sendBulk, waitStored } from './events-drive.js';
import { Child, killChildren } from './events-process.js';
import { recordSummary } from './summary.js';

const PATHS = ['bulk', 'batches', 'copy'] as const;
type Path = (typeof PATHS)[number];
const CSV_ROWS_PER_FILE = 100_000;
/** The size: about 7 minutes for the three paths on a 2-core machine. */
const DEFAULT_EVENTS = 1_000_000;

interface Result {
  path: Path;
  events: number;
  /** First byte to the last 202 (HTTP paths). */
  acceptedSeconds?: number;
  seconds: number;
  p50Ms?: number;
  p99Ms?: number;
  maxRssMB: number;
  timedRssMB?: number;
  details: Record<string, unknown>;
}

interface Options {
  events: number;
  connections: number;
  pollMs: number;
  timeoutMs: number;
}

const round = (value: number, digits = 2) => Math.round(value * 10 ** digits) / 10 ** digits;
const formatInt = (value: number) => Math.round(value).toLocaleString('en-US');
const log = (message: string) => process.stderr.write(`${message}\n`);

function optionValue(args: readonly string[], name: string): string | undefined {
  const index = args.indexOf(name);
  return index === -1 ? undefined : args[index + 1];
}

function positive(args: readonly string[], name: string, fallback: number): number {
  const value = Number((optionValue(args, name) ?? String(fallback)).replace(/_/g, ''));
  if (!(Number.isSafeInteger(value) && value > 0)) throw new Error(`${name} takes a positive integer`);
  return value;
}

async function runHttpPath(
  path: 'bulk' | 'batches',
  file: string,
  root: string,
  o: Options,
): Promise<Result> {
  const dataDir = join(root, `${path}-data`);
  const child = new Child(['server', dataDir]);
  try {
    const server = await child.next<ServerReady>('its URL');
    log(`${path}: server at ${server.url}; sending ${formatInt(o.events)} events…`);
    const send: SendResult =
      path === 'bulk'
        ? await sendBulk(server.url, server.token, file)
        : await sendBatches(server.url, server.token, file, MAX_RECORDS_PER_REQUEST, o.connections);
    if (send.acceptedEvents !== o.events)
      throw new Error(`${path}: ${send.acceptedEvents} of ${o.events} events accepted`);
    log(
      `${path}: all accepted after ${round((send.accepted - send.started) / 1000, 1)} s; waiting for the consumer…`,
    );
    const stored = await waitStored(server.url, server.token, o.events, o.pollMs, o.timeoutMs);
    await child.stop();
    const usage = await child.next<ServerResult>('its peak RSS');
    const db = await readStored(dataDir);
    if (db.events !== o.events || db.rejected !== 0 || db.deadLettered !== 0)
      throw new Error(
        `${path}: stored ${db.events} of ${o.events}, ${db.rejected} rejected, ${db.deadLettered} dead-lettered`,
      );
    const seconds = (stored.stored - send.started) / 1000;
    const endMs = send.startedAtMs + seconds * 1000;
    const timed = usage.rssSamples
      .filter(([at]) => at >= send.startedAtMs && at <= endMs)
      .map(([, mb]) => mb);
    const pollMs = [...stored.pollMs].sort((a, b) => a - b);
    return {
      path,
      events: o.events,
      acceptedSeconds: (send.accepted - send.started) / 1000,
      seconds,
      p50Ms: db.p50Ms,
      p99Ms: db.p99Ms,
      maxRssMB: usage.maxRssMB,
      ...(timed.length > 0 ? { timedRssMB: Math.max(...timed) } : {}),
      details: {
        requests: send.requests,
        maxLatencyMs: round(db.maxMs),
        // Server clock (same machine): when the last event reached the stream and was stored.
        lastOnStreamSeconds: round((db.lastArrivedMs - send.startedAtMs) / 1000),
        lastStoredSeconds: round((db.lastStoredMs - send.startedAtMs) / 1000),
        consumeRuns: db.consumeRuns,
        consumeBusySeconds: round(db.consumeSeconds),
        shards: stored.shards,
        streamsPolls: stored.polls,
        streamsPollMedianMs: round(pollMs[Math.floor(pollMs.length / 2)] ?? 0),
        streamsPollMaxMs: round(pollMs.at(-1) ?? 0),
        streamsIdlePollMs: stored.idlePollMs.map((ms) => round(ms)),
      },
    };
  } finally {
    await child.stop(10_000);
  }
}

async function runCopy(file: string, root: string): Promise<Result> {
  const csvDir = join(root, 'csv');
  await mkdir(csvDir);
  const converting = performance.now();
  const files = await ndjsonToCsv(file, csvDir, CSV_ROWS_PER_FILE);
  log(
    `copy: CSV written in ${round((performance.now() - converting) / 1000, 1)} s (${files.length} files); COPY…`,
  );
  const child = new Child(['copy', join(root, 'copy-data'), ...files]);
  try {
    const result = await child.next<CopyResult>('its result');
    await child.exited;
    return {
      path: 'copy',
      events: result.rows,
      seconds: result.seconds,
      maxRssMB: result.maxRssMB,
      details: { files: result.files },
    };
  } finally {
    await child.stop(10_000);
    await rm(csvDir, { recursive: true, force: true });
  }
}

function table(results: readonly Result[], o: Options, wholeSeconds: number): string {
  const rate = (r: Result) => r.events / r.seconds;
  const copy = results.find((r) => r.path === 'copy');
  const label: Record<Path, string> = {
    bulk: 'HTTP `POST /events/bulk`, one stream',
    batches: `HTTP \`POST /events\`, batches of ${MAX_RECORDS_PER_REQUEST}, ${o.connections} connections`,
    copy: 'reference: PGlite `COPY` into `events`',
  };
  const ms = (value: number | undefined) => (value === undefined ? '—' : formatInt(value));
  const lines = [
    '| path | events | accepted s | seconds | events/s | p50 ms | p99 ms | peak RSS MB | RSS in timed part MB | ÷ COPY |',
    '|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|',
    ...results.map((r) => {
      const ratio = copy ? `${(rate(r) / rate(copy)).toPrecision(2)}×` : '';
      const accepted = r.acceptedSeconds === undefined ? '—' : r.acceptedSeconds.toFixed(1);
      return `| ${label[r.path]} | ${formatInt(r.events)} | ${accepted} | ${r.seconds.toFixed(1)} | ${formatInt(rate(r))} | ${ms(r.p50Ms)} | ${ms(r.p99Ms)} | ${formatInt(r.maxRssMB)} | ${r.timedRssMB ?? '—'} | ${ratio} |`;
    }),
  ];
  const machine = `Machine: ${os.availableParallelism()} cores (${os.cpus()[0]?.model ?? 'unknown CPU'}), ${round(os.totalmem() / 1024 ** 3, 1)} GiB RAM, Node ${process.version}, ${os.platform()} ${os.arch()}.`;
  const legend =
    'accepted: first byte sent to the last 202 (every event on the stream). seconds: first byte sent to `GET /streams` showing no consumer lag (COPY: the COPY statements only). ' +
    'p50/p99: `stored_at − arrived_at` over every stored event. Peak RSS: `maxRSS` of the child process (server or COPY), initdb of its new data dir included; RSS in timed part: largest half-second sample while timed.';
  return `${lines.join('\n')}\n\n${machine}\n${legend}\nWhole run: ${formatInt(wholeSeconds)} s (generation, server start-ups, CSV conversion included).\n`;
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const childIndex = args.indexOf('--child');
  if (childIndex !== -1) {
    const [mode, dataDir, ...files] = args.slice(childIndex + 1);
    if (mode === 'server' && dataDir) return serverChild(dataDir);
    if (mode === 'copy' && dataDir) return copyChild(dataDir, files);
    throw new Error(`unknown child ${mode}`);
  }

  const begun = performance.now();
  const valued = ['--events', '--connections', '--poll-ms', '--timeout-seconds', '--paths'];
  for (let i = 0; i < args.length; i += 1) {
    if (valued.includes(args[i] as string)) i += 1;
    else if (args[i] !== '--keep')
      throw new Error(`unknown argument ${args[i]}; flags: ${valued.join(', ')}, --keep`);
  }
  const o: Options = {
    events: positive(args, '--events', DEFAULT_EVENTS),
    connections: positive(args, '--connections', 4),
    pollMs: positive(args, '--poll-ms', 250),
    timeoutMs: positive(args, '--timeout-seconds', 1800) * 1000,
  };
  const paths = (optionValue(args, '--paths') ?? PATHS.join(',')).split(',').map((p) => p.trim());
  const unknown = paths.filter((p) => !(PATHS as readonly string[]).includes(p));
  if (unknown.length > 0) throw new Error(`--paths takes ${PATHS.join(',')}; not ${unknown.join(',')}`);
  const keep = args.includes('--keep');

  const root = await mkdtemp(join(os.tmpdir(), 'tributary-bench-events-'));
  const interrupted = (signal: NodeJS.Signals) => {
    killChildren();
    if (!keep) rmSync(root, { recursive: true, force: true });
    log(`interrupted (${signal})`);
    process.exit(130);
  };
  process.once('SIGINT', interrupted);
  process.once('SIGTERM', interrupted);
  const results: Result[] = [];
  try {
    const file = join(root, 'events.ndjson');
    const generating = performance.now();
    await generateNdjson(file, o.events);
    const { size } = await stat(file);
    log(
      `generated ${formatInt(o.events)} events (${round(size / 1048576, 1)} MB) in ${round((performance.now() - generating) / 1000, 1)} s: ${file}`,
    );
    for (const path of PATHS) {
      if (!paths.includes(path)) continue;
      const result = path === 'copy' ? await runCopy(file, root) : await runHttpPath(path, file, root, o);
      log(JSON.stringify(result));
      results.push(result);
      if (!keep) await rm(join(root, `${path}-data`), { recursive: true, force: true });
    }
  } finally {
    killChildren();
    if (keep) log(`kept ${root}`);
    else await rm(root, { recursive: true, force: true });
  }
  const copy = results.find((r) => r.path === 'copy');
  recordSummary(
    results
      .filter((r) => r.path !== 'copy')
      .map((r) => ({
        pipeline: 'events',
        metric: `${formatInt(r.events)} events through ${r.path === 'bulk' ? 'POST /events/bulk' : 'POST /events in batches'}, validated and stored`,
        unit: 'events/s',
        tributary: r.events / r.seconds,
        reference: copy ? copy.events / copy.seconds : null,
        referenceName: 'raw PGlite COPY into the events table',
        higherIsBetter: true,
      })),
  );
  process.stdout.write(table(results, o, (performance.now() - begun) / 1000));
}

await main();
