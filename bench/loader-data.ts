/**
 * Loader benchmark data: a seeded `hired_employees` CSV shaped like
 * /work/shared/datasets/loader/hired_employees.csv (no header; `id,name,datetime,department_id,job_id`;
 * datetimes in 2021–2022 as `2021-11-07T02:48:42Z`; 12 departments, 183 jobs). About 5% of the rows
 * are invalid the way the real file's are: one field left empty (name, datetime, department_id or
 * job_id; the real sample has 70 such rows in 1,999). Streamed to disk 10,000 rows at a time, never
 * held in memory; the same seed and row count give the same bytes on every run.
 */
import { once } from 'node:events';
import { createWriteStream, type WriteStream } from 'node:fs';
import { prng } from './prng.js';

export const SEED = 20240801;
export const INVALID_RATE = 0.05;
const DEPARTMENTS = 12;
const JOBS = 183;
const START_MS = Date.UTC(2021, 0, 1);
const SPAN_SECONDS = 2 * 365 * 86_400;
const CHUNK_ROWS = 10_000;

const FIRST = [
  'Harold',
  'Ty',
  'Lyman',
  'Lotti',
  'Gretna',
  'Marlow',
  'Joan',
  'Ulrick',
  'Lucretia',
  'Arty',
  'Libbi',
  'Jacky',
  'Raine',
  'Melonie',
  'Robers',
  'Bone',
  'Andee',
  'Gay',
  'Loralie',
  'Tobi',
];
const LAST = [
  'Vogt',
  'Hofer',
  'Hadye',
  'Crowthe',
  'Lording',
  'Antecki',
  'Rillett',
  'Nucciotti',
  'Northcote',
  'Giacobo',
  'Dowtry',
  'Oldred',
  'Mowett',
  'Slocomb',
  'Swinden',
  'Serridge',
  'Tillot',
  'Philbin',
  'Dundin',
  'Lawton',
];

export interface GenerateOptions {
  /** Rows to write; or, with `minBytes`, as many as it takes to reach that size. */
  rows?: number;
  minBytes?: number;
  /** Also write the valid rows alone here (psql `\copy` cannot skip invalid rows). */
  validOnlyFile?: string;
  seed?: number;
}

export interface GeneratedFile {
  rows: number;
  valid: number;
  invalid: number;
  bytes: number;
  validOnlyBytes: number;
}

async function write(out: WriteStream, text: string): Promise<void> {
  if (!out.write(text)) await once(out, 'drain');
}

async function finish(out: WriteStream): Promise<void> {
  out.end();
  await once(out, 'finish');
}

/**
 * Writes a `hired_employees` file to `file` (and its valid rows alone to `validOnlyFile`);
 * returns exact counts of what it wrote.
 */
export async function generateHiredEmployees(file: string, options: GenerateOptions): Promise<GeneratedFile> {
  const { rows = Number.POSITIVE_INFINITY, minBytes = Number.POSITIVE_INFINITY } = options;
  if (!Number.isFinite(rows) && !Number.isFinite(minBytes)) throw new Error('give rows or minBytes');
  const random = prng(options.seed ?? SEED);
  const out = createWriteStream(file);
  const validOut = options.validOnlyFile ? createWriteStream(options.validOnlyFile) : undefined;
  const result: GeneratedFile = { rows: 0, valid: 0, invalid: 0, bytes: 0, validOnlyBytes: 0 };
  try {
    while (result.rows < rows && result.bytes < minBytes) {
      const end = Math.min(rows, result.rows + CHUNK_ROWS);
      let chunk = '';
      let validChunk = '';
      for (let i = result.rows; i < end; i += 1) {
        const name = `${FIRST[Math.floor(random() * FIRST.length)]} ${LAST[Math.floor(random() * LAST.length)]}`;
        const at = new Date(START_MS + Math.floor(random() * SPAN_SECONDS) * 1000);
        const fields = [
          String(i + 1),
          name,
          `${at.toISOString().slice(0, 19)}Z`,
          String(1 + Math.floor(random() * DEPARTMENTS)),
          String(1 + Math.floor(random() * JOBS)),
        ];
        if (random() < INVALID_RATE) {
          fields[1 + Math.floor(random() * 4)] = '';
          result.invalid += 1;
          chunk += `${fields.join(',')}\n`;
        } else {
          const line = `${fields.join(',')}\n`;
          result.valid += 1;
          chunk += line;
          validChunk += line;
        }
      }
      result.rows = end;
      result.bytes += Buffer.byteLength(chunk);
      result.validOnlyBytes += Buffer.byteLength(validChunk);
      await write(out, chunk);
      if (validOut) await write(validOut, validChunk);
    }
  } finally {
    await finish(out);
    if (validOut) await finish(validOut);
  }
  return result;
}
