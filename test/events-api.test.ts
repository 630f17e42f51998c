import type { OpenAPIHono } from '@hono/zod-openapi';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../src/runtime/clock.js';
import type { Fabric } from '../src/runtime/fabric.js';
import { makeEvent, ndjson, sampleEvents, uuid } from './support/events.js';
import { openTestFabric } from './support/test-fabric.js';

let fabric: Fabric;
let app: OpenAPIHono;
let close = async () => {};
const clock = new ManualClock('2024-09-01T00:00:00Z');

beforeAll(async () => {
  ({ fabric, app, close } = await openTestFabric('events-api', { clock }));
});
afterAll(() => close());

interface Reason {
  path: string;
  message: string;
}
interface SendResponse {
  accepted: number;
  rejected: number;
  results: {
    index: number;
    line?: number;
    status: string;
    shardId?: string;
    sequenceNumber?: string;
    reasons?: Reason[];
  }[];
}
interface StoredEvent {
  cursor: string;
  id: string;
  client: string;
  type: string;
  time: string;
  accountId: string;
  event: Record<string, unknown>;
}
interface Rejected {
  client: string | null;
  eventId: string | null;
  stage: string;
  reasons: Reason[];
  raw: string;
}

function call(path: string, init: RequestInit = {}, token: string | null = fabric.adminToken) {
  const headers = new Headers(init.headers);
  if (token !== null) headers.set('authorization', `Bearer ${token}`);
  return app.request(path, { ...init, headers });
}

async function send(body: string, type = 'application/json', token?: string): Promise<SendResponse> {
  const response = await call('/events', { method: 'POST', headers: { 'content-type': type }, body }, token);
  expect(response.status, await response.clone().text()).toBe(202);
  return (await response.json()) as SendResponse;
}

async function feed(client: string, after?: string, token?: string) {
  const query = new URLSearchParams({ limit: '1000', ...(after ? { after } : {}) });
  const response = await call(`/clients/${client}/events?${query}`, {}, token);
  expect(response.status).toBe(200);
  return (await response.json()) as { events: StoredEvent[]; next: string };
}

async function rejected(client?: string): Promise<Rejected[]> {
  const response = await call(`/events/rejected?limit=1000${client ? `&client=${client}` : ''}`);
  expect(response.status).toBe(200);
  return ((await response.json()) as { records: Rejected[] }).records;
}

const drain = () => fabric.dispatcher.drain();

describe('events pipeline over HTTP', () => {
  it('accepts and stores the two sample events, one per client', async () => {
    for (const sample of sampleEvents) {
      const result = await send(sample.text);
      expect(result.accepted, sample.name).toBe(1);
      expect(result.results[0]).toMatchObject({ index: 0, status: 'accepted' });
      expect(result.results[0]?.sequenceNumber).toMatch(/^\d+$/);
    }
    await drain();
    const barclays = await feed('barclays');
    const monzo = await feed('monzo');
    expect(barclays.events.map((e) => e.id)).toEqual(['0124e053-3580-7000-b158-3401dd4f2d37']);
    expect(monzo.events.map((e) => e.id)).toEqual(['0124e053-3580-7000-a773-0e4701b781d1']);
    expect(barclays.events[0]?.event).toEqual(JSON.parse(sampleEvents[0]?.text ?? ''));
  });

  it('rejects each kind of bad record with a reason naming the field, and stores the valid ones of the batch', async () => {
    const client = 'badbatch';
    const valid = [makeEvent({ client }), makeEvent({ client, type: 'check_account' })];
    const withoutEvent = makeEvent({ client });
    delete withoutEvent.Event;
    const bad: [string, unknown, string][] = [
      ['unknown Type', makeEvent({ client, type: 'refund' }), 'Type'],
      ['unknown Source', makeEvent({ client, source: 'mainframe' }), 'Source'],
      ['malformed UUID', makeEvent({ client, id: 'not-a-uuid' }), 'ID'],
      [
        'fraud_detection without FraudScore',
        { ...makeEvent({ client, type: 'check_account' }), Type: 'fraud_detection' },
        'Event.FraudScore',
      ],
      [
        'transaction without TransactionID',
        { ...makeEvent({ client, type: 'check_account' }), Type: 'transaction' },
        'Event.TransactionID',
      ],
      ['bad Time', makeEvent({ client, time: '2024-02-30T10:00:00Z' }), 'Event.Time'],
      ['missing Event', withoutEvent, 'Event'],
    ];
    const lines = [
      JSON.stringify(valid[0]),
      ...bad.map(([, record]) => JSON.stringify(record)),
      '[1, 2, 3]',
      '{"ID": "broken',
      JSON.stringify({ ...makeEvent({ client }), Padding: 'x'.repeat(300 * 1024) }),
      JSON.stringify(valid[1]),
    ];
    const result = await send(`${lines.join('\n')}\n`, 'application/x-ndjson');
    expect(result.results).toHaveLength(lines.length);
    // Refused at the edge: not an object, not JSON, too large. The rest reach the stream.
    const edge = result.results.filter((r) => r.status === 'rejected');
    expect(edge.map((r) => r.line)).toEqual([9, 10, 11]);
    expect(edge[0]?.reasons?.[0]?.message).toMatch(/object/);
    expect(edge[1]?.reasons?.[0]?.message).toMatch(/not JSON/);
    expect(edge[2]?.reasons?.[0]?.message).toMatch(/bytes; the limit is 262144/);
    await drain();

    expect((await feed(client)).events.map((e) => e.id)).toEqual(valid.map((v) => v.ID));
    const kept = await rejected(client);
    for (const [kind, record, field] of bad) {
      const entry = kept.find((r) => r.raw === JSON.stringify(record));
      expect(entry, kind).toBeDefined();
      expect(entry?.stage, kind).toBe('validation');
      expect(
        entry?.reasons.map((r) => r.path),
        kind,
      ).toContain(field);
    }
  });

  it('stores each event once when a batch is sent twice, and reports a changed event with the same ID as a conflict', async () => {
    const client = 'twice';
    const batch = [1, 2, 3].map((n) => makeEvent({ client, id: uuid(n, 'd0000000') }));
    await send(JSON.stringify(batch));
    await send(JSON.stringify(batch));
    const changed = { ...batch[1], Source: 'monitoring' };
    await send(JSON.stringify(changed));
    await drain();
    expect((await feed(client)).events.map((e) => e.id)).toEqual(batch.map((b) => b.ID));
    const conflicts = (await rejected(client)).filter((r) => r.stage === 'conflict');
    expect(conflicts).toHaveLength(1);
    expect(conflicts[0]?.eventId).toBe(uuid(2, 'd0000000'));
    expect(conflicts[0]?.reasons[0]?.path).toBe('ID');
  });

  it('keeps each producer’s order within a client under concurrent producers', async () => {
    const producers = 6;
    const perProducer = 40;
    const clients = ['order-a', 'order-b'];
    await Promise.all(
      Array.from({ length: producers }, async (_, p) => {
        for (let i = 0; i < perProducer; i += 4) {
          const records = [0, 1, 2, 3].map((k) =>
            makeEvent({
              client: clients[p % 2],
              account: uuid(p, 'a1000000'),
              time: new Date(Date.UTC(2024, 0, 1) + (i + k) * 1000).toISOString(),
            }),
          );
          await send(ndjson(records), 'application/x-ndjson');
        }
      }),
    );
    await drain();
    for (const client of clients) {
      const events = (await feed(client)).events;
      expect(events).toHaveLength((producers / 2) * perProducer);
      const byProducer = new Map<string, string[]>();
      for (const event of events)
        byProducer.set(event.accountId, [...(byProducer.get(event.accountId) ?? []), event.time]);
      for (const times of byProducer.values()) expect(times).toEqual([...times].sort());
    }
  });

  it('delivers a late event after the reader’s cursor', async () => {
    const client = 'late';
    await send(
      ndjson([
        makeEvent({ client, time: '2024-06-02T00:00:00Z' }),
        makeEvent({ client, time: '2024-06-03T00:00:00Z' }),
      ]),
      'application/x-ndjson',
    );
    await drain();
    const first = await feed(client);
    expect(first.events).toHaveLength(2);
    const late = makeEvent({ client, time: '2024-06-01T00:00:00Z' });
    await send(JSON.stringify(late));
    await drain();
    const next = await feed(client, first.next);
    expect(next.events.map((e) => e.id)).toEqual([late.ID]);
    // Sorted by event time, the late event comes first.
    const byTime = (await (await call(`/clients/${client}/events/query`)).json()) as {
      events: StoredEvent[];
    };
    expect(byTime.events.map((e) => e.time)).toEqual([
      '2024-06-01T00:00:00Z',
      '2024-06-02T00:00:00Z',
      '2024-06-03T00:00:00Z',
    ]);
  });

  it('filters a client’s events by account, type and time range', async () => {
    const client = 'query';
    const account = uuid(9, 'a9000000');
    await send(
      JSON.stringify([
        makeEvent({ client, account, type: 'check_account', time: '2024-03-01T00:00:00Z' }),
        makeEvent({ client, account, time: '2024-03-02T00:00:00Z' }),
        makeEvent({ client, time: '2024-03-02T12:00:00Z' }),
        makeEvent({ client, account, time: '2024-03-03T00:00:00Z' }),
      ]),
    );
    await drain();
    const query = new URLSearchParams({
      account,
      type: 'transaction',
      from: '2024-03-02T00:00:00Z',
      to: '2024-03-03T00:00:00Z',
    });
    const page = (await (await call(`/clients/${client}/events/query?${query}`)).json()) as {
      events: StoredEvent[];
    };
    expect(page.events.map((e) => e.time)).toEqual(['2024-03-02T00:00:00Z']);
    const bad = await call(`/clients/${client}/events/query?from=yesterday`);
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { error: { message: string } }).error.message).toMatch(/from/);
  });

  it('hands a consumer group the next page and redelivers what was not acknowledged once the lease expires', async () => {
    const client = 'groups';
    await send(JSON.stringify([1, 2, 3].map(() => makeEvent({ client }))));
    await drain();
    const poll = async (name: string) => {
      const response = await call(`/clients/${client}/consumers/${name}/poll?limit=2&leaseSeconds=10`, {
        method: 'POST',
      });
      expect(response.status).toBe(200);
      return (await response.json()) as { events: StoredEvent[]; ackCursor: string; redelivered: boolean };
    };
    const ack = (name: string, cursor: string) =>
      call(`/clients/${client}/consumers/${name}/ack`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ cursor }),
      });
    const first = await poll('billing');
    expect(first.events).toHaveLength(2);
    expect((await ack('billing', first.ackCursor)).status).toBe(200);
    const second = await poll('billing');
    expect(second.events).toHaveLength(1);
    // Not acknowledged: after the lease it comes again.
    clock.advance(11_000);
    const again = await poll('billing');
    expect(again.redelivered).toBe(true);
    expect(again.events.map((e) => e.id)).toEqual(second.events.map((e) => e.id));
    // Another group starts from the beginning.
    expect((await poll('audit')).events.map((e) => e.id)).toEqual(first.events.map((e) => e.id));
    const beyond = await ack('audit', again.ackCursor);
    expect(beyond.status).toBe(409);
  });
});

describe('POST /events/bulk', () => {
  it('streams any number of lines, counting them and naming each rejected line', async () => {
    const client = 'bulk';
    const lines = Array.from({ length: 1203 }, (_, i) =>
      JSON.stringify(makeEvent({ client, id: uuid(i, 'b0000000') })),
    );
    lines[700] = 'not json';
    lines[900] = JSON.stringify({ ...makeEvent({ client }), Padding: 'y'.repeat(400 * 1024) });
    const response = await call('/events/bulk', {
      method: 'POST',
      headers: { 'content-type': 'application/x-ndjson' },
      body: `${lines.join('\n')}\n`,
    });
    expect(response.status).toBe(202);
    const body = (await response.json()) as {
      accepted: number;
      rejected: number;
      rejections: { line: number; reasons: Reason[] }[];
    };
    expect(body).toMatchObject({ accepted: 1201, rejected: 2 });
    expect(body.rejections.map((r) => r.line)).toEqual([701, 901]);
    expect(body.rejections[1]?.reasons[0]?.message).toMatch(/the limit is 262144/);
    await drain();
    expect((await feed(client)).events).toHaveLength(1000);
    const rest = await call(`/clients/${client}/events?limit=1000&after=${(await feed(client)).next}`);
    expect(((await rest.json()) as { events: unknown[] }).events).toHaveLength(201);
  });

  it('takes only NDJSON', async () => {
    const response = await call('/events/bulk', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '[]',
    });
    expect(response.status).toBe(415);
  });
});

describe('events access', () => {
  it('lets a client token read only its own client, and keeps operator routes for the admin token', async () => {
    const created = await call('/clients', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'barclays' }),
    });
    expect(created.status).toBe(201);
    const { token } = (await created.json()) as { token: string };
    expect(token).toMatch(/^trc_/);

    expect((await call('/clients/barclays/events', {}, token)).status).toBe(200);
    const other = await call('/clients/monzo/events', {}, token);
    expect(other.status).toBe(403);
    expect(((await other.json()) as { error: { message: string } }).error.message).toMatch(/barclays/);
    expect((await call('/clients/barclays/../monzo/events', {}, token)).status).toBe(403);
    expect((await call('/events/rejected', {}, token)).status).toBe(403);
    expect(
      (
        await call(
          '/events',
          { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' },
          token,
        )
      ).status,
    ).toBe(403);
    expect((await call('/clients', {}, token)).status).toBe(403);
    expect((await call('/clients/monzo/events', {}, 'trc_not-a-token')).status).toBe(403);
    expect((await call('/clients/monzo/events', {}, null)).status).toBe(401);
    expect((await call('/clients/monzo/events')).status).toBe(200);

    const again = await call('/clients', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'barclays' }),
    });
    expect(again.status).toBe(409);
    const rotated = await call('/clients', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'barclays', rotate: true }),
    });
    expect(rotated.status).toBe(201);
    expect((await call('/clients/barclays/events', {}, token)).status).toBe(403);
  });
});

describe('bad requests to POST /events', () => {
  const post = (body: string, type = 'application/json') =>
    call('/events', { method: 'POST', headers: { 'content-type': type }, body });

  it.each([
    ['an empty body', '', 400],
    ['malformed JSON', '{"ID": ', 400],
    ['a JSON value that holds no records', '42', 400],
    ['more than 500 records', JSON.stringify(Array.from({ length: 501 }, () => ({}))), 400],
  ])('refuses %s with a clear error and stores nothing', async (_, body, status) => {
    const before = await fabric.db.query<{ n: number }>('SELECT count(*)::int8 AS n FROM stream_records');
    const response = await post(body);
    expect(response.status).toBe(status);
    const error = ((await response.json()) as { error: { code: string; message: string } }).error;
    expect(error.message.length).toBeGreaterThan(5);
    const after = await fabric.db.query<{ n: number }>('SELECT count(*)::int8 AS n FROM stream_records');
    expect(after.rows[0]?.n).toBe(before.rows[0]?.n);
  });

  it('refuses a body over 5 MiB with 413 and another content type with 415', async () => {
    const big = ndjson(
      Array.from({ length: 30 }, () => ({ ...makeEvent(), Padding: 'x'.repeat(200 * 1024) })),
    );
    expect((await post(big, 'application/x-ndjson')).status).toBe(413);
    expect((await post('ID,Client', 'text/csv')).status).toBe(415);
  });
});
