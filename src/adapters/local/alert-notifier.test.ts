import { afterEach, describe, expect, it } from 'vitest';
import { startReceiver } from '../../../test/support/http-receiver.js';
import { useMemoryDb } from '../../../test/support/memory-db.js';
import { ManualClock } from '../../runtime/clock.js';
import { createAlertNotifier } from './alert-notifier.js';

const database = useMemoryDb(['alerts']);
const clock = new ManualClock('2024-09-01T00:00:00Z');
const alert = {
  id: 'exec-1/rejected/o-1',
  kind: 'order-rejected' as const,
  text: 'Order o-1 rejected',
  details: { o: 1 },
};
let receiver: Awaited<ReturnType<typeof startReceiver>> | undefined;

afterEach(async () => {
  await receiver?.close();
  receiver = undefined;
});

describe('alert notifier', () => {
  it('posts Slack-compatible JSON to the webhook once per alert id and keeps every alert', async () => {
    receiver = await startReceiver();
    const notifier = createAlertNotifier({ db: database(), clock, webhookUrl: receiver.url });
    expect(await notifier.notify(alert)).toBe('delivered');
    expect(await notifier.notify(alert)).toBe('duplicate');
    expect(receiver.received).toHaveLength(1);
    expect(JSON.parse(receiver.received[0]?.body ?? '')).toEqual({ text: 'Order o-1 rejected' });
    expect(receiver.received[0]?.headers['content-type']).toBe('application/json');
    expect(await notifier.list()).toEqual([
      expect.objectContaining({ id: alert.id, delivery: 'delivered', attempts: 1 }),
    ]);
  });

  it('retries a failing webhook and keeps the alert as failed, without failing the caller', async () => {
    receiver = await startReceiver(() => ({ status: 503 }));
    const sleeps: number[] = [];
    const notifier = createAlertNotifier({
      db: database(),
      clock,
      webhookUrl: receiver.url,
      sleep: async (ms) => void sleeps.push(ms),
    });
    expect(await notifier.notify(alert)).toBe('failed');
    expect(receiver.received).toHaveLength(3);
    expect(sleeps).toEqual([500, 1000]);
    const [kept] = await notifier.list();
    expect(kept).toMatchObject({ delivery: 'failed', attempts: 3, lastError: 'webhook answered HTTP 503' });
    // Raised again (a retried task): a failed alert is tried again.
    expect(await notifier.notify(alert)).toBe('failed');
    expect(receiver.received).toHaveLength(6);
  });

  it('keeps alerts when no webhook is configured', async () => {
    const notifier = createAlertNotifier({ db: database(), clock });
    expect(await notifier.notify(alert)).toBe('not-configured');
    expect(await notifier.list()).toEqual([expect.objectContaining({ delivery: 'not-configured' })]);
  });
});
