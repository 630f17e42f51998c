import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { datasets, tributary } from './support/cli.js';

interface LoaderFile {
  loadFile: string;
  table: string | null;
  status: string;
  rowsLoaded: number;
  rowsRejected: number;
  loadedAt: string;
  error: string | null;
  movedTo: string | null;
}

/**
 * The acceptance flow of DESIGN.md ("loader"), one CLI process per command as a user types them,
 * in-process over one data dir. The tests run in order and build on each other.
 */
describe('tributary put landing/stage/… and tributary loader', { timeout: 120_000 }, () => {
  let dir: string;
  let env: Record<string, string>;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'tributary-loader-cli-'));
    env = { TRIBUTARY_DATA_DIR: join(dir, 'data') };
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  const cli = async (args: string[]) => {
    const result = await tributary(args, env);
    expect(result.code, `tributary ${args.join(' ')}\n${result.stderr}`).toBe(0);
    return result.stdout;
  };
  const putJson = async (name: string) =>
    JSON.parse(
      await cli(['put', join(datasets, 'loader', name), `landing/stage/${name}`, '--wait', '--json']),
    ) as { settled: boolean; loader?: LoaderFile; deadLetters: unknown[] };
  const counts = (files: LoaderFile[]) =>
    files.map(({ loadFile, table, status, rowsLoaded, rowsRejected }) => ({
      loadFile,
      table,
      status,
      rowsLoaded,
      rowsRejected,
    }));

  it('loads hired employees first, then departments and jobs, each reporting its counts', async () => {
    const expected: [string, string, number, number][] = [
      ['hired_employees.csv', 'hired_employees', 1929, 70],
      ['departments.csv', 'departments', 12, 0],
      ['jobs.csv', 'jobs', 183, 0],
    ];
    for (const [name, table, loaded, rejected] of expected) {
      const put = await putJson(name);
      expect(put.settled).toBe(true);
      expect(put.deadLetters).toEqual([]);
      expect(put.loader).toMatchObject({
        loadFile: `stage/${name}`,
        table,
        status: 'loaded',
        rowsLoaded: loaded,
        rowsRejected: rejected,
        error: null,
        movedTo: expect.stringMatching(new RegExp(`^processed/${table}/${table}_\\d{8}-\\d{6}\\.csv$`)),
      });
    }
  });

  it('moves the three files to processed/ and lists them with tributary loader files', async () => {
    const ls = await cli(['ls', 'landing/processed/']);
    expect(ls).toMatch(/^processed\/departments\/departments_\d{8}-\d{6}\.csv /m);
    expect(ls).toMatch(/^processed\/hired_employees\/hired_employees_\d{8}-\d{6}\.csv /m);
    expect(ls).toMatch(/^processed\/jobs\/jobs_\d{8}-\d{6}\.csv /m);
    expect(ls.trimEnd().split('\n')).toHaveLength(4);

    const files = JSON.parse(await cli(['loader', 'files', '--json'])) as LoaderFile[];
    expect(counts(files)).toEqual([
      {
        loadFile: 'stage/departments.csv',
        table: 'departments',
        status: 'loaded',
        rowsLoaded: 12,
        rowsRejected: 0,
      },
      {
        loadFile: 'stage/hired_employees.csv',
        table: 'hired_employees',
        status: 'loaded',
        rowsLoaded: 1929,
        rowsRejected: 70,
      },
      { loadFile: 'stage/jobs.csv', table: 'jobs', status: 'loaded', rowsLoaded: 183, rowsRejected: 0 },
    ]);
  });

  it('lists the 70 rejected rows of hired_employees.csv, each with its reasons', async () => {
    const rows = JSON.parse(
      await cli(['loader', 'rejected', '--file', 'stage/hired_employees.csv', '--json']),
    ) as { loadFile: string; line: number; raw: string; reasons: string[] }[];
    expect(rows).toHaveLength(70);
    expect(rows.every((r) => r.loadFile === 'stage/hired_employees.csv' && r.reasons.length > 0)).toBe(true);
    expect(rows[0]).toMatchObject({
      line: 2,
      raw: '2,Ty Hofer,2021-05-30T05:43:46Z,8,',
      reasons: ['job_id: is required'],
    });
  });

  it('loads hired_employees.csv again without changing any count, and says so in words', async () => {
    const filesBefore = counts(JSON.parse(await cli(['loader', 'files', '--json'])) as LoaderFile[]);
    const report = ['report', 'departments-above-mean', '--year', '2021', '--format', 'json'];
    const reportBefore = await cli(report);
    expect(JSON.parse(reportBefore)[0]).toEqual({ id: 8, department: 'Support', hired: 216 });

    const again = await cli([
      'put',
      join(datasets, 'loader', 'hired_employees.csv'),
      'landing/stage/hired_employees.csv',
      '--wait',
    ]);
    expect(again).toMatch(
      /^loaded into hired_employees: 1929 rows, 70 rejected; moved to processed\/hired_employees\/hired_employees_\d{8}-\d{6}(-2)?\.csv$/m,
    );
    expect(again).toContain('tributary loader rejected --file stage/hired_employees.csv');

    expect(counts(JSON.parse(await cli(['loader', 'files', '--json'])) as LoaderFile[])).toEqual(filesBefore);
    expect(await cli(report)).toBe(reportBefore);
  });
});
