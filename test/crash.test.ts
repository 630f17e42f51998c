import { createWriteStream } from 'node:fs';
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openPGlite } from '../src/adapters/sql/pglite-client.js';
import { type DevServer, startDev, stop } from './support/cli.js';

const ROWS = 200_000;
const ACCOUNTS = 5;

/** A seeded file with known per-account totals, computed while writing it. */
async function writeLargeFile(path: string) {
  let seed = 42;
  const random = () => {
    seed = (seed * 1103515245 + 12345) % 2 ** 31;
    return seed / 2 ** 31;
  };
  const totals = new Map<string, { cents: number; count: number }>();
  const out = createWriteStream(path);
  out.write('TransactionId,Date,Amount,AccountId\n');
  for (let i = 0; i < ROWS; i++) {
    const account = `crash-${i % ACCOUNTS}`;
    const cents = Math.round((random() - 0.5) * 20_000);
    const amount = `${cents < 0 ? '-' : '+'}${(Math.abs(cents) / 100).toFixed(2)}`;
    if (
      !out.write(
        `${i},${1 + Math.floor(random() * 12)}/${1 + Math.floor(random() * 28)},${amount},${account}\n`,
      )
    ) {
      await new Promise<void>((resolve) => out.once('drain', () => resolve()));
    }
    const total = totals.get(account) ?? { cents: 0, count: 0 };
    total.cents += cents;
    total.count += 1;
    totals.set(account, total);
  }
  await new Promise<void>((resolve, reject) =>
    out.end((error?: Error | null) => (error ? reject(error) : resolve())),
  );
  return totals;
}

const api = (server: DevServer, path: string, init: RequestInit = {}) =>
  fetch(`${server.url}${path}`, {
    ...init,
    headers: { ...init.headers, authorization: `Bearer ${server.token}` },
  });

describe('crash safety', () => {
  let dir: string;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'tributary-crash-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('applies a large file exactly once when the fabric is killed with SIGKILL half-way through', async () => {
    const file = join(dir, 'large.csv');
    const totals = await writeLargeFile(file);
    const dataDir = join(dir, 'data');
    const env = { TRIBUTARY_DATA_DIR: dataDir };

    // Register holders so each account gets its statement by email.
    let server = await startDev(env);
    for (let a = 0; a < ACCOUNTS; a++) {
      await api(server, `/accounts/crash-${a}`, {
        method: 'PUT',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ email: `holder${a}@example.com`, name: `Holder ${a}` }),
      });
    }
    const put = await api(server, '/buckets/transactions/objects/crash/large.csv', {
      method: 'PUT',
      headers: { 'x-amz-meta-year': '2024', 'content-length': String((await stat(file)).size) },
      body: await readFile(file),
    });
    expect(put.status).toBe(200);
    const { traceId } = (await put.json()) as { traceId: string };

    // Kill the server as soon as part of the file is stored (but not all of it).
    let storedBeforeCrash = 0;
    for (let attempt = 0; attempt < 200; attempt++) {
      await sleep(50);
      const report = await api(server, '/statements/accounts/crash-0/summary');
      if (report.status === 200) {
        const { transactionCount } = (await report.json()) as { transactionCount: number };
        if (transactionCount > 0) {
          storedBeforeCrash = transactionCount;
          break;
        }
      }
    }
    await stop(server.child, 'SIGKILL');
    expect(storedBeforeCrash).toBeGreaterThan(0);

    // Prove the crash happened mid-file: some, not all, lines were stored.
    const db = await openPGlite(join(dataDir, 'pgdata'));
    const { rows } = await db.query<{ n: number }>('SELECT count(*)::int8 AS n FROM statement_transactions');
    await db.close();
    expect(rows[0]?.n).toBeGreaterThan(0);
    expect(rows[0]?.n).toBeLessThan(ROWS);

    // Restart: the unacknowledged message is delivered again and the work completes.
    server = await startDev(env);
    try {
      for (let attempt = 0; attempt < 600; attempt++) {
        const trace = (await (await api(server, `/traces/${traceId}`)).json()) as { settled: boolean };
        if (trace.settled) break;
        await sleep(100);
      }
      for (const [account, total] of totals) {
        const summary = (await (await api(server, `/statements/accounts/${account}/summary`)).json()) as {
          balance: string;
          transactionCount: number;
        };
        expect(summary.transactionCount).toBe(total.count);
        expect(summary.balance).toBe((total.cents / 100).toFixed(2));
      }
      const { emails } = (await (await api(server, '/outbox')).json()) as { emails: { to: string[] }[] };
      expect(emails).toHaveLength(ACCOUNTS);
      expect((await (await api(server, '/dlq')).json()) as { messages: unknown[] }).toEqual({ messages: [] });
    } finally {
      await stop(server.child);
    }
  });
});
