import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { OpenAPIHono } from '@hono/zod-openapi';
import { expect } from 'vitest';
import type { ManualClock } from '../../src/runtime/clock.js';
import type { Fabric } from '../../src/runtime/fabric.js';
import { datasets } from './cli.js';
import { makeEvent, ndjson, sampleEvents, uuid } from './events.js';

/** The clients the events workload sends for; each client's events keep to one shard. */
export const EVENT_CLIENTS = ['barclays', 'monzo', 'revolut'] as const;
/** Orders the auction decides: ids whose number is a multiple of 3 are rejected (see {@link auctionAnswer}). */
export const ORDER_COUNT = 12;

/**
 * What the test auction platform answers: not ready at the first attempt of an execution, then
 * results that depend on the order alone, so every run and every repeated call agree.
 */
export function auctionAnswer(body: string): { status: number; body: unknown } {
  const request = JSON.parse(body) as {
    attempt: number;
    orders: { record_id: string; parameter_2: number }[];
  };
  if (request.attempt < 2) return { status: 200, body: { results: false } };
  const orders = request.orders.map((order) => {
    const n = Number(order.record_id.replace(/\D/g, ''));
    return n % 3 === 0
      ? { record_id: order.record_id, status: 'rejected', power: 0 }
      : { record_id: order.record_id, status: 'accepted', power: order.parameter_2 / 2 };
  });
  return { status: 200, body: { results: true, orders } };
}

/**
 * Runs real work through every pipeline of a fabric (on a {@link ManualClock}) and lets it settle:
 * the statement datasets (one uploaded again under another key, then under its own key; two with
 * accounts nobody registered), events over HTTP and straight onto the
 * stream (invalid records, a resent one, a conflicting one) read by a consumer group, orders and
 * an auction run, and the loader datasets with an unmatched and an empty file. The same calls on
 * a fabric with the same clock give the same results, whatever the delivery mode.
 */
export async function runEveryPipeline(fabric: Fabric, app: OpenAPIHono): Promise<void> {
  const call = async (path: string, init: RequestInit, status: number) => {
    const headers = new Headers(init.headers);
    headers.set('authorization', `Bearer ${fabric.adminToken}`);
    const response = await app.request(path, { ...init, headers });
    expect(response.status, await response.clone().text()).toBe(status);
    return response.json() as Promise<Record<string, unknown>>;
  };
  const settle = async () => expect(await fabric.dispatcher.settle()).toEqual({ settled: true });
  const upload = async (bucket: string, key: string, body: Buffer | string, metadata = {}) => {
    await fabric.objects.put({ bucket, key, body, metadata });
    await settle();
  };
  const dataset = (path: string) => readFile(join(datasets, path));

  // statements
  await fabric.statements.upsertAccount({ accountId: 'acct-1', email: 'ana@example.com', name: 'Ana Díaz' });
  const challenge = await dataset('statements/challenge-sample.csv');
  const year = { year: '2024' };
  await upload('transactions', 'uploads/challenge.csv', challenge, { 'account-id': 'acct-1', ...year });
  await upload(
    'transactions',
    'uploads/accountid-datetime.csv',
    await dataset('statements/accountid-datetime.csv'),
  );
  await upload(
    'transactions',
    'accounts/ruben/padded.csv',
    await dataset('statements/email-name-padded.csv'),
    year,
  );
  await upload(
    'transactions',
    'uploads/transactions3000.csv',
    await dataset('statements/transactions3000.csv'),
    year,
  );
  await upload('transactions', 'uploads/challenge-again.csv', challenge, { 'account-id': 'acct-1', ...year });
  // The same bytes to the same key, later: a new upload, whose report says nothing new was stored.
  (fabric.clock as ManualClock).advance(1_000);
  await upload('transactions', 'uploads/challenge.csv', challenge, { 'account-id': 'acct-1', ...year });

  // events: over HTTP (400 per client: one full batch of 500 and more across the shards) …
  const json = { 'content-type': 'application/json' };
  for (const { text } of sampleEvents)
    await call('/events', { method: 'POST', headers: json, body: text }, 202);
  const events = (client: string, index: number) =>
    Array.from({ length: 400 }, (_, n) =>
      makeEvent({
        id: uuid(index * 1000 + n, 'e0000000'),
        client,
        transactionId: uuid(index * 1000 + n, 'f0000000'),
        account: uuid(n % 7, 'a0000000'),
        time: new Date(Date.UTC(2024, 4, 1, 0, n)).toISOString(),
      }),
    );
  for (const [index, client] of EVENT_CLIENTS.entries()) {
    const body = ndjson(events(client, index));
    await call('/events', { method: 'POST', headers: { 'content-type': 'application/x-ndjson' }, body }, 202);
  }
  // … and straight onto the stream, as a producer with stream access may: bad records, a
  // resent event and one that reuses an ID with other content.
  const first = events('barclays', 0)[0] as Record<string, unknown>;
  const raw = [
    'not json',
    JSON.stringify({ ID: uuid(9001, 'e0000000'), Client: 'barclays', Type: 'transaction' }),
    JSON.stringify(first),
    JSON.stringify({ ...first, Source: 'monitoring' }),
  ];
  await fabric.streams.putRecords(
    'events',
    raw.map((data) => ({ partitionKey: 'barclays', data: new TextEncoder().encode(data) })),
  );
  await settle();
  const page = await fabric.events.poll('barclays', 'billing', { limit: 150, leaseSeconds: 60 });
  await fabric.events.ack('barclays', 'billing', page.ackCursor);
  await fabric.events.poll('monzo', 'audit', { limit: 50, leaseSeconds: 60 });

  // orders and the auction
  const orders = Array.from({ length: ORDER_COUNT }, (_, n) => ({
    record_id: `order_${n + 1}`,
    parameter_1: `p${n}`,
    parameter_2: n + 0.5,
  }));
  await call('/orders', { method: 'POST', headers: json, body: JSON.stringify(orders) }, 201);
  const started = await call('/auction/executions', { method: 'POST' }, 202);
  const execution = await fabric.workflows.waitFor(started.executionId as string);
  expect(execution.status).toBe('SUCCEEDED');

  // loader
  for (const name of ['departments.csv', 'jobs.csv', 'hired_employees.csv']) {
    await upload('landing', `stage/${name}`, await dataset(`loader/${name}`));
  }
  await upload('landing', 'stage/notes.csv', 'not a table\n');
  await upload('landing', 'stage/jobs_empty.csv', '');
}
