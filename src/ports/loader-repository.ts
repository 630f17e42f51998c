import type { RoutingRule } from '../core/loader/routing-rules.js';
import type { RowBatch } from '../core/loader/types.js';

/** The outcome of one file (or one posted batch) as `loader files` shows it. */
export interface LoaderFile {
  loadFile: string;
  table: string | null;
  status: 'loaded' | 'failed';
  rowsLoaded: number;
  rowsRejected: number;
  loadedAt: Date;
  error: string | null;
}

/** A row kept out of its table. `line` is the 1-based line in the file (or position in a posted batch). */
export interface StoredRejectedRow {
  loadFile: string;
  table: string;
  line: number;
  raw: string;
  reasons: string[];
  rejectedAt: Date;
}

export interface LoadCounts {
  loaded: number;
  rejected: number;
}

export interface HiresByQuarterRow {
  department: string;
  job: string;
  q1: number;
  q2: number;
  q3: number;
  q4: number;
}

export interface DepartmentHires {
  id: number;
  department: string;
  hired: number;
}

/**
 * Persistence of the loader pipeline. One implementation over SQL serves PGlite and a PostgreSQL
 * server.
 *
 * @example
 * const rule = routeFile('hired_employees.csv')!;
 * await repository.loadFile({ file: 'stage/hired_employees.csv', rule, batches: validateRows(chunks, rule), now });
 */
export interface LoaderRepository {
  /**
   * Loads one file in one transaction: that file's earlier rows (in the rule's table and in the
   * rejected rows) are replaced, valid rows are bulk-copied with audit columns, rejected ones kept,
   * and the file's outcome recorded. If `batches` throws, nothing of this load remains.
   */
  loadFile(input: {
    file: string;
    rule: RoutingRule;
    batches: AsyncIterable<RowBatch>;
    now: Date;
  }): Promise<LoadCounts>;
  /**
   * Inserts rows posted to the batch API (1 to 1,000, validated like a file's rows) under the load
   * file `api:<now ISO>:<random>`, keeping invalid ones in the rejected rows.
   *
   * @throws PostedRowsCountError for 0 or more than 1,000 rows.
   */
  insertRows(
    rule: RoutingRule,
    rows: readonly unknown[],
    now: Date,
  ): Promise<LoadCounts & { loadFile: string; rejectedRows: RowBatch['rejected'] }>;
  /** Records a file that could not be loaded at all (its earlier rows, if any, stay). */
  recordFailure(input: { file: string; table: string | null; error: string; now: Date }): Promise<void>;
  listFiles(): Promise<LoaderFile[]>;
  listRejected(filter?: { file?: string; limit?: number }): Promise<StoredRejectedRow[]>;
  /** Hires per department and job by quarter of `year` (UTC), sorted by department then job. */
  hiresByQuarter(year: number): Promise<HiresByQuarterRow[]>;
  /** Departments that hired more in `year` than the mean of the departments that hired that year. */
  departmentsAboveMean(year: number): Promise<DepartmentHires[]>;
}
