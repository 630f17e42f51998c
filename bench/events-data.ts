/**
 * Events benchmark data: seeded NDJSON generation (the same bytes on every run for a given N) and,
 * for the COPY reference, the same events as CSV rows of the `events` table.
 */
import { once } from 'node:events';
import { createReadStream, createWriteStream } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { defaultSchemaRegistry } from '../src/core/events/schema-registry.js';
import { formatSequenceNumber, shardIndexFor, shardRanges } from '../src/runtime/stream-shards.js';
import { topology } from '../src/topology.js';
import { prng } from './prng.js';

const SEED = 20240501;
const CUSTOMERS = 50_000;
/** Events start here and advance about 30 ms each, with up to a minute of jitter (late arrivals). */
const START_MS = Date.UTC(2024, 0, 1);

/** Twenty producers' clients; the first ones send the most (weights fall off as 1/(rank+1)^0.8). */
export const CLIENTS = [
  'barclays',
  'monzo',
  'hsbc',
  'lloyds',
  'natwest',
  'santander',
  'revolut',
  'starling',
  'nationwide',
  'halifax',
  'tsb',
  'metro',
  'virgin-money',
  'coop-bank',
  'first-direct',
  'chase-uk',
  'wise',
  'atom',
  'tide',
  'kroo',
] as const;

const hex8 = (random: () => number) =>
  Math.floor(random() * 4294967296)
    .toString(16)
    .padStart(8, '0');

/** A version-4 UUID from the PRNG. */
function uuid(random: () => number): string {
  const a = hex8(random);
  const b = hex8(random);
  const c = hex8(random);
  const d = hex8(random);
  const variant = ((Number.parseInt(c[0] as string, 16) & 0x3) | 0x8).toString(16);
  return `${a}-${b.slice(0, 4)}-4${b.slice(5, 8)}-${variant}${c.slice(1, 4)}-${c.slice(4)}${d}`;
}

function cumulative(weights: readonly number[]): number[] {
  const total = weights.reduce((sum, w) => sum + w, 0);
  let running = 0;
  return weights.map((w) => {
    running += w / total;
    return running;
  });
}

function pick<T>(items: readonly T[], cdf: readonly number[], r: number): T {
  let i = 0;
  while (i < cdf.length - 1 && r >= (cdf[i] as number)) i += 1;
  return items[i] as T;
}

/**
 * Writes `events` valid v1 events to `file`, one per line. Mix: 70% transaction (15% of them
 * with a FraudScore too, like the field sample), 20% check_account, 10% fraud_detection;
 * 50,000 customers with one account each; clients skewed as {@link CLIENTS} says.
 */
export async function generateNdjson(file: string, events: number): Promise<void> {
  const random = prng(SEED);
  const customers = Array.from({ length: CUSTOMERS }, () => ({
    customer: uuid(random),
    account: uuid(random),
  }));
  const clientCdf = cumulative(CLIENTS.map((_, rank) => 1 / (rank + 1) ** 0.8));
  const out = createWriteStream(file);
  const chunkEvents = 10_000;
  for (let start = 0; start < events; start += chunkEvents) {
    const end = Math.min(events, start + chunkEvents);
    let chunk = '';
    for (let i = start; i < end; i += 1) {
      const id = uuid(random);
      const client = pick(CLIENTS, clientCdf, random());
      const kind = random();
      const type = kind < 0.7 ? 'transaction' : kind < 0.9 ? 'check_account' : 'fraud_detection';
      const source =
        type === 'fraud_detection'
          ? 'monitoring'
          : type === 'transaction'
            ? random() < 0.6
              ? 'authorizer'
              : 'application'
            : random() < 0.7
              ? 'application'
              : 'monitoring';
      const holder = customers[Math.floor(random() * CUSTOMERS)] as { customer: string; account: string };
      const ms = START_MS + i * 30 + Math.floor(random() * 60_000);
      const time =
        random() < 0.2 ? new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z') : new Date(ms).toISOString();
      const event: Record<string, unknown> = {};
      if (type === 'transaction') event.TransactionID = uuid(random);
      if (type === 'fraud_detection' || (type === 'transaction' && random() < 0.15))
        event.FraudScore = Math.floor(random() * 101);
      event.CustomerID = holder.customer;
      event.AccountID = holder.account;
      event.Time = time;
      chunk += `${JSON.stringify({ ID: id, Source: source, Client: client, Type: type, Event: event })}\n`;
    }
    if (!out.write(chunk)) await once(out, 'drain');
  }
  out.end();
  await once(out, 'finish');
}

/** Columns of the `events` table (migration 005), in the order the CSV gives them. */
export const EVENT_COLUMNS = [
  'id',
  'client',
  'seq',
  'source',
  'type',
  'account_id',
  'customer_id',
  'event_time',
  'time_text',
  'payload',
  'fingerprint',
  'schema_version',
  'shard_id',
  'sequence_number',
  'arrived_at',
  'stored_at',
] as const;

const csvField = (value: string) => (/[",\n\r]/.test(value) ? `"${value.replaceAll('"', '""')}"` : value);

/**
 * Converts the NDJSON file into CSV files of at most `rowsPerFile` rows each, holding what the
 * pipeline would store: each line validated by the schema registry (which gives the ID, the
 * fingerprint and the rest), per-client sequence numbers, the shard of its `Client` and a
 * per-shard sequence number. Returns the files in order.
 */
export async function ndjsonToCsv(file: string, dir: string, rowsPerFile: number): Promise<string[]> {
  const ranges = shardRanges(topology.streams.events.shardCount);
  const clientSeq = new Map<string, number>();
  const shardSeq = new Map<string, number>();
  const now = new Date().toISOString();
  const files: string[] = [];
  let out: ReturnType<typeof createWriteStream> | undefined;
  let rows = 0;
  let chunk = '';
  const flush = async () => {
    if (out && chunk !== '' && !out.write(chunk)) await once(out, 'drain');
    chunk = '';
  };
  const close = async () => {
    await flush();
    if (!out) return;
    out.end();
    await once(out, 'finish');
    out = undefined;
  };
  const lines = createInterface({ input: createReadStream(file), crlfDelay: Number.POSITIVE_INFINITY });
  for await (const line of lines) {
    if (line === '') continue;
    if (rows % rowsPerFile === 0) {
      await close();
      const name = join(dir, `events-${String(files.length).padStart(4, '0')}.csv`);
      files.push(name);
      out = createWriteStream(name);
    }
    const result = defaultSchemaRegistry.validate(JSON.parse(line));
    if (!result.ok) throw new Error(`generated an invalid event: ${JSON.stringify(result.reasons)}`);
    const event = result.event;
    const seq = (clientSeq.get(event.client) ?? 0) + 1;
    clientSeq.set(event.client, seq);
    const shard = (ranges[shardIndexFor(ranges, event.client)] as { shardId: string }).shardId;
    const shardNext = (shardSeq.get(shard) ?? 0) + 1;
    shardSeq.set(shard, shardNext);
    const fields = [
      event.id,
      event.client,
      String(seq),
      event.source,
      event.type,
      event.accountId,
      event.customerId,
      new Date(event.timeMs).toISOString(),
      event.time,
      JSON.stringify(event.payload),
      event.fingerprint,
      event.schemaVersion,
      shard,
      formatSequenceNumber(shardNext),
      now,
      now,
    ];
    chunk += `${fields.map(csvField).join(',')}\n`;
    rows += 1;
    if (chunk.length > 1 << 20) await flush();
  }
  await close();
  return files;
}
