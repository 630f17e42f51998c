import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseEventBatch } from '../src/core/events/parse-event-batch.js';
import { summarizeAccount } from '../src/core/statements/summarize-account.js';
import { apiServices } from '../src/runtime/api-services.js';
import { ManualClock } from '../src/runtime/clock.js';
import { type Fabric, openFabric } from '../src/runtime/fabric.js';
import { datasets } from './support/cli.js';
import { makeEvent, ndjson, sampleEvents } from './support/events.js';
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

    it('runs the events pipeline with the stream, its consumer and the repository on the server', async () => {
      const services = apiServices(fabric);
      const body = ndjson([
        ...sampleEvents.map((sample) => JSON.parse(sample.text)),
        makeEvent({ client: 'barclays', type: 'refund' }),
      ]);
      const parsed = parseEventBatch(body, 'ndjson');
      if (!parsed.ok) throw new Error(parsed.error.message);
      const results = await services.events.accept(parsed.records);
      expect(results.map((r) => r.status)).toEqual(['accepted', 'accepted', 'accepted']);
      expect(await fabric.dispatcher.settle()).toEqual({ settled: true });
      expect((await fabric.events.feed('barclays', { limit: 10 })).events.map((e) => e.id)).toEqual([
        '0124e053-3580-7000-b158-3401dd4f2d37',
      ]);
      expect((await fabric.events.feed('monzo', { limit: 10 })).events).toHaveLength(1);
      const { records } = await fabric.events.listRejected({ limit: 10 });
      expect(records.map((r) => r.reasons[0]?.path)).toEqual(['Type']);
    });
  },
);
