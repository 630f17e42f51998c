import type { OpenAPIHono } from '@hono/zod-openapi';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MAX_DATASET_BODY_BYTES } from '../src/api/routes/datasets.js';
import { ManualClock } from '../src/runtime/clock.js';
import type { Fabric } from '../src/runtime/fabric.js';
import { openTestFabric } from './support/test-fabric.js';

let fabric: Fabric;
let app: OpenAPIHono;
let close = async () => {};
const clock = new ManualClock('2024-09-01T00:00:00Z');

beforeAll(async () => {
  ({ fabric, app, close } = await openTestFabric('datasets-api', { clock }));
});
afterAll(() => close());

interface Posted {
  table: string;
  loadFile: string;
  loaded: number;
  rejected: number;
  rejectedRows: { line: number; raw: string; reasons: string[] }[];
  error?: { code: string; message: string };
}

interface ErrorBody {
  error: { code: string; message: string };
}

function request(path: string, init: RequestInit = {}, token: string | null = fabric.adminToken) {
  const headers = new Headers(init.headers);
  if (token !== null) headers.set('authorization', `Bearer ${token}`);
  return app.request(path, { ...init, headers });
}

const postBody = (table: string, body: string) =>
  request(`/datasets/${table}/rows`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body,
  });
const post = (table: string, rows: unknown) => postBody(table, JSON.stringify({ rows }));

async function expectRefusal(
  response: Response | Promise<Response>,
  status: number,
  message: string | RegExp,
) {
  const res = await response;
  const body = (await res.json()) as ErrorBody;
  expect(res.status, JSON.stringify(body)).toBe(status);
  expect(body.error.message).toMatch(message);
  return body;
}

const get = async <T>(path: string) => {
  const res = await request(path);
  expect(res.status, path).toBe(200);
  return (await res.json()) as T;
};

const employee = (id: number, extra: Record<string, unknown> = {}) => ({
  id,
  name: `Employee ${id}`,
  datetime: '2021-07-27T16:02:08Z',
  department_id: 1,
  job_id: 2,
  ...extra,
});

describe('POST /datasets/:table/rows', () => {
  it('inserts rows given as objects or as arrays, with audit columns', async () => {
    const res = await post('jobs', [
      { id: 1, job: 'Marketing Assistant' },
      [2, 'VP Sales'],
      ['3', ' Biostatistician '],
    ]);
    expect(res.status).toBe(201);
    const body = (await res.json()) as Posted;
    expect(body).toEqual({
      table: 'jobs',
      loadFile: expect.stringMatching(/^api:2024-09-01T00:00:00\.000Z:/),
      loaded: 3,
      rejected: 0,
      rejectedRows: [],
    });
    const { rows } = await fabric.db.query<{
      id: number;
      job: string;
      load_row_number: number;
      load_ts: Date;
    }>('SELECT id, job, load_row_number, load_ts FROM jobs WHERE load_file = $1 ORDER BY load_row_number', [
      body.loadFile,
    ]);
    expect(rows.map(({ id, job, load_row_number }) => [id, job, load_row_number])).toEqual([
      [1, 'Marketing Assistant', 1],
      [2, 'VP Sales', 2],
      [3, 'Biostatistician', 3],
    ]);
    expect(new Date(rows[0]?.load_ts ?? 0).toISOString()).toBe('2024-09-01T00:00:00.000Z');

    const hires = await post('hired_employees', [
      employee(10),
      [11, 'Ty Hofer', '2021-05-30T05:43:46+02:00', 8, 3],
    ]);
    expect(hires.status).toBe(201);
    const { loadFile } = (await hires.json()) as Posted;
    const stored = await fabric.db.query<{ id: number; name: string; datetime: Date; job_id: number }>(
      'SELECT id, name, datetime, job_id FROM hired_employees WHERE load_file = $1 ORDER BY id',
      [loadFile],
    );
    expect(stored.rows.map((r) => [r.id, r.name, new Date(r.datetime).toISOString(), r.job_id])).toEqual([
      [10, 'Employee 10', '2021-07-27T16:02:08.000Z', 2],
      [11, 'Ty Hofer', '2021-05-30T03:43:46.000Z', 3],
    ]);
  });

  it('inserts the valid rows of a mixed batch and keeps each invalid one with its reasons', async () => {
    const res = await post('hired_employees', [
      employee(20),
      { id: 21, name: 'No Job', datetime: '2021-01-01T00:00:00Z', department_id: 1 },
      employee(22, { manager: 'Alice' }),
      [23, 'Extra', '2021-01-01T00:00:00Z', 1, 2, 'surplus'],
      employee(24, { department_id: 'sales' }),
      employee(25, { job_id: true }),
      employee(26, { datetime: '2021-02-30T10:00:00Z' }),
      'just a string',
      42,
      null,
    ]);
    expect(res.status).toBe(201);
    const body = (await res.json()) as Posted;
    expect(body.loaded).toBe(1);
    expect(body.rejected).toBe(9);
    const neither = 'expected an array of fields or an object keyed by column name';
    expect(body.rejectedRows.map(({ line, reasons }) => ({ line, reasons }))).toEqual([
      { line: 2, reasons: ['job_id: is required'] },
      { line: 3, reasons: ['manager: is not a column of hired_employees'] },
      { line: 4, reasons: ['expected 5 columns, found 6'] },
      { line: 5, reasons: ['department_id: "sales" is not an integer'] },
      { line: 6, reasons: ['job_id: expected a string or a number'] },
      {
        line: 7,
        reasons: [
          'datetime: "2021-02-30T10:00:00Z" is not an ISO 8601 datetime with an offset (e.g. 2021-07-27T16:02:08Z)',
        ],
      },
      { line: 8, reasons: [neither] },
      { line: 9, reasons: [neither] },
      { line: 10, reasons: [neither] },
    ]);
    expect(body.rejectedRows[0]?.raw).toBe(
      '{"id":21,"name":"No Job","datetime":"2021-01-01T00:00:00Z","department_id":1}',
    );

    const ids = await fabric.db.query<{ id: number }>('SELECT id FROM hired_employees WHERE load_file = $1', [
      body.loadFile,
    ]);
    expect(ids.rows.map((r) => r.id)).toEqual([20]);

    const kept = await get<{
      rows: {
        loadFile: string;
        table: string;
        line: number;
        raw: string;
        reasons: string[];
        rejectedAt: string;
      }[];
    }>(`/loader/rejected?file=${encodeURIComponent(body.loadFile)}`);
    expect(kept.rows.map(({ line, raw, reasons }) => ({ line, raw, reasons }))).toEqual(body.rejectedRows);
    expect(kept.rows.every((r) => r.table === 'hired_employees' && r.loadFile === body.loadFile)).toBe(true);
    expect(kept.rows[0]?.rejectedAt).toBe('2024-09-01T00:00:00.000Z');

    const files = await get<{ files: unknown[] }>(`/loader/files?file=${encodeURIComponent(body.loadFile)}`);
    expect(files.files).toEqual([
      {
        loadFile: body.loadFile,
        table: 'hired_employees',
        status: 'loaded',
        rowsLoaded: 1,
        rowsRejected: 9,
        loadedAt: '2024-09-01T00:00:00.000Z',
        error: null,
        movedTo: null,
      },
    ]);
  });

  it('answers 422 when every row is rejected, and keeps them', async () => {
    const res = await post('departments', [{ id: 'x', department: 'Sales' }, ['1']]);
    expect(res.status).toBe(422);
    const body = (await res.json()) as Posted;
    expect(body).toMatchObject({ table: 'departments', loaded: 0, rejected: 2 });
    expect(body.rejectedRows.map((r) => r.reasons)).toEqual([
      ['id: "x" is not an integer'],
      ['expected 2 columns, found 1'],
    ]);
    expect(body.error?.code).toBe('all_rows_rejected');
    expect(body.error?.message).toMatch(/^none of the 2 rows is valid, so nothing was inserted/);
    const kept = await get<{ rows: unknown[] }>(`/loader/rejected?file=${encodeURIComponent(body.loadFile)}`);
    expect(kept.rows).toHaveLength(2);
  });

  it('accepts exactly 1,000 rows and refuses 0 or 1,001 with 400, storing nothing', async () => {
    const before = (await get<{ files: unknown[] }>('/loader/files')).files.length;
    const rows = (n: number) => Array.from({ length: n }, (_, i) => [1000 + i, `Job ${i}`]);
    await expectRefusal(post('jobs', []), 400, 'rows: expected 1 to 1000 rows, got 0');
    await expectRefusal(post('jobs', rows(1001)), 400, 'rows: expected 1 to 1000 rows, got 1001');
    expect((await get<{ files: unknown[] }>('/loader/files')).files).toHaveLength(before);

    const res = await post('jobs', rows(1000));
    expect(res.status).toBe(201);
    const body = (await res.json()) as Posted;
    expect(body).toMatchObject({ loaded: 1000, rejected: 0 });
    const count = await fabric.db.query<{ n: number }>(
      'SELECT count(*)::int AS n FROM jobs WHERE load_file = $1',
      [body.loadFile],
    );
    expect(count.rows[0]?.n).toBe(1000);
  });

  it('answers 404 for a table no rule loads, naming the tables', async () => {
    const body = await expectRefusal(
      post('employees', [[1, 'x']]),
      404,
      'no loader table "employees"; the tables are: departments, jobs, hired_employees',
    );
    expect(body.error.code).toBe('unknown_table');
  });

  it('refuses a body that is not {"rows": [...]} with 400, saying what and where', async () => {
    const cases: [string, string | RegExp][] = [
      ['', 'Request body is empty'],
      [
        '{"rows": [[1, "a"]',
        'Request body is not valid JSON: unexpected end of input at column 19 (position 18)',
      ],
      ['{"rows": [[1, a]]}', /^Request body is not valid JSON: .* at column 15 \(position 14\)$/],
      ['[[1, "a"]]', 'Request body must be a JSON object {"rows": [...]}, got an array'],
      [
        '{}',
        'rows must be an array of rows (objects keyed by column name or arrays in column order), got nothing',
      ],
      ['{"rows": {"id": 1}}', /^rows must be an array .*, got an object$/],
      ['{"rows": "1,a"}', /^rows must be an array .*, got "1,a"$/],
      ['{"rows": [[1, "a"]], "table": "jobs"}', 'Request body has unknown fields "table"'],
    ];
    for (const [body, message] of cases) {
      const refused = await expectRefusal(postBody('jobs', body), 400, message);
      expect(refused.error.code, body).toBe('invalid_rows');
    }
  });

  it('refuses a body over the size limit with 400', async () => {
    const big = JSON.stringify({ rows: [[1, 'x'.repeat(MAX_DATASET_BODY_BYTES)]] });
    await expectRefusal(postBody('jobs', big), 400, `the limit is ${MAX_DATASET_BODY_BYTES} bytes`);
  });

  it('needs the admin token', async () => {
    const res = await request('/datasets/jobs/rows', { method: 'POST', body: '{"rows":[[1,"a"]]}' }, null);
    expect(res.status).toBe(401);
    expect((await request('/loader/files', {}, 'trc_not-a-token')).status).toBe(403);
  });
});

describe('GET /loader/files and /loader/rejected', () => {
  it('lists files by name, narrows to one, and limits rejected rows', async () => {
    const { files } = await get<{ files: { loadFile: string; loadedAt: string }[] }>('/loader/files');
    expect(files.length).toBeGreaterThan(2);
    expect(files.map((f) => f.loadFile)).toEqual([...files.map((f) => f.loadFile)].sort());
    expect(files.every((f) => f.loadedAt === '2024-09-01T00:00:00.000Z')).toBe(true);
    expect((await get<{ files: unknown[] }>('/loader/files?file=stage/none.csv')).files).toEqual([]);
    expect((await get<{ rows: unknown[] }>('/loader/rejected?limit=1')).rows).toHaveLength(1);
    expect((await get<{ rows: unknown[] }>('/loader/rejected')).rows).toHaveLength(11);
  });

  it('refuses a limit outside 1 to 10,000 and an empty file name with 400', async () => {
    for (const query of ['limit=0', 'limit=10001', 'limit=ten', 'limit=1.5', 'file=']) {
      await expectRefusal(request(`/loader/rejected?${query}`), 400, /^invalid request: /);
    }
    await expectRefusal(request('/loader/files?file='), 400, /^invalid request: file: /);
  });
});
