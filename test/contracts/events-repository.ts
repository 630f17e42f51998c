import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  AckBeyondDeliveryError,
  type ClientRegistry,
  type EventsRepository,
  type IncomingEvent,
  InvalidCursorError,
  type RejectedInput,
  type StoreOutcome,
} from '../../src/ports/events-repository.js';
import { ManualClock } from '../../src/runtime/clock.js';

/** An events repository and client registry on their backend, reading "now" from the clock given. */
export interface EventsRepositoryFixture {
  repository: EventsRepository;
  clients: ClientRegistry;
  /** How many events of `client` the backend holds (rows, items). */
  storedCount(client: string): Promise<number>;
  /** How many rejected records of `client` the backend holds. */
  rejectedCount(client: string): Promise<number>;
  /**
   * Stores `first` and, while that store is under way (holding whatever it holds to commit in
   * order), `second` through another connection or writer, so that `first` commits first; resolves
   * both outcomes.
   */
  race(
    first: readonly IncomingEvent[],
    second: readonly IncomingEvent[],
  ): Promise<[StoreOutcome[], StoreOutcome[]]>;
  cleanup?(): Promise<void>;
}

const newClient = () => `client-${randomBytes(6).toString('hex')}`;
const shard = `shardId-${randomBytes(4).toString('hex')}`;
let lastSequenceNumber = 0;
const nextPosition = () => ({
  shardId: shard,
  sequenceNumber: String(++lastSequenceNumber).padStart(21, '0'),
  arrivedAt: new Date('2024-09-01T10:00:01.250Z'),
});

interface EventSpec {
  id?: string;
  type?: string;
  account?: string;
  time?: string;
  note?: string;
}

/** A ValidEvent as the schema would produce it, at the next stream position. */
function event(client: string, spec: EventSpec = {}): IncomingEvent {
  const {
    id = randomUUID(),
    type = 'check_account',
    account = 'acct-1',
    time = '2024-09-01T10:00:00Z',
  } = spec;
  const payload = {
    ID: id,
    Source: 'monitoring',
    Client: client,
    Type: type,
    Event: {
      CustomerID: 'cust-1',
      AccountID: account,
      Time: time,
      ...(spec.note ? { Note: spec.note } : {}),
    },
  };
  return {
    id,
    client,
    source: 'monitoring',
    type,
    customerId: 'cust-1',
    accountId: account,
    time,
    timeMs: Date.parse(time),
    schemaVersion: 'v1',
    payload,
    fingerprint: createHash('sha256').update(JSON.stringify(payload)).digest('hex'),
    position: nextPosition(),
  };
}

const invalid = (client: string | null, raw: string, positioned = true): RejectedInput => ({
  client,
  eventId: null,
  stage: positioned ? 'validation' : 'ingest',
  reasons: [{ path: 'Event.Time', message: 'not an RFC 3339 time' }],
  raw,
  ...(positioned ? { position: nextPosition() } : {}),
});

const statuses = (outcomes: { status: string }[]) => outcomes.map((outcome) => outcome.status);
const ids = (page: { events: { id: string }[] }) => page.events.map((stored) => stored.id);

/**
 * The behaviour every `EventsRepository` and `ClientRegistry` share (the SQL ones are the
 * reference), run by each adapter's test file with a `setup` that gives them on its backend, using
 * `clock`. Tests of one file may share the backend: each uses clients (and a shard) of its own.
 *
 * @example
 * eventsRepositoryContract('DynamoDB events repository', async (clock) => ({ repository, clients, storedCount, rejectedCount, race }));
 */
export function eventsRepositoryContract(
  name: string,
  setup: (clock: ManualClock) => Promise<EventsRepositoryFixture>,
): void {
  describe(name, () => {
    let clock: ManualClock;
    let fixture: EventsRepositoryFixture;
    let repo: EventsRepository;
    let clients: ClientRegistry;

    beforeEach(async () => {
      clock = new ManualClock('2024-09-01T12:00:00Z');
      fixture = await setup(clock);
      repo = fixture.repository;
      clients = fixture.clients;
    });
    afterEach(async () => {
      await fixture?.cleanup?.();
    });

    describe('store', () => {
      it('stores new events, then reports same content as duplicate and other content as a recorded conflict', async () => {
        const client = newClient();
        const [a, b] = [event(client), event(client)];
        expect(await repo.store([a, b], [])).toEqual([{ status: 'stored' }, { status: 'stored' }]);
        const changed = event(client, { id: b.id, note: 'changed' });
        const reasons = [
          { path: 'ID', message: `conflicts with the stored event ${b.id}: same ID, different content` },
        ];
        clock.advance(60_000);
        expect(await repo.store([event(client, { id: a.id }), changed], [])).toEqual([
          { status: 'duplicate' },
          { status: 'conflict', reasons },
        ]);
        const { events } = await repo.feed(client, { limit: 10 });
        expect(events.map((stored) => stored.event)).toEqual([a.payload, b.payload]);
        expect(events[0]).toMatchObject({ id: a.id, client, type: 'check_account', accountId: 'acct-1' });
        expect(events[0]).toMatchObject({
          time: a.time,
          storedAt: new Date('2024-09-01T12:00:00Z'),
          shardId: shard,
        });
        const { records } = await repo.listRejected({ client, limit: 10 });
        expect(records).toEqual([
          {
            id: expect.any(String),
            client,
            eventId: b.id,
            stage: 'conflict',
            reasons,
            raw: JSON.stringify(changed.payload),
            position: changed.position,
            rejectedAt: new Date('2024-09-01T12:01:00Z'),
          },
        ]);
      });

      it('keeps the first occurrence of an ID within a call and judges later ones against it', async () => {
        const client = newClient();
        const first = event(client);
        const batch = [
          first,
          event(client, { id: first.id }),
          event(client, { id: first.id, note: 'x' }),
          event(client),
        ];
        expect(statuses(await repo.store(batch, []))).toEqual(['stored', 'duplicate', 'conflict', 'stored']);
        expect((await repo.feed(client, { limit: 10 })).events.map((stored) => stored.event)).toEqual([
          first.payload,
          batch[3]!.payload,
        ]);
      });

      it('changes nothing when the same stream positions are replayed', async () => {
        const client = newClient();
        const original = event(client);
        await repo.store([original], []);
        const events = [event(client), event(client), event(client, { id: original.id, note: 'other' })];
        const rejected = [invalid(client, '{"ID": 1}'), invalid(client, 'not json')];
        expect(statuses(await repo.store(events, rejected))).toEqual(['stored', 'stored', 'conflict']);
        const before = [await fixture.storedCount(client), await fixture.rejectedCount(client)];
        clock.advance(1000);
        expect(statuses(await repo.store(events, rejected))).toEqual(['duplicate', 'duplicate', 'conflict']);
        expect([await fixture.storedCount(client), await fixture.rejectedCount(client)]).toEqual(before);
        expect(before).toEqual([3, 3]);
      });

      it('records every ingest-stage rejection: without a position nothing identifies a replay', async () => {
        const client = newClient();
        const refused = invalid(client, 'x'.repeat(10), false);
        await repo.store([], [refused]);
        await repo.store([], [refused]);
        const { records } = await repo.listRejected({ client, limit: 10 });
        expect(records.map((record) => [record.stage, record.position])).toEqual([
          ['ingest', undefined],
          ['ingest', undefined],
        ]);
      });

      it('judges an event against the one a concurrent store committed first', async () => {
        const client = newClient();
        const batch = Array.from({ length: 20 }, () => event(client));
        const rival = [...batch.slice(0, 19), event(client, { id: batch[19]!.id, note: 'rival' })];
        const [first, racing] = await fixture.race(batch, rival);
        expect(statuses(first)).toEqual(batch.map(() => 'stored'));
        expect(statuses(racing)).toEqual([...batch.slice(1).map(() => 'duplicate'), 'conflict']);
        expect(ids(await repo.feed(client, { limit: 100 }))).toEqual(batch.map((stored) => stored.id));
        expect(await fixture.rejectedCount(client)).toBe(1);
      });

      it('keeps IDs lowercase, so an uppercase repeat is the same event', async () => {
        const client = newClient();
        const stored = event(client);
        await repo.store([{ ...stored, id: stored.id.toUpperCase() }], []);
        expect(statuses(await repo.store([stored], []))).toEqual(['duplicate']);
        expect(ids(await repo.feed(client, { limit: 10 }))).toEqual([stored.id]);
      });

      it('keeps a rejected record whose raw text holds NUL characters', async () => {
        const client = newClient();
        await repo.store([], [invalid(client, 'a\u0000b')]);
        expect((await repo.listRejected({ client, limit: 1 })).records[0]?.raw).toBe('a\uFFFDb');
      });
    });

    describe('feed', () => {
      it('reads a client in ingestion order, page by page, and stays put at the end', async () => {
        const [client, other] = [newClient(), newClient()];
        const batch = Array.from({ length: 5 }, () => event(client));
        await repo.store([batch[0]!, event(other), batch[1]!, batch[2]!], []);
        await repo.store(batch.slice(3), []);
        const first = await repo.feed(client, { limit: 2 });
        expect(ids(first)).toEqual([batch[0]!.id, batch[1]!.id]);
        expect(first.next).toBe(first.events[1]!.cursor);
        const second = await repo.feed(client, { after: first.next, limit: 2 });
        const third = await repo.feed(client, { after: second.next, limit: 2 });
        expect([...ids(second), ...ids(third)]).toEqual(batch.slice(2).map((stored) => stored.id));
        expect(await repo.feed(client, { after: third.next, limit: 2 })).toEqual({
          events: [],
          next: third.next,
        });
      });

      it('gives a new client an empty page whose next reads from the start', async () => {
        const client = newClient();
        const empty = await repo.feed(client, { limit: 10 });
        expect(empty.events).toEqual([]);
        const late = event(client);
        await repo.store([late], []);
        expect(ids(await repo.feed(client, { after: empty.next, limit: 10 }))).toEqual([late.id]);
      });

      it('shows a late event (older time, stored later) after a cursor already past newer ones', async () => {
        const client = newClient();
        await repo.store([event(client, { time: '2024-09-01T10:00:00Z' })], []);
        const { next } = await repo.feed(client, { limit: 10 });
        const late = event(client, { time: '2024-08-01T00:00:00Z' });
        await repo.store([late], []);
        expect(ids(await repo.feed(client, { after: next, limit: 10 }))).toEqual([late.id]);
      });

      it('keeps the feed gap-free while several connections store for one client', async () => {
        const client = newClient();
        const calls = Array.from({ length: 24 }, () => Array.from({ length: 40 }, () => event(client)));
        let writing = true;
        const writers = Promise.all(calls.map((batch) => repo.store(batch, []))).finally(() => {
          writing = false;
        });
        const seen: string[] = [];
        let after: string | undefined;
        for (let draining = true; draining; ) {
          draining = writing;
          const page = await repo.feed(client, { after, limit: 37 });
          seen.push(...ids(page));
          after = page.next;
          if (page.events.length === 37) draining = true;
        }
        await writers;
        expect(seen).toHaveLength(calls.flat().length);
        expect(new Set(seen).size).toBe(seen.length);
        expect(seen).toEqual(ids(await repo.feed(client, { limit: 2000 })));
      });
    });

    describe('query', () => {
      it('filters by account, type and time range (from inclusive, to exclusive), by time then ID', async () => {
        const client = newClient();
        const at = (time: string, spec: EventSpec = {}) => event(client, { time, ...spec });
        const [e1, e2, e3, e4, e5] = [
          at('2024-09-01T10:00:03Z'),
          at('2024-09-01T10:00:01Z', { account: 'acct-2' }),
          at('2024-09-01T10:00:02Z', { type: 'transaction' }),
          at('2024-09-01T10:00:00.500Z'),
          at('2024-09-01T10:00:04Z'),
        ];
        await repo.store([e1, e2, e3, e4, e5], []);
        const query = (q: object) => repo.query(client, { limit: 10, ...q }).then(ids);
        expect(await query({})).toEqual([e4.id, e2.id, e3.id, e1.id, e5.id]);
        expect(await query({ account: 'acct-2' })).toEqual([e2.id]);
        expect(await query({ type: 'transaction' })).toEqual([e3.id]);
        const range = { fromMs: Date.parse(e2.time), toMs: Date.parse(e5.time) };
        expect(await query(range)).toEqual([e2.id, e3.id, e1.id]);
        expect(await query({ ...range, account: 'acct-1', type: 'check_account' })).toEqual([e1.id]);
        expect(await query({ toMs: Number.POSITIVE_INFINITY, fromMs: -1e20 })).toHaveLength(5);
        expect(await repo.query(newClient(), { limit: 10 })).toEqual({ events: [] });
      });

      it('pages through events of equal time by ID, without repeats or gaps', async () => {
        const client = newClient();
        const batch = Array.from({ length: 7 }, () => event(client));
        await repo.store([...batch, event(client, { time: '2024-09-01T09:00:00Z' })], []);
        const fromMs = Date.parse(batch[0]!.time);
        const pages = [await repo.query(client, { fromMs, limit: 3 })];
        while (pages.at(-1)!.next)
          pages.push(await repo.query(client, { fromMs, cursor: pages.at(-1)!.next, limit: 3 }));
        expect(pages.map((page) => page.events.length)).toEqual([3, 3, 1]);
        expect(pages.flatMap(ids)).toEqual(batch.map((stored) => stored.id).sort());
      });
    });

    describe('cursors', () => {
      it('refuses garbage, altered and foreign cursors, and cursors of another kind', async () => {
        const [client, other] = [newClient(), newClient()];
        await repo.store([event(client, { time: '2024-01-01T00:00:00Z' }), event(client), event(other)], []);
        const feedCursor = (await repo.feed(client, { limit: 1 })).next;
        const queryCursor = (await repo.query(client, { limit: 1 })).next!;
        await repo.store([], [invalid(client, '1'), invalid(client, '2')]);
        const rejectedCursor = (await repo.listRejected({ limit: 1 })).next!;
        const [body, check] = feedCursor.split('.') as [string, string];
        const forged = Buffer.from(JSON.stringify({ k: 'f', c: client, s: 2 })).toString('base64url');
        const cases: [Promise<unknown>, RegExp][] = [
          [repo.feed(client, { after: 'garbage', limit: 1 }), /not a cursor/],
          [repo.feed(client, { after: '', limit: 1 }), /not a cursor/],
          [
            repo.feed(client, {
              after: `${body.slice(0, -1)}${body.endsWith('A') ? 'B' : 'A'}.${check}`,
              limit: 1,
            }),
            /altered/,
          ],
          [repo.feed(client, { after: `${forged}.${check}`, limit: 1 }), /altered/],
          [repo.feed(client, { after: feedCursor.slice(0, -2), limit: 1 }), /not a cursor/],
          [repo.feed(other, { after: feedCursor, limit: 1 }), /another client/],
          [repo.feed(client, { after: queryCursor, limit: 1 }), /a query cursor where a feed cursor/],
          [repo.query(client, { cursor: feedCursor, limit: 1 }), /a feed cursor where a query cursor/],
          [repo.listRejected({ cursor: feedCursor, limit: 1 }), /a feed cursor where a rejected-list/],
          [repo.ack(client, 'group', rejectedCursor), /a rejected-list cursor where a feed cursor/],
        ];
        for (const [attempt, message] of cases) {
          await expect(attempt).rejects.toThrow(InvalidCursorError);
          await expect(attempt).rejects.toThrow(message);
        }
      });
    });

    describe('listRejected', () => {
      it('lists newest first, filtered by client, in pages', async () => {
        const [client, other] = [newClient(), newClient()];
        const older = [invalid(client, 'r1'), invalid(client, 'r2')];
        await repo.store([], [...older, invalid(other, 'o1')]);
        clock.advance(1000);
        await repo.store([], [invalid(client, 'r3'), invalid(null, 'nobody', false)]);
        const first = await repo.listRejected({ client, limit: 2 });
        expect(first.records.map((record) => record.raw)).toEqual(['r3', 'r2']);
        const second = await repo.listRejected({ client, cursor: first.next, limit: 2 });
        const rejectedAt = new Date('2024-09-01T12:00:00Z');
        expect(second).toEqual({ records: [{ ...older[0], id: expect.any(String), rejectedAt }] });
        expect((await repo.listRejected({ limit: 1 })).records[0]).toMatchObject({
          client: null,
          raw: 'nobody',
        });
      });
    });
    describe('consumer groups', () => {
      const lease = { leaseSeconds: 30 };

      it('starts a group at the start of the feed, leases what it hands out and continues after it', async () => {
        const client = newClient();
        const batch = Array.from({ length: 5 }, () => event(client));
        await repo.store(batch, []);
        expect(await repo.getConsumer(client, 'billing')).toBeUndefined();
        const first = await repo.poll(client, 'billing', { limit: 2, ...lease });
        expect(ids(first)).toEqual([batch[0]!.id, batch[1]!.id]);
        expect(first).toMatchObject({
          client,
          name: 'billing',
          redelivered: false,
          delivered: first.ackCursor,
        });
        expect(first.ackCursor).toBe(first.events[1]!.cursor);
        expect(first.leaseExpiresAt).toEqual(new Date('2024-09-01T12:00:30Z'));
        expect(ids(await repo.feed(client, { after: first.committed, limit: 1 }))).toEqual([batch[0]!.id]);
        const second = await repo.poll(client, 'billing', { limit: 2, ...lease });
        expect(ids(second)).toEqual([batch[2]!.id, batch[3]!.id]);
        expect(await repo.getConsumer(client, 'billing')).toEqual({
          client,
          name: 'billing',
          committed: first.committed,
          delivered: second.ackCursor,
          leaseExpiresAt: second.leaseExpiresAt,
        });
        clock.advance(1000);
        await repo.ack(client, 'billing', second.ackCursor);
        expect(ids(await repo.poll(client, 'billing', { limit: 10, ...lease }))).toEqual([batch[4]!.id]);
      });

      it('hands out unacknowledged events again once their lease expired', async () => {
        const client = newClient();
        const batch = Array.from({ length: 4 }, () => event(client));
        await repo.store(batch, []);
        const first = await repo.poll(client, 'g', { limit: 2, ...lease });
        await repo.ack(client, 'g', first.events[0]!.cursor);
        clock.advance(29_000);
        expect(ids(await repo.poll(client, 'g', { limit: 1, ...lease }))).toEqual([batch[2]!.id]);
        clock.advance(30_000);
        const again = await repo.poll(client, 'g', { limit: 10, ...lease });
        expect(again.redelivered).toBe(true);
        expect(ids(again)).toEqual(batch.slice(1).map((stored) => stored.id));
        expect(again.leaseExpiresAt).toEqual(new Date(clock.now().getTime() + 30_000));
        const done = await repo.ack(client, 'g', again.ackCursor);
        expect(done).toEqual({
          ...done,
          committed: again.ackCursor,
          delivered: again.ackCursor,
          leaseExpiresAt: null,
        });
        clock.advance(3_600_000);
        expect(await repo.poll(client, 'g', { limit: 10, ...lease })).toMatchObject({
          events: [],
          redelivered: false,
        });
      });

      it('takes repeated and older acks as no-ops and refuses an ack beyond delivery', async () => {
        const client = newClient();
        await repo.store(
          Array.from({ length: 3 }, () => event(client)),
          [],
        );
        const all = (await repo.feed(client, { limit: 3 })).events;
        const polled = await repo.poll(client, 'g', { limit: 2, ...lease });
        const partial = await repo.ack(client, 'g', all[0]!.cursor);
        expect(partial).toMatchObject({ committed: all[0]!.cursor, leaseExpiresAt: polled.leaseExpiresAt });
        const full = await repo.ack(client, 'g', polled.ackCursor);
        expect(full).toMatchObject({
          committed: all[1]!.cursor,
          delivered: all[1]!.cursor,
          leaseExpiresAt: null,
        });
        expect(await repo.ack(client, 'g', polled.ackCursor)).toEqual(full);
        expect(await repo.ack(client, 'g', all[0]!.cursor)).toEqual(full);
        await expect(repo.ack(client, 'g', all[2]!.cursor)).rejects.toThrow(AckBeyondDeliveryError);
        await expect(repo.ack(client, 'never-polled', all[0]!.cursor)).rejects.toThrow(
          AckBeyondDeliveryError,
        );
        expect(await repo.getConsumer(client, 'g')).toEqual(full);
      });

      it('keeps each group to its own checkpoint', async () => {
        const client = newClient();
        const batch = Array.from({ length: 3 }, () => event(client));
        await repo.store(batch, []);
        const a = await repo.poll(client, 'a', { limit: 2, ...lease });
        await repo.ack(client, 'a', a.ackCursor);
        expect(ids(await repo.poll(client, 'b', { limit: 10, ...lease }))).toEqual(
          batch.map((stored) => stored.id),
        );
        expect(ids(await repo.poll(client, 'a', { limit: 10, ...lease }))).toEqual([batch[2]!.id]);
      });

      it('polls an empty feed without taking a lease, and its ack cursor commits nothing', async () => {
        const client = newClient();
        const empty = await repo.poll(client, 'g', { limit: 10, ...lease });
        expect(empty).toMatchObject({ events: [], leaseExpiresAt: null, redelivered: false });
        expect(empty.ackCursor).toBe(empty.committed);
        expect(await repo.ack(client, 'g', empty.ackCursor)).toEqual(await repo.getConsumer(client, 'g'));
        const late = event(client);
        await repo.store([late], []);
        expect(ids(await repo.poll(client, 'g', { limit: 10, ...lease }))).toEqual([late.id]);
      });

      it('never hands out the same events to polls that race', async () => {
        const client = newClient();
        const batch = Array.from({ length: 10 }, () => event(client));
        await repo.store(batch, []);
        const polls = await Promise.all([1, 2, 3].map(() => repo.poll(client, 'g', { limit: 3, ...lease })));
        const handedOut = polls.flatMap(ids);
        expect(new Set(handedOut).size).toBe(9);
        expect(handedOut.sort()).toEqual(
          batch
            .slice(0, 9)
            .map((stored) => stored.id)
            .sort(),
        );
      });
    });

    describe('client registry', () => {
      it('adds a client, leaves it as it is when added again, and rotates its token on request', async () => {
        const name = newClient();
        expect(await clients.addClient(name, `${name}-h1`)).toBe('created');
        clock.advance(1000);
        expect(await clients.addClient(name, `${name}-h2`)).toBe('exists');
        expect(await clients.clientForTokenHash(`${name}-h1`)).toBe(name);
        expect(await clients.clientForTokenHash(`${name}-h2`)).toBeUndefined();
        expect(await clients.addClient(name, `${name}-h2`, { rotate: true })).toBe('rotated');
        expect(await clients.addClient(name, `${name}-h2`, { rotate: true })).toBe('exists');
        expect(await clients.clientForTokenHash(`${name}-h1`)).toBeUndefined();
        expect(await clients.clientForTokenHash(`${name}-h2`)).toBe(name);
        expect(await clients.addClient(`${name}-new`, `${name}-h3`, { rotate: true })).toBe('created');
        const listed = (await clients.listClients()).filter((client) => client.name.startsWith(name));
        expect(listed).toEqual([
          { name, createdAt: new Date('2024-09-01T12:00:00Z') },
          { name: `${name}-new`, createdAt: new Date('2024-09-01T12:00:01Z') },
        ]);
      });

      it('refuses to give one token hash to two clients', async () => {
        const name = newClient();
        await clients.addClient(name, `${name}-h`);
        await expect(clients.addClient(`${name}-2`, `${name}-h`)).rejects.toThrow(
          /another client already has/,
        );
        expect(await clients.clientForTokenHash(`${name}-h`)).toBe(name);
      });
    });
  });
}
