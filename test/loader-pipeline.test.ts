import { createHash } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ingestLandingFile } from '../src/core/loader/ingest-landing-file.js';
import type { LoaderFile } from '../src/ports/loader-repository.js';
import { ManualClock } from '../src/runtime/clock.js';
import { type Fabric, openFabric } from '../src/runtime/fabric.js';
import { datasets } from './support/cli.js';
import { type PostgresServer, postgresAvailability, startPostgresServer } from './support/postgres-server.js';

/** The fabric clock when a test starts: files move to `…_20240901-120000.csv` until it moves. */
const STAMP = '20240901-120000';

const availability = postgresAvailability();
const skipped = 'skipped' in availability ? availability.skipped : undefined;
if (skipped) console.warn(`[loader pipeline on PostgreSQL] skipped: ${skipped}`);

describe.each([
  { driver: 'pglite', skip: undefined },
  { driver: 'postgres', skip: skipped },
] as const)('loader pipeline [$driver]', ({ driver, skip }) => {
  let fabric: Fabric;
  let dataDir: string;
  let server: PostgresServer | undefined;
  const clock = new ManualClock('2024-09-01T12:00:00Z');
  /** The `YYYYMMDD-HHMMSS` of moved files at the clock's current time. */
  const stampNow = () => clock.now().toISOString().slice(0, 19).replace(/[-:]/g, '').replace('T', '-');

  beforeAll(async () => {
    if (skip) return;
    dataDir = await mkdtemp(join(tmpdir(), 'tributary-loader-'));
    if (driver === 'postgres') {
      const started = await startPostgresServer();
      if ('skipped' in started) throw new Error(started.skipped);
      server = started;
    }
    const rulesFile = join(dataDir, 'rules.json');
    await writeFile(rulesFile, JSON.stringify(customRules));
    fabric = await openFabric({
      dataDir,
      databaseUrl: server?.url,
      smtpUrl: undefined,
      mailFrom: 'loader@test.local',
      loaderRulesFile: rulesFile,
      clock,
    });
  });
  afterAll(async () => {
    await fabric?.close();
    await server?.stop();
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  });

  /** Puts `body` at `landing/<key>`, runs the loader, and returns the file's outcome. */
  async function land(key: string, body: string | Uint8Array): Promise<LoaderFile | undefined> {
    await fabric.objects.put({ bucket: 'landing', key, body });
    expect(await fabric.dispatcher.settle()).toEqual({ settled: true });
    return (await fabric.loader.listFiles({ file: key }))[0];
  }

  const keys = async (prefix: string) => (await fabric.objects.list('landing', prefix)).map((o) => o.key);

  const text = async (key: string) => {
    const chunks: Uint8Array[] = [];
    for await (const chunk of fabric.objects.read('landing', key)) chunks.push(chunk);
    return Buffer.concat(chunks);
  };

  async function rowsOf(table: string, file: string): Promise<Record<string, unknown>[]> {
    const { rows } = await fabric.db.query<Record<string, unknown>>(
      `SELECT * FROM ${table} WHERE load_file = $1 ORDER BY load_row_number`,
      [file],
    );
    return rows;
  }

  async function totals() {
    const count = async (table: string) =>
      (await fabric.db.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${table}`)).rows[0]?.n;
    return {
      departments: await count('departments'),
      jobs: await count('jobs'),
      hired: await count('hired_employees'),
      rejected: await count('loader_rejected_rows'),
      byQuarter: await fabric.loader.hiresByQuarter(2021),
      aboveMean: await fabric.loader.departmentsAboveMean(2021),
    };
  }

  describe.skipIf(skip !== undefined)(skip ? `(skipped: ${skip})` : 'on this driver', () => {
    beforeEach(() => clock.set('2024-09-01T12:00:00Z'));

    it('loads the three real files, employees first, and moves each to processed/<table>/', async () => {
      const hired = await land('stage/hired_employees.csv', await dataset('hired_employees.csv'));
      expect(hired).toMatchObject({
        status: 'loaded',
        table: 'hired_employees',
        rowsLoaded: 1929,
        rowsRejected: 70,
      });
      // No department or job yet: the hires are stored, and reports join them once names arrive.
      expect(await fabric.loader.departmentsAboveMean(2021)).toEqual([]);

      expect(await land('stage/departments.csv', await dataset('departments.csv'))).toMatchObject({
        status: 'loaded',
        rowsLoaded: 12,
        rowsRejected: 0,
      });
      expect(await land('stage/jobs.csv', await dataset('jobs.csv'))).toMatchObject({
        status: 'loaded',
        rowsLoaded: 183,
        rowsRejected: 0,
      });

      expect(await keys('stage/')).toEqual([]);
      expect(await keys('processed/')).toEqual([
        `processed/departments/departments_${STAMP}.csv`,
        `processed/hired_employees/hired_employees_${STAMP}.csv`,
        `processed/jobs/jobs_${STAMP}.csv`,
      ]);
      expect(hired?.movedTo).toBe(`processed/hired_employees/hired_employees_${STAMP}.csv`);
      expect(await text(`processed/jobs/jobs_${STAMP}.csv`)).toEqual(await dataset('jobs.csv'));

      const rejected = await fabric.loader.listRejected({ file: 'stage/hired_employees.csv' });
      expect(rejected).toHaveLength(70);
      for (const row of rejected) {
        expect(row.reasons.length).toBeGreaterThan(0);
        expect(row.reasons.join()).toMatch(/is required/);
      }
      const aboveMean = await fabric.loader.departmentsAboveMean(2021);
      expect(aboveMean[0]).toEqual({ id: 8, department: 'Support', hired: 216 });
    });

    it('leaves every count unchanged when hired_employees.csv is uploaded again', async () => {
      const before = await totals();
      clock.advance(1_000);
      const again = await land('stage/hired_employees.csv', await dataset('hired_employees.csv'));
      expect(again).toMatchObject({ status: 'loaded', rowsLoaded: 1929, rowsRejected: 70 });
      expect(await totals()).toEqual(before);
      expect(again?.movedTo).toBe('processed/hired_employees/hired_employees_20240901-120001.csv');
    });

    it('keeps the exact text of quoted fields with commas, doubled quotes and line breaks', async () => {
      const csv = 'id,job\r\n1,"Research, ""Labs"""\r\n2,"Two\nlines"\r\n3,  Plain  \r\n';
      expect(await land('stage/jobs-quoted.csv', csv)).toMatchObject({ status: 'loaded', rowsLoaded: 3 });
      const rows = await rowsOf('jobs', 'stage/jobs-quoted.csv');
      expect(rows.map((r) => [r.id, r.job, r.load_row_number])).toEqual([
        [1, 'Research, "Labs"', 2],
        [2, 'Two\nlines', 3],
        [3, 'Plain', 5],
      ]);
    });

    it('reads CRLF line endings and a byte-order mark', async () => {
      const bom = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from('7,Welder\r\n8,Baker\r\n')]);
      expect(await land('stage/jobs-bom.csv', bom)).toMatchObject({
        status: 'loaded',
        rowsLoaded: 2,
        rowsRejected: 0,
      });
      const rows = await rowsOf('jobs', 'stage/jobs-bom.csv');
      expect(rows.map((r) => [r.id, r.job])).toEqual([
        [7, 'Welder'],
        [8, 'Baker'],
      ]);
    });

    it('loads the valid rows of a file and keeps each bad one with every reason', async () => {
      const csv = [
        '1,Ana,2021-03-01T10:00:00Z,1,1',
        '2,Bo,2021-03-01T10:00:00Z,1',
        'x,,yesterday,1,1',
        '4,Jos\u00e9,2021-13-01T00:00:00Z,1,1',
      ].join('\n');
      const latin1 = Buffer.concat([
        Buffer.from(`${csv}\n`),
        Buffer.from([0x35, 0x2c, 0x4a, 0x6f, 0x73, 0xe9]),
        Buffer.from(',2021-03-01T10:00:00Z,1,1\n'),
      ]);
      expect(await land('stage/hired_employees_mixed.csv', latin1)).toMatchObject({
        status: 'loaded',
        rowsLoaded: 1,
        rowsRejected: 4,
      });
      const rejected = await fabric.loader.listRejected({ file: 'stage/hired_employees_mixed.csv' });
      expect(rejected.map((r) => [r.line, r.raw, r.reasons])).toEqual([
        [2, '2,Bo,2021-03-01T10:00:00Z,1', ['expected 5 columns, found 4']],
        [
          3,
          'x,,yesterday,1,1',
          [
            'id: "x" is not an integer',
            'name: is required',
            'datetime: "yesterday" is not an ISO 8601 datetime with an offset (e.g. 2021-07-27T16:02:08Z)',
          ],
        ],
        [
          4,
          '4,José,2021-13-01T00:00:00Z,1,1',
          [
            'datetime: "2021-13-01T00:00:00Z" is not an ISO 8601 datetime with an offset (e.g. 2021-07-27T16:02:08Z)',
          ],
        ],
        [
          5,
          '5,Jos\uFFFD,2021-03-01T10:00:00Z,1,1',
          ['name: "Jos\uFFFD" is not valid UTF-8 (files must be UTF-8 encoded)'],
        ],
      ]);
      // The file itself, bytes as sent, is kept under processed/.
      expect(await text(`processed/hired_employees/hired_employees_mixed_${STAMP}.csv`)).toEqual(latin1);
    });

    it('loads a header-only file as zero rows', async () => {
      expect(await land('stage/jobs-header.csv', 'id,job\n')).toMatchObject({
        status: 'loaded',
        rowsLoaded: 0,
        rowsRejected: 0,
        movedTo: `processed/jobs/jobs-header_${STAMP}.csv`,
      });
    });

    it.each([
      ['an empty file', 'jobs-empty.csv', Buffer.alloc(0), 'the file is empty (0 bytes)'],
      [
        'only blank lines',
        'jobs-blank.csv',
        Buffer.from('\r\n\n  \n'),
        'the file has no rows (6 bytes of blank lines)',
      ],
      [
        'a wrong column count on every row',
        'jobs-wide.csv',
        Buffer.from('1,a,b\n2,c,d\n'),
        'none of its 2 rows is valid',
      ],
      ['binary garbage', 'jobs-garbage.csv', garbage(4096), 'rows is valid, so nothing was loaded'],
    ])(
      'fails %s: it moves to failed/ with an .error.json, and no earlier row is lost',
      async (_, name, body, error) => {
        const key = `stage/${name}`;
        // An earlier, good version of the same file: a failed reload must leave it in place.
        expect(await land(key, '1,Welder\n')).toMatchObject({ status: 'loaded', rowsLoaded: 1 });
        clock.advance(1_000);
        const outcome = await land(key, body);
        const base = `failed/${name.replace('.csv', '')}_${stampNow()}`;
        expect(outcome).toMatchObject({
          status: 'failed',
          table: 'jobs',
          rowsLoaded: 1,
          movedTo: `${base}.csv`,
        });
        expect(outcome?.error).toContain(error);
        expect(await rowsOf('jobs', key)).toHaveLength(1);
        expect(await text(`${base}.csv`)).toEqual(body);
        const report = JSON.parse((await text(`${base}.error.json`)).toString()) as Record<string, unknown>;
        expect(report).toMatchObject({ file: key, table: 'jobs', movedTo: `${base}.csv` });
        expect(report.error).toContain(error);
        expect(await keys('stage/')).toEqual([]);
      },
    );

    it('lists the reasons of a file with no valid row in its .error.json', async () => {
      await land('stage/departments-wide.csv', '1,Sales,extra\n2,HR,extra\n');
      const report = JSON.parse((await text(`failed/departments-wide_${STAMP}.error.json`)).toString()) as {
        rowsRejected: number;
        rejected: { line: number; raw: string; reasons: string[] }[];
      };
      expect(report.rowsRejected).toBe(2);
      expect(report.rejected).toEqual([
        { line: 1, raw: '1,Sales,extra', reasons: ['expected 2 columns, found 3'] },
        { line: 2, raw: '2,HR,extra', reasons: ['expected 2 columns, found 3'] },
      ]);
    });

    it('moves a file no rule names to unmatched/ with a note, and ignores keys outside stage/', async () => {
      const outcome = await land('stage/salaries.csv', '1,100\n');
      expect(outcome).toMatchObject({
        status: 'unmatched',
        table: null,
        movedTo: `unmatched/salaries_${STAMP}.csv`,
      });
      expect(outcome?.error).toContain('no routing rule matches "salaries.csv"');
      const note = JSON.parse((await text(`unmatched/salaries_${STAMP}.note.json`)).toString()) as {
        note: string;
      };
      expect(note.note).toContain('^departments.*\\.csv$');
      expect(await text(`unmatched/salaries_${STAMP}.csv`)).toEqual(Buffer.from('1,100\n'));

      // The bus rule only routes stage/*.csv; the function refuses anything else on its own too.
      expect(await land('inbox/jobs.csv', '1,Welder\n')).toBeUndefined();
      expect(await land('stage/jobs.txt', '1,Welder\n')).toBeUndefined();
      expect(await keys('inbox/')).toEqual(['inbox/jobs.csv']);
      expect(
        await ingestLandingFile(
          { bucket: 'landing', key: 'inbox/jobs.csv' },
          { objects: fabric.objects, repository: fabric.loader, rules: fabric.loaderRules, clock },
        ),
      ).toMatchObject({ kind: 'ignored' });
    });

    it('routes by basename below stage/ and never overwrites a file moved in the same second', async () => {
      await land('stage/2024/q3/jobs-sub.csv', '1,Welder\n');
      await land('stage/jobs-sub.csv', '2,Baker\n');
      expect(await keys('processed/jobs/jobs-sub')).toEqual([
        `processed/jobs/jobs-sub_${STAMP}-2.csv`,
        `processed/jobs/jobs-sub_${STAMP}.csv`,
      ]);
    });

    it('creates the table of a configured rule and loads into it', async () => {
      expect(fabric.loaderRules.map((rule) => rule.table)).toEqual([
        'products',
        'departments',
        'jobs',
        'hired_employees',
      ]);
      const outcome = await land(
        'stage/products-2024.csv',
        'sku,price,listed\nA-1,250,2024-01-01T00:00:00+02:00\nB-2,x,2024-01-01T00:00:00Z\n',
      );
      expect(outcome).toMatchObject({ status: 'loaded', table: 'products', rowsLoaded: 1, rowsRejected: 1 });
      const rows = await rowsOf('products', 'stage/products-2024.csv');
      expect(rows.map((r) => [r.sku, r.price, new Date(r.listed as string).toISOString()])).toEqual([
        ['A-1', 250, '2023-12-31T22:00:00.000Z'],
      ]);
    });
  });
});

const customRules = {
  rules: [
    {
      pattern: '^products.*\\.csv$',
      table: 'products',
      columns: [
        { name: 'sku', type: 'text' },
        { name: 'price', type: 'int' },
        { name: 'listed', type: 'timestamptz' },
      ],
    },
    ...['departments', 'jobs', 'hired_employees'].map((table) => ({
      pattern: `^${table}.*\\.csv$`,
      table,
      columns:
        table === 'hired_employees'
          ? [
              { name: 'id', type: 'int' },
              { name: 'name', type: 'text' },
              { name: 'datetime', type: 'timestamptz' },
              { name: 'department_id', type: 'int' },
              { name: 'job_id', type: 'int' },
            ]
          : [
              { name: 'id', type: 'int' },
              { name: table === 'jobs' ? 'job' : 'department', type: 'text' },
            ],
    })),
  ],
};

function dataset(name: string): Promise<Buffer> {
  return readFile(join(datasets, 'loader', name));
}

/** Pseudo-random bytes from a hash chain: the same "binary garbage" on every run. */
function garbage(size: number): Buffer {
  const blocks: Buffer[] = [];
  for (let i = 0; blocks.length * 32 < size; i++)
    blocks.push(createHash('sha256').update(`garbage ${i}`).digest());
  return Buffer.concat(blocks).subarray(0, size);
}
