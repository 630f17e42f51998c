import { z } from 'zod';
import { migrate } from '../adapters/sql/migrate.js';
import { openPostgres } from '../adapters/sql/pg-client.js';
import type { SqlClient } from '../adapters/sql/sql-client.js';
import { forgetSecret, secretText } from './secrets.js';

/**
 * The loader database (RDS PostgreSQL) of a Lambda container: one small pool, opened on first
 * use from the RDS secret, with the migrations applied once per container (the advisory lock in
 * `migrate` makes concurrent cold starts safe: one applies, the others wait and find them done).
 *
 * The migrations are read from `migrations/` beside the module that runs `migrate`: in a bundle,
 * beside the bundle's `index.mjs` (the CDK bundling copies `src/adapters/sql/migrations` there).
 */

/**
 * The secret RDS generates for its master user (Secrets Manager JSON). `sslmode` is not one of
 * its fields: absent, it is `verify-full` (TLS, certificate and host name checked against the RDS
 * CA, which Lambda's Node runtimes load with `NODE_EXTRA_CA_CERTS=/var/runtime/ca-cert.pem`);
 * `disable` serves a test server without TLS.
 */
const rdsSecret = z.object({
  host: z.string().min(1),
  port: z.coerce.number().int().min(1).max(65_535).default(5432),
  username: z.string().min(1),
  password: z.string(),
  dbname: z.string().min(1).default('postgres'),
  sslmode: z.enum(['verify-full', 'disable']).default('verify-full'),
});

export type RdsSecret = z.input<typeof rdsSecret>;

/** Connections per container: a Lambda serves one request at a time (a load holds one). */
const POOL_SIZE = 2;

/** The `postgres://` URL of a parsed RDS secret (credentials URL-encoded). */
export function connectionUrl(secretJson: string, secretId: string): string {
  let value: unknown;
  try {
    value = JSON.parse(secretJson);
  } catch {
    throw new Error(`database secret "${secretId}" is not JSON (expected RDS's {host, port, username, …})`);
  }
  const parsed = rdsSecret.safeParse(value);
  if (!parsed.success) {
    throw new Error(`database secret "${secretId}" is not an RDS secret: ${z.prettifyError(parsed.error)}`);
  }
  const { host, port, username, password, dbname, sslmode } = parsed.data;
  const url = new URL(`postgres://${host}:${port}/`);
  url.username = encodeURIComponent(username);
  url.password = encodeURIComponent(password);
  url.pathname = `/${encodeURIComponent(dbname)}`;
  url.searchParams.set('sslmode', sslmode);
  return url.toString();
}

/** PostgreSQL `invalid_password`: only at connect, so the call it failed never ran. */
const isRefusedPassword = (error: unknown) => (error as { code?: string } | null)?.code === '28P01';

/**
 * A SqlClient over the database of `secretId` that survives a rotated password: a connection
 * refused for its password (a new connection of the pool, after Secrets Manager rotated it)
 * re-reads the secret, reopens the pool and runs the call again, once.
 */
export function rotatingSqlClient(
  secretId: string,
  open: (url: string) => Promise<SqlClient> = (url) => openPostgres(url, POOL_SIZE),
): SqlClient {
  let current: Promise<SqlClient> | undefined;
  const reopen = () => {
    const opening = secretText(secretId).then((text) => open(connectionUrl(text, secretId)));
    opening.catch(() => {
      if (current === opening) current = undefined;
    });
    current = opening;
    return opening;
  };
  const withDb = async <T>(call: (db: SqlClient) => Promise<T>): Promise<T> => {
    const db = await (current ?? reopen());
    try {
      return await call(db);
    } catch (error) {
      if (!isRefusedPassword(error)) throw error;
      forgetSecret(secretId);
      if (current && (await current.catch(() => undefined)) === db) current = undefined;
      await db.close().catch(() => {});
      return call(await (current ?? reopen()));
    }
  };
  return {
    dialect: 'postgres',
    query: (text, params) => withDb((db) => db.query(text, params)),
    exec: (sql) => withDb((db) => db.exec(sql)),
    transaction: (fn) => withDb((db) => db.transaction(fn)),
    copyFromCsv: (target, csv) => withDb((db) => db.copyFromCsv(target, csv)),
    async close() {
      const db = await current?.catch(() => undefined);
      current = undefined;
      await db?.close();
    },
  };
}

const databases = new Map<string, Promise<SqlClient>>();

/**
 * The migrated loader database of this container (opened and migrated on the first call; a
 * failure is not kept, so the next invocation tries again).
 *
 * @example
 * const repository = createSqlLoaderRepository(await loaderDatabase(env.DB_SECRET_ARN));
 */
export function loaderDatabase(secretId: string): Promise<SqlClient> {
  let database = databases.get(secretId);
  if (!database) {
    const db = rotatingSqlClient(secretId);
    database = migrate(db).then(() => db);
    databases.set(secretId, database);
    database.catch(() => {
      databases.delete(secretId);
      void db.close().catch(() => {});
    });
  }
  return database;
}

/** Closes every loader database this container opened (tests; Lambda just freezes the container). */
export async function closeLoaderDatabases(): Promise<void> {
  const open = [...databases.values()];
  databases.clear();
  await Promise.all(open.map(async (database) => (await database.catch(() => undefined))?.close()));
}
