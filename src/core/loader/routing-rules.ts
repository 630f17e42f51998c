import { z } from 'zod';

/** The column types a loader table may use; each maps to one PostgreSQL type of the same name. */
export type ColumnType = 'int' | 'text' | 'timestamptz';

export interface LoaderColumn {
  name: string;
  type: ColumnType;
}

/**
 * How a file's first row is treated: `none` reads every row as data; `optional` skips a first row
 * whose cells equal the column names (trimmed, case-insensitive).
 */
export type HeaderPolicy = 'none' | 'optional';

/** Where a landing file goes: the first rule whose pattern matches the object's basename wins. */
export interface RoutingRule {
  /** Matched against the basename of the object key (`stage/a/jobs.csv` → `jobs.csv`). */
  pattern: RegExp;
  table: string;
  columns: readonly LoaderColumn[];
  header: HeaderPolicy;
}

/**
 * The rules of DESIGN.md ("loader"): one table per file family, files without a header. The
 * patterns are the globs `departments*.csv`, … : `s` lets `.*` cross U+2028 and U+2029, which a
 * key may hold, so such a name is routed like any other instead of moving to `unmatched/`.
 */
export const defaultRoutingRules: readonly RoutingRule[] = Object.freeze([
  {
    pattern: /^departments.*\.csv$/s,
    table: 'departments',
    columns: [
      { name: 'id', type: 'int' },
      { name: 'department', type: 'text' },
    ],
    header: 'optional',
  },
  {
    pattern: /^jobs.*\.csv$/s,
    table: 'jobs',
    columns: [
      { name: 'id', type: 'int' },
      { name: 'job', type: 'text' },
    ],
    header: 'optional',
  },
  {
    pattern: /^hired_employees.*\.csv$/s,
    table: 'hired_employees',
    columns: [
      { name: 'id', type: 'int' },
      { name: 'name', type: 'text' },
      { name: 'datetime', type: 'timestamptz' },
      { name: 'department_id', type: 'int' },
      { name: 'job_id', type: 'int' },
    ],
    header: 'optional',
  },
]);

/** Names interpolated into SQL (tables, columns) must match this; they are quoted as well. */
export const SQL_IDENTIFIER = /^[a-z_][a-z0-9_]{0,62}$/;

/** Columns the loader adds to every target table; a rule may not declare them. */
export const AUDIT_COLUMNS: readonly string[] = ['load_file', 'load_row_number', 'load_ts'];

/**
 * Tables of Tributary's own state (the fabric and the other pipelines; see the SQL migrations).
 * A rule may not load into one: its rows would be replaced or mixed with the system's.
 * `routing-rules.test.ts` checks the list against the migrations.
 */
export const SYSTEM_TABLES: readonly string[] = Object.freeze([
  'objects',
  'queue_messages',
  'bus_events',
  'function_runs',
  'statement_transactions',
  'statement_accounts',
  'statement_file_reports',
  'outbox',
  'stream_shards',
  'stream_records',
  'stream_checkpoints',
  'event_sequences',
  'events',
  'events_rejected',
  'event_consumers',
  'event_clients',
  'workflow_executions',
  'workflow_history',
  'schedules',
  'orders',
  'alerts',
  'loader_rejected_rows',
  'loader_files',
  'schema_migrations',
]);

const identifier = z
  .string()
  .regex(SQL_IDENTIFIER, 'must be a lower-case SQL identifier matching ^[a-z_][a-z0-9_]{0,62}$');

// Strict, as the columns are: a misspelt `header` would otherwise be dropped and `optional` used.
const ruleSchema = z.strictObject({
  pattern: z
    .string()
    .min(1)
    .superRefine((source, ctx) => {
      try {
        new RegExp(source);
      } catch (error) {
        ctx.addIssue({ code: 'custom', message: `does not compile: ${(error as Error).message}` });
      }
    }),
  table: identifier.refine((name) => !SYSTEM_TABLES.includes(name), {
    error: (issue) => `"${issue.input}" is one of Tributary's own tables: load into a table of your own`,
  }),
  columns: z
    .array(z.object({ name: identifier, type: z.enum(['int', 'text', 'timestamptz']) }).strict())
    .min(1)
    .superRefine((columns, ctx) => {
      const seen = new Set<string>();
      columns.forEach((column, index) => {
        if (AUDIT_COLUMNS.includes(column.name))
          ctx.addIssue({
            code: 'custom',
            path: [index, 'name'],
            message: `"${column.name}" is an audit column`,
          });
        if (seen.has(column.name))
          ctx.addIssue({
            code: 'custom',
            path: [index, 'name'],
            message: `"${column.name}" is declared twice`,
          });
        seen.add(column.name);
      });
    }),
  header: z.enum(['none', 'optional']).default('optional'),
});

const rulesSchema = z.array(ruleSchema);

/** A routing-rules file that does not describe valid rules; the message names each bad field. */
export class RoutingRulesError extends Error {
  override readonly name = 'RoutingRulesError';
}

/**
 * Reads routing rules from JSON text: either an array of rules or `{"rules": [...]}`. Each rule
 * is `{"pattern": "^jobs.*\\.csv$", "table": "jobs", "columns": [{"name": "id", "type": "int"}, …],
 * "header": "optional"}` (`header` defaults to `optional`).
 *
 * @throws RoutingRulesError naming the rule index and field of every problem.
 */
export function parseRoutingRules(json: string): RoutingRule[] {
  let data: unknown;
  try {
    data = JSON.parse(json);
  } catch (error) {
    throw new RoutingRulesError(`routing rules are not valid JSON: ${(error as Error).message}`);
  }
  const list = isRecord(data) && 'rules' in data ? data.rules : data;
  const parsed = rulesSchema.safeParse(list);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => {
      const [index, ...field] = issue.path;
      if (index === undefined) return `expected an array of rules or {"rules": [...]}: ${issue.message}`;
      return `rule ${String(index)}${field.length ? ` ${field.join('.')}` : ''}: ${issue.message}`;
    });
    throw new RoutingRulesError(`invalid routing rules: ${problems.join('; ')}`);
  }
  return parsed.data.map((rule) => ({ ...rule, pattern: new RegExp(rule.pattern) }));
}

/** The first rule whose pattern matches `basename`, or undefined when the file matches none. */
export function routeFile(
  basename: string,
  rules: readonly RoutingRule[] = defaultRoutingRules,
): RoutingRule | undefined {
  return rules.find((rule) => rule.pattern.test(basename));
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
