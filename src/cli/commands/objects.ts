import { createReadStream, createWriteStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { Command } from 'commander';
import { STAGE_PREFIX } from '../../core/loader/ingest-landing-file.js';
import { type Backend, CliError, call } from '../backend.js';
import { emit, table } from '../output.js';
import { describeLoaderFile, type LoaderFileJson } from './loader.js';
import type { Run } from './run.js';

interface ObjectInfoJson {
  bucket: string;
  key: string;
  size: number;
  etag: string;
  lastModified: string;
  metadata: Record<string, string>;
  traceId?: string;
}

interface FileReportJson {
  status: string;
  error?: string;
  accepted: number;
  inserted: number;
  duplicates: number;
  rejectedCount: number;
  rejected: { line: number; reason: string }[];
  accounts: string[];
}

interface DeadLetterJson {
  messageId: string;
  sourceQueue: string | null;
  lastError: string | null;
}

/** `bucket/key/with/slashes` → bucket and key. */
export function splitAddress(address: string, keyRequired = true): { bucket: string; key: string } {
  const slash = address.indexOf('/');
  const bucket = slash === -1 ? address : address.slice(0, slash);
  const key = slash === -1 ? '' : address.slice(slash + 1);
  if (!bucket || (keyRequired && !key)) {
    throw new CliError(`"${address}" is not <bucket>/<key>`);
  }
  return { bucket, key };
}

const encodeKey = (key: string) => key.split('/').map(encodeURIComponent).join('/');

function parseMeta(pairs: string[]): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const pair of pairs) {
    const eq = pair.indexOf('=');
    if (eq <= 0) throw new CliError(`--meta "${pair}" is not key=value`);
    headers[`x-amz-meta-${pair.slice(0, eq).trim().toLowerCase()}`] = pair.slice(eq + 1);
  }
  return headers;
}

async function putOutcome(backend: Backend, info: ObjectInfoJson) {
  const settled = await backend.settle(info.traceId);
  const trace = await call<{ deadLetters: DeadLetterJson[] }>(backend, 'GET', `/traces/${info.traceId}`);
  let statements: FileReportJson | undefined;
  if (info.bucket === 'transactions' && info.key.endsWith('.csv')) {
    const query = new URLSearchParams({ bucket: info.bucket, key: info.key });
    statements = await call<FileReportJson>(backend, 'GET', `/statements/files?${query}`).catch(
      () => undefined,
    );
  }
  let loader: LoaderFileJson | undefined;
  if (info.bucket === 'landing') {
    const query = new URLSearchParams({ file: info.key });
    const listing = await call<{ files: LoaderFileJson[] }>(backend, 'GET', `/loader/files?${query}`).catch(
      () => undefined,
    );
    loader = listing?.files[0];
  }
  return { settled: settled.settled, statements, loader, deadLetters: trace.deadLetters };
}

export function registerObjectCommands(program: Command, run: Run): void {
  program
    .command('put <file> <address>')
    .description('upload a file to <bucket>/<key>; --wait blocks until the pipelines it triggers settle')
    .option(
      '--meta <key=value>',
      'object metadata (repeatable)',
      (value: string, all: string[]) => [...all, value],
      [],
    )
    .option('--wait', 'wait for the triggered work and print its outcome')
    .option('--json', 'machine-readable output')
    .action((file: string, address: string, options: { meta: string[]; wait?: boolean; json?: boolean }) =>
      run(async (backend) => {
        const { bucket, key } = splitAddress(address);
        const size = (await stat(file).catch(() => undefined))?.size;
        if (size === undefined) throw new CliError(`cannot read ${file}`);
        const info = await call<ObjectInfoJson>(
          backend,
          'PUT',
          `/buckets/${encodeURIComponent(bucket)}/objects/${encodeKey(key)}`,
          {
            body: Readable.toWeb(createReadStream(file)) as ReadableStream,
            headers: {
              'content-length': String(size),
              'content-type': key.endsWith('.csv') ? 'text/csv' : 'application/octet-stream',
              ...parseMeta(options.meta),
            },
          },
        );
        if (!options.wait) {
          emit(
            !!options.json,
            info,
            () => `uploaded ${bucket}/${key} (${info.size} bytes, etag ${info.etag})`,
          );
          return;
        }
        const outcome = await putOutcome(backend, info);
        emit(!!options.json, { object: info, ...outcome }, () => {
          const lines = [`uploaded ${bucket}/${key} (${info.size} bytes)`];
          if (!outcome.settled) lines.push('still processing: the wait timed out');
          const report = outcome.statements;
          if (report?.status === 'rejected') lines.push(`file rejected: ${report.error}`);
          if (report?.status === 'processed') {
            lines.push(
              `lines accepted: ${report.accepted} (${report.inserted} new, ${report.duplicates} already stored)`,
            );
            lines.push(`lines rejected: ${report.rejectedCount}`);
            for (const bad of report.rejected) lines.push(`  ${bad.reason}`);
            lines.push(`accounts: ${report.accounts.join(', ') || '—'}`);
          }
          if (outcome.loader) {
            lines.push(describeLoaderFile(outcome.loader));
            if (outcome.loader.rowsRejected > 0)
              lines.push(
                `see the rejected rows: tributary loader rejected --file ${outcome.loader.loadFile}`,
              );
          } else if (bucket === 'landing' && !key.startsWith(STAGE_PREFIX)) {
            lines.push(`not loaded: the loader reads only files under landing/${STAGE_PREFIX}`);
          }
          for (const dead of outcome.deadLetters)
            lines.push(`dead letter ${dead.messageId} (${dead.sourceQueue}): ${dead.lastError}`);
          return lines.join('\n');
        });
      }),
    );

  program
    .command('ls <address>')
    .description('list objects of <bucket>[/<prefix>]')
    .option('--json', 'machine-readable output')
    .action((address: string, options: { json?: boolean }) =>
      run(async (backend) => {
        const { bucket, key: prefix } = splitAddress(address, false);
        const query = new URLSearchParams({ prefix });
        const listing = await call<{ objects: ObjectInfoJson[] }>(
          backend,
          'GET',
          `/buckets/${encodeURIComponent(bucket)}/objects?${query}`,
        );
        emit(!!options.json, listing.objects, () =>
          table(
            ['key', 'size', 'last modified'],
            listing.objects.map((o) => [o.key, o.size, o.lastModified]),
          ),
        );
      }),
    );

  program
    .command('get <address>')
    .description('download <bucket>/<key> to stdout or a file')
    .option('-o, --output <file>', 'write to this file')
    .action((address: string, options: { output?: string }) =>
      run(async (backend) => {
        const { bucket, key } = splitAddress(address);
        const response = await backend.request(
          'GET',
          `/buckets/${encodeURIComponent(bucket)}/objects/${encodeKey(key)}`,
        );
        if (!response.ok || !response.body) {
          const payload = (await response.json().catch(() => ({}))) as { error?: { message?: string } };
          throw new CliError(payload.error?.message ?? `download failed with HTTP ${response.status}`);
        }
        const source = Readable.fromWeb(response.body as import('node:stream/web').ReadableStream);
        await pipeline(source, options.output ? createWriteStream(options.output) : process.stdout);
      }),
    );
}
