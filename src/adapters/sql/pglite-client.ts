import { PGlite, type Transaction as PGliteTransaction, types } from '@electric-sql/pglite';
import type { SqlClient, SqlResult } from './sql-client.js';
import { assertStorableParams } from './storable-params.js';

/** Result parsers shared by both drivers' conventions (see {@link SqlClient}). */
const parsers = {
  [types.INT8]: (value: string) => Number(value),
  [types.NUMERIC]: (value: string) => value,
  [types.DATE]: (value: string) => value,
};

type Queryable = Pick<PGlite, 'query' | 'exec'> | PGliteTransaction;

class PGliteSqlClient implements SqlClient {
  readonly dialect = 'pglite' as const;

  constructor(
    private readonly db: Queryable,
    private readonly root: PGlite | undefined,
  ) {}

  async query<R>(text: string, params: readonly unknown[] = []): Promise<SqlResult<R>> {
    assertStorableParams(params);
    const result = await this.db.query<R>(text, params as unknown[]);
    return { rows: result.rows, rowCount: result.affectedRows ?? result.rows.length };
  }

  async exec(sql: string): Promise<void> {
    await this.db.exec(sql);
  }

  async transaction<T>(fn: (tx: SqlClient) => Promise<T>): Promise<T> {
    if (!this.root) {
      // Already inside a transaction: a savepoint keeps nested work atomic on its own.
      const name = `sp_${Math.random().toString(36).slice(2)}`;
      await this.db.exec(`SAVEPOINT ${name}`);
      try {
        const value = await fn(this);
        await this.db.exec(`RELEASE SAVEPOINT ${name}`);
        return value;
      } catch (error) {
        await this.db.exec(`ROLLBACK TO SAVEPOINT ${name}`);
        throw error;
      }
    }
    return this.root.transaction((tx) => fn(new PGliteSqlClient(tx, undefined)));
  }

  async copyFromCsv(target: string, csv: string): Promise<number> {
    const result = await this.db.query(`COPY ${target} FROM '/dev/blob' WITH (FORMAT csv)`, [], {
      blob: new Blob([csv]),
    });
    return result.affectedRows ?? 0;
  }

  async close(): Promise<void> {
    if (this.root && !this.root.closed) await this.root.close();
  }
}

/**
 * Opens PGlite on a data directory (or in memory when `dataDir` is undefined).
 * The caller must hold the data-dir lock: PGlite itself does not stop a second process.
 */
export async function openPGlite(dataDir?: string): Promise<SqlClient> {
  const db = await PGlite.create({ ...(dataDir ? { dataDir } : {}), parsers });
  return new PGliteSqlClient(db, db);
}
