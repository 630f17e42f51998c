import { beforeEach, describe, expect, it } from 'vitest';
import { useMemoryDb } from '../../test/support/memory-db.js';
import { objectCreatedEvent } from '../adapters/local/fs-object-store.js';
import type { SqlClient } from '../adapters/sql/sql-client.js';
import type { BusEvent, BusEventInput } from '../ports/bus.js';
import { topology } from '../topology.js';
import { ManualClock } from './clock.js';
import { createLocalBus, InvalidRuleError, LOCAL_ACCOUNT, LOCAL_REGION, type LocalBus } from './local-bus.js';
import { QueueStore } from './queue-store.js';
import { runInTrace } from './trace.js';

const database = useMemoryDb(['queue_messages', 'bus_events']);
let db: SqlClient;
let clock: ManualClock;
let queues: QueueStore;
let bus: LocalBus;

beforeEach(async () => {
  db = database();
  clock = new ManualClock('2024-09-01T12:00:00.123Z');
  queues = new QueueStore(db, clock, topology.queues);
  bus = createLocalBus({ db, clock, queues, rules: topology.rules });
});

const objectCreated = (bucket: string, key: string): BusEventInput =>
  objectCreatedEvent({
    bucket,
    key,
    size: 10,
    etag: 'd41d8cd98f00b204e9800998ecf8427e',
    contentType: 'text/csv',
    lastModified: clock.now(),
    metadata: {},
  });

const summarized: BusEventInput = {
  source: 'tributary.statements',
  detailType: 'StatementSummarized',
  detail: { accountId: 'acct-1' },
};

async function bodiesIn(queue: string): Promise<BusEvent[]> {
  return (await queues.list(queue)).map((message) => JSON.parse(message.body) as BusEvent);
}

interface LoggedEvent {
  id: string;
  traceId: string;
  detailType: string;
  rules: string[];
}

async function loggedEvents(): Promise<LoggedEvent[]> {
  const { rows } = await db.query<LoggedEvent>(
    'SELECT id, trace_id AS "traceId", detail_type AS "detailType", rules FROM bus_events ORDER BY published_at, id',
  );
  return rows;
}

describe('createLocalBus with the statements topology', () => {
  it('routes an Object Created for a .csv in bucket transactions to statements-ingest', async () => {
    await bus.publish([objectCreated('transactions', 'uploads/july.csv')]);

    const [event, ...rest] = await bodiesIn('statements-ingest');
    expect(rest).toEqual([]);
    expect(event).toMatchObject({
      version: '0',
      'detail-type': 'Object Created',
      source: 'aws.s3',
      account: LOCAL_ACCOUNT,
      region: LOCAL_REGION,
      time: '2024-09-01T12:00:00Z',
      resources: ['arn:aws:s3:::transactions'],
      detail: { bucket: { name: 'transactions' }, object: { key: 'uploads/july.csv' } },
    });
    expect(await queues.list('statements-notify')).toEqual([]);
  });

  it.each([
    ['transactions', 'uploads/july.txt'],
    ['transactions', 'uploads/july.csv.bak'],
    ['email-templates', 'uploads/july.csv'],
  ])('sends an Object Created for %s/%s nowhere', async (bucket, key) => {
    await bus.publish([objectCreated(bucket, key)]);
    expect(await queues.list()).toEqual([]);
    expect(await loggedEvents()).toEqual([
      expect.objectContaining({ detailType: 'Object Created', rules: [] }),
    ]);
  });

  it('routes StatementSummarized to statements-notify', async () => {
    await bus.publish([summarized]);
    expect(await bodiesIn('statements-notify')).toEqual([
      expect.objectContaining({ 'detail-type': 'StatementSummarized', detail: { accountId: 'acct-1' } }),
    ]);
    expect(await queues.list('statements-ingest')).toEqual([]);
  });

  it('logs every event in bus_events with the rules it matched', async () => {
    await bus.publish([
      objectCreated('transactions', 'a.csv'),
      summarized,
      objectCreated('transactions', 'a.txt'),
    ]);
    const logged = await loggedEvents();
    expect(logged).toHaveLength(3);
    expect(logged.map(({ detailType, rules }) => ({ detailType, rules }))).toEqual(
      expect.arrayContaining([
        { detailType: 'Object Created', rules: [] },
        { detailType: 'Object Created', rules: ['statements-csv-uploaded'] },
        { detailType: 'StatementSummarized', rules: ['statements-summarized'] },
      ]),
    );
    const queued = [...(await bodiesIn('statements-ingest')), ...(await bodiesIn('statements-notify'))];
    expect(new Set(queued.map((event) => event.id))).toEqual(
      new Set(logged.filter((entry) => entry.rules.length > 0).map((entry) => entry.id)),
    );
  });

  it('carries the current trace id onto the log entry and the queued message', async () => {
    await runInTrace('trace-42', () => bus.publish([objectCreated('transactions', 'a.csv')]));
    expect(await loggedEvents()).toEqual([expect.objectContaining({ traceId: 'trace-42' })]);
    expect(await queues.list('statements-ingest')).toEqual([
      expect.objectContaining({ traceId: 'trace-42' }),
    ]);
  });

  it('starts a trace named after the event when none is current', async () => {
    await bus.publish([summarized]);
    const [logged] = await loggedEvents();
    expect(logged?.traceId).toBe(logged?.id);
    expect(await queues.list('statements-notify')).toEqual([
      expect.objectContaining({ traceId: logged?.id }),
    ]);
  });

  it('publishes inside the caller transaction and rolls back with it', async () => {
    await expect(
      db.transaction(async (tx) => {
        await bus.publishIn(tx, [objectCreated('transactions', 'a.csv')]);
        throw new Error('caller failed');
      }),
    ).rejects.toThrow('caller failed');
    expect(await loggedEvents()).toEqual([]);
    expect(await queues.list()).toEqual([]);
  });
});

describe('createLocalBus rule validation', () => {
  it('refuses a rule with an invalid event pattern at creation', () => {
    expect(() =>
      createLocalBus({
        db,
        clock,
        queues,
        rules: {
          broken: {
            description: 'a pattern whose values are not arrays',
            pattern: { source: 'aws.s3' },
            target: { queue: 'statements-ingest' },
          },
        },
      }),
    ).toThrow(InvalidRuleError);
  });

  it('names the rule that is invalid', () => {
    expect(() =>
      createLocalBus({
        db,
        clock,
        queues,
        rules: {
          'bad-operator': {
            description: 'an unknown operator',
            pattern: { detail: { key: [{ 'no-such-operator': 'x' }] } },
            target: { queue: 'statements-ingest' },
          },
        },
      }),
    ).toThrow(/bus rule "bad-operator" has an invalid event pattern/);
  });

  it('refuses a rule whose target queue is not declared', () => {
    expect(() =>
      createLocalBus({
        db,
        clock,
        queues,
        rules: { lost: { description: 'x', pattern: { source: ['x'] }, target: { queue: 'nowhere' } } },
      }),
    ).toThrow('queue "nowhere" is not declared in the topology');
  });
});
