import { afterEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../src/runtime/clock.js';
import type { FabricOptions } from '../src/runtime/fabric.js';
import { localFunctionArn } from '../src/runtime/workflow-runner.js';
import { auctionDefinition } from '../src/workflows/auction.js';
import { startReceiver } from './support/http-receiver.js';
import { openTestFabric } from './support/test-fabric.js';
import { validateAsl } from './support/validate-asl.js';

const ORDERS = [
  { record_id: 'unique_id_1', parameter_1: 'abc', parameter_2: 4 },
  { record_id: 'unique_id_2', parameter_1: 'def', parameter_2: 2.1 },
];
const RESULTS = {
  results: true,
  orders: [
    { record_id: 'unique_id_1', status: 'accepted', power: 3.5 },
    { record_id: 'unique_id_2', status: 'rejected', power: 0 },
  ],
};

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function setUp(options: Partial<FabricOptions>) {
  const clock = new ManualClock('2024-09-01T00:00:00Z');
  const { fabric, app, close } = await openTestFabric('auction', {
    clock,
    auctionWaitSeconds: 30,
    auctionMaxAttempts: 20,
    ...options,
  });
  cleanups.push(close);
  const call = (path: string, init: RequestInit = {}) => {
    const headers = new Headers(init.headers);
    headers.set('authorization', `Bearer ${fabric.adminToken}`);
    if (init.body) headers.set('content-type', 'application/json');
    return app.request(path, { ...init, headers });
  };
  expect((await call('/orders', { method: 'POST', body: JSON.stringify(ORDERS) })).status).toBe(201);
  const run = async () => {
    const started = await call('/auction/executions', { method: 'POST' });
    expect(started.status).toBe(202);
    const { executionId } = (await started.json()) as { executionId: string };
    await fabric.workflows.waitFor(executionId);
    return (await (await call(`/auction/executions/${executionId}`)).json()) as {
      status: string;
      output: unknown;
      error: string | null;
      history: { type: string; stateName: string | null }[];
    };
  };
  return { fabric, clock, call, run };
}

async function receiver(respond: Parameters<typeof startReceiver>[0]) {
  const started = await startReceiver(respond);
  cleanups.push(started.close);
  return started;
}

const entered = (history: { type: string; stateName: string | null }[], state: string) =>
  history.filter((e) => e.type === 'StateEntered' && e.stateName === state).length;

describe('auction workflow', () => {
  it('is valid Amazon States Language', () => {
    expect(validateAsl(auctionDefinition(localFunctionArn))).toEqual({ valid: true, errors: [] });
  });

  it('waits while the platform is not ready, then stores the accepted order and alerts on the rejected one', async () => {
    const k = 3;
    const platform = await receiver((_, i) => ({ status: 200, body: i < k ? { results: false } : RESULTS }));
    const webhook = await receiver(() => ({ status: 200 }));
    const { fabric, clock, call, run } = await setUp({
      auctionPlatform: 'http',
      auctionUrl: platform.url,
      alertWebhookUrl: webhook.url,
    });
    const before = clock.now().getTime();
    const execution = await run();

    expect(execution.status).toBe('SUCCEEDED');
    expect(execution.output).toEqual({ accepted: 1, rejected: 1, alerted: 1 });
    expect(entered(execution.history, 'WaitForResults')).toBe(k);
    expect(entered(execution.history, 'FetchResults')).toBe(k + 1);
    expect(clock.now().getTime() - before).toBeGreaterThanOrEqual(k * 30_000);

    const results = await fabric.objects.list('order-results', '');
    expect(results.map((o) => o.key)).toEqual(['orders/unique_id_1.json']);
    const chunks: Uint8Array[] = [];
    for await (const chunk of fabric.objects.read('order-results', 'orders/unique_id_1.json'))
      chunks.push(chunk);
    const stored = JSON.parse(Buffer.concat(chunks).toString());
    expect(stored).toMatchObject({ order: ORDERS[0], result: { status: 'accepted', power: 3.5 } });

    expect(webhook.received).toHaveLength(1);
    expect(JSON.parse(webhook.received[0]?.body ?? '').text).toContain('unique_id_2');
    const { alerts } = (await (await call('/outbox/alerts')).json()) as {
      alerts: { kind: string; delivery: string }[];
    };
    expect(alerts).toEqual([expect.objectContaining({ kind: 'order-rejected', delivery: 'delivered' })]);

    const status = async (s: string) =>
      ((await (await call(`/orders?status=${s}`)).json()) as { orders: { record_id: string }[] }).orders.map(
        (o) => o.record_id,
      );
    expect(await status('accepted')).toEqual(['unique_id_1']);
    expect(await status('rejected')).toEqual(['unique_id_2']);
    expect(await status('pending')).toEqual([]);
  });

  it('fails after the bounded attempts when the platform is never ready, and alerts', async () => {
    const webhook = await receiver(() => ({ status: 200 }));
    const { run, call } = await setUp({
      auctionPlatform: 'simulated',
      auctionReadyProbability: 0,
      auctionMaxAttempts: 4,
      alertWebhookUrl: webhook.url,
    });
    const execution = await run();
    expect(execution.status).toBe('FAILED');
    expect(execution.error).toBe('Auction.NoResults');
    expect(entered(execution.history, 'FetchResults')).toBe(4);
    expect(entered(execution.history, 'WaitForResults')).toBe(3);
    expect(webhook.received).toHaveLength(1);
    expect(JSON.parse(webhook.received[0]?.body ?? '').text).toContain('no results after 4 attempts');
    const pending = (await (await call('/orders?status=pending')).json()) as { orders: unknown[] };
    expect(pending.orders).toHaveLength(2);
  });

  it('retries a platform that answers 500, and succeeds', async () => {
    const platform = await receiver((_, i) =>
      i === 0 ? { status: 500, body: { error: 'down' } } : { status: 200, body: RESULTS },
    );
    const { run } = await setUp({ auctionPlatform: 'http', auctionUrl: platform.url });
    const execution = await run();
    expect(execution.status).toBe('SUCCEEDED');
    expect(platform.received).toHaveLength(2);
    expect(
      execution.history.filter((e) => e.type === 'StateRetried' && e.stateName === 'FetchResults'),
    ).toHaveLength(1);
    expect(execution.output).toEqual({ accepted: 1, rejected: 1, alerted: 1 });
  });

  it('runs on its schedule: once per hour, and once (not a burst) after a long pause', async () => {
    const { fabric, clock } = await setUp({ auctionPlatform: 'simulated', auctionReadyProbability: 1 });
    await fabric.scheduler.tick();
    clock.advance(60 * 60_000);
    const first = await fabric.scheduler.tick();
    expect(first.filter((r) => r.schedule === 'auction')).toHaveLength(1);
    await fabric.workflows.settle();
    clock.advance(10 * 60 * 60_000);
    const afterPause = await fabric.scheduler.tick();
    expect(afterPause.filter((r) => r.schedule === 'auction')).toHaveLength(1);
    await fabric.workflows.settle();
    const executions = await fabric.workflows.list({ stateMachine: 'auction' });
    expect(executions.map((e) => e.trigger)).toEqual(['scheduled', 'scheduled']);
  });
});
