import { beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../src/runtime/clock.js';
import type { DeliverTwice } from '../src/runtime/deliver-twice.js';
import { startReceiver } from './support/http-receiver.js';
import { pipelineSnapshot } from './support/pipeline-snapshot.js';
import { auctionAnswer, ORDER_COUNT, runEveryPipeline } from './support/pipeline-workload.js';
import { openTestFabric } from './support/test-fabric.js';

/**
 * Duplicate delivery (`TRIBUTARY_DELIVER_TWICE`): SQS may deliver a message again and Lambda may
 * hand a Kinesis batch over again, after the first delivery completed or while it runs; Step
 * Functions may run a task again when its response was lost. The same real work goes through a
 * fabric that delivers everything once and through fabrics that deliver everything twice; every
 * pipeline must end in the same state, with each external effect (email, webhook post, result
 * object) made once.
 */

interface Run {
  snapshot: Awaited<ReturnType<typeof pipelineSnapshot>>;
  /** Records handed to each function, over all its invocations. */
  delivered: Record<string, number>;
  /** The distinct errors functions reported. */
  errors: string[];
  platformCalls: number;
  webhookPosts: string[];
}

async function runIn(mode: DeliverTwice): Promise<Run> {
  const platform = await startReceiver((request) => auctionAnswer(request.body));
  const webhook = await startReceiver();
  const { fabric, app, close } = await openTestFabric(`duplicate-${mode}`, {
    clock: new ManualClock('2024-09-01T10:00:00Z'),
    deliverTwice: mode,
    auctionPlatform: 'http',
    auctionUrl: platform.url,
    auctionWaitSeconds: 30,
    auctionMaxAttempts: 5,
    alertWebhookUrl: webhook.url,
  });
  try {
    await runEveryPipeline(fabric, app);
    const snapshot = await pipelineSnapshot(fabric);
    const { rows } = await fabric.db.query<{ function: string; records: number; error: string | null }>(
      'SELECT function, records, error FROM function_runs',
    );
    const delivered: Record<string, number> = {};
    for (const row of rows) delivered[row.function] = (delivered[row.function] ?? 0) + row.records;
    const errors = [...new Set(rows.flatMap((row) => (row.error ? [row.error] : [])))].sort();
    const webhookPosts = webhook.received
      .map((request) =>
        (JSON.parse(request.body) as { text: string }).text.replace(/\(execution [^)]*\)/, '(execution)'),
      )
      .sort();
    return { snapshot, delivered, errors, platformCalls: platform.received.length, webhookPosts };
  } finally {
    await close();
    await platform.close();
    await webhook.close();
  }
}

describe('duplicate delivery', () => {
  let once: Run;

  beforeAll(async () => {
    once = await runIn('off');
  }, 60_000);

  it('runs the reference workload through every pipeline', () => {
    const { statements, events, orders, loader } = once.snapshot;
    const report = (key: string) => statements.reports.find((r) => String(r.file_id).startsWith(key));
    expect(report('transactions/uploads/transactions3000.csv')).toMatchObject({
      inserted: 3000,
      duplicates: 0,
    });
    expect(report('transactions/uploads/challenge-again.csv')).toMatchObject({ inserted: 0, duplicates: 4 });
    // Uploaded again under its own key: that upload stored nothing new, and its report says so.
    expect(report('transactions/uploads/challenge.csv')).toMatchObject({ inserted: 0, duplicates: 4 });
    expect(statements.emails.map((email) => email.recipients)).toEqual([
      ['ana@example.com'],
      ['validEmail@gmail.com'],
    ]);
    expect(events.stored.length).toBe(2 + 3 * 400);
    expect(events.rejected.map((r) => r.stage).sort()).toEqual(['conflict', 'validation', 'validation']);
    expect(orders.orders.filter((o) => o.status === 'rejected')).toHaveLength(ORDER_COUNT / 3);
    expect(once.webhookPosts).toHaveLength(ORDER_COUNT / 3);
    expect(loader.files.map((f) => f.status)).toEqual(['loaded', 'loaded', 'loaded', 'failed', 'unmatched']);
    expect(once.snapshot.queues.waiting).toEqual([]);
    // The only failures: statements for accounts nobody registered, waiting in the DLQ.
    expect(once.errors.length).toBeGreaterThan(0);
    for (const error of once.errors) expect(error).toMatch(/^no email known for account/);
  });

  it.each([
    { mode: 'after', when: 'after the first delivery completed' },
    { mode: 'concurrent', when: 'while the first delivery runs' },
  ] as const)(
    'ends every pipeline in the state of a single delivery when everything is delivered again $when',
    async ({ mode }) => {
      const twice = await runIn(mode);
      // Everything was delivered twice: each file, each stream record, each platform call.
      expect(twice.delivered['statements-ingest']).toBe(2 * (once.delivered['statements-ingest'] ?? 0));
      expect(twice.delivered['loader-ingest']).toBe(2 * (once.delivered['loader-ingest'] ?? 0));
      expect(twice.delivered['events-consume']).toBe(2 * (once.delivered['events-consume'] ?? 0));
      expect(twice.delivered['statements-notify']).toBeGreaterThanOrEqual(
        2 * (once.delivered['statements-notify'] ?? 0),
      );
      expect(twice.platformCalls).toBe(2 * once.platformCalls);

      expect(twice.snapshot.statements).toEqual(once.snapshot.statements);
      expect(twice.snapshot.events).toEqual(once.snapshot.events);
      expect(twice.snapshot.orders).toEqual(once.snapshot.orders);
      expect(twice.snapshot.loader).toEqual(once.snapshot.loader);
      expect(twice.snapshot.queues).toEqual(once.snapshot.queues);
      expect(twice.webhookPosts).toEqual(once.webhookPosts);
      // A redelivery is never an error: the only failures are the ones a single delivery has.
      expect(twice.errors).toEqual(once.errors);
    },
    60_000,
  );
});
