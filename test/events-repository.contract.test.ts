import { createSqlClientRegistry } from '../src/adapters/sql/client-registry.js';
import { createSqlEventsRepository } from '../src/adapters/sql/events-repository.js';
import type { SqlClient } from '../src/adapters/sql/sql-client.js';
import type { StoreOutcome } from '../src/ports/events-repository.js';
import { eventsRepositoryContract } from './contracts/events-repository.js';
import { describeEachDriver } from './support/sql-drivers.js';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const waitingLocks = async (db: SqlClient) =>
  (await db.query<{ n: number }>('SELECT count(*) AS n FROM pg_locks WHERE NOT granted')).rows[0]!.n;

describeEachDriver('EventsRepository contract (sql)', (getDb, driver) => {
  eventsRepositoryContract(`SQL events repository on ${driver}`, async (clock) => {
    const db = getDb();
    const repository = createSqlEventsRepository(db, clock);
    const count = async (table: 'events' | 'events_rejected', client: string) => {
      const { rows } = await db.query<{ n: number }>(`SELECT count(*) AS n FROM ${table} WHERE client = $1`, [
        client,
      ]);
      return rows[0]!.n;
    };
    return {
      repository,
      clients: createSqlClientRegistry(db, clock),
      storedCount: (client) => count('events', client),
      rejectedCount: (client) => count('events_rejected', client),
      async race(first, second) {
        let racing: Promise<StoreOutcome[]> | undefined;
        const outcomes = await db.transaction(async (tx) => {
          const stored = await createSqlEventsRepository(tx, clock).store(first, []);
          racing = repository.store(second, []);
          // On a server, commit only once the rival waits for this client's counter row.
          while (driver === 'postgres' && (await waitingLocks(tx)) === 0) await sleep(5);
          return stored;
        });
        return [outcomes, await racing!];
      },
    };
  });
});
