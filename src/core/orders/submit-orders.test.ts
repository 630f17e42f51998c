import { describe, expect, it } from 'vitest';
import type { OrdersRepository } from '../../ports/orders-repository.js';
import { submitOrders } from './submit-orders.js';

describe('submitOrders', () => {
  it('stores the orders received now and expiring after the TTL, and says so', async () => {
    const calls: Parameters<OrdersRepository['upsert']>[] = [];
    const repository = {
      upsert: async (...args: Parameters<OrdersRepository['upsert']>) => void calls.push(args),
    };
    const clock = { now: () => new Date('2024-09-01T12:00:00Z') };
    const orders = [
      { recordId: 'unique_id_1', parameter1: 'abc', parameter2: 4 },
      { recordId: 'unique_id_2', parameter1: 'def', parameter2: 2.1 },
    ];
    const submitted = await submitOrders(orders, { repository, clock, ttlHours: 24 });
    expect(submitted).toEqual({
      accepted: 2,
      recordIds: ['unique_id_1', 'unique_id_2'],
      receivedAt: new Date('2024-09-01T12:00:00Z'),
      expiresAt: new Date('2024-09-02T12:00:00Z'),
    });
    expect(calls).toEqual([[orders, { receivedAt: submitted.receivedAt, expiresAt: submitted.expiresAt }]]);
    const half = await submitOrders(orders, { repository, clock, ttlHours: 0.5 });
    expect(half.expiresAt.toISOString()).toBe('2024-09-01T12:30:00.000Z');
  });
});
