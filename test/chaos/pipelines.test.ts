import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { INTERRUPTED_CAUSE } from '../../src/runtime/workflow-types.js';
import { type RunResult, runWorkload } from './support/run.js';
import { readSnapshot, type Snapshot } from './support/snapshot.js';
import { buildWorkload, PIPELINES, type Workload } from './support/workload.js';

/** CHAOS_SEED picks other inputs and kill moments; the default is what CI runs. */
const SEED = Number(process.env.CHAOS_SEED ?? 8);
const BUSY_KILLS = 20;
const MAX_KILLS = 24;

const log = (line: string) => console.log(`[chaos] ${line}`);

describe('crash safety under repeated SIGKILL', () => {
  let dir: string;
  let workload: Workload;
  let chaos: RunResult;
  let after: Snapshot;
  let reference: Snapshot;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'tributary-chaos-'));
    workload = buildWorkload(SEED, MAX_KILLS + 6);
    // The reference runs beside the chaos run: the same inputs through a fabric never killed.
    // Settled, not Promise.all: a failing run must not leave the other's child running.
    const [killed, uninterrupted] = (
      await Promise.allSettled([
        runWorkload({
          dataDir: join(dir, 'chaos'),
          workload,
          seed: SEED,
          busyKills: BUSY_KILLS,
          maxKills: MAX_KILLS,
          log,
        }),
        runWorkload({
          dataDir: join(dir, 'reference'),
          workload,
          seed: SEED,
          busyKills: 0,
          maxKills: 0,
          log: (line) => log(`reference: ${line}`),
        }),
      ])
    ).map((outcome) => {
      if (outcome.status === 'rejected') throw outcome.reason;
      return outcome.value;
    }) as [RunResult, RunResult];
    chaos = killed;
    after = await readSnapshot(join(dir, 'chaos'));
    reference = await readSnapshot(join(dir, 'reference'));
    report(chaos, uninterrupted, after, reference);
  }, 600_000);

  afterAll(async () => {
    // CHAOS_KEEP=1 keeps both data dirs to look into (`tributary dev` on either works).
    if (process.env.CHAOS_KEEP) log(`data dirs kept in ${dir}`);
    else if (dir) await rm(dir, { recursive: true, force: true });
  });

  it(`kills the fabric while every pipeline has work under way, at least ${BUSY_KILLS} times each`, () => {
    for (const pipeline of PIPELINES)
      expect(chaos.busyKills[pipeline], pipeline).toBeGreaterThanOrEqual(BUSY_KILLS);
  });

  it('leaves no work behind: every queue drained but the DLQs, every stream record consumed', () => {
    expect(after.leftovers).toEqual({ queued: 0, unconsumed: 0 });
    expect(reference.leftovers).toEqual({ queued: 0, unconsumed: 0 });
  });

  it('dead-letters only the summary of the account nobody registered, for want of an email', () => {
    expect(Object.keys(after.deadLetters)).toEqual(Object.keys(reference.deadLetters));
    expect(Object.values(reference.deadLetters)).toEqual([1]);
    const [queue, about, reason] = JSON.parse(Object.keys(reference.deadLetters)[0] ?? '[]') as string[];
    expect(queue).toBe('statements-notify-dlq');
    expect(about).toMatch(new RegExp(`^${workload.orphan} `));
    expect(reason).toMatch(/no email known/);
    // A file delivered again after a kill publishes the same summary (same fingerprint) again:
    // that is the only way the dead letter can be there twice, and replaying both sends one email.
    expect(Object.values(after.deadLetters)[0]).toBeGreaterThanOrEqual(1);
  });

  it('statements: every transaction once, the same summaries, and one email per account and file version', () => {
    const balances = (snapshot: Snapshot) => {
      const totals = new Map<string, { count: number; cents: number }>();
      for (const line of snapshot.statements.transactions) {
        const [account, , , cents] = JSON.parse(line) as [string, string, string, number];
        const total = totals.get(account) ?? { count: 0, cents: 0 };
        totals.set(account, { count: total.count + 1, cents: total.cents + cents });
      }
      return totals;
    };
    expect(balances(reference)).toEqual(workload.accounts);
    expect(after.statements.transactions).toEqual(reference.statements.transactions);
    expect(after.statements.files).toEqual(reference.statements.files);
    expect(after.statements.holders).toEqual(reference.statements.holders);
    expect(after.statements.emails).toEqual(reference.statements.emails);
    const recipients = after.statements.emails.map((line) =>
      (JSON.parse(line) as [string, string[]])[1].join(),
    );
    expect(recipients.sort()).toEqual(workload.holders.map((a) => `${a}@example.com`).sort());
  });

  it('events: every accepted event stored once, in the same per-client order; every refusal kept', () => {
    expect(after.events.byClient).toEqual(reference.events.byClient);
    const stored = Object.values(reference.events.byClient).flat().length;
    expect(stored).toBe(workload.events);
    expect(Object.keys(after.events.rejected).sort()).toEqual(Object.keys(reference.events.rejected).sort());
    expect(Object.values(reference.events.rejected).every((n) => n === 1)).toBe(true);
    // A refusal is recorded per send: only a batch sent again after a kill may have it twice.
    const sends = new Map<string, number>();
    for (const { step, sends: n } of chaos.producer.records.events) {
      for (const raw of String(step.body).split('\n')) sends.set(raw, n);
    }
    for (const [record, count] of Object.entries(after.events.rejected)) {
      const raw = (JSON.parse(record) as string[])[4] as string;
      expect(count, raw).toBeLessThanOrEqual(sends.get(raw) ?? 1);
    }
  });

  it('orders: every order decided once, a result object per accepted order and an alert per rejected one', () => {
    for (const snapshot of [reference, after]) expectConsistentOrders(snapshot, workload);
    const posted = (snapshot: Snapshot) =>
      snapshot.orders.orders.map(({ recordId, parameter1, parameter2 }) => [
        recordId,
        parameter1,
        parameter2,
      ]);
    expect(posted(after)).toEqual(posted(reference));
    // A kill fails a running auction visibly; the next one decides what it left pending.
    const interrupted = after.orders.executions.filter((e) => e.status === 'FAILED');
    expect(interrupted.length).toBeLessThanOrEqual(chaos.kills.length);
    expect(reference.orders.executions.every((e) => e.status === 'SUCCEEDED')).toBe(true);
  });

  it('loader: the same rows, rejected rows and loads; every file moved to processed/', () => {
    expect(after.loader.tables).toEqual(reference.loader.tables);
    expect(
      Object.fromEntries(Object.entries(reference.loader.tables).map(([t, rows]) => [t, rows.length])),
    ).toEqual({ departments: 12, jobs: 183, hired_employees: 1929 });
    expect(after.loader.rejected).toEqual(reference.loader.rejected);
    expect(reference.loader.rejected).toHaveLength(70);
    expect(after.loader.files).toEqual(reference.loader.files);
    const keys = (snapshot: Snapshot) => [...new Set(snapshot.loader.objects.map((o) => o.key))].sort();
    expect(keys(after)).toEqual(keys(reference));
    expect(keys(after).every((key) => key.startsWith('processed/'))).toBe(true);
    // Each upload is moved once. A send the API did not answer may still have stored its object:
    // then the send that follows it is a second upload, moved on its own.
    const uploads = workload.lanes.loader.length;
    expect(reference.loader.objects).toHaveLength(uploads);
    const sends = after.loader.objects.map((o) => o.send ?? '');
    expect(sends.filter((send, i) => sends.indexOf(send) !== i)).toEqual([]);
    expect(new Set(sends.map((send) => send.replace(/#\d+$/, ''))).size).toBe(uploads);
  });
});

/**
 * Which orders the simulated platform accepts depends on the execution id (a random UUID), so
 * the accepted/rejected split differs between any two runs; what must hold in every run is this.
 */
function expectConsistentOrders(snapshot: Snapshot, workload: Workload): void {
  const { orders, results, alerts, executions } = snapshot.orders;
  expect(orders.map((o) => o.recordId).sort()).toEqual([...workload.orderIds].sort());
  expect(orders.filter((o) => o.status === 'pending')).toEqual([]);
  const accepted = orders.filter((o) => o.status === 'accepted');
  const rejected = orders.filter((o) => o.status === 'rejected');
  expect(accepted.length).toBeGreaterThan(0);
  expect(rejected.length).toBeGreaterThan(0);
  expect(Object.keys(results).sort()).toEqual(accepted.map((o) => `orders/${o.recordId}.json`).sort());
  for (const order of accepted) {
    expect(results[`orders/${order.recordId}.json`]).toEqual({
      order: { record_id: order.recordId, parameter_1: order.parameter1, parameter_2: order.parameter2 },
      result: { status: 'accepted', power: order.power },
    });
  }
  expect(alerts.map((a) => a.kind).filter((kind) => kind !== 'order-rejected')).toEqual([]);
  for (const execution of executions) {
    if (execution.status !== 'SUCCEEDED')
      expect(execution).toMatchObject({ status: 'FAILED', cause: INTERRUPTED_CAUSE });
  }
  // Every rejected order has its alert. An execution killed between an alert and its mark left
  // the order pending for the next run to decide again: such an alert, and only such, is extra.
  const interrupted = new Set(executions.filter((e) => e.status === 'FAILED').map((e) => e.id));
  const alerted = new Set(alerts.map((a) => a.recordId));
  expect(rejected.filter((o) => !alerted.has(o.recordId))).toEqual([]);
  const decisive = alerts.filter((a) => !interrupted.has(a.executionId ?? ''));
  expect(decisive.map((a) => a.recordId).filter((id, i, ids) => ids.indexOf(id) !== i)).toEqual([]);
  const rejectedIds = new Set(rejected.map((o) => o.recordId));
  expect(decisive.filter((a) => !rejectedIds.has(a.recordId ?? ''))).toEqual([]);
}

/** What a run did, in the test's output: the numbers the acceptance criteria are about. */
function report(chaos: RunResult, reference: RunResult, after: Snapshot, before: Snapshot): void {
  const count = (tally: Record<string, number>) => Object.values(tally).reduce((a, b) => a + b, 0);
  const resent = PIPELINES.map((p) => `${p} ${chaos.producer.records[p].filter((r) => r.sends > 1).length}`);
  log(`chaos run ${chaos.ms} ms, ${chaos.kills.length} kills; reference run ${reference.ms} ms`);
  log(`kills while busy: ${JSON.stringify(chaos.busyKills)}`);
  log(`steps sent again after a kill: ${resent.join(', ')}`);
  log(
    `chaos/reference: dead letters ${count(after.deadLetters)}/${count(before.deadLetters)}, ` +
      `event refusals ${count(after.events.rejected)}/${count(before.events.rejected)}, ` +
      `processed files ${after.loader.objects.length}/${before.loader.objects.length}, ` +
      `interrupted auctions ${after.orders.executions.filter((e) => e.status === 'FAILED').length}`,
  );
}
