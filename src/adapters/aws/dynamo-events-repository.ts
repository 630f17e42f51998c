/**
 * The events repository over DynamoDB: the `events` table of `tables.ts`, with the semantics of
 * the SQL adapter (the reference), and its cursors (`../sql/event-cursors.ts`, pure functions).
 *
 * Item types (every key part is escaped, so no client, account or ID can make two keys collide):
 *
 * | item           | pk                                 | sk                | gsi1pk / gsi1sk              | gsi2pk / gsi2sk                            |
 * |----------------|------------------------------------|-------------------|------------------------------|--------------------------------------------|
 * | feed head      | `CLIENT#<client>`                  | `FEED`            |                              |                                            |
 * | event          | `FEED#<client>`                    | `<seq>`           | `TIME#<client>` / `<t>#<id>` | `ACCOUNT#<client>#<account>` / `<t>#<id>`  |
 * | hole           | `FEED#<client>`                    | `<seq>`           |                              |                                            |
 * | ID claim       | `EVENT#<id>`                       | `EVENT`           |                              |                                            |
 * | rejected       | `REJECTED#AT#<shard>#<seqnum>`, or `REJECTED#N#<n>` without a position | `REJECTED` | `REJECTED` / `<n>` | `REJECTED#<client>` / `<n>` (when it names a client) |
 * | rejected count | `COUNTER#REJECTED`                 | `COUNTER`         |                              |                                            |
 * | consumer group | `CLIENT#<client>`                  | `CONSUMER#<name>` |                              |                                            |
 *
 * (`<seq>` and `<n>` are 16-digit numbers, `<t>` the event time shifted to a 16-digit number; the
 * client registry of `dynamo-client-registry.ts` shares the table.)
 *
 * Idempotency. An event's ID is claimed by a put conditional on the claim being absent; the claim
 * holds the fingerprint and the feed slot of the event. A claim with the same fingerprint is a
 * duplicate, another one a conflict (recorded as rejected). Rejected records with a stream
 * position are keyed by it, so a replay records nothing twice.
 *
 * Ingestion order. Each client has a feed head with two counters: `allocated` (sequence numbers
 * handed to writers) and `visible` (readers see slots up to it). A store takes the client's feed
 * lock on the head (a conditional update with an expiry) and allocates its numbers in the same
 * update, writes claims and slots, then publishes `visible = allocated` as it releases the lock.
 * Readers read `visible` and then the slots up to it, both strongly consistent, from the table
 * itself: since every slot up to `visible` was final when it was published, a cursor never skips
 * an event stored later, which always gets a higher number. Numbers may skip (a claim lost to a
 * rival leaves its slot unused), never reorder. A writer that dies holding the lock leaves
 * `allocated > visible`: the next writer, once the lock expired, puts a *hole* into every slot of
 * that range still empty (a put conditional on absence, so a late write of the dead writer fails
 * rather than landing behind a reader), and an event whose claim points at a hole is placed again
 * in a new slot when its batch is retried, which Kinesis does for a failed invocation. Why not the
 * Kinesis sequence number: it orders one shard only, changes meaning when the stream is resharded,
 * and a batch's writes land out of order, so readers would still need a watermark.
 *
 * Cost per store call: per client in it, one read of the claims (BatchGetItem), two updates of the
 * head (lock and publish); per new event two puts (claim and slot, the slot also writing two index
 * entries). Writers of one client take turns (through one repository instance they queue in
 * memory, across instances they retry the lock with backoff), which on AWS costs nothing: a
 * client's events share a shard, and a shard's batches reach the consumer one at a time. A replay
 * costs a read of the claims and of their slots. Per feed page: one GetItem and one Query; per
 * poll or ack, a read and an update of the group conditional on its version. The time and account indexes and the rejected listings are global secondary indexes,
 * so on DynamoDB they are eventually consistent: an event or rejection shows there a moment after
 * the store returns. Rejected records are numbered by one counter item (newest first is the order
 * they were recorded, as on SQL): at most ~1,000 rejecting store calls a second.
 *
 * @example
 * const repository = createDynamoEventsRepository({
 *   client: DynamoDBDocumentClient.from(new DynamoDBClient({})),
 *   tableName: 'events-prod',
 *   clock: systemClock,
 * });
 * const page = await repository.feed('acme', { after: cursor, limit: 100 });
 */
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { Clock } from '../../ports/clock.js';
import type {
  EventsRepository,
  IncomingEvent,
  RejectedInput,
  StoreOutcome,
} from '../../ports/events-repository.js';
import { idConflict } from '../common/event-conflict.js';
import { ackConsumer, getConsumer, pollConsumer } from './dynamo-events-consumers.js';
import { feedPage } from './dynamo-events-feed.js';
import type { EventsTable } from './dynamo-events-items.js';
import { queryEvents } from './dynamo-events-query.js';
import { listRejected, putRejected } from './dynamo-events-rejected.js';
import { runAll } from './dynamo-events-requests.js';
import { type Judgement, storeClientEvents } from './dynamo-events-store.js';

export interface DynamoEventsRepositoryOptions {
  client: DynamoDBDocumentClient;
  tableName: string;
  clock: Clock;
  /** Requests in flight at once for the events of one client (default 16). */
  concurrency?: number;
  /**
   * How long a store may hold a client's feed lock before another writer may take it over
   * (default 60 s). Longer than any store call takes; after a crash, that client's writes wait
   * this long.
   */
  lockSeconds?: number;
}

/** Clients whose events one store call writes at once. */
const CLIENTS_AT_ONCE = 4;

export function createDynamoEventsRepository(options: DynamoEventsRepositoryOptions): EventsRepository {
  const lockMs = (options.lockSeconds ?? 60) * 1000;
  if (!(lockMs > 0)) throw new RangeError(`lockSeconds must be positive, not ${options.lockSeconds}`);
  const table: EventsTable = {
    client: options.client,
    tableName: options.tableName,
    clock: options.clock,
    concurrency: options.concurrency ?? 16,
    lockMs,
    lockWaitMs: 2 * lockMs,
  };
  const storeInTurn = takingTurns();
  return {
    store: (events, rejected) =>
      store(table, events, rejected, (client, batch, now) =>
        storeInTurn(client, () => storeClientEvents(table, client, batch, now)),
      ),
    feed: (client, page) => feedPage(table, client, page),
    query: (client, query) => queryEvents(table, client, query),
    listRejected: (page) => listRejected(table, page),
    poll: (client, name, poll) => pollConsumer(table, client, name, poll),
    ack: (client, name, cursor) => ackConsumer(table, client, name, cursor),
    getConsumer: (client, name) => getConsumer(table, client, name),
  };
}

/**
 * As on SQL: the first occurrence of an ID in the call is the one stored, later ones are judged
 * against it; conflicts are recorded as rejected after the given rejections.
 */
async function store(
  table: EventsTable,
  events: readonly IncomingEvent[],
  rejected: readonly RejectedInput[],
  storeClient: (client: string, events: IncomingEvent[], now: Date) => Promise<Judgement[]>,
): Promise<StoreOutcome[]> {
  if (events.length === 0 && rejected.length === 0) return [];
  const now = table.clock.now();
  const ids = events.map((event) => event.id.toLowerCase());
  const firstAt = new Map<string, number>();
  const byClient = new Map<string, number[]>();
  ids.forEach((id, index) => {
    if (firstAt.has(id)) return;
    firstAt.set(id, index);
    const client = events[index]!.client;
    byClient.set(client, [...(byClient.get(client) ?? []), index]);
  });

  const judged = new Map<number, Judgement>();
  const failures = await runAll([...byClient], CLIENTS_AT_ONCE, async ([client, indexes]) => {
    const judgements = await storeClient(
      client,
      indexes.map((index) => events[index]!),
      now,
    );
    for (const [k, index] of indexes.entries()) judged.set(index, judgements[k]!);
  });
  if (failures.length > 0) throw failures[0];

  const conflicts: RejectedInput[] = [];
  const outcomes = events.map((event, index): StoreOutcome => {
    const id = ids[index]!;
    const first = firstAt.get(id)!;
    const { status, winner } = judged.get(first)!;
    if (first === index && status !== 'conflict') return { status };
    if (first !== index && winner === event.fingerprint) return { status: 'duplicate' };
    const conflict = idConflict(event, id);
    conflicts.push(conflict.rejected);
    return { status: 'conflict', reasons: conflict.reasons };
  });
  await putRejected(table, [...rejected, ...conflicts], now);
  return outcomes;
}

/**
 * Runs the work given for one client one at a time, in call order: stores through one repository
 * queue here instead of polling the client's feed lock in the table against each other.
 */
function takingTurns() {
  const last = new Map<string, Promise<unknown>>();
  return async <T>(client: string, work: () => Promise<T>): Promise<T> => {
    const mine = (last.get(client) ?? Promise.resolve()).then(work, work);
    const settled = mine.catch(() => undefined);
    last.set(client, settled);
    try {
      return await mine;
    } finally {
      if (last.get(client) === settled) last.delete(client);
    }
  };
}
