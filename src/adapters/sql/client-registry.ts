import type { Clock } from '../../ports/clock.js';
import type { ClientRegistry } from '../../ports/events-repository.js';
import type { SqlClient } from './sql-client.js';

/**
 * The events clients and their token hashes over SQL (table `event_clients` of `005-events.sql`).
 * Adding an existing client without `rotate` changes nothing, even with another hash; rotating to
 * the hash it already has is `exists` too. A hash can belong to one client only: giving it to a
 * second one throws.
 *
 * @example
 * const clients = createSqlClientRegistry(db, systemClock);
 * await clients.addClient('acme', sha256(token));
 * const client = await clients.clientForTokenHash(sha256(bearer));
 */
export function createSqlClientRegistry(db: SqlClient, clock: Clock): ClientRegistry {
  return {
    async addClient(name, tokenHash, options = {}) {
      const now = clock.now();
      return withUniqueHash(name, async () => {
        const created = await db.query(
          `INSERT INTO event_clients (name, token_hash, created_at) VALUES ($1, $2, $3)
           ON CONFLICT (name) DO NOTHING`,
          [name, tokenHash, now],
        );
        if (created.rowCount > 0) return 'created';
        if (!options.rotate) return 'exists';
        const rotated = await db.query(
          `UPDATE event_clients SET token_hash = $2, rotated_at = $3
           WHERE name = $1 AND token_hash <> $2`,
          [name, tokenHash, now],
        );
        return rotated.rowCount > 0 ? 'rotated' : 'exists';
      });
    },

    async clientForTokenHash(tokenHash) {
      const { rows } = await db.query<{ name: string }>(
        'SELECT name FROM event_clients WHERE token_hash = $1',
        [tokenHash],
      );
      return rows[0]?.name;
    },

    async listClients() {
      const { rows } = await db.query<{ name: string; created_at: Date }>(
        'SELECT name, created_at FROM event_clients ORDER BY name',
      );
      return rows.map((row) => ({ name: row.name, createdAt: row.created_at }));
    },
  };
}

/** Turns the unique-hash violation into an error that says what happened. */
async function withUniqueHash<T>(name: string, work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    const { code, constraint } = error as { code?: string; constraint?: string };
    if (code === '23505' && constraint === 'event_clients_token_hash_key')
      throw new Error(`cannot give client "${name}" a token hash that another client already has`, {
        cause: error,
      });
    throw error;
  }
}
