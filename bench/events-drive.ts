/**
 * The parent's side of the events benchmark: the HTTP producers (one bulk stream, or batches of
 * 500 from a few connections), the wait until every event is stored, and what the server's
 * database says afterwards.
 */
import { once } from 'node:events';
import { createReadStream } from 'node:fs';
import http from 'node:http';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { pipeline } from 'node:stream/promises';
import { openPGlite } from '../src/adapters/sql/pglite-client.js';

export interface SendResult {
  /** Wall clock at the first byte, for comparing with the server's timestamps. */
  startedAtMs: number;
  /** performance.now() at the first byte. */
  started: number;
  /** performance.now() when the last 202 arrived: every event was on the stream. */
  accepted: number;
  acceptedEvents: number;
  requests: number;
}

/** Streams the whole NDJSON file to `POST /events/bulk` in one request. */
export async function sendBulk(url: string, token: string, file: string): Promise<SendResult> {
  const startedAtMs = Date.now();
  const started = performance.now();
  const request = http.request(`${url}/events/bulk`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/x-ndjson' },
  });
  const responded = once(request, 'response') as Promise<[http.IncomingMessage]>;
  // If the upload fails, that error is the one thrown; this one must not go unhandled meanwhile.
  responded.catch(() => {});
  await pipeline(createReadStream(file, { highWaterMark: 256 * 1024 }), request);
  const [response] = await responded;
  let body = '';
  response.setEncoding('utf8');
  for await (const chunk of response) body += chunk;
  const accepted = performance.now();
  if (response.statusCode !== 202) throw new Error(`POST /events/bulk: ${response.statusCode} ${body}`);
  const result = JSON.parse(body) as { accepted: number; rejected: number };
  if (result.rejected !== 0) throw new Error(`POST /events/bulk rejected ${result.rejected} events: ${body}`);
  return { startedAtMs, started, accepted, acceptedEvents: result.accepted, requests: 1 };
}

/** The file's lines as NDJSON bodies of `size` lines. */
async function* batches(file: string, size: number): AsyncGenerator<string> {
  let lines: string[] = [];
  for await (const line of createInterface({ input: createReadStream(file), crlfDelay: Infinity })) {
    if (line === '') continue;
    lines.push(line);
    if (lines.length === size) {
      yield `${lines.join('\n')}\n`;
      lines = [];
    }
  }
  if (lines.length > 0) yield `${lines.join('\n')}\n`;
}

/** Sends the file as `POST /events` batches of `size` from `connections` concurrent keep-alive connections. */
export async function sendBatches(
  url: string,
  token: string,
  file: string,
  size: number,
  connections: number,
): Promise<SendResult> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: connections });
  const source = batches(file, size);
  const post = (body: string) =>
    new Promise<{ status: number; body: string }>((resolve, reject) => {
      const request = http.request(`${url}/events`, {
        method: 'POST',
        agent,
        headers: {
          authorization: `Bearer ${token}`,
          'content-type': 'application/x-ndjson',
          'content-length': Buffer.byteLength(body),
        },
      });
      request.once('error', reject);
      request.once('response', (response) => {
        let text = '';
        response.setEncoding('utf8');
        response.on('data', (chunk: string) => {
          text += chunk;
        });
        response.once('end', () => resolve({ status: response.statusCode ?? 0, body: text }));
        response.once('error', reject);
      });
      request.end(body);
    });
  let acceptedEvents = 0;
  let requests = 0;
  const startedAtMs = Date.now();
  const started = performance.now();
  try {
    await Promise.all(
      Array.from({ length: connections }, async () => {
        for (let next = await source.next(); !next.done; next = await source.next()) {
          const response = await post(next.value);
          if (response.status !== 202) throw new Error(`POST /events: ${response.status} ${response.body}`);
          const result = JSON.parse(response.body) as { accepted: number; rejected: number };
          if (result.rejected !== 0) throw new Error(`POST /events rejected events: ${response.body}`);
          acceptedEvents += result.accepted;
          requests += 1;
        }
      }),
    );
  } finally {
    agent.destroy();
  }
  return { startedAtMs, started, accepted: performance.now(), acceptedEvents, requests };
}

interface StreamsBody {
  streams: {
    stream: string;
    shards: { shardId: string; lastSequenceNumber: string | null }[];
    consumers: { consumer: string; shardId: string; lag: number; lastError: string | null }[];
  }[];
}

export interface StoredResult {
  /** performance.now() of the first poll that saw every event on the stream and no lag. */
  stored: number;
  polls: number;
  /** How long the GET /streams requests took, in ms: the poll's own cost on the server. */
  pollMs: number[];
  /** GET /streams afterwards, with nothing left to do: its cost with the whole run on the stream. */
  idlePollMs: number[];
  /** Records per shard of the events stream. */
  shards: Record<string, number>;
}

/** Polls `GET /streams` until the events stream holds `expected` records and no consumer lags. */
export async function waitStored(
  url: string,
  token: string,
  expected: number,
  intervalMs: number,
  timeoutMs: number,
): Promise<StoredResult> {
  const deadline = performance.now() + timeoutMs;
  const pollMs: number[] = [];
  for (;;) {
    const asked = performance.now();
    const response = await fetch(`${url}/streams`, { headers: { authorization: `Bearer ${token}` } });
    const body = (await response.json()) as StreamsBody;
    const answered = performance.now();
    pollMs.push(answered - asked);
    if (response.status !== 200) throw new Error(`GET /streams: ${response.status} ${JSON.stringify(body)}`);
    const events = body.streams.find((s) => s.stream === 'events');
    if (!events) throw new Error('GET /streams lists no stream "events"');
    const shards = Object.fromEntries(
      events.shards.map((shard) => [shard.shardId, Number(shard.lastSequenceNumber ?? 0)]),
    );
    const onStream = Object.values(shards).reduce((sum, n) => sum + n, 0);
    const failing = events.consumers.find((c) => c.lastError !== null);
    if (failing)
      throw new Error(`consumer ${failing.consumer} fails on ${failing.shardId}: ${failing.lastError}`);
    if (onStream >= expected && events.consumers.length > 0 && events.consumers.every((c) => c.lag === 0)) {
      // The request was answered after the state it reports: `asked` bounds the time stored.
      const idlePollMs: number[] = [];
      for (let i = 0; i < 3; i += 1) {
        const idleAsked = performance.now();
        await (
          await fetch(`${url}/streams`, { headers: { authorization: `Bearer ${token}` } })
        ).arrayBuffer();
        idlePollMs.push(performance.now() - idleAsked);
      }
      return { stored: asked, polls: pollMs.length, pollMs, idlePollMs, shards };
    }
    if (answered > deadline) {
      const lag = events.consumers.reduce((sum, c) => sum + c.lag, 0);
      throw new Error(`not stored after ${timeoutMs / 1000} s: ${onStream} on the stream, lag ${lag}`);
    }
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}

export interface StoredStats {
  events: number;
  rejected: number;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
  /** Wall-clock epoch ms of the first arrival on the stream and the last store. */
  firstArrivedMs: number;
  lastArrivedMs: number;
  lastStoredMs: number;
  /** events-consume invocations: how many, and the seconds spent in them (handler + checkpoint excluded). */
  consumeRuns: number;
  consumeSeconds: number;
  deadLettered: number;
}

/** Reads the stopped server's PGlite: counts, latency percentiles (stored_at − arrived_at) and consumer runs. */
export async function readStored(dataDir: string): Promise<StoredStats> {
  const db = await openPGlite(join(dataDir, 'pgdata'));
  try {
    const { rows } = await db.query<{
      events: number;
      p50: number;
      p99: number;
      max: number;
      first_arrived: number;
      last_arrived: number;
      last_stored: number;
    }>(
      `SELECT count(*)::int8 AS events,
         percentile_cont(0.5) WITHIN GROUP (ORDER BY ms) AS p50,
         percentile_cont(0.99) WITHIN GROUP (ORDER BY ms) AS p99,
         max(ms)::float8 AS max,
         (extract(epoch FROM min(arrived_at)) * 1000)::float8 AS first_arrived,
         (extract(epoch FROM max(arrived_at)) * 1000)::float8 AS last_arrived,
         (extract(epoch FROM max(stored_at)) * 1000)::float8 AS last_stored
       FROM (SELECT arrived_at, stored_at, extract(epoch FROM stored_at - arrived_at)::float8 * 1000 AS ms
             FROM events) t`,
    );
    const rejected = await db.query<{ n: number }>('SELECT count(*)::int8 AS n FROM events_rejected');
    const runs = await db.query<{ runs: number; seconds: number }>(
      `SELECT count(*)::int8 AS runs,
         coalesce(sum(extract(epoch FROM finished_at - started_at)), 0)::float8 AS seconds
       FROM function_runs WHERE function = 'events-consume'`,
    );
    const dead = await db.query<{ n: number }>(
      'SELECT count(*)::int8 AS n FROM queue_messages WHERE source_queue IS NOT NULL',
    );
    const row = rows[0];
    if (!row) throw new Error('no result from the events table');
    return {
      events: row.events,
      rejected: rejected.rows[0]?.n ?? 0,
      p50Ms: row.p50,
      p99Ms: row.p99,
      maxMs: row.max,
      firstArrivedMs: row.first_arrived,
      lastArrivedMs: row.last_arrived,
      lastStoredMs: row.last_stored,
      consumeRuns: runs.rows[0]?.runs ?? 0,
      consumeSeconds: runs.rows[0]?.seconds ?? 0,
      deadLettered: dead.rows[0]?.n ?? 0,
    };
  } finally {
    await db.close();
  }
}
