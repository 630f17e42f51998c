import { afterAll, beforeAll, describe } from 'vitest';
import { createAlertNotifier } from '../src/adapters/local/alert-notifier.js';
import { ManualClock } from '../src/runtime/clock.js';
import { notifierContract } from './contracts/notifier.js';
import { startReceiver } from './support/http-receiver.js';
import { useMemoryDb } from './support/memory-db.js';

const database = useMemoryDb(['alerts']);
const clock = new ManualClock('2024-09-01T00:00:00Z');

describe('local alert notifier', () => {
  let receiver: Awaited<ReturnType<typeof startReceiver>>;
  beforeAll(async () => {
    receiver = await startReceiver();
  });
  afterAll(() => receiver?.close());

  const notifier = (webhookUrl: string) =>
    createAlertNotifier({ db: database(), clock, webhookUrl, sleep: async () => {} });

  notifierContract('webhook', async () => {
    const before = receiver.received.length;
    return {
      notifier: notifier(receiver.url),
      another: () => notifier(receiver.url),
      unreachable: () => notifier('http://127.0.0.1:1'),
      delivered: async () =>
        receiver.received.slice(before).map((request) => (JSON.parse(request.body) as { text: string }).text),
    };
  });
});
