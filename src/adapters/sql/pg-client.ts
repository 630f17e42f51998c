import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import type { SqlClient, SqlResult } from './sql-client.js';
import { assertStorableParams } from './storable-params.js';

const { Pool, types } = pg;

// Same value conventions as the PGlite driver (see SqlClient).
const typeParsers: pg.CustomTypesConfig = {
  getTypeParser: ((oid: number, format?: 'text' | 'binary') => {
    if (oid === types.builtins.INT8) return (value: string) => Number(value);
    if (oid === types.builtins.DATE) return (value: string) => value;
    if (oid === types.builtins.NUMERIC) return (value: string) => value;
    return types.getTypeParser(oid, format);
  }) as pg.CustomTypesConfig['getTypeParser'],
};

type Queryable = pg.Pool | pg.PoolClient;

class PgSqlClient implements SqlClient {
  readonly dialect = 'postgres' as const;

  constructor(
    private readonly db: Queryable,
    private readonly pool: pg.Pool | undefined,
  ) {}

  async query<R>(text: string, params: readonly unknown[] = []): Promise<SqlResult<R>> {
    assertStorableParams(params);
    const result = await this.db.query({ text, values: params as unknown[], types: typeParsers });
    return { rows: result.rows as R[], rowCount: result.rowCount ?? result.rows.length };
  }

  async exec(sql: string): Promise<void> {
    await this.db.query(sql);
  }

  async transaction<T>(fn: (tx: SqlClient) => Promise<T>): Promise<T> {
    if (!this.pool) {
      const name = `sp_${Math.random().toString(36).slice(2)}`;
      await this.db.query(`SAVEPOINT ${name}`);
      try {
        const value = await fn(this);
        await this.db.query(`RELEASE SAVEPOINT ${name}`);
        return value;
      } catch (error) {
        await this.db.query(`ROLLBACK TO SAVEPOINT ${name}`);
        throw error;
      }
    }
    const client = await this.pool.connect();
    try {
      await client.query('BEGIN');
      const value = await fn(new PgSqlClient(client, undefined));
      await client.query('COMMIT');
      return value;
    } catch (error) {
      await client.query('ROLLBACK').catch(() => {});
      throw error;
    } finally {
      client.release();
    }
  }

  async copyFromCsv(target: string, csv: string): Promise<number> {
    const client = this.pool ? await this.pool.connect() : (this.db as pg.PoolClient);
    try {
      const stream = client.query(copyFrom(`COPY ${target} FROM STDIN WITH (FORMAT csv)`));
      await pipeline(Readable.from([csv]), stream);
      return stream.rowCount ?? 0;
    } finally {
      if (this.pool) client.release();
    }
  }

  async close(): Promise<void> {
    if (this.pool) await this.pool.end();
  }
}

/** Connects to a PostgreSQL server (`postgres://…`). */
export async function openPostgres(connectionString: string, max = 10): Promise<SqlClient> {
  const pool = new Pool({ connectionString, max });
  pool.on('error', () => {
    // An idle client lost its connection; the pool replaces it on the next query.
  });
  const client = await pool.connect();
  client.release();
  return new PgSqlClient(pool, pool);
}
