import { createHash } from 'node:crypto';
import type { AuctionPlatform } from '../../ports/auction-platform.js';

/**
 * A simulated auction platform: each call is ready with probability `readyProbability`; when
 * ready, each order is accepted with probability `acceptProbability` and awarded part of its
 * `parameter_2` as power. Everything is drawn from `seed`, the execution id and the attempt, so
 * the same run gives the same answers.
 */
export function createSimulatedAuctionPlatform(options: {
  seed: number;
  readyProbability: number;
  acceptProbability?: number;
}): AuctionPlatform {
  const accept = options.acceptProbability ?? 0.7;
  return {
    async fetchResults(orders, { executionId, attempt }) {
      const random = seeded(`${options.seed}/${executionId}/${attempt}`);
      if (random() >= options.readyProbability) return { results: false };
      return {
        results: true,
        orders: orders.map((order) => ({
          record_id: order.record_id,
          status: random() < accept ? 'accepted' : 'rejected',
          power: Math.round(Math.abs(order.parameter_2) * random() * 100) / 100,
        })),
      };
    },
  };
}

/** mulberry32 seeded from a string's SHA-256. */
function seeded(key: string): () => number {
  let state = createHash('sha256').update(key).digest().readUInt32BE(0);
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
