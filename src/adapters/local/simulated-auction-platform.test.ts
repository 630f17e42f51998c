import { describe, expect, it } from 'vitest';
import { createSimulatedAuctionPlatform } from './simulated-auction-platform.js';

const orders = Array.from({ length: 20 }, (_, i) => ({
  record_id: `o-${i}`,
  parameter_1: 'x',
  parameter_2: 10,
}));

describe('simulated auction platform', () => {
  it('answers the same for the same seed, execution and attempt', async () => {
    const a = createSimulatedAuctionPlatform({ seed: 7, readyProbability: 0.5 });
    const b = createSimulatedAuctionPlatform({ seed: 7, readyProbability: 0.5 });
    for (let attempt = 1; attempt <= 5; attempt++) {
      const context = { executionId: 'exec-1', attempt };
      expect(await a.fetchResults(orders, context)).toEqual(await b.fetchResults(orders, context));
    }
  });

  it('is never ready at probability 0 and always ready at 1, deciding every order', async () => {
    const never = createSimulatedAuctionPlatform({ seed: 1, readyProbability: 0 });
    expect(await never.fetchResults(orders, { executionId: 'e', attempt: 1 })).toEqual({ results: false });
    const always = createSimulatedAuctionPlatform({ seed: 1, readyProbability: 1 });
    const answer = await always.fetchResults(orders, { executionId: 'e', attempt: 1 });
    if (!answer.results) throw new Error('expected results');
    expect(answer.orders.map((o) => o.record_id)).toEqual(orders.map((o) => o.record_id));
    expect(new Set(answer.orders.map((o) => o.status))).toEqual(new Set(['accepted', 'rejected']));
    for (const o of answer.orders) expect(o.power).toBeGreaterThanOrEqual(0);
  });
});
