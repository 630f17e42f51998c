import type { ApiServices } from '../../api/services.js';
import type { DepartmentHires, HiresByQuarterRow, LoaderFile } from '../../ports/loader-repository.js';

/** How many years back from the clock's the page looks for the latest year with hires. */
const LOOKBACK_YEARS = 50;

/** One department's hires of a year, by quarter. */
export interface DepartmentQuarters {
  department: string;
  quarters: [number, number, number, number];
  total: number;
}

/** Both reports of one year, and what the page derives from them. */
export interface LoaderReports {
  year: number;
  hires: HiresByQuarterRow[];
  departments: DepartmentQuarters[];
  aboveMean: DepartmentHires[];
  /** Hires per department that hired that year, on average (`null` when none did). */
  mean: number | null;
  totalHires: number;
}

/**
 * Hires per department by quarter, from the department × job rows (already sorted by
 * department), in the report's order.
 */
export function byDepartment(rows: readonly HiresByQuarterRow[]): DepartmentQuarters[] {
  const departments = new Map<string, DepartmentQuarters>();
  for (const row of rows) {
    const entry = departments.get(row.department) ?? {
      department: row.department,
      quarters: [0, 0, 0, 0],
      total: 0,
    };
    const [q1, q2, q3, q4] = entry.quarters;
    entry.quarters = [q1 + row.q1, q2 + row.q2, q3 + row.q3, q4 + row.q4];
    entry.total += row.q1 + row.q2 + row.q3 + row.q4;
    departments.set(row.department, entry);
  }
  return [...departments.values()];
}

/**
 * Reads both reports of `year`. `hires` may be given when the caller already has them (the
 * latest-year search reads them). The mean is not in the repository's answer, so it is
 * recomputed here from the hires-by-quarter rows, as the repository defines it: over the
 * departments that hired that year, not over every department.
 */
export async function readReports(
  loader: ApiServices['loader'],
  year: number,
  hires?: HiresByQuarterRow[],
): Promise<LoaderReports> {
  const [rows, aboveMean] = await Promise.all([
    hires ?? loader.hiresByQuarter(year),
    loader.departmentsAboveMean(year),
  ]);
  const departments = byDepartment(rows);
  const totalHires = departments.reduce((sum, d) => sum + d.total, 0);
  const mean = departments.length > 0 ? totalHires / departments.length : null;
  return { year, hires: rows, departments, aboveMean, mean, totalHires };
}

/**
 * The year the reports open on: the latest with hires, looking back from the clock's year, else
 * the clock's year. The API lists no years with hires, so this asks year by year (an index range
 * scan each) and only when some file has loaded into `hired_employees`; it returns that year's
 * hires too, so they are not read twice.
 */
export async function latestReportYear(
  services: Pick<ApiServices, 'loader' | 'clock'>,
  files: readonly LoaderFile[],
): Promise<{ year: number; hires?: HiresByQuarterRow[] }> {
  const current = services.clock.now().getUTCFullYear();
  const anyHires = files.some((f) => f.table === 'hired_employees' && f.rowsLoaded > 0);
  if (!anyHires) return { year: current };
  for (let year = current; year > current - LOOKBACK_YEARS; year -= 1) {
    const hires = await services.loader.hiresByQuarter(year);
    if (hires.length > 0) return { year, hires };
  }
  return { year: current };
}
