import { readdir, readFile } from 'node:fs/promises';
import type { SqlClient } from './sql-client.js';

const migrationsDir = new URL('./migrations/', import.meta.url);

/**
 * Applies the pending migrations (`migrations/NNN-name.sql`, in name order), each in its own
 * transaction. One set of migrations serves PGlite and PostgreSQL. An advisory lock keeps two
 * server processes from migrating at once.
 */
export async function migrate(db: SqlClient): Promise<string[]> {
  const files = (await readdir(migrationsDir)).filter((name) => name.endsWith('.sql')).sort();
  await db.exec(
    'CREATE TABLE IF NOT EXISTS schema_migrations (name text PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())',
  );
  const applied: string[] = [];
  await db.transaction(async (tx) => {
    await tx.query('SELECT pg_advisory_xact_lock(727274)');
    const done = new Set(
      (await tx.query<{ name: string }>('SELECT name FROM schema_migrations')).rows.map((row) => row.name),
    );
    for (const name of files) {
      if (done.has(name)) continue;
      await tx.exec(await readFile(new URL(name, migrationsDir), 'utf8'));
      await tx.query('INSERT INTO schema_migrations (name) VALUES ($1)', [name]);
      applied.push(name);
    }
  });
  return applied;
}
