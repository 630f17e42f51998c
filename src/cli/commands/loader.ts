import type { Command } from 'commander';
import { CliError, call } from '../backend.js';
import { emit, table } from '../output.js';
import type { Run } from './run.js';

/** A loader file as `GET /loader/files` returns it. */
export interface LoaderFileJson {
  loadFile: string;
  table: string | null;
  status: 'loaded' | 'failed' | 'unmatched';
  rowsLoaded: number;
  rowsRejected: number;
  loadedAt: string;
  error: string | null;
  movedTo: string | null;
}

interface RejectedRowJson {
  loadFile: string;
  table: string;
  line: number;
  raw: string;
  reasons: string[];
  rejectedAt: string;
}

const MAX_LIMIT = 10_000;

/**
 * One line on what became of a file: `loaded into jobs: 183 rows, 0 rejected; moved to …`,
 * `failed: <error>; moved to failed/…` or `unmatched: <note>; moved to unmatched/…`.
 */
export function describeLoaderFile(file: LoaderFileJson): string {
  const moved = file.movedTo ? `; moved to ${file.movedTo}` : '';
  if (file.status === 'loaded') {
    return `loaded into ${file.table}: ${file.rowsLoaded} rows, ${file.rowsRejected} rejected${moved}`;
  }
  return `${file.status}: ${file.error ?? 'no reason recorded'}${moved}`;
}

export function registerLoaderCommands(program: Command, run: Run): void {
  const loader = program
    .command('loader')
    .description('the loader pipeline: what became of each landing file, and the rows it rejected');

  loader
    .command('files')
    .description('every loaded, failed or unmatched file (and posted batch), with its counts')
    .option('--json', 'machine-readable output')
    .action((options: { json?: boolean }) =>
      run(async (backend) => {
        const { files } = await call<{ files: LoaderFileJson[] }>(backend, 'GET', '/loader/files');
        emit(!!options.json, files, () => {
          if (files.length === 0) return 'no files loaded yet (put CSV files into landing/stage/)';
          const rows = files.map((f) => [
            f.loadFile,
            f.status,
            f.table,
            f.rowsLoaded,
            f.rowsRejected,
            f.movedTo,
          ]);
          const lines = [
            table(['file', 'outcome', 'table', 'rows loaded', 'rows rejected', 'moved to'], rows),
          ];
          const notLoaded = files.filter((f) => f.status !== 'loaded');
          if (notLoaded.length) lines.push('');
          for (const f of notLoaded) lines.push(`${f.loadFile} ${f.status}: ${f.error ?? '—'}`);
          return lines.join('\n');
        });
      }),
    );

  loader
    .command('rejected')
    .description('rows kept out of their table, with every reason')
    .option('--file <file>', 'only the rows of this file (e.g. stage/hired_employees.csv)')
    .option('--limit <n>', `at most this many rows (1 to ${MAX_LIMIT})`, '1000')
    .option('--json', 'machine-readable output')
    .action((options: { file?: string; limit: string; json?: boolean }) =>
      run(async (backend) => {
        const limit = Number(options.limit);
        if (!/^\d+$/.test(options.limit) || limit < 1 || limit > MAX_LIMIT) {
          throw new CliError(`--limit must be a whole number from 1 to ${MAX_LIMIT}, not "${options.limit}"`);
        }
        const query = new URLSearchParams({ limit: String(limit) });
        if (options.file !== undefined) query.set('file', options.file);
        const { rows } = await call<{ rows: RejectedRowJson[] }>(backend, 'GET', `/loader/rejected?${query}`);
        emit(!!options.json, rows, () =>
          rows.length === 0
            ? 'no rejected rows'
            : table(
                ['file', 'line', 'reasons', 'raw'],
                rows.map((r) => [r.loadFile, r.line, r.reasons.join('; '), r.raw]),
              ),
        );
      }),
    );
}
