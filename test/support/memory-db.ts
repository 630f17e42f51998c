import { afterAll, beforeAll, beforeEach } from 'vitest';
import { migrate } from '../../src/adapters/sql/migrate.js';
import { openPGlite } from '../../src/adapters/sql/pglite-client.js';
import type { SqlClient } from '../../src/adapters/sql/sql-client.js';

/**
 * One migrated in-memory PGlite for the calling test file (creating one takes seconds, so it is
 * shared), with `tables` emptied before each test. Returns a getter: the database exists only
 * once `beforeAll` has run.
 */
export function useMemoryDb(tables: readonly string[] = []): () => SqlClient {
  let db: SqlClient | undefined;
  beforeAll(async () => {
    db = await openPGlite();
    await migrate(db);
  });
  afterAll(async () => {
    await db?.close();
  });
  beforeEach(async () => {
    for (const table of tables) await db?.query(`DELETE FROM ${table}`);
  });
  return () => {
    if (!db) throw new Error('useMemoryDb: the database is opened in beforeAll');
    return db;
  };
}
