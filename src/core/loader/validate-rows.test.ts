import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { routeFile } from './routing-rules.js';
import type { RowBatch } from './types.js';
import { validatePostedRows } from './validate-posted-rows.js';
import { validateRows } from './validate-rows.js';

const datasets = new URL('../../../../shared/datasets/loader/', import.meta.url);
const rule = (file: string) => {
  const found = routeFile(file);
  if (!found) throw new Error(`no rule for ${file}`);
  return found;
};
const hires = rule('hired_employees.csv');

async function collect(chunks: Iterable<string | Uint8Array>, file = 'hired_employees.csv', size?: number) {
  const batches: RowBatch[] = [];
  for await (const batch of validateRows(chunks, rule(file), size)) batches.push(batch);
  return {
    batches,
    valid: batches.flatMap((b) => b.valid),
    rejected: batches.flatMap((b) => b.rejected),
  };
}

/** The file in 4 KiB byte slices, so records and UTF-8 sequences straddle chunk boundaries. */
function* slices(bytes: Uint8Array, size = 4096) {
  for (let at = 0; at < bytes.length; at += size) yield bytes.subarray(at, at + size);
}

describe('validateRows on the real dataset files', () => {
  it.each([
    ['departments.csv', 12, 0],
    ['jobs.csv', 183, 0],
    ['hired_employees.csv', 1929, 70],
  ])('%s: %i valid, %i rejected', async (file, valid, rejected) => {
    const result = await collect(slices(readFileSync(new URL(file, datasets))), file);
    expect(result.valid).toHaveLength(valid);
    expect(result.rejected).toHaveLength(rejected);
    const lines = [...result.valid, ...result.rejected].map((row) => row.line).sort((a, b) => a - b);
    expect(lines).toEqual(Array.from({ length: valid + rejected }, (_, i) => i + 1));
  });

  it('names the missing column of each rejected hire', async () => {
    const { valid, rejected } = await collect([
      readFileSync(new URL('hired_employees.csv', datasets), 'utf8'),
    ]);
    expect(valid[0]).toEqual({ line: 1, values: [1, 'Harold Vogt', '2021-11-07T02:48:42Z', 2, 96] });
    expect(rejected[0]).toEqual({
      line: 2,
      raw: '2,Ty Hofer,2021-05-30T05:43:46Z,8,',
      reasons: ['job_id: is required'],
    });
    const catha = rejected.find((row) => row.raw.startsWith('663,'));
    expect(catha).toEqual({ line: 663, raw: '663,Catha Gowrie,,4,85', reasons: ['datetime: is required'] });
    for (const row of rejected)
      expect(row.reasons.every((reason) => reason.endsWith(': is required'))).toBe(true);
  });

  it('yields bounded batches', async () => {
    const { batches } = await collect(
      [readFileSync(new URL('hired_employees.csv', datasets), 'utf8')],
      undefined,
      500,
    );
    expect(batches.map((b) => b.valid.length + b.rejected.length)).toEqual([500, 500, 500, 499]);
  });
});

describe('validateRows on awkward files', () => {
  it('skips a header row equal to the column names, a BOM, blank lines and CRLF', async () => {
    const text =
      '\uFEFF ID ,Name,DateTime,department_id,JOB_ID\r\n\r\n7,Ann,2021-01-02T03:04:05+02:00,1,2\r\n';
    const { valid, rejected } = await collect([text]);
    expect(rejected).toEqual([]);
    expect(valid).toEqual([{ line: 3, values: [7, 'Ann', '2021-01-02T03:04:05+02:00', 1, 2] }]);
  });

  it('rejects a header row when the rule says there is none', async () => {
    const none = { ...hires, header: 'none' as const };
    const batches: RowBatch[] = [];
    for await (const batch of validateRows(['id,name,datetime,department_id,job_id\n'], none))
      batches.push(batch);
    expect(batches[0]?.rejected[0]?.reasons).toEqual([
      'id: "id" is not an integer',
      'datetime: "datetime" is not an ISO 8601 datetime with an offset (e.g. 2021-07-27T16:02:08Z)',
      'department_id: "department_id" is not an integer',
      'job_id: "job_id" is not an integer',
    ]);
  });

  it('reads quoted fields with commas, doubled quotes and line breaks', async () => {
    const text = '1,"Doe, ""JD""\nJunior",2021-01-01T00:00:00Z,1,1\n2,Bo,2021-01-01T00:00:00Z,1,1';
    const { valid } = await collect([text]);
    expect(valid).toEqual([
      { line: 1, values: [1, 'Doe, "JD"\nJunior', '2021-01-01T00:00:00Z', 1, 1] },
      { line: 3, values: [2, 'Bo', '2021-01-01T00:00:00Z', 1, 1] },
    ]);
  });

  it('gives every reason of a bad row and checks the column count', async () => {
    const text = [
      '1.5,x,2021-02-29T00:00:00Z,1e3,+4',
      '2147483648, ,2021-13-01T00:00:00Z,-1,0',
      '3,y,2021-07-27 16:02:08,1,1',
      '4,z,2021-07-27T16:02:08,1,1',
      '5,only three,2021-07-27T16:02:08Z',
      ' 6 ,w,2020-02-29T23:59:59.123456-05:30,1,1',
    ].join('\n');
    const { valid, rejected } = await collect([text]);
    expect(rejected.map((row) => row.reasons)).toEqual([
      [
        'id: "1.5" is not an integer',
        'datetime: "2021-02-29T00:00:00Z" is not an ISO 8601 datetime with an offset (e.g. 2021-07-27T16:02:08Z)',
        'department_id: "1e3" is not an integer',
        'job_id: "+4" is not an integer',
      ],
      [
        'id: "2147483648" is out of the 32-bit integer range',
        'name: is required',
        'datetime: "2021-13-01T00:00:00Z" is not an ISO 8601 datetime with an offset (e.g. 2021-07-27T16:02:08Z)',
      ],
      [
        'datetime: "2021-07-27 16:02:08" is not an ISO 8601 datetime with an offset (e.g. 2021-07-27T16:02:08Z)',
      ],
      [
        'datetime: "2021-07-27T16:02:08" is not an ISO 8601 datetime with an offset (e.g. 2021-07-27T16:02:08Z)',
      ],
      ['expected 5 columns, found 3'],
    ]);
    expect(valid).toEqual([{ line: 6, values: [6, 'w', '2020-02-29T23:59:59.123456-05:30', 1, 1] }]);
  });

  it('rejects binary garbage without losing a line, and yields nothing for an empty file', async () => {
    const garbage = new Uint8Array([0xff, 0x00, 0xfe, 0x2c, 0x0a, 0x80, 0x81]);
    const { valid, rejected } = await collect([garbage]);
    expect(valid).toEqual([]);
    expect(rejected.map((row) => [row.line, row.reasons])).toEqual([
      [1, ['expected 5 columns, found 2']],
      [2, ['expected 5 columns, found 1']],
    ]);
    expect((await collect([])).batches).toEqual([]);
    expect((await collect(['id,name,datetime,department_id,job_id\n'])).batches).toEqual([]);
  });
});

describe('validatePostedRows', () => {
  it('accepts arrays and objects, and reports bad rows by position', () => {
    const batch = validatePostedRows(
      [
        [1, 'Ann', '2021-01-01T00:00:00Z', 2, 3],
        { id: '2', name: 'Bo', datetime: '2021-01-01T00:00:00Z', department_id: 2, job_id: 3 },
        { id: 3, name: 'Cy', datetime: '2021-01-01T00:00:00Z', department_id: 2, job_id: 3, extra: 1 },
        { id: 4, name: true, datetime: null, department_id: 1.5, job_id: 3 },
        'nope',
      ],
      hires,
    );
    expect(batch.valid.map((row) => row.line)).toEqual([1, 2]);
    expect(batch.rejected.map((row) => [row.line, row.reasons])).toEqual([
      [3, ['extra: is not a column of hired_employees']],
      [4, ['name: expected a string or a number']],
      [5, ['expected an array of fields or an object keyed by column name']],
    ]);
  });

  it('refuses an empty batch and one over 1,000 rows', () => {
    expect(() => validatePostedRows([], hires)).toThrow(/1 to 1000 rows, got 0/);
    expect(() =>
      validatePostedRows(
        Array.from({ length: 1001 }, () => []),
        hires,
      ),
    ).toThrow(/got 1001/);
  });
});
