import { readFileSync } from 'node:fs';
import { prng } from '../../../bench/prng.js';
import { datasets } from '../../support/cli.js';
import { makeEvent, uuid } from '../../support/events.js';

/** The four pipelines, in the order reports list them. */
export const PIPELINES = ['statements', 'events', 'orders', 'loader'] as const;
export type Pipeline = (typeof PIPELINES)[number];

/**
 * One request a producer makes. `round` gates it: the chaos run releases one round per restart,
 * so every epoch between two kills gets fresh work. `trace` marks an upload whose processing is
 * followed (GET /traces/:id) to know whether the pipeline is busy and when it has settled.
 */
export interface Step {
  round: number;
  label: string;
  method: 'PUT' | 'POST';
  path: string;
  headers?: Record<string, string>;
  body: string | Buffer;
  trace?: boolean;
  /** Start an auction and follow the execution until it is no longer RUNNING. */
  auction?: boolean;
  /** Send only once the upload of this earlier step of the lane has settled. */
  after?: number;
}

export interface Workload {
  rounds: number;
  lanes: Record<Pipeline, Step[]>;
  /** Statement accounts with a registered holder: each must get exactly one email. */
  holders: string[];
  /** The statement account left without a holder: its summary must be dead-lettered. */
  orphan: string;
  /** Transaction count and balance (cents) each account must end with. */
  accounts: Map<string, { count: number; cents: number }>;
  /** How many distinct valid events the batches hold. */
  events: number;
  /** Every order record_id posted. */
  orderIds: string[];
}

const STATEMENT_ROWS = 160;
const EVENT_BATCHES_PER_ROUND = 2;
const EVENTS_PER_BATCH = 150;
const EVENT_CLIENTS = 5;
const ORDERS_PER_ROUND = 25;
const LOADER_FILES = ['departments.csv', 'jobs.csv', 'hired_employees.csv'] as const;

const json = (value: unknown) => JSON.stringify(value);

/**
 * The inputs of both runs, the same bytes for a seed. Each round adds: a statements file of two
 * fresh accounts (holders registered first; one account of the whole run never gets one; every
 * fifth round re-uploads an earlier file unchanged), two NDJSON event batches with refused lines,
 * a rejected-by-schema line and an ID conflict, one POST /orders followed by an auction, and one
 * upload of a loader dataset file (cycling through the three, so each is re-uploaded many times).
 */
export function buildWorkload(seed: number, rounds: number): Workload {
  const random = prng(seed);
  const int = (n: number) => Math.floor(random() * n);
  const lanes: Record<Pipeline, Step[]> = { statements: [], events: [], orders: [], loader: [] };
  const accounts = new Map<string, { count: number; cents: number }>();
  const holders: string[] = [];
  const orphan = 'chaos-s3-b';
  const orderIds: string[] = [];
  const files: Step[] = [];
  const loaderBodies = LOADER_FILES.map((name) => readFileSync(`${datasets}loader/${name}`));
  let eventNumber = 0;

  for (let round = 0; round < rounds; round++) {
    // statements
    const fileAccounts = [`chaos-s${round}-a`, `chaos-s${round}-b`];
    for (const account of fileAccounts) {
      if (account === orphan) continue;
      holders.push(account);
      lanes.statements.push({
        round,
        label: `holder ${account}`,
        method: 'PUT',
        path: `/accounts/${account}`,
        headers: { 'content-type': 'application/json' },
        body: json({ email: `${account}@example.com`, name: `Holder ${account}` }),
      });
    }
    const lines = ['TransactionId,Date,Amount,AccountId'];
    for (let i = 0; i < STATEMENT_ROWS; i++) {
      const account = fileAccounts[i % 2] as string;
      const cents = int(40_000) - 20_000;
      const amount = `${cents < 0 ? '-' : '+'}${(Math.abs(cents) / 100).toFixed(2)}`;
      lines.push(`${i},${1 + int(12)}/${1 + int(28)},${amount},${account}`);
      const total = accounts.get(account) ?? { count: 0, cents: 0 };
      accounts.set(account, { count: total.count + 1, cents: total.cents + cents });
    }
    // Bad lines are reported with the file and never stop it.
    if (round % 4 === 1)
      lines.push(`bad-date,13/45,+1.00,${fileAccounts[0]}`, `bad-amount,1/2,abc,${fileAccounts[1]}`);
    const file: Step = {
      round,
      label: `statements file ${round}`,
      method: 'PUT',
      path: `/buckets/transactions/objects/chaos/file-${round}.csv`,
      headers: { 'x-amz-meta-year': '2024', 'content-type': 'text/csv' },
      body: `${lines.join('\n')}\n`,
      trace: true,
    };
    files.push(file);
    lanes.statements.push(file);
    if (round % 5 === 4) {
      const again = files[round - 2] as Step;
      lanes.statements.push({ ...again, round, label: `${again.label} re-uploaded` });
    }

    // events
    for (let b = 0; b < EVENT_BATCHES_PER_ROUND; b++) {
      const records: string[] = [];
      let first: Record<string, unknown> = {};
      for (let i = 0; i < EVENTS_PER_BATCH; i++) {
        eventNumber++;
        const type = ['transaction', 'fraud_detection', 'check_account'][int(3)] as string;
        const event = makeEvent({
          id: uuid(eventNumber, 'cafe0000'),
          client: `chaos-c${int(EVENT_CLIENTS)}`,
          type,
          account: uuid(int(20), 'a0000000'),
          customer: uuid(int(20), 'c0000000'),
          time: new Date(Date.UTC(2024, 0, 1) + int(365 * 86_400) * 1000).toISOString(),
          ...(type === 'transaction' ? { transactionId: uuid(eventNumber, 'f0000000') } : {}),
          ...(type === 'fraud_detection' ? { fraudScore: int(101) } : {}),
        });
        if (i === 0) first = event;
        records.push(json(event));
      }
      const n = ++eventNumber;
      // Refused at the edge (not JSON; no Client), by the schema (unknown Type), and an ID
      // conflict: the same ID again with other content, which must never replace the first.
      records.splice(int(records.length), 0, `{"ID": "${uuid(n, 'bad00000')}", oops`);
      records.splice(
        int(records.length),
        0,
        json({ ...makeEvent({ id: uuid(n, 'bad10000') }), Client: undefined }),
      );
      records.splice(
        int(records.length),
        0,
        json(makeEvent({ id: uuid(n, 'bad20000'), client: 'chaos-c0', type: 'bogus' })),
      );
      records.push(json({ ...first, Source: first.Source === 'monitoring' ? 'application' : 'monitoring' }));
      lanes.events.push({
        round,
        label: `events batch ${round}.${b}`,
        method: 'POST',
        path: '/events',
        headers: { 'content-type': 'application/x-ndjson' },
        body: `${records.join('\n')}\n`,
      });
    }

    // orders
    const orders = Array.from({ length: ORDERS_PER_ROUND }, (_, i) => ({
      record_id: `chaos-o${round}-${i}`,
      parameter_1: `zone-${int(5)}`,
      parameter_2: Math.round(random() * 100_000) / 100,
    }));
    orderIds.push(...orders.map((o) => o.record_id));
    lanes.orders.push(
      {
        round,
        label: `orders ${round}`,
        method: 'POST',
        path: '/orders',
        headers: { 'content-type': 'application/json' },
        body: json(orders),
      },
      {
        round,
        label: `auction ${round}`,
        method: 'POST',
        path: '/auction/executions',
        body: '',
        auction: true,
      },
    );

    // loader: a file is uploaded again only once its previous upload was loaded, so that each
    // upload is loaded and moved on its own (a quicker one would replace the waiting object).
    const index = round % LOADER_FILES.length;
    lanes.loader.push({
      ...(round >= LOADER_FILES.length ? { after: round - LOADER_FILES.length } : {}),
      round,
      label: `loader ${LOADER_FILES[index]} (${round})`,
      method: 'PUT',
      path: `/buckets/landing/objects/stage/${LOADER_FILES[index]}`,
      headers: { 'content-type': 'text/csv' },
      body: loaderBodies[index] as Buffer,
      trace: true,
    });
  }
  return {
    rounds,
    lanes,
    holders,
    orphan,
    accounts,
    events: rounds * EVENT_BATCHES_PER_ROUND * EVENTS_PER_BATCH,
    orderIds,
  };
}
