import type { RoutingRule } from '../core/loader/routing-rules.js';
import type { RowBatch } from '../core/loader/types.js';

/** The outcome of one file (or one posted batch) as `loader files` shows it. */
export interface LoaderFile {
  loadFile: string;
  table: string | null;
  /**
   * `loaded`: its rows are in `table` (some may be rejected); `failed`: nothing of this attempt was
   * loaded (an earlier load of the same file, if any, stays); `unmatched`: no routing rule names it.
   */
  status: 'loaded' | 'failed' | 'unmatched';
  rowsLoaded: number;
  rowsRejected: number;
  loadedAt: Date;
  error: string | null;
  /** Where the object now is in its bucket (`processed/…`, `failed/…`, `unmatched/…`), if it moved. */
  movedTo: string | null;
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
    /** Where the object will be moved once this load commits. */
    movedTo?: string;
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
  /**
   * Records a file that was not loaded: `failed` (its earlier rows, if any, stay, with their
   * counts) or `unmatched` (no rule routes it).
   */
  recordNotLoaded(input: {
    file: string;
    table: string | null;
    status: 'failed' | 'unmatched';
    error: string;
    now: Date;
    movedTo?: string;
  }): Promise<void>;
  /** Every file's latest outcome, by name; `file` narrows to one. */
  listFiles(filter?: { file?: string }): Promise<LoaderFile[]>;
  listRejected(filter?: { file?: string; limit?: number }): Promise<StoredRejectedRow[]>;
  /** Hires per department and job by quarter of `year` (UTC), sorted by department then job. */
  hiresByQuarter(year: number): Promise<HiresByQuarterRow[]>;
  /** Departments that hired more in `year` than the mean of the departments that hired that year. */
  departmentsAboveMean(year: number): Promise<DepartmentHires[]>;
}
