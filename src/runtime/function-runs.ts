import type { SqlClient } from '../adapters/sql/sql-client.js';
import type { FunctionRun, FunctionRunStats } from '../dashboard/services.js';

/**
 * The log of function runs the dispatcher keeps (`function_runs`: one row per batch a trigger
 * delivered), read for the dashboard.
 */
export function functionRunLog(db: SqlClient) {
  return {
    async recent(options: { functions?: readonly string[]; limit: number }): Promise<FunctionRun[]> {
      const { rows } = await db.query<FunctionRun>(
        `SELECT id::text AS id, function, started_at AS "startedAt", finished_at AS "finishedAt",
           records, failures, error
         FROM function_runs
         WHERE $1::text[] IS NULL OR function = ANY($1::text[])
         ORDER BY id DESC LIMIT $2`,
        [options.functions ? [...options.functions] : null, options.limit],
      );
      return rows;
    },
    async stats(since: Date): Promise<FunctionRunStats[]> {
      const { rows } = await db.query<FunctionRunStats>(
        `SELECT function, count(*)::int8 AS runs, coalesce(sum(records), 0)::int8 AS records,
           coalesce(sum(failures), 0)::int8 AS failures, max(started_at) AS "lastRunAt"
         FROM function_runs WHERE started_at >= $1 GROUP BY function ORDER BY function`,
        [since],
      );
      return rows;
    },
  };
}
