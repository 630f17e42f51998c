/**
 * The tiny SQL client every SQL adapter is written against. Two drivers implement it: PGlite
 * (embedded) and node-postgres (a PostgreSQL server). Both normalise result values the same way:
 * int2/int4/int8 → number, numeric → string, date → 'YYYY-MM-DD' string, timestamptz → Date,
 * json/jsonb → parsed value, bool → boolean, text → string.
 */
export interface SqlClient {
  readonly dialect: 'pglite' | 'postgres';
  query<R = Record<string, unknown>>(text: string, params?: readonly unknown[]): Promise<SqlResult<R>>;
  /** Runs one or more statements without parameters (migrations, DDL). */
  exec(sql: string): Promise<void>;
  /** Runs `fn` in one transaction: committed when it resolves, rolled back when it throws. */
  transaction<T>(fn: (tx: SqlClient) => Promise<T>): Promise<T>;
  /**
   * Bulk-loads CSV text with `COPY <target> FROM …` (`/dev/blob` on PGlite, `STDIN` on a server).
   * `target` is the table and column list, e.g. `staging (a, b)`. Returns the number of rows copied.
   */
  copyFromCsv(target: string, csv: string): Promise<number>;
  close(): Promise<void>;
}

export interface SqlResult<R> {
  rows: R[];
  rowCount: number;
}
