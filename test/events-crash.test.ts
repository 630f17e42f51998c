import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openPGlite } from '../src/adapters/sql/pglite-client.js';
import { type DevServer, startDev, stop } from './support/cli.js';
import { makeEvent, uuid } from './support/events.js';

const EVENTS = 40_000;
const CLIENTS = 8;
const BATCH = 500;

const api = (server: DevServer, path: string, init: RequestInit = {}) =>
  fetch(`${server.url}${path}`, {
    ...init,
    headers: { ...init.headers, authorization: `Bearer ${server.token}` },
  });

async function storedState(dataDir: string) {
  const db = await openPGlite(join(dataDir, 'pgdata'));
  try {
    const events = await db.query<{ n: number; distinct: number }>(
      'SELECT count(*)::int8 AS n, count(DISTINCT id)::int8 AS distinct FROM events',
    );
    const checkpoints = await db.query<{ processed: number }>(
      `SELECT coalesce(sum(checkpoint), 0)::int8 AS processed FROM stream_checkpoints
       WHERE consumer = 'events-consume' AND stream = 'events'`,
    );
    const stream = await db.query<{ n: number }>(
      `SELECT coalesce(sum(next_sequence - 1), 0)::int8 AS n FROM stream_shards WHERE stream = 'events'`,
    );
    const runs = await db.query<{ records: number }>(
      `SELECT coalesce(sum(records), 0)::int8 AS records FROM function_runs WHERE function = 'events-consume'`,
    );
    return {
      events: events.rows[0]?.n ?? 0,
      distinct: events.rows[0]?.distinct ?? 0,
      checkpointed: checkpoints.rows[0]?.processed ?? 0,
      invokedRecords: runs.rows[0]?.records ?? 0,
      streamRecords: stream.rows[0]?.n ?? 0,
    };
  } finally {
    await db.close();
  }
}

describe('events crash safety', () => {
  let dir: string;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'tributary-events-crash-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('stores every accepted event exactly once and resumes from the checkpoints after SIGKILL mid-consumption', async () => {
    const dataDir = join(dir, 'data');
    const env = { TRIBUTARY_DATA_DIR: dataDir };
    const batches: string[] = [];
    for (let b = 0; b < EVENTS / BATCH; b++) {
      const lines = [];
      for (let i = b * BATCH; i < (b + 1) * BATCH; i++) {
        lines.push(JSON.stringify(makeEvent({ client: `crash-${i % CLIENTS}`, id: uuid(i, 'cc000000') })));
      }
      batches.push(`${lines.join('\n')}\n`);
    }
    const acknowledged = new Set<number>();
    /** Producers send batches in parallel, faster than one consumer stores them, until stopped. */
    const produce = async (server: DevServer, todo: number[], producers: number) => {
      const queue = [...todo];
      await Promise.all(
        Array.from({ length: producers }, async () => {
          for (let b = queue.shift(); b !== undefined; b = queue.shift()) {
            const response = await api(server, '/events', {
              method: 'POST',
              headers: { 'content-type': 'application/x-ndjson' },
              body: batches[b],
            }).catch(() => undefined);
            if (!response) return; // the server is gone
            expect(response.status).toBe(202);
            acknowledged.add(b);
          }
        }),
      );
    };

    let server = await startDev(env);
    const producing = produce(server, [...batches.keys()], 4);
    while (acknowledged.size < batches.length * 0.4) await sleep(10);
    await stop(server.child, 'SIGKILL');
    await producing;

    const atCrash = await storedState(dataDir);
    expect(atCrash.events).toBeGreaterThan(0);
    // Killed during consumption: the stream held records the consumer had not reached.
    expect(atCrash.streamRecords).toBeGreaterThan(atCrash.checkpointed);
    expect(atCrash.checkpointed).toBeGreaterThan(0);
    for (const b of acknowledged) expect(b).toBeLessThan(batches.length);

    // Restart; the producers resend every batch they have no acknowledgement for.
    server = await startDev(env);
    try {
      await produce(
        server,
        [...batches.keys()].filter((b) => !acknowledged.has(b)),
        2,
      );
      expect(acknowledged.size).toBe(batches.length);
      for (let attempt = 0; attempt < 1200; attempt++) {
        const { streams } = (await (await api(server, '/streams')).json()) as {
          streams: { consumers: { lag: number }[] }[];
        };
        if (streams.flatMap((s) => s.consumers).every((c) => c.lag === 0)) break;
        await sleep(100);
      }
    } finally {
      await stop(server.child);
    }

    const final = await storedState(dataDir);
    expect(final.events).toBe(EVENTS);
    expect(final.distinct).toBe(EVENTS);
    expect(final.checkpointed).toBe(final.streamRecords);
    // Resumed from the checkpoints: after the restart the consumer read what they had not
    // covered, plus at most one batch per shard that was in flight at the kill.
    const readAfterRestart = final.invokedRecords - atCrash.invokedRecords;
    expect(readAfterRestart).toBeGreaterThanOrEqual(final.streamRecords - atCrash.checkpointed);
    expect(readAfterRestart).toBeLessThanOrEqual(final.streamRecords - atCrash.checkpointed + 4 * 500);
  });
});
