import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MAX_RECORD_CHARS } from '../../src/core/statements/split-records.js';
import { type AbuseServer, asAdmin, expectHealthy, postJson, startAbuseServer } from '../support/abuse.js';

let server: AbuseServer;

beforeAll(async () => {
  server = await startAbuseServer('long-lines');
});
afterAll(() => server?.close());

const LINE_BYTES = 10 * 1024 * 1024;

// A full collection on demand, so samples count live memory, not garbage waiting for the collector.
setFlagsFromString('--expose-gc');
const collect = runInNewContext('gc') as () => void;

/**
 * Runs `work` while sampling the live heap (collected first: garbage does not count), and returns
 * how many samples were taken and the largest growth over the start. Holding the line would keep
 * 10 MB alive while it is read, which takes most of the work's time. A collection stops the
 * world, so samples are spaced by twice the last one's duration: the work keeps most of the time.
 */
async function liveGrowthDuring(work: () => Promise<void>): Promise<{ samples: number; growth: number }> {
  let pause = 0;
  const live = () => {
    const started = performance.now();
    collect();
    pause = performance.now() - started;
    return process.memoryUsage().heapUsed;
  };
  const start = live();
  let peak = start;
  let samples = 0;
  let timer: NodeJS.Timeout | undefined;
  const sample = () => {
    peak = Math.max(peak, live());
    samples++;
    timer = setTimeout(sample, Math.max(50, 2 * pause));
  };
  timer = setTimeout(sample, 50);
  try {
    await work();
  } finally {
    clearTimeout(timer);
  }
  return { samples, growth: peak - start };
}

/** Stops the background dispatcher, uploads, then processes with the heap watched. */
async function uploadThenProcess(bucket: string, key: string, body: string, headers: Record<string, string>) {
  await server.fabric.dispatcher.stop();
  try {
    const put = await asAdmin(server, 'PUT', `/buckets/${bucket}/objects/${key}`, { headers, body });
    expect(put.status).toBe(200);
    const memory = await liveGrowthDuring(async () => {
      await server.fabric.dispatcher.drain();
    });
    expect(memory.samples).toBeGreaterThan(0);
    expect(memory.growth).toBeLessThan(LINE_BYTES / 2);
  } finally {
    server.fabric.dispatcher.start();
  }
}

describe('a CSV with a 10 MB line', () => {
  it('statements: the line is rejected with its number and reason, the rest of the file is stored', async () => {
    const holder = await postJson(server, 'PUT', '/accounts/acct-long', {
      email: 'long@example.com',
      name: 'Long',
    });
    expect(holder.status).toBe(200);
    const csv = `Id,Date,Amount\n1,7/15,+10.00\n2,7/16,${'9'.repeat(LINE_BYTES)}\n3,7/17,-5.00\n`;
    await uploadThenProcess('transactions', 'long-line.csv', csv, {
      'content-type': 'text/csv',
      'x-amz-meta-account-id': 'acct-long',
      'x-amz-meta-year': '2024',
    });
    const report = await asAdmin(server, 'GET', '/statements/files?key=long-line.csv');
    expect(report.json()).toMatchObject({
      status: 'processed',
      accepted: 2,
      rejectedCount: 1,
      rejected: [{ line: 3, reason: expect.stringContaining(`longer than ${MAX_RECORD_CHARS} characters`) }],
      accounts: ['acct-long'],
    });
    const summary = await asAdmin(server, 'GET', '/statements/accounts/acct-long/summary');
    expect(summary.json()).toMatchObject({ balance: '5.00', transactionCount: 2 });
    const outbox = (await asAdmin(server, 'GET', '/outbox')).json<{ emails: { to: string[] }[] }>();
    expect(outbox.emails.map((email) => email.to)).toEqual([['long@example.com']]);
    await expectHealthy(server);
  });

  it('loader: the line becomes a rejected row with its reason, the other rows load, the file moves on', async () => {
    const csv = `1,Engineer\n2,${'x'.repeat(LINE_BYTES)}\n3,Manager\n`;
    await uploadThenProcess('landing', 'stage/jobs_long.csv', csv, { 'content-type': 'text/csv' });
    const files = await asAdmin(server, 'GET', '/loader/files?file=stage/jobs_long.csv');
    expect(files.json<{ files: unknown[] }>().files).toEqual([
      expect.objectContaining({
        status: 'loaded',
        table: 'jobs',
        rowsLoaded: 2,
        rowsRejected: 1,
        movedTo: expect.stringMatching(/^processed\/jobs\/jobs_long_\d{8}-\d{6}\.csv$/),
      }),
    ]);
    const rejected = await asAdmin(server, 'GET', '/loader/rejected?file=stage/jobs_long.csv');
    const [row, ...others] = rejected.json<{ rows: { line: number; raw: string; reasons: string[] }[] }>()
      .rows;
    expect(others).toEqual([]);
    expect(row?.line).toBe(2);
    expect(row?.reasons).toEqual([expect.stringContaining(`longer than ${MAX_RECORD_CHARS} characters`)]);
    // The row is kept, but not its 10 MB.
    expect(row?.raw.length).toBeLessThanOrEqual(MAX_RECORD_CHARS);
    await expectHealthy(server);
  });
});
