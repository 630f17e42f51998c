import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { summarizeAccount } from '../src/core/statements/summarize-account.js';
import { ManualClock } from '../src/runtime/clock.js';
import { type Fabric, openFabric } from '../src/runtime/fabric.js';
import { datasets } from './support/cli.js';
import { type PostgresServer, postgresAvailability, startPostgresServer } from './support/postgres-server.js';

const availability = postgresAvailability();
const skipped = 'skipped' in availability ? availability.skipped : undefined;
if (skipped) console.warn(`[fabric on PostgreSQL] skipped: ${skipped}`);

describe.skipIf(skipped !== undefined)(
  `fabric on a PostgreSQL server${skipped ? ` (skipped: ${skipped})` : ''}`,
  () => {
    let server: PostgresServer;
    let dataDir: string;
    let fabric: Fabric;

    beforeAll(async () => {
      const started = await startPostgresServer();
      if ('skipped' in started) throw new Error(started.skipped);
      server = started;
      dataDir = await mkdtemp(join(tmpdir(), 'tributary-pgfabric-'));
      fabric = await openFabric({
        dataDir,
        databaseUrl: server.url,
        smtpUrl: undefined,
        mailFrom: 'statements@test.local',
        clock: new ManualClock('2024-09-01T00:00:00Z'),
      });
    });
    afterAll(async () => {
      await fabric?.close();
      await server?.stop();
      if (dataDir) await rm(dataDir, { recursive: true, force: true });
    });

    it('runs the statements pipeline with queues, bus and repositories on the server', async () => {
      await fabric.statements.upsertAccount({ accountId: 'acct-1', email: 'ana@example.com', name: 'Ana' });
      await fabric.objects.put({
        bucket: 'transactions',
        key: 'uploads/challenge.csv',
        body: await readFile(join(datasets, 'statements/challenge-sample.csv')),
        metadata: { 'account-id': 'acct-1', year: '2024' },
      });
      expect(await fabric.dispatcher.settle()).toEqual({ settled: true });
      const summary = summarizeAccount('acct-1', await fabric.statements.monthlyTotals('acct-1'));
      expect(summary).toMatchObject({ balance: '39.74', averageCredit: '35.25', averageDebit: '-15.38' });
      expect(await fabric.outbox.list()).toHaveLength(1);
      const { rows } = await fabric.db.query<{ n: number }>('SELECT count(*)::int8 AS n FROM function_runs');
      expect(rows[0]?.n).toBeGreaterThanOrEqual(2);
    });
  },
);
