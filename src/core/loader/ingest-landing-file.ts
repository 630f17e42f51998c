import type { Clock } from '../../ports/clock.js';
import type { LoaderRepository } from '../../ports/loader-repository.js';
import { ObjectNotFoundError, type ObjectStore } from '../../ports/object-store.js';
import { type RoutingRule, routeFile } from './routing-rules.js';
import type { RejectedRow, RowBatch } from './types.js';
import { validateRows } from './validate-rows.js';

/** Where landing files arrive; keys elsewhere in the bucket are the loader's own output. */
export const STAGE_PREFIX = 'stage/';

/** Rejected rows quoted in a failed file's `.error.json` (the count is always exact). */
export const MAX_REPORTED_ROWS = 100;

export interface LoaderIngestDeps {
  objects: ObjectStore;
  repository: LoaderRepository;
  rules: readonly RoutingRule[];
  clock: Clock;
}

export type LandingOutcome =
  | { kind: 'ignored'; key: string; reason: string }
  | { kind: 'missing'; key: string }
  | { kind: 'unmatched'; key: string; movedTo: string }
  | { kind: 'loaded'; key: string; table: string; loaded: number; rejected: number; movedTo: string }
  | { kind: 'failed'; key: string; table: string; error: string; movedTo: string };

/**
 * A file whose content cannot be loaded as a whole: it goes to `failed/`, and an earlier load of
 * the same file stays in place.
 */
export class FileRejectedError extends Error {
  override readonly name = 'FileRejectedError';
  constructor(
    message: string,
    readonly rejectedCount = 0,
    readonly rejected: readonly RejectedRow[] = [],
  ) {
    super(message);
  }
}

/**
 * Handles one object created in the landing bucket: routes it by basename, loads it in one
 * transaction (valid rows copied, rejected ones kept) and moves it, copy then delete, to
 * `processed/<table>/<name>_<YYYYMMDD-HHMMSS>.csv`. A file no rule names moves to `unmatched/`
 * with a `.note.json`; a file that cannot be loaded moves to `failed/` with an `.error.json`.
 *
 * A file fails when it is empty (no bytes, or only blank lines) or when none of its rows is valid
 * (a wrong column count, another table's file, binary data): loading it would only erase that
 * file's earlier rows. A header-only file loads zero rows.
 *
 * Running it again is safe: the load replaces the file's rows, and once moved the object is gone
 * from `stage/`, so a redelivered event finds it missing and does nothing.
 */
export async function ingestLandingFile(
  input: { bucket: string; key: string },
  deps: LoaderIngestDeps,
): Promise<LandingOutcome> {
  const { bucket, key } = input;
  if (!key.startsWith(STAGE_PREFIX) || key.endsWith('/')) {
    return { kind: 'ignored', key, reason: `only files under ${STAGE_PREFIX} are loaded` };
  }
  const info = await deps.objects.head(bucket, key);
  if (!info) return { kind: 'missing', key };
  const basename = key.slice(key.lastIndexOf('/') + 1);
  const now = deps.clock.now();
  const rule = routeFile(basename, deps.rules);

  if (!rule) {
    const note = `no routing rule matches "${basename}" (patterns: ${deps.rules.map((r) => r.pattern.source).join(', ') || 'none'})`;
    const movedTo = await freeKey(deps.objects, bucket, `unmatched/${stamped(basename, now)}`);
    await deps.repository.recordNotLoaded({
      file: key,
      table: null,
      status: 'unmatched',
      error: note,
      now,
      movedTo,
    });
    await writeJson(deps.objects, bucket, sidecar(movedTo, 'note'), {
      file: key,
      movedTo,
      at: now.toISOString(),
      note,
    });
    await move(deps.objects, bucket, key, movedTo);
    return { kind: 'unmatched', key, movedTo };
  }

  const movedTo = await freeKey(deps.objects, bucket, `processed/${rule.table}/${stamped(basename, now)}`);
  const seen: ByteStats = { bytes: 0, content: false };
  try {
    // Opened before the load's transaction: an embedded database has one connection, and the
    // store may need it to open the object.
    const body = await opened(deps.objects.read(bucket, key));
    const counts = await deps.repository.loadFile({
      file: key,
      rule,
      batches: wholeFileChecks(validateRows(countBytes(body, seen), rule), seen),
      now,
      movedTo,
    });
    await move(deps.objects, bucket, key, movedTo);
    return { kind: 'loaded', key, table: rule.table, ...counts, movedTo };
  } catch (error) {
    if (error instanceof ObjectNotFoundError) return { kind: 'missing', key };
    if (!(error instanceof FileRejectedError)) throw error;
    const failedTo = await freeKey(deps.objects, bucket, `failed/${stamped(basename, now)}`);
    await deps.repository.recordNotLoaded({
      file: key,
      table: rule.table,
      status: 'failed',
      error: error.message,
      now,
      movedTo: failedTo,
    });
    await writeJson(deps.objects, bucket, sidecar(failedTo, 'error'), {
      file: key,
      movedTo: failedTo,
      table: rule.table,
      at: now.toISOString(),
      error: error.message,
      rowsRejected: error.rejectedCount,
      rejected: error.rejected,
    });
    await move(deps.objects, bucket, key, failedTo);
    return { kind: 'failed', key, table: rule.table, error: error.message, movedTo: failedTo };
  }
}

/** `hired_employees.csv` at 2021-07-27T16:02:08Z → `hired_employees_20210727-160208.csv`. */
export function stamped(basename: string, at: Date): string {
  const dot = basename.lastIndexOf('.');
  const [name, extension] = dot > 0 ? [basename.slice(0, dot), basename.slice(dot)] : [basename, ''];
  const stamp = at
    .toISOString()
    .replace(/\.\d+Z$/, '')
    .replaceAll('-', '')
    .replaceAll(':', '')
    .replace('T', '-');
  return `${name}_${stamp}${extension}`;
}

/** `failed/x_…csv` → `failed/x_….error.json`: the report beside the moved file. */
function sidecar(movedTo: string, kind: 'error' | 'note'): string {
  const base = movedTo.replace(/\.[^./]*$/, '');
  return `${base}.${kind}.json`;
}

/** The key itself, or `name-2.csv`, `name-3.csv`… when two files land on one name in one second. */
async function freeKey(objects: ObjectStore, bucket: string, key: string): Promise<string> {
  const dot = key.lastIndexOf('.');
  const [base, extension] = dot > key.lastIndexOf('/') ? [key.slice(0, dot), key.slice(dot)] : [key, ''];
  for (let n = 1; ; n++) {
    const candidate = n === 1 ? key : `${base}-${n}${extension}`;
    if (!(await objects.head(bucket, candidate))) return candidate;
  }
}

/** Copy, then delete: a crash in between leaves the file in `stage/` to be loaded again. */
async function move(objects: ObjectStore, bucket: string, from: string, to: string): Promise<void> {
  await objects.copy({ bucket, key: from }, { bucket, key: to });
  await objects.delete(bucket, from);
}

async function writeJson(objects: ObjectStore, bucket: string, key: string, value: unknown): Promise<void> {
  await objects.put({
    bucket,
    key,
    body: `${JSON.stringify(value, null, 2)}\n`,
    contentType: 'application/json',
  });
}

/** Starts a stream (its first chunk is read now) and returns it whole, first chunk included. */
async function opened<T>(stream: AsyncIterable<T>): Promise<AsyncIterable<T>> {
  const iterator = stream[Symbol.asyncIterator]();
  const first = await iterator.next();
  return (async function* () {
    if (first.done) return;
    yield first.value;
    yield* { [Symbol.asyncIterator]: () => iterator };
  })();
}

/** What streamed by: the byte count, and whether anything besides a BOM and blank lines. */
interface ByteStats {
  bytes: number;
  content: boolean;
}

const BLANK_BYTES = new Set([0x0a, 0x0d, 0x20, 0x09, 0xef, 0xbb, 0xbf]);

async function* countBytes(chunks: AsyncIterable<Uint8Array>, seen: ByteStats): AsyncGenerator<Uint8Array> {
  for await (const chunk of chunks) {
    seen.bytes += chunk.byteLength;
    if (!seen.content) seen.content = chunk.some((byte) => !BLANK_BYTES.has(byte));
    yield chunk;
  }
}

/**
 * Passes batches through, then refuses the file as a whole when it had no rows at all (and no
 * header) or no valid row: throwing here rolls the load back.
 */
async function* wholeFileChecks(batches: AsyncIterable<RowBatch>, seen: ByteStats): AsyncGenerator<RowBatch> {
  let valid = 0;
  let rejectedCount = 0;
  const rejected: RejectedRow[] = [];
  for await (const batch of batches) {
    valid += batch.valid.length;
    rejectedCount += batch.rejected.length;
    for (const row of batch.rejected) if (rejected.length < MAX_REPORTED_ROWS) rejected.push(row);
    yield batch;
  }
  if (valid === 0 && rejectedCount > 0) {
    const first = rejected[0];
    throw new FileRejectedError(
      `${rejectedCount === 1 ? 'its only row is invalid' : `none of its ${rejectedCount} rows is valid`}, so nothing was loaded` +
        (first ? ` (line ${first.line}: ${first.reasons.join('; ')})` : ''),
      rejectedCount,
      rejected,
    );
  }
  if (valid === 0 && !seen.content) {
    throw new FileRejectedError(
      seen.bytes === 0
        ? 'the file is empty (0 bytes)'
        : `the file has no rows (${seen.bytes} bytes of blank lines)`,
    );
  }
}
