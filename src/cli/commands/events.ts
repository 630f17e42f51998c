import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { Readable } from 'node:stream';
import type { Command } from 'commander';
import { MAX_RECORD_BYTES, MAX_RECORDS_PER_REQUEST, MAX_REQUEST_BYTES } from '../../core/events/limits.js';
import { detectBatchFormat, ndjsonLines } from '../../core/events/ndjson-lines.js';
import { type Backend, CliError, call } from '../backend.js';
import { emit, table } from '../output.js';
import { progressBar } from '../progress.js';
import type { Run } from './run.js';

interface Reason {
  path: string;
  message: string;
}

interface StoredEventJson {
  cursor: string;
  id: string;
  type: string;
  source: string;
  accountId: string;
  time: string;
}

const describeReasons = (reasons: Reason[]) =>
  reasons.map((r) => (r.path ? `${r.path}: ${r.message}` : r.message)).join('; ');

/** The first bytes of a file or stdin, and the whole of it as a stream that starts with them. */
async function openInput(
  file: string,
): Promise<{ head: string; body: AsyncIterable<Buffer>; size?: number }> {
  const size = file === '-' ? undefined : (await stat(file).catch(() => undefined))?.size;
  if (file !== '-' && size === undefined) throw new CliError(`cannot read ${file}`);
  const source = (file === '-' ? process.stdin : createReadStream(file))[
    Symbol.asyncIterator
  ]() as AsyncIterator<Buffer>;
  const chunks: Buffer[] = [];
  let bytes = 0;
  let ended = false;
  while (bytes < 64 * 1024) {
    const next = await source.next();
    if (next.done) {
      ended = true;
      break;
    }
    chunks.push(next.value);
    bytes += next.value.length;
  }
  async function* body() {
    yield* chunks;
    if (ended) return;
    for (let next = await source.next(); !next.done; next = await source.next()) yield next.value;
  }
  return {
    head: Buffer.concat(chunks).toString('utf8'),
    body: body(),
    ...(size === undefined ? {} : { size }),
  };
}

async function readAll(body: AsyncIterable<Buffer>): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of body) chunks.push(chunk);
  return Buffer.concat(chunks).toString('utf8');
}

type BulkOutcome = { accepted: number; rejected: number; rejections: { line: number; reasons: Reason[] }[] };

/**
 * Streams NDJSON to `/events/bulk`, drawing progress as the bytes go out. A deployed API
 * (`TRIBUTARY_API_URL`) has no bulk route, since API Gateway buffers bodies: there the lines go
 * to `POST /events` in batches within its limits (500 records, 5 MiB), with the same outcome.
 */
async function sendBulk(
  backend: Backend,
  lines: AsyncIterable<Buffer> | Iterable<Buffer>,
  size: number | undefined,
): Promise<BulkOutcome> {
  const progress = progressBar('sending', size);
  if (backend.mode === 'remote') {
    try {
      return await sendInBatches(backend, lines, (bytes) => progress.advance(bytes));
    } finally {
      progress.done();
    }
  }
  async function* counted() {
    for await (const chunk of lines) {
      progress.advance(chunk.length);
      yield chunk;
    }
  }
  try {
    return await call<{
      accepted: number;
      rejected: number;
      rejections: { line: number; reasons: Reason[] }[];
    }>(backend, 'POST', '/events/bulk', {
      body: Readable.toWeb(Readable.from(counted())) as ReadableStream,
      headers: { 'content-type': 'application/x-ndjson' },
    });
  } finally {
    progress.done();
  }
}

async function sendInBatches(
  backend: Backend,
  chunks: AsyncIterable<Buffer> | Iterable<Buffer>,
  advance: (bytes: number) => void,
): Promise<BulkOutcome> {
  const outcome: BulkOutcome = { accepted: 0, rejected: 0, rejections: [] };
  let batch: { line: number; text: string }[] = [];
  let bytes = 0;
  const flush = async () => {
    if (batch.length === 0) return;
    const sent = batch;
    batch = [];
    bytes = 0;
    const answer = await call<{
      results: (
        | { index: number; status: 'accepted' }
        | { index: number; status: 'rejected'; reasons: Reason[] }
      )[];
    }>(backend, 'POST', '/events', {
      body: sent.map((item) => item.text).join('\n'),
      headers: { 'content-type': 'application/x-ndjson' },
    });
    for (const result of answer.results) {
      if (result.status === 'accepted') outcome.accepted++;
      else {
        outcome.rejected++;
        outcome.rejections.push({ line: sent[result.index]?.line ?? 0, reasons: result.reasons });
      }
    }
  };
  async function* counted() {
    for await (const chunk of chunks) {
      advance(chunk.length);
      yield chunk;
    }
  }
  for await (const item of ndjsonLines(counted(), { maxLineBytes: MAX_RECORD_BYTES })) {
    if (!('text' in item)) {
      outcome.rejected++;
      outcome.rejections.push({
        line: item.line,
        reasons: [{ path: '', message: `record is ${item.bytes} bytes; the limit is ${MAX_RECORD_BYTES}` }],
      });
      continue;
    }
    const size = Buffer.byteLength(item.text) + 1;
    if (batch.length === MAX_RECORDS_PER_REQUEST || bytes + size > MAX_REQUEST_BYTES) await flush();
    batch.push({ line: item.line, text: item.text });
    bytes += size;
  }
  await flush();
  return outcome;
}

async function* arrayAsLines(elements: unknown[]) {
  for (const element of elements) yield Buffer.from(`${JSON.stringify(element)}\n`);
}

type Rejection = { where: string; key: { line: number } | { index: number }; reasons: Reason[] };

const byLine = (sent: { line: number; reasons: Reason[] }): Rejection => ({
  where: `line ${sent.line}`,
  key: { line: sent.line },
  reasons: sent.reasons,
});

/**
 * Sends a file through the bulk path: NDJSON streams as it is read; a JSON array is sent one
 * element per line (rejections report the element's index); a single object is one record.
 */
async function sendFile(
  backend: Backend,
  file: string,
): Promise<{ accepted: number; rejected: number; rejections: Rejection[] }> {
  const input = await openInput(file);
  if (detectBatchFormat(input.head) === 'ndjson') {
    const sent = await sendBulk(backend, input.body, input.size);
    return { ...sent, rejections: sent.rejections.map(byLine) };
  }
  const text = await readAll(input.body);
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    // NDJSON whose first line is broken: send it line by line, so that line is reported.
    if (!text.trim().includes('\n'))
      throw new CliError(`${file} is not valid JSON: ${(error as Error).message}`);
    const sent = await sendBulk(backend, [Buffer.from(text)], Buffer.byteLength(text));
    return { ...sent, rejections: sent.rejections.map(byLine) };
  }
  const indexed = Array.isArray(value);
  const sent = await sendBulk(
    backend,
    arrayAsLines(indexed ? (value as unknown[]) : [value]),
    Buffer.byteLength(text),
  );
  return {
    ...sent,
    rejections: sent.rejections.map((r) => ({
      where: indexed ? `index ${r.line - 1}` : 'record',
      key: { index: r.line - 1 },
      reasons: r.reasons,
    })),
  };
}

export function registerEventCommands(program: Command, run: Run): void {
  const events = program
    .command('events')
    .description('the events pipeline: send, read, rejected, consumer groups');

  events
    .command('send <file>')
    .description('send events from a JSON object, JSON array or NDJSON file ("-" for stdin)')
    .option('--json', 'machine-readable output')
    .action((file: string, options: { json?: boolean }) =>
      run(async (backend) => {
        const outcome = await sendFile(backend, file);
        emit(
          !!options.json,
          {
            accepted: outcome.accepted,
            rejected: outcome.rejected,
            rejections: outcome.rejections.map((r) => ({ ...r.key, reasons: r.reasons })),
          },
          () =>
            [
              `accepted ${outcome.accepted}, rejected ${outcome.rejected}`,
              ...outcome.rejections.map((r) => `  ${r.where}: ${describeReasons(r.reasons)}`),
            ].join('\n'),
        );
      }),
    );

  events
    .command('list')
    .description("a client's events sorted by event time, filtered")
    .requiredOption('--client <client>', 'whose events')
    .option('--account <account>', 'only this AccountID')
    .option('--type <type>', 'only this Type')
    .option('--from <time>', 'event time at or after (RFC 3339)')
    .option('--to <time>', 'event time before (RFC 3339)')
    .option('--limit <n>', 'at most this many events', '100')
    .option('--json', 'machine-readable output')
    .action(
      (options: {
        client: string;
        account?: string;
        type?: string;
        from?: string;
        to?: string;
        limit: string;
        json?: boolean;
      }) =>
        run(async (backend) => {
          const limit = Number(options.limit);
          if (!Number.isInteger(limit) || limit < 1)
            throw new CliError(`--limit must be a positive integer, got "${options.limit}"`);
          const list: StoredEventJson[] = [];
          let cursor: string | undefined;
          do {
            const query = new URLSearchParams({ limit: String(Math.min(1000, limit - list.length)) });
            for (const key of ['account', 'type', 'from', 'to'] as const) {
              const value = options[key];
              if (value) query.set(key, value);
            }
            if (cursor) query.set('cursor', cursor);
            const page = await call<{ events: StoredEventJson[]; next?: string }>(
              backend,
              'GET',
              `/clients/${encodeURIComponent(options.client)}/events/query?${query}`,
            );
            list.push(...page.events);
            cursor = page.next;
          } while (cursor && list.length < limit);
          emit(!!options.json, list, () =>
            table(
              ['time', 'type', 'source', 'account', 'id'],
              list.map((e) => [e.time, e.type, e.source, e.accountId, e.id]),
            ),
          );
        }),
    );

  events
    .command('rejected')
    .description('records that were refused, with their reasons')
    .option('--client <client>', 'only records naming this client')
    .option('--limit <n>', 'at most this many', '100')
    .option('--json', 'machine-readable output')
    .action((options: { client?: string; limit: string; json?: boolean }) =>
      run(async (backend) => {
        const query = new URLSearchParams({ limit: options.limit });
        if (options.client) query.set('client', options.client);
        const page = await call<{
          records: {
            stage: string;
            client: string | null;
            eventId: string | null;
            reasons: Reason[];
            rejectedAt: string;
          }[];
        }>(backend, 'GET', `/events/rejected?${query}`);
        emit(!!options.json, page.records, () =>
          table(
            ['rejected at', 'stage', 'client', 'id', 'reasons'],
            page.records.map((r) => [r.rejectedAt, r.stage, r.client, r.eventId, describeReasons(r.reasons)]),
          ),
        );
      }),
    );

  events
    .command('poll')
    .description("the next page of a client's named consumer group (at-least-once: --ack commits it)")
    .requiredOption('--client <client>', 'whose events')
    .requiredOption('--consumer <name>', 'the consumer group')
    .option('--limit <n>', 'at most this many events', '100')
    .option('--lease <seconds>', 'seconds before unacknowledged events are handed out again', '30')
    .option('--ack', 'acknowledge the page right away')
    .option('--json', 'machine-readable output')
    .action(
      (options: {
        client: string;
        consumer: string;
        limit: string;
        lease: string;
        ack?: boolean;
        json?: boolean;
      }) =>
        run(async (backend) => {
          const base = `/clients/${encodeURIComponent(options.client)}/consumers/${encodeURIComponent(options.consumer)}`;
          const query = new URLSearchParams({ limit: options.limit, leaseSeconds: options.lease });
          const page = await call<{
            events: StoredEventJson[];
            ackCursor: string;
            redelivered: boolean;
            committed: string;
          }>(backend, 'POST', `${base}/poll?${query}`);
          const acked =
            options.ack && page.events.length > 0
              ? await call<{ committed: string }>(backend, 'POST', `${base}/ack`, {
                  json: { cursor: page.ackCursor },
                })
              : undefined;
          emit(!!options.json, { ...page, ...(acked ? { committed: acked.committed } : {}) }, () =>
            [
              table(
                ['time', 'type', 'account', 'id'],
                page.events.map((e) => [e.time, e.type, e.accountId, e.id]),
              ),
              `${page.events.length} events${page.redelivered ? ' (redelivered)' : ''}; ${
                acked
                  ? 'acknowledged'
                  : `acknowledge with: tributary events ack --client ${options.client} --consumer ${options.consumer} ${page.ackCursor}`
              }`,
            ].join('\n'),
          );
        }),
    );

  events
    .command('ack <cursor>')
    .description('commit a consumer group up to a cursor it was given')
    .requiredOption('--client <client>', 'whose events')
    .requiredOption('--consumer <name>', 'the consumer group')
    .option('--json', 'machine-readable output')
    .action((cursor: string, options: { client: string; consumer: string; json?: boolean }) =>
      run(async (backend) => {
        const base = `/clients/${encodeURIComponent(options.client)}/consumers/${encodeURIComponent(options.consumer)}`;
        const state = await call<{ committed: string }>(backend, 'POST', `${base}/ack`, { json: { cursor } });
        emit(!!options.json, state, () => `committed up to ${state.committed}`);
      }),
    );

  const clients = program.command('clients').description('events clients and their tokens');
  clients
    .command('add <client>')
    .description('register a client and print its token (shown once)')
    .option('--rotate', 'replace the token of an existing client')
    .option('--json', 'machine-readable output')
    .action((client: string, options: { rotate?: boolean; json?: boolean }) =>
      run(async (backend) => {
        const created = await call<{ client: string; status: string; token: string }>(
          backend,
          'POST',
          '/clients',
          {
            json: { name: client, rotate: !!options.rotate },
          },
        );
        emit(
          !!options.json,
          created,
          () => `client ${created.client} ${created.status}; token: ${created.token}`,
        );
      }),
    );
  clients
    .command('list')
    .option('--json', 'machine-readable output')
    .action((options: { json?: boolean }) =>
      run(async (backend) => {
        const { clients: list } = await call<{ clients: { name: string; createdAt: string }[] }>(
          backend,
          'GET',
          '/clients',
        );
        emit(!!options.json, list, () =>
          table(
            ['client', 'created'],
            list.map((c) => [c.name, c.createdAt]),
          ),
        );
      }),
    );
}
