import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { InvalidCursorError } from '../../src/ports/events-repository.js';
import type { OrderInput, OrdersRepository } from '../../src/ports/orders-repository.js';
import { ManualClock } from '../../src/runtime/clock.js';

/** An empty repository on its backend, reading "now" from the clock it was given. */
export interface OrdersRepositoryFixture {
  repository: OrdersRepository;
  /** How many orders the backend holds, expired ones included (rows, items). */
  storedCount(): Promise<number>;
  cleanup?(): Promise<void>;
}

const HOUR = 3_600_000;
const order = (recordId: string, parameter2 = 1, parameter1 = 'abc'): OrderInput => ({
  recordId,
  parameter1,
  parameter2,
});
const ids = (orders: { recordId: string }[]) => orders.map((o) => o.recordId);

/**
 * The behaviour every `OrdersRepository` shares (the SQL one is the reference), run by each
 * adapter's test file with a `setup` that gives an empty repository on its backend, using `clock`.
 *
 * @example
 * ordersRepositoryContract('DynamoDB', async (clock) => ({ repository: createDynamoOrdersRepository({ client, tableName, clock }), storedCount }));
 */
export function ordersRepositoryContract(
  name: string,
  setup: (clock: ManualClock) => Promise<OrdersRepositoryFixture>,
): void {
  describe(name, () => {
    let clock: ManualClock;
    let fixture: OrdersRepositoryFixture;
    let repo: OrdersRepository;
    /** Posts orders now, expiring `ttlHours` later, as the API does. */
    const post = async (orders: OrderInput[], ttlHours = 24) => {
      const receivedAt = clock.now();
      const expiresAt = new Date(receivedAt.getTime() + ttlHours * HOUR);
      await repo.upsert(orders, { receivedAt, expiresAt });
      return { receivedAt, expiresAt };
    };
    const rows = () => fixture.storedCount();

    beforeEach(async () => {
      clock = new ManualClock('2024-09-01T12:00:00Z');
      fixture = await setup(clock);
      repo = fixture.repository;
    });
    afterEach(async () => {
      await fixture?.cleanup?.();
    });

    it('stores orders as pending with their times, and reads them back as sent', async () => {
      const sent = [
        order('unique_id_1', 4, 'abc'),
        order('unique_id_2', 2.1, 'def'),
        order('ünï-😀', 0.1 + 0.2),
      ];
      const { receivedAt, expiresAt } = await post(sent);
      for (const input of sent) {
        expect(await repo.get(input.recordId)).toEqual({
          ...input,
          status: 'pending',
          receivedAt,
          expiresAt,
        });
      }
      expect(await repo.get('unknown')).toBeUndefined();
      expect(await repo.get('UNIQUE_ID_1')).toBeUndefined();
    });

    it('hides an order from every read from its expiry on, before any purge', async () => {
      const { expiresAt } = await post([order('a'), order('b')]);
      await post([order('later')], 48);
      clock.set(new Date(expiresAt.getTime() - 1));
      expect(ids((await repo.list({ limit: 10 })).orders)).toEqual(['later', 'b', 'a']);
      clock.set(expiresAt);
      expect(await repo.get('a')).toBeUndefined();
      expect(ids((await repo.list({ limit: 10 })).orders)).toEqual(['later']);
      expect(ids((await repo.list({ status: 'pending', limit: 10 })).orders)).toEqual(['later']);
      expect(ids(await repo.pending(10))).toEqual(['later']);
      expect(await repo.markResult('a', { status: 'accepted', power: 1, decidedAt: clock.now() })).toBe(
        false,
      );
      expect(await rows()).toBe(3);
    });

    it('replaces a reposted order: new parameters, renewed expiry, pending again, result cleared', async () => {
      await post([order('a', 1, 'first'), order('b')]);
      await repo.markResult('a', { status: 'accepted', power: 12.5, decidedAt: clock.now() });
      clock.advance(20 * HOUR);
      const { receivedAt, expiresAt } = await post([order('a', 2, 'second')]);
      expect(await repo.get('a')).toEqual({
        recordId: 'a',
        parameter1: 'second',
        parameter2: 2,
        status: 'pending',
        receivedAt,
        expiresAt,
      });
      clock.advance(10 * HOUR);
      expect(await repo.get('b')).toBeUndefined();
      expect((await repo.get('a'))?.parameter1).toBe('second');
    });

    it('brings an expired order back when it is posted again', async () => {
      await post([order('a', 1, 'old')]);
      clock.advance(25 * HOUR);
      expect(await repo.get('a')).toBeUndefined();
      await post([order('a', 3, 'new')]);
      expect(await repo.get('a')).toMatchObject({ parameter1: 'new', parameter2: 3, status: 'pending' });
      expect(await rows()).toBe(1);
    });

    it('keeps the last of a record_id repeated within one call', async () => {
      await post([order('a', 1), order('b'), order('a', 2)]);
      expect((await repo.get('a'))?.parameter2).toBe(2);
      expect(await rows()).toBe(2);
    });

    it('lists newest first, a reposted order at the front, with a status filter', async () => {
      await post([order('a'), order('b')]);
      clock.advance(1000);
      await post([order('c')]);
      clock.advance(1000);
      await post([order('a')]);
      expect(ids((await repo.list({ limit: 10 })).orders)).toEqual(['a', 'c', 'b']);
      await repo.markResult('c', { status: 'accepted', power: 3, decidedAt: clock.now() });
      await repo.markResult('b', { status: 'rejected', decidedAt: clock.now() });
      expect(ids((await repo.list({ status: 'pending', limit: 10 })).orders)).toEqual(['a']);
      expect(ids((await repo.list({ status: 'accepted', limit: 10 })).orders)).toEqual(['c']);
      expect(ids((await repo.list({ status: 'rejected', limit: 10 })).orders)).toEqual(['b']);
    });

    it('pages through a list with cursors, each order once', async () => {
      const all = Array.from({ length: 25 }, (_, i) => order(`o-${String(i).padStart(2, '0')}`));
      await post(all);
      const seen: string[] = [];
      let cursor: string | undefined;
      let pages = 0;
      do {
        const page = await repo.list({ limit: 10, ...(cursor ? { cursor } : {}) });
        seen.push(...ids(page.orders));
        cursor = page.next;
        pages++;
      } while (cursor);
      expect(pages).toBe(3);
      expect([...seen].sort()).toEqual(ids(all));
      expect(new Set(seen).size).toBe(25);
      const exact = await repo.list({ limit: 25 });
      expect(exact.next).toBeUndefined();
    });

    it('refuses a cursor it did not issue and a limit that is not a positive integer', async () => {
      for (const cursor of ['nope', 'eyJvIjotMX0', 'a.b', Buffer.from('{"o":"1"}').toString('base64url')]) {
        await expect(repo.list({ limit: 10, cursor })).rejects.toBeInstanceOf(InvalidCursorError);
      }
      await expect(repo.list({ limit: 0 })).rejects.toBeInstanceOf(RangeError);
      await expect(repo.pending(1.5)).rejects.toBeInstanceOf(RangeError);
    });

    it('gives the auction the pending, unexpired orders, oldest first, up to the limit', async () => {
      await post([order('old')], 1);
      clock.advance(1000);
      await post([order('b'), order('a')]);
      clock.advance(1000);
      await post([order('decided'), order('new')]);
      await repo.markResult('decided', { status: 'accepted', power: 1, decidedAt: clock.now() });
      expect(ids(await repo.pending(10))).toEqual(['old', 'a', 'b', 'new']);
      expect(ids(await repo.pending(2))).toEqual(['old', 'a']);
      clock.advance(HOUR);
      expect(ids(await repo.pending(10))).toEqual(['a', 'b', 'new']);
    });

    it('records the decision: accepted with its power, rejected without', async () => {
      await post([order('yes'), order('no')]);
      const decidedAt = new Date('2024-09-01T13:00:00Z');
      expect(await repo.markResult('yes', { status: 'accepted', power: 42.5, decidedAt })).toBe(true);
      expect(await repo.markResult('no', { status: 'rejected', decidedAt })).toBe(true);
      expect(await repo.get('yes')).toMatchObject({ status: 'accepted', result: { power: 42.5, decidedAt } });
      expect(await repo.get('no')).toMatchObject({ status: 'rejected', result: { decidedAt } });
      expect((await repo.get('no'))?.result).not.toHaveProperty('power');
      expect(await repo.markResult('missing', { status: 'rejected', decidedAt })).toBe(false);
    });

    it('purges the orders expired at the given time and counts them', async () => {
      const { expiresAt } = await post([order('a'), order('b')], 1);
      await post([order('c')], 2);
      expect(await repo.purgeExpired(new Date(expiresAt.getTime() - 1))).toBe(0);
      expect(await repo.purgeExpired(expiresAt)).toBe(2);
      expect(await rows()).toBe(1);
      clock.set(expiresAt);
      expect(ids((await repo.list({ limit: 10 })).orders)).toEqual(['c']);
      expect(await repo.purgeExpired(expiresAt)).toBe(0);
    });

    it('stores a batch of any size at once, or nothing when one order cannot be stored', async () => {
      const many = Array.from({ length: 6_001 }, (_, i) => order(`bulk-${i}`, i));
      await post(many);
      expect(await rows()).toBe(6_001);
      expect((await repo.get('bulk-6000'))?.parameter2).toBe(6000);

      // The last order breaks a database rule: none of the others is stored or replaced either.
      const broken = [
        ...many.slice(0, 2_750).map((o) => order(o.recordId, -1)),
        ...many.slice(0, 2_750).map((o) => order(`new-${o.recordId}`)),
        order('x'.repeat(129)),
      ];
      await expect(post(broken)).rejects.toThrow();
      expect(await rows()).toBe(6_001);
      expect((await repo.get('bulk-0'))?.parameter2).toBe(0);
      expect((await repo.get('bulk-2749'))?.parameter2).toBe(2749);
      expect(await repo.get('new-bulk-0')).toBeUndefined();
    }, 120_000);

    it('takes concurrent posts of the same record_ids without deadlock', async () => {
      const recordIds = Array.from({ length: 200 }, (_, i) => `c-${i}`);
      await Promise.all(
        Array.from({ length: 8 }, (_, n) => {
          // Half of the posts list the IDs backwards: an adapter that locks must lock them in one order anyway.
          const listed = n % 2 === 0 ? recordIds : [...recordIds].reverse();
          return post(listed.map((id) => order(id, n)));
        }),
      );
      expect(await rows()).toBe(200);
      expect((await repo.list({ limit: 300 })).orders).toHaveLength(200);
    });

    it('fills every page of a list and of the pending orders past expired orders not yet purged', async () => {
      // Newest first, live and expired orders alternate; the oldest orders are all expired.
      const expired = Array.from({ length: 20 }, (_, i) => `expired-${String(i).padStart(2, '0')}`);
      const live = Array.from({ length: 15 }, (_, i) => `live-${String(i).padStart(2, '0')}`);
      for (const id of expired.slice(0, 5)) {
        await post([order(id)], 1);
        clock.advance(1000);
      }
      for (const [i, id] of live.entries()) {
        await post([order(id)], 48);
        clock.advance(1000);
        await post([order(expired[5 + i]!)], 1);
        clock.advance(1000);
      }
      clock.advance(HOUR);
      const newestFirst = [...live].reverse();
      for (const status of [undefined, 'pending' as const]) {
        const seen: string[] = [];
        let cursor: string | undefined;
        do {
          const page = await repo.list({
            limit: 4,
            ...(status ? { status } : {}),
            ...(cursor ? { cursor } : {}),
          });
          expect(page.orders.length).toBe(page.next ? 4 : 3);
          seen.push(...ids(page.orders));
          cursor = page.next;
        } while (cursor);
        expect(seen).toEqual(newestFirst);
      }
      expect(ids(await repo.pending(3))).toEqual(live.slice(0, 3));
      expect(await rows()).toBe(35);
    });

    it('keeps parameter_2 exactly, at the ends of the double range too', async () => {
      const values = [1e200, -Number.MAX_VALUE, Number.MIN_VALUE, 0.1 + 0.2, 123456789.12345679];
      await post(values.map((value, i) => order(`n-${i}`, value)));
      for (const [i, value] of values.entries()) expect((await repo.get(`n-${i}`))?.parameter2).toBe(value);
    });
  });
}
