import { afterAll, beforeAll, describe } from 'vitest';
import { migrate } from '../../src/adapters/sql/migrate.js';
import { openPostgres } from '../../src/adapters/sql/pg-client.js';
import { openPGlite } from '../../src/adapters/sql/pglite-client.js';
import type { SqlClient } from '../../src/adapters/sql/sql-client.js';
import {
  createDatabase,
  type PostgresServer,
  postgresAvailability,
  startPostgresServer,
} from './postgres-server.js';

export type DriverName = SqlClient['dialect'];

/**
 * Runs one suite on every SQL driver: PGlite (in memory, one instance shared by the file, migrated)
 * and node-postgres on a PostgreSQL server (a fresh migrated database per suite, on a server shared
 * by the file). Without a server the PostgreSQL suite is registered as skipped, its title saying why.
 * Suites share the PGlite instance, so tests should use their own keys or tables.
 *
 * @example
 * describeEachDriver('statements repository', (getDb) => {
 *   it('stores a transaction', async () => { await getDb().query('SELECT 1'); });
 * });
 */
export function describeEachDriver(
  name: string,
  suite: (getDb: () => SqlClient, driver: DriverName) => void,
): void {
  describe(`${name} [pglite]`, () => {
    let db: SqlClient | undefined;
    beforeAll(async () => {
      db = await pglite.acquire();
    });
    afterAll(() => pglite.release());
    suite(() => connected(db), 'pglite');
  });

  const availability = postgresAvailability();
  const skipped = 'skipped' in availability ? availability.skipped : undefined;
  if (skipped) console.warn(`[${name}] PostgreSQL suite skipped: ${skipped}`);
  describe.skipIf(skipped !== undefined)(
    `${name} [postgres]${skipped ? ` (skipped: ${skipped})` : ''}`,
    () => {
      let database: PostgresServer | undefined;
      let db: SqlClient | undefined;
      beforeAll(async () => {
        const server = await postgres.acquire();
        database = await createDatabase(server.url);
        db = await openPostgres(database.url);
        await migrate(db);
      });
      afterAll(async () => {
        try {
          await db?.close();
          await database?.stop();
        } finally {
          await postgres.release();
        }
      });
      suite(() => connected(db), 'postgres');
    },
  );
}

function connected(db: SqlClient | undefined): SqlClient {
  if (!db) throw new Error('the database is not open: did its beforeAll fail?');
  return db;
}

/**
 * One resource shared by the suites of a file: opened by the first suite that starts, closed when
 * the last one that started ends. Every `acquire` (even a failed one) is matched by a `release`.
 */
function shared<T>(open: () => Promise<T>, close: (value: T) => Promise<void>) {
  let value: Promise<T> | undefined;
  let users = 0;
  return {
    acquire(): Promise<T> {
      users++;
      value ??= open();
      return value;
    },
    async release(): Promise<void> {
      users = Math.max(0, users - 1);
      if (users > 0 || !value) return;
      const current = value;
      value = undefined;
      const opened = await current.catch(() => undefined);
      if (opened !== undefined) await close(opened);
    },
  };
}

const pglite = shared(
  async () => {
    const db = await openPGlite();
    await migrate(db);
    return db;
  },
  (db) => db.close(),
);

const postgres = shared(
  async () => {
    const server = await startPostgresServer();
    if ('skipped' in server) throw new Error(server.skipped);
    return server;
  },
  (server) => server.stop(),
);
