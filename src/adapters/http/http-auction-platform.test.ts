import { afterEach, describe, expect, it } from 'vitest';
import { startReceiver } from '../../../test/support/http-receiver.js';
import { createHttpAuctionPlatform } from './http-auction-platform.js';

const orders = [{ record_id: 'o-1', parameter_1: 'abc', parameter_2: 4 }];
const context = { executionId: 'exec-1', attempt: 1 };
let receiver: Awaited<ReturnType<typeof startReceiver>> | undefined;

afterEach(async () => {
  await receiver?.close();
  receiver = undefined;
});

describe('HTTP auction platform', () => {
  it('posts the pending orders and returns the results', async () => {
    receiver = await startReceiver(() => ({
      status: 200,
      body: { results: true, orders: [{ record_id: 'o-1', status: 'accepted', power: 2 }] },
    }));
    const platform = createHttpAuctionPlatform({ url: receiver.url });
    expect(await platform.fetchResults(orders, context)).toEqual({
      results: true,
      orders: [{ record_id: 'o-1', status: 'accepted', power: 2 }],
    });
    expect(JSON.parse(receiver.received[0]?.body ?? '')).toEqual({
      orders,
      executionId: 'exec-1',
      attempt: 1,
    });
  });

  it('reports a 5xx, a timeout or a refused connection as Platform.Unavailable, which the workflow retries', async () => {
    receiver = await startReceiver(() => ({ status: 500, body: { message: 'down' } }));
    await expect(
      createHttpAuctionPlatform({ url: receiver.url }).fetchResults(orders, context),
    ).rejects.toMatchObject({
      name: 'Platform.Unavailable',
      message: expect.stringContaining('HTTP 500'),
    });
    const slow = await startReceiver(
      () => new Promise((resolve) => setTimeout(() => resolve({ status: 200 }), 500)),
    );
    try {
      await expect(
        createHttpAuctionPlatform({ url: slow.url, timeoutMs: 50 }).fetchResults(orders, context),
      ).rejects.toMatchObject({ name: 'Platform.Unavailable' });
    } finally {
      await slow.close();
    }
    await expect(
      createHttpAuctionPlatform({ url: 'http://127.0.0.1:1' }).fetchResults(orders, context),
    ).rejects.toMatchObject({ name: 'Platform.Unavailable' });
  });

  it('reports a 4xx or an unexpected body as Platform.BadResponse, naming the problem', async () => {
    receiver = await startReceiver((_, i) =>
      i === 0
        ? { status: 400 }
        : { status: 200, body: { results: true, orders: [{ record_id: 'o-1', status: 'maybe' }] } },
    );
    const platform = createHttpAuctionPlatform({ url: receiver.url });
    await expect(platform.fetchResults(orders, context)).rejects.toMatchObject({
      name: 'Platform.BadResponse',
    });
    await expect(platform.fetchResults(orders, context)).rejects.toThrow(/orders\.0\.status/);
  });
});
