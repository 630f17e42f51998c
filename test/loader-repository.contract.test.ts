import { readFileSync } from 'node:fs';
import { beforeAll, beforeEach, expect, it } from 'vitest';
import { createSqlLoaderRepository } from '../src/adapters/sql/loader-repository.js';
import { routeFile } from '../src/core/loader/routing-rules.js';
import type { RowBatch } from '../src/core/loader/types.js';
import { validateRows } from '../src/core/loader/validate-rows.js';
import type { LoaderRepository } from '../src/ports/loader-repository.js';
import { ManualClock } from '../src/runtime/clock.js';
import { describeEachDriver } from './support/sql-drivers.js';

const datasets = new URL('../../shared/datasets/loader/', import.meta.url);
const FILES = ['departments.csv', 'jobs.csv', 'hired_employees.csv'] as const;
const text = (file: string) => readFileSync(new URL(file, datasets), 'utf8');
const ruleFor = (file: string) => {
  const rule = routeFile(file);
  if (!rule) throw new Error(`no rule for ${file}`);
  return rule;
};

/**
 * The 2021 reports computed from the raw files with plain string handling, independently of the
 * loader: the files hold no quotes, so a line is valid when it has the right number of non-empty
 * comma-separated fields.
 */
/** Id of the Support department in departments.csv. */
const SUPPORT = 8;

function reference(year: number) {
  const rows = (file: string, width: number) =>
    text(file)
      .split('\n')
      .map((line) => line.split(','))
      .filter((cells) => cells.length === width && cells.every((cell) => cell !== ''));
  const departments = new Map(rows('departments.csv', 2).map(([id, name]) => [Number(id), name!]));
  const jobs = new Map(rows('jobs.csv', 2).map(([id, name]) => [Number(id), name!]));
  const quarters = new Map<string, { department: string; job: string; q: number[] }>();
  const perDepartment = new Map<number, number>();
  for (const [, , datetime, departmentId, jobId] of rows('hired_employees.csv', 5)) {
    const when = new Date(datetime!);
    if (when.getUTCFullYear() !== year) continue;
    const department = departments.get(Number(departmentId));
    const job = jobs.get(Number(jobId));
    // Both reports count a hire only when its department and its job are known.
    if (department === undefined || job === undefined) continue;
    perDepartment.set(Number(departmentId), (perDepartment.get(Number(departmentId)) ?? 0) + 1);
    const key = `${department}\u0000${job}`;
    const entry = quarters.get(key) ?? { department, job, q: [0, 0, 0, 0] };
    entry.q[Math.floor(when.getUTCMonth() / 3)]! += 1;
    quarters.set(key, entry);
  }
  const byQuarter = [...quarters.entries()]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([, { department, job, q }]) => ({ department, job, q1: q[0], q2: q[1], q3: q[2], q4: q[3] }));
  const counts = [...perDepartment.values()];
  const mean = counts.reduce((sum, n) => sum + n, 0) / counts.length;
  const aboveMean = [...perDepartment.entries()]
    .filter(([, hired]) => hired > mean)
    .sort(([idA, a], [idB, b]) => b - a || idA - idB)
    .map(([id, hired]) => ({ id, department: departments.get(id), hired }));
  return { byQuarter, aboveMean };
}

async function* chunked(content: string, size = 1000): AsyncGenerator<string> {
  for (let at = 0; at < content.length; at += size) yield content.slice(at, at + size);
}

describeEachDriver('LoaderRepository contract (sql)', (getDb) => {
  let clock: ManualClock;
  let repo: LoaderRepository;
  const load = (file: string, batchRows = 500) => {
    const rule = ruleFor(file);
    return repo.loadFile({
      file: `stage/${file}`,
      rule,
      batches: validateRows(chunked(text(file)), rule, batchRows),
      now: clock.now(),
    });
  };
  const count = async (sql: string, params: unknown[] = []) =>
    (await getDb().query<{ n: number }>(sql, params)).rows[0]!.n;
  const totals = async () => ({
    departments: await count('SELECT count(*)::int AS n FROM departments'),
    jobs: await count('SELECT count(*)::int AS n FROM jobs'),
    hires: await count('SELECT count(*)::int AS n FROM hired_employees'),
    rejected: await count('SELECT count(*)::int AS n FROM loader_rejected_rows'),
  });

  beforeAll(() => {
    // Guards against a reference that is vacuous for the pinned year.
    expect(reference(2021).byQuarter.length).toBeGreaterThan(10);
  });

  beforeEach(async () => {
    await getDb().exec(
      'DELETE FROM departments; DELETE FROM jobs; DELETE FROM hired_employees; DELETE FROM loader_rejected_rows; DELETE FROM loader_files;',
    );
    clock = new ManualClock('2024-09-01T12:00:00Z');
    repo = createSqlLoaderRepository(getDb());
  });

  it('loads the three real files, keeping every rejected row with its line and reasons', async () => {
    // Employees first: upload order does not matter.
    expect(await load('hired_employees.csv')).toEqual({ loaded: 1929, rejected: 70 });
    expect(await load('departments.csv')).toEqual({ loaded: 12, rejected: 0 });
    expect(await load('jobs.csv')).toEqual({ loaded: 183, rejected: 0 });
    expect(await totals()).toEqual({ departments: 12, jobs: 183, hires: 1929, rejected: 70 });

    const first = await getDb().query<Record<string, unknown>>(
      `SELECT id, name, datetime, department_id, job_id, load_file, load_row_number, load_ts
       FROM hired_employees WHERE load_row_number = 1`,
    );
    expect(first.rows).toEqual([
      {
        id: 1,
        name: 'Harold Vogt',
        datetime: new Date('2021-11-07T02:48:42Z'),
        department_id: 2,
        job_id: 96,
        load_file: 'stage/hired_employees.csv',
        load_row_number: 1,
        load_ts: clock.now(),
      },
    ]);
    const rejected = await repo.listRejected({ file: 'stage/hired_employees.csv', limit: 2 });
    expect(rejected).toEqual([
      {
        loadFile: 'stage/hired_employees.csv',
        table: 'hired_employees',
        line: 2,
        raw: '2,Ty Hofer,2021-05-30T05:43:46Z,8,',
        reasons: ['job_id: is required'],
        rejectedAt: clock.now(),
      },
      expect.objectContaining({
        line: expect.any(Number),
        reasons: [expect.stringMatching(/: is required$/)],
      }),
    ]);
    expect(
      (await repo.listFiles()).map((f) => [f.loadFile, f.table, f.status, f.rowsLoaded, f.rowsRejected]),
    ).toEqual([
      ['stage/departments.csv', 'departments', 'loaded', 12, 0],
      ['stage/hired_employees.csv', 'hired_employees', 'loaded', 1929, 70],
      ['stage/jobs.csv', 'jobs', 'loaded', 183, 0],
    ]);
  });

  it('replaces a file’s rows when it is loaded again: every count unchanged', async () => {
    for (const file of FILES) await load(file);
    const before = await totals();
    clock.advance(60_000);
    expect(await load('hired_employees.csv', 10_000)).toEqual({ loaded: 1929, rejected: 70 });
    expect(await totals()).toEqual(before);
    expect(await count('SELECT count(DISTINCT load_ts)::int AS n FROM hired_employees')).toBe(1);
    expect(
      await count('SELECT count(*)::int AS n FROM hired_employees WHERE load_ts = $1', [clock.now()]),
    ).toBe(1929);
  });

  it('rolls a load back whole when the file fails half-way, leaving the earlier load intact', async () => {
    for (const file of FILES) await load(file);
    const before = await totals();
    const rule = ruleFor('hired_employees.csv');
    async function* failing(): AsyncGenerator<RowBatch> {
      let n = 0;
      for await (const batch of validateRows(chunked(text('hired_employees.csv')), rule, 500)) {
        if (++n === 3) throw new Error('disk on fire');
        yield batch;
      }
    }
    clock.advance(60_000);
    await expect(
      repo.loadFile({ file: 'stage/hired_employees.csv', rule, batches: failing(), now: clock.now() }),
    ).rejects.toThrow('disk on fire');
    expect(await totals()).toEqual(before);
    expect(
      await count('SELECT count(*)::int AS n FROM hired_employees WHERE load_ts = $1', [clock.now()]),
    ).toBe(0);
    expect((await repo.listFiles()).find((f) => f.table === 'hired_employees')?.loadedAt).toEqual(
      new Date('2024-09-01T12:00:00Z'),
    );

    await repo.recordNotLoaded({
      file: 'stage/hired_employees.csv',
      table: 'hired_employees',
      status: 'failed',
      error: 'disk on fire',
      now: clock.now(),
    });
    const failed = (await repo.listFiles()).find((f) => f.table === 'hired_employees');
    expect(failed).toMatchObject({ status: 'failed', error: 'disk on fire', rowsLoaded: 1929 });
  });

  it('pins the 2021 reports to values computed from the raw files', async () => {
    for (const file of FILES) await load(file);
    const expected = reference(2021);
    expect(await repo.hiresByQuarter(2021)).toEqual(expected.byQuarter);
    expect(await repo.departmentsAboveMean(2021)).toEqual(expected.aboveMean);
    expect(await repo.hiresByQuarter(1999)).toEqual([]);
    expect(await repo.departmentsAboveMean(1999)).toEqual([]);
  });

  it('counts a repeated department id once, named by its latest load', async () => {
    for (const file of FILES) await load(file);
    const before = await repo.departmentsAboveMean(2021);
    const rule = ruleFor('departments.csv');
    clock.advance(1000);
    await repo.loadFile({
      file: 'stage/departments_renamed.csv',
      rule,
      batches: validateRows([`${before[0]!.id},Renamed\n`], rule),
      now: clock.now(),
    });
    expect(await repo.departmentsAboveMean(2021)).toEqual([
      { ...before[0]!, department: 'Renamed' },
      ...before.slice(1),
    ]);
  });

  it('counts in both reports only the hires whose department and job are known', async () => {
    for (const file of FILES) await load(file);
    const rule = ruleFor('hired_employees.csv');
    // Ten Support hires in 2021 with a job that no jobs file names.
    const unknownJob = Array.from(
      { length: 10 },
      (_, i) => `${900_000 + i},Nobody ${i},2021-03-01T10:00:00Z,${SUPPORT},999999\n`,
    );
    await repo.loadFile({
      file: 'stage/hired_employees_unknown_job.csv',
      rule,
      batches: validateRows(unknownJob, rule),
      now: clock.now(),
    });
    const expected = reference(2021);
    expect(await repo.departmentsAboveMean(2021)).toEqual(expected.aboveMean);
    expect(await repo.hiresByQuarter(2021)).toEqual(expected.byQuarter);
  });

  it('inserts posted rows with COPY and keeps the invalid ones', async () => {
    const rule = ruleFor('jobs.csv');
    const result = await repo.insertRows(
      rule,
      [[1, 'Tester'], { id: 2, job: '' }, { id: '3', job: 'Pilot' }],
      clock.now(),
    );
    expect(result).toMatchObject({
      loaded: 2,
      rejected: 1,
      loadFile: expect.stringMatching(/^api:2024-09-01T12:00:00.000Z:/),
    });
    expect(result.rejectedRows).toEqual([
      { line: 2, raw: '{"id":2,"job":""}', reasons: ['job: is required'] },
    ]);
    const rows = await getDb().query('SELECT id, job, load_file, load_row_number FROM jobs ORDER BY id');
    expect(rows.rows).toEqual([
      { id: 1, job: 'Tester', load_file: result.loadFile, load_row_number: 1 },
      { id: 3, job: 'Pilot', load_file: result.loadFile, load_row_number: 3 },
    ]);
    expect(await repo.listRejected({ file: result.loadFile })).toEqual([
      expect.objectContaining({ table: 'jobs', line: 2, reasons: ['job: is required'] }),
    ]);
    await expect(repo.insertRows(rule, [], clock.now())).rejects.toThrow(/1 to 1000 rows/);
  });

  it('keeps text with quotes, commas, line breaks and NUL-bearing garbage intact or visible', async () => {
    const rule = ruleFor('jobs.csv');
    const content = '1,"Chief ""Fun"", Officer\nof fun"\n\u0000\u0001,x\n2,\\.\n';
    expect(
      await repo.loadFile({
        file: 'stage/jobs_odd.csv',
        rule,
        batches: validateRows([content], rule),
        now: clock.now(),
      }),
    ).toEqual({ loaded: 2, rejected: 1 });
    const rows = await getDb().query('SELECT id, job FROM jobs ORDER BY id');
    expect(rows.rows).toEqual([
      { id: 1, job: 'Chief "Fun", Officer\nof fun' },
      { id: 2, job: '\\.' },
    ]);
    const [garbage] = await repo.listRejected({ file: 'stage/jobs_odd.csv' });
    expect(garbage).toMatchObject({ line: 3, raw: '\uFFFD\u0001,x' });
  });
});
