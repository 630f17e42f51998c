import { describe, expect, it } from 'vitest';
import type { Order, OrdersRepository } from '../ports/orders-repository.js';
import {
  capPendingForStepFunctions,
  ORDERS_PAYLOAD_BUDGET,
  orderPayloadBytes,
  STEP_FUNCTIONS_PAYLOAD_BYTES,
  withinPayloadBudget,
} from './auction-batch.js';

const order = (recordId: string): Order => ({
  recordId,
  parameter1: 'north',
  parameter2: 10,
  status: 'pending',
  receivedAt: new Date('2024-09-01T00:00:00Z'),
  expiresAt: new Date('2024-09-02T00:00:00Z'),
});

describe('the auction batch on AWS', () => {
  it('estimates at least what an order really adds to the state after the Map', () => {
    const id = 'é'.repeat(128);
    const result = JSON.stringify({ record_id: id, status: 'accepted', power: -(1 / 3) * 1e-300 });
    const outcome = JSON.stringify({ record_id: id, status: 'rejected', alerted: true });
    const actual = Buffer.byteLength(result) + Buffer.byteLength(outcome) + 2;
    expect(orderPayloadBytes(id)).toBeGreaterThanOrEqual(actual);
  });

  it('keeps the orders of an execution within the budget, well under the Step Functions cap', () => {
    const longIds = Array.from({ length: 2_000 }, (_, i) =>
      order(`${'x'.repeat(120)}-${String(i).padStart(7, '0')}`),
    );
    const taken = withinPayloadBudget(longIds);
    expect(taken.length).toBeLessThan(longIds.length);
    expect(taken).toEqual(longIds.slice(0, taken.length));
    const state = JSON.stringify({
      orders: taken.map((o) => ({ record_id: o.recordId, status: 'accepted', power: 1234567.891 })),
      stored: taken.map((o) => ({ record_id: o.recordId, status: 'accepted', alerted: false })),
    });
    expect(Buffer.byteLength(state)).toBeLessThanOrEqual(ORDERS_PAYLOAD_BUDGET);
    expect(ORDERS_PAYLOAD_BUDGET).toBeLessThan(0.7 * STEP_FUNCTIONS_PAYLOAD_BYTES);
    expect(withinPayloadBudget([order('a'.repeat(1_000))], 10)).toHaveLength(1);
  });

  it('asks the repository for at most the batch limit of pending orders', async () => {
    const asked: number[] = [];
    const repository = {
      pending: async (limit: number) => {
        asked.push(limit);
        return Array.from({ length: limit }, (_, i) => order(`o-${i}`));
      },
    } as unknown as OrdersRepository;
    const capped = capPendingForStepFunctions(repository, 500);
    expect(await capped.pending(10_000)).toHaveLength(500);
    expect(await capped.pending(20)).toHaveLength(20);
    expect(asked).toEqual([500, 20]);
  });
});
