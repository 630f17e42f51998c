import type {
  PutEventsCommand,
  PutEventsCommandOutput,
  PutEventsRequestEntry,
  PutEventsResultEntry,
} from '@aws-sdk/client-eventbridge';
import { describe, expect, it } from 'vitest';
import {
  BusPublishError,
  createEventBridgePublisher,
  entrySize,
  MAX_PUT_BYTES,
} from '../../src/adapters/aws/eventbridge-publisher.js';
import type { BusEventInput } from '../../src/ports/bus.js';

// No EventBridge emulator exists: these tests check the requests and the retry logic against a
// fake client that answers each entry from a script.

type Answer = Pick<PutEventsResultEntry, 'ErrorCode' | 'ErrorMessage'> | 'ok';

function fakeEventBridge(script: (detail: Record<string, unknown>, call: number) => Answer = () => 'ok') {
  const calls: PutEventsRequestEntry[][] = [];
  let eventIds = 0;
  return {
    calls,
    client: {
      async send(command: PutEventsCommand): Promise<PutEventsCommandOutput> {
        const entries = command.input.Entries ?? [];
        calls.push(entries);
        const results = entries.map((entry): PutEventsResultEntry => {
          const answer = script(JSON.parse(entry.Detail ?? '{}'), calls.length);
          if (answer !== 'ok') return answer;
          eventIds += 1;
          return { EventId: `event-${eventIds}` };
        });
        return {
          Entries: results,
          FailedEntryCount: results.filter((result) => result.ErrorCode).length,
          $metadata: {},
        };
      },
    },
  };
}

const event = (n: number, detail: Record<string, unknown> = {}): BusEventInput => ({
  source: 'tributary.statements',
  detailType: 'StatementSummarized',
  detail: { n, ...detail },
});
const numbers = (entries: PutEventsRequestEntry[]) =>
  entries.map((entry) => JSON.parse(entry.Detail ?? '{}').n);

describe('EventBridge publisher', () => {
  it('puts each event with its source, detail type, JSON detail, resources and the bus name', async () => {
    const fake = fakeEventBridge();
    const bus = createEventBridgePublisher({ client: fake.client, eventBusName: 'tributary-dev' });
    await bus.publish([
      {
        source: 'tributary.statements',
        detailType: 'StatementSummarized',
        detail: { accountId: 'acct-1', balance: '39.74' },
        resources: ['arn:aws:s3:::transactions/july.csv'],
      },
      { source: 'tributary.loader', detailType: 'FileLoaded', detail: { file: 'jobs.csv' } },
    ]);
    expect(fake.calls).toEqual([
      [
        {
          EventBusName: 'tributary-dev',
          Source: 'tributary.statements',
          DetailType: 'StatementSummarized',
          Detail: '{"accountId":"acct-1","balance":"39.74"}',
          Resources: ['arn:aws:s3:::transactions/july.csv'],
        },
        {
          EventBusName: 'tributary-dev',
          Source: 'tributary.loader',
          DetailType: 'FileLoaded',
          Detail: '{"file":"jobs.csv"}',
          Resources: [],
        },
      ],
    ]);
  });

  it('puts at most 10 entries per call, in order', async () => {
    const fake = fakeEventBridge();
    const bus = createEventBridgePublisher({ client: fake.client, eventBusName: 'bus' });
    await bus.publish(Array.from({ length: 23 }, (_, n) => event(n)));
    expect(fake.calls.map((entries) => entries.length)).toEqual([10, 10, 3]);
    expect(fake.calls.flatMap(numbers)).toEqual(Array.from({ length: 23 }, (_, n) => n));
  });

  it('puts at most 256 KB per call, as EventBridge counts entry sizes', async () => {
    const fake = fakeEventBridge();
    const bus = createEventBridgePublisher({ client: fake.client, eventBusName: 'bus' });
    // Each about 100 KB: two fit in one call, a third does not.
    await bus.publish(Array.from({ length: 5 }, (_, n) => event(n, { blob: 'x'.repeat(100_000) })));
    expect(fake.calls.map(numbers)).toEqual([[0, 1], [2, 3], [4]]);
    for (const entries of fake.calls) {
      expect(entries.reduce((sum, entry) => sum + entrySize(entry), 0)).toBeLessThanOrEqual(MAX_PUT_BYTES);
    }
  });

  it('counts an entry as its source, detail type, detail and resources in UTF-8, and 14 bytes for a time', () => {
    expect(entrySize({ Source: 'ab', DetailType: 'é', Detail: '{}', Resources: ['r1', 'r2'] })).toBe(
      2 + 2 + 2 + 4,
    );
    expect(entrySize({ Source: 'ab', Time: new Date() })).toBe(16);
  });

  it('refuses an event over 256 KB before putting anything, naming it', async () => {
    const fake = fakeEventBridge();
    const bus = createEventBridgePublisher({ client: fake.client, eventBusName: 'tributary-dev' });
    await expect(bus.publish([event(0), event(1, { blob: 'x'.repeat(MAX_PUT_BYTES) })])).rejects.toThrow(
      /^event #1 \(tributary\.statements \/ StatementSummarized\) takes \d+ bytes; EventBridge bus "tributary-dev" takes at most 262144/,
    );
    expect(fake.calls).toEqual([]);
  });

  it('puts again only the entries refused with a retryable code, with growing jittered waits', async () => {
    const fake = fakeEventBridge(({ n }, call) => {
      if (n === 3 && call < 3) return { ErrorCode: 'ThrottlingException', ErrorMessage: 'Rate exceeded' };
      if (n === 11 && call < 3) return { ErrorCode: 'InternalFailure', ErrorMessage: 'Internal' };
      return 'ok';
    });
    const sleeps: number[] = [];
    const bus = createEventBridgePublisher({
      client: fake.client,
      eventBusName: 'bus',
      sleep: async (ms) => void sleeps.push(ms),
    });
    await bus.publish(Array.from({ length: 12 }, (_, n) => event(n)));
    expect(fake.calls.map(numbers)).toEqual([Array.from({ length: 10 }, (_, n) => n), [10, 11], [3, 11]]);
    expect(sleeps).toHaveLength(1);
    expect(sleeps[0]).toBeGreaterThanOrEqual(50);
    expect(sleeps[0]).toBeLessThanOrEqual(100);
  });

  it('gives up after maxAttempts and throws naming each refused event, its index and code', async () => {
    const fake = fakeEventBridge(({ n }) => {
      if (n === 2) return { ErrorCode: 'ThrottlingException', ErrorMessage: 'Rate exceeded' };
      if (n === 4) return { ErrorCode: 'MalformedDetail', ErrorMessage: 'Detail is malformed' };
      return 'ok';
    });
    const sleeps: number[] = [];
    const bus = createEventBridgePublisher({
      client: fake.client,
      eventBusName: 'tributary-dev',
      maxAttempts: 3,
      sleep: async (ms) => void sleeps.push(ms),
    });
    const error = await bus.publish(Array.from({ length: 6 }, (_, n) => event(n))).catch((caught) => caught);
    expect(error).toBeInstanceOf(BusPublishError);
    expect(error.message).toBe(
      'EventBridge bus "tributary-dev" did not accept 2 of 6 events: ' +
        '#2 (tributary.statements / StatementSummarized) ThrottlingException: Rate exceeded; ' +
        '#4 (tributary.statements / StatementSummarized) MalformedDetail: Detail is malformed',
    );
    expect(error.failures).toEqual([
      expect.objectContaining({ index: 2, errorCode: 'ThrottlingException' }),
      expect.objectContaining({ index: 4, errorCode: 'MalformedDetail' }),
    ]);
    // The malformed entry is not retried: no later try can fix it.
    expect(fake.calls.map(numbers)).toEqual([[0, 1, 2, 3, 4, 5], [2], [2]]);
    expect(sleeps).toHaveLength(2);
  });

  it('lists at most ten refused events in the message', async () => {
    const fake = fakeEventBridge(() => ({ ErrorCode: 'AccessDeniedException', ErrorMessage: 'denied' }));
    const bus = createEventBridgePublisher({ client: fake.client, eventBusName: 'bus' });
    const error = await bus.publish(Array.from({ length: 14 }, (_, n) => event(n))).catch((caught) => caught);
    expect(error.failures).toHaveLength(14);
    expect(error.message).toMatch(/did not accept 14 of 14 events: .*#9 .*; and 4 more$/);
  });

  it('throws naming the bus and the events of a call that failed as a whole', async () => {
    const cause = Object.assign(new Error('Event bus tributary-dev does not exist.'), {
      name: 'ResourceNotFoundException',
    });
    const bus = createEventBridgePublisher({
      client: {
        send: async () => {
          throw cause;
        },
      },
      eventBusName: 'tributary-dev',
    });
    const error = await bus.publish(Array.from({ length: 3 }, (_, n) => event(n))).catch((caught) => caught);
    expect(error.message).toBe(
      'EventBridge PutEvents to bus "tributary-dev" failed for events #0…#2: ' +
        'ResourceNotFoundException: Event bus tributary-dev does not exist.',
    );
    expect(error.cause).toBe(cause);
  });

  it('names the retried events when their second put fails as a whole', async () => {
    let calls = 0;
    const bus = createEventBridgePublisher({
      client: {
        async send(command) {
          calls += 1;
          if (calls > 1) throw Object.assign(new Error('socket hang up'), { name: 'TimeoutError' });
          const entries = command.input.Entries ?? [];
          return {
            Entries: entries.map((_, n) =>
              n === 1 || n === 3
                ? { ErrorCode: 'InternalFailure', ErrorMessage: 'Internal' }
                : { EventId: `e-${n}` },
            ),
            $metadata: {},
          };
        },
      },
      eventBusName: 'bus',
      sleep: async () => {},
    });
    await expect(bus.publish(Array.from({ length: 4 }, (_, n) => event(n)))).rejects.toThrow(
      'EventBridge PutEvents to bus "bus" failed for events #1, #3: TimeoutError: socket hang up',
    );
  });

  it('publishes nothing for no events', async () => {
    const fake = fakeEventBridge();
    await createEventBridgePublisher({ client: fake.client, eventBusName: 'bus' }).publish([]);
    expect(fake.calls).toEqual([]);
  });
});
