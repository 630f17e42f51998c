import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Fabric } from '../../src/runtime/fabric.js';
import type { LocalServer } from '../../src/runtime/server.js';
import { datasets } from './cli.js';

/**
 * Gives every pipeline of a running local server something to show, through its HTTP API as a
 * user would: a statement file with emails (sent) and one without (its summary ends in the DLQ),
 * two real events and a rejected one, orders and a finished auction run, and the loader dataset.
 * Resolves when all of it has settled.
 */
export async function seedEveryPipeline(server: LocalServer, fabric: Fabric): Promise<void> {
  const call = async (method: string, path: string, body?: string | Buffer, type = 'application/json') => {
    const response = await fetch(`${server.url}${path}`, {
      method,
      headers: { authorization: `Bearer ${fabric.adminToken}`, 'content-type': type },
      body,
    });
    if (response.status >= 300)
      throw new Error(`${method} ${path}: ${response.status} ${await response.text()}`);
    return response;
  };
  const dataset = (...parts: string[]) => readFile(join(datasets, ...parts));

  await call(
    'PUT',
    '/buckets/transactions/objects/accounts/ruben/email-name-padded.csv',
    await dataset('statements', 'email-name-padded.csv'),
    'text/csv',
  );
  await call(
    'PUT',
    '/buckets/transactions/objects/uploads/accountid-datetime.csv',
    await dataset('statements', 'accountid-datetime.csv'),
    'text/csv',
  );
  for (const name of ['departments', 'jobs', 'hired_employees']) {
    await call(
      'PUT',
      `/buckets/landing/objects/stage/${name}.csv`,
      await dataset('loader', `${name}.csv`),
      'text/csv',
    );
  }
  const events = [
    JSON.parse((await dataset('events', 'transaction-1.json')).toString('utf8')),
    JSON.parse((await dataset('events', 'transaction-2.json')).toString('utf8')),
  ];
  const ndjson = [
    ...events.map((e) => JSON.stringify(e)),
    '{"ID": "not-a-uuid", "Client": "<b>monzo</b>"}',
  ].join('\n');
  await call('POST', '/events', ndjson, 'application/x-ndjson');
  await call(
    'POST',
    '/orders',
    JSON.stringify(
      Array.from({ length: 6 }, (_, i) => ({
        record_id: `order-${i + 1}`,
        parameter_1: `lot ${i + 1}`,
        parameter_2: 10 + i,
      })),
    ),
  );
  await call('POST', '/auction/executions', '{}');

  const settled = async () => {
    const [outbox, files, dead, executions] = await Promise.all([
      fabric.outbox.list(),
      fabric.loader.listFiles(),
      fabric.queues.list('statements-notify-dlq'),
      fabric.workflows.list({ stateMachine: 'auction', limit: 5 }),
    ]);
    const state = {
      emails: outbox.length,
      loaderFiles: files.length,
      deadLetters: dead.length,
      auctionRuns: executions.map((e) => `${e.status} ${e.error ?? ''} ${e.cause ?? ''}`),
    };
    const done =
      state.emails > 0 &&
      state.loaderFiles >= 3 &&
      state.deadLetters > 0 &&
      executions.length > 0 &&
      executions.every((e) => e.status === 'SUCCEEDED');
    return { done, state };
  };
  const deadline = Date.now() + 60_000;
  for (;;) {
    const { done, state } = await settled();
    if (done) break;
    if (Date.now() > deadline) {
      throw new Error(`the seeded work did not settle within 60 s: ${JSON.stringify(state)}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}
