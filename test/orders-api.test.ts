import type { OpenAPIHono } from '@hono/zod-openapi';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../src/runtime/clock.js';
import type { Fabric } from '../src/runtime/fabric.js';
import { openTestFabric } from './support/test-fabric.js';

const HOUR = 3_600_000;
const TWO_ORDERS =
  '[{"record_id":"unique_id_1","parameter_1":"abc","parameter_2":4},{"record_id":"unique_id_2","parameter_1":"def","parameter_2":2.1}]';

let fabric: Fabric;
let app: OpenAPIHono;
let close = async () => {};
const clock = new ManualClock('2024-09-01T00:00:00Z');

beforeAll(async () => {
  ({ fabric, app, close } = await openTestFabric('orders-api', { clock }));
});
afterAll(() => close());

interface OrderJson {
  record_id: string;
  parameter_1: string;
  parameter_2: number;
  status: string;
  receivedAt: string;
  expiresAt: string;
  result?: { power?: number; decidedAt: string };
}
interface ErrorJson {
  error: { code: string; message: string; details?: { index?: number; field?: string; message: string }[] };
}

function call(path: string, init: RequestInit = {}) {
  const headers = new Headers(init.headers);
  headers.set('authorization', `Bearer ${fabric.adminToken}`);
  return app.request(path, { ...init, headers });
}

const post = (
  body: string | undefined,
  headers: Record<string, string> = { 'content-type': 'application/json' },
) => call('/orders', { method: 'POST', headers, ...(body === undefined ? {} : { body }) });

async function submit(orders: unknown[]) {
  const response = await post(JSON.stringify(orders));
  expect(response.status, await response.clone().text()).toBe(201);
  return (await response.json()) as { accepted: number; record_ids: string[]; expiresAt: string };
}

async function get(recordId: string) {
  const response = await call(`/orders/${encodeURIComponent(recordId)}`);
  return { status: response.status, body: (await response.json()) as OrderJson & ErrorJson };
}

async function list(query = '') {
  const response = await call(`/orders${query}`);
  expect(response.status, await response.clone().text()).toBe(200);
  return (await response.json()) as { orders: OrderJson[]; next?: string };
}

const rowCount = async () =>
  (await fabric.db.query<{ n: number }>('SELECT count(*)::int8 AS n FROM orders')).rows[0]!.n;
/** Lets every order posted so far expire, so a test's listings hold only its own orders. */
const expireEverything = () => clock.advance(25 * HOUR);
const order = (record_id: string, parameter_2: unknown = 1, parameter_1: unknown = 'p') => ({
  record_id,
  parameter_1,
  parameter_2,
});

describe('POST /orders and reads', () => {
  it('takes the two-order example, keeps both readable for 24 hours, then hides them', async () => {
    const receivedAt = clock.now();
    const response = await post(TWO_ORDERS);
    expect(response.status).toBe(201);
    const expiresAt = new Date(receivedAt.getTime() + 24 * HOUR).toISOString();
    expect(await response.json()).toEqual({
      accepted: 2,
      record_ids: ['unique_id_1', 'unique_id_2'],
      expiresAt,
    });

    const first = await get('unique_id_1');
    expect(first.status).toBe(200);
    expect(first.body).toEqual({
      record_id: 'unique_id_1',
      parameter_1: 'abc',
      parameter_2: 4,
      status: 'pending',
      receivedAt: receivedAt.toISOString(),
      expiresAt,
    });
    expect((await get('unique_id_2')).body).toMatchObject({
      parameter_1: 'def',
      parameter_2: 2.1,
      expiresAt,
    });
    expect((await list()).orders.map((o) => o.record_id).sort()).toEqual(['unique_id_1', 'unique_id_2']);

    clock.advance(24 * HOUR - 1);
    expect((await get('unique_id_2')).status).toBe(200);
    clock.advance(1);
    for (const id of ['unique_id_1', 'unique_id_2']) {
      const gone = await get(id);
      expect(gone.status).toBe(404);
      expect(gone.body.error).toMatchObject({ code: 'not_found', message: expect.stringMatching(/expired/) });
    }
    expect((await list()).orders).toEqual([]);
    expect((await list('?status=pending')).orders).toEqual([]);
    // Gone for reads, though the purge job has not deleted them yet.
    expect(await rowCount()).toBeGreaterThanOrEqual(2);
    expect(await fabric.orders.purgeExpired(clock.now())).toBe(2);
  });

  it('replaces a reposted order, renewing its expiry and making it pending again', async () => {
    await submit([order('renew-1', 1, 'first')]);
    await fabric.orders.markResult('renew-1', { status: 'accepted', power: 7, decidedAt: clock.now() });
    expect((await get('renew-1')).body).toMatchObject({ status: 'accepted', result: { power: 7 } });
    clock.advance(20 * HOUR);
    const renewed = await submit([order('renew-1', 2, 'second')]);
    expect(renewed.expiresAt).toBe(new Date(clock.now().getTime() + 24 * HOUR).toISOString());
    clock.advance(10 * HOUR);
    const read = await get('renew-1');
    expect(read.status).toBe(200);
    expect(read.body).toMatchObject({ parameter_1: 'second', parameter_2: 2, status: 'pending' });
    expect(read.body).not.toHaveProperty('result');
  });

  it('lists by status, newest first, a page at a time', async () => {
    expireEverything();
    await submit([order('s-1'), order('s-2'), order('s-3')]);
    clock.advance(1000);
    await submit([order('s-4')]);
    await fabric.orders.markResult('s-2', { status: 'accepted', power: 3.5, decidedAt: clock.now() });
    await fabric.orders.markResult('s-3', { status: 'rejected', decidedAt: clock.now() });

    expect((await list('?status=accepted')).orders).toEqual([
      expect.objectContaining({
        record_id: 's-2',
        status: 'accepted',
        result: { power: 3.5, decidedAt: expect.any(String) },
      }),
    ]);
    expect((await list('?status=rejected')).orders.map((o) => o.record_id)).toEqual(['s-3']);
    expect((await list('?status=rejected')).orders[0]).not.toHaveProperty('result.power');
    expect((await list('?status=pending')).orders.map((o) => o.record_id)).toEqual(['s-4', 's-1']);

    const first = await list('?limit=3');
    expect(first.orders.map((o) => o.record_id)[0]).toBe('s-4');
    expect(first.next).toBeDefined();
    const rest = await list(`?limit=3&cursor=${encodeURIComponent(first.next ?? '')}`);
    expect(rest.next).toBeUndefined();
    expect([...first.orders, ...rest.orders].map((o) => o.record_id).sort()).toEqual([
      's-1',
      's-2',
      's-3',
      's-4',
    ]);

    for (const query of ['?status=done', '?limit=0', '?cursor=bogus']) {
      const bad = await call(`/orders${query}`);
      expect(bad.status, query).toBe(400);
    }
  });

  it('reads a record_id that needs escaping in a URL', async () => {
    const id = 'a/b c?d#é';
    await submit([order(id)]);
    const read = await get(id);
    expect(read.status).toBe(200);
    expect(read.body.record_id).toBe(id);
  });
});

describe('bad bodies for POST /orders', () => {
  const valid = order('should-not-be-stored');
  const thousandAndOne = Array.from({ length: 1001 }, (_, i) => order(`many-${i}`));

  it.each<[string, string, RegExp, { index: number; field?: string }[]]>([
    ['not JSON', '[{"record_id": "a", ', /^Request body is not valid JSON: unexpected end of input/, []],
    ['an object instead of an array', JSON.stringify(valid), /must be a JSON array of orders/, []],
    ['0 items', '[]', /holds no orders/, []],
    ['1,001 items', JSON.stringify(thousandAndOne), /holds 1001 orders; the limit is 1000/, []],
    [
      'missing fields',
      JSON.stringify([valid, { record_id: 'x' }]),
      /item 1, parameter_1: required; item 1, parameter_2: required/,
      [
        { index: 1, field: 'parameter_1' },
        { index: 1, field: 'parameter_2' },
      ],
    ],
    [
      'wrong types',
      JSON.stringify([valid, { record_id: 5, parameter_1: null, parameter_2: '4' }]),
      /item 1, record_id: must be a string/,
      [
        { index: 1, field: 'record_id' },
        { index: 1, field: 'parameter_1' },
        { index: 1, field: 'parameter_2' },
      ],
    ],
    [
      '"NaN" for parameter_2',
      JSON.stringify([valid, order('nan', 'NaN')]),
      /item 1, parameter_2: must be a finite number, got the string "NaN"/,
      [{ index: 1, field: 'parameter_2' }],
    ],
    [
      '1e999 for parameter_2',
      `[${JSON.stringify(valid)},{"record_id":"big","parameter_1":"p","parameter_2":1e999}]`,
      /item 1, parameter_2: must be a finite number; Infinity is out of range/,
      [{ index: 1, field: 'parameter_2' }],
    ],
    [
      'an empty record_id',
      JSON.stringify([valid, order('')]),
      /item 1, record_id: must not be empty/,
      [{ index: 1, field: 'record_id' }],
    ],
    [
      'a duplicate record_id',
      JSON.stringify([valid, order('twice'), order('twice')]),
      /item 2, record_id: "twice" is also the record_id of item 1/,
      [{ index: 2, field: 'record_id' }],
    ],
    [
      'an unknown field',
      JSON.stringify([valid, { ...order('extra'), parameter_3: 1 }]),
      /item 1, parameter_3: is not an order field/,
      [{ index: 1, field: 'parameter_3' }],
    ],
  ])('refuses %s with 400 naming the problem, and stores nothing', async (_, body, message, where) => {
    const before = await rowCount();
    const response = await post(body);
    expect(response.status).toBe(400);
    const { error } = (await response.json()) as ErrorJson;
    expect(error.code).toBe('invalid_orders');
    expect(error.message).toMatch(message);
    if (where.length > 0) expect(error.details?.map(({ index, field }) => ({ index, field }))).toEqual(where);
    else expect(error.details).toEqual([{ message: error.message }]);
    expect(await rowCount()).toBe(before);
    expect((await get('should-not-be-stored')).status).toBe(404);
  });

  it.each([
    ['an empty body', ''],
    ['a blank body', '  \n'],
    ['no body at all', undefined],
  ])('refuses %s with exactly "Request body is empty"', async (_, body) => {
    for (const headers of [{ 'content-type': 'application/json' }, {}] as Record<string, string>[]) {
      const response = await post(body, headers);
      expect(response.status).toBe(400);
      expect(((await response.json()) as ErrorJson).error).toEqual({
        code: 'invalid_orders',
        message: 'Request body is empty',
        details: [{ message: 'Request body is empty' }],
      });
    }
  });

  it('refuses a body over 1 MB, declared or streamed, and takes one of exactly 1,000,000 bytes', async () => {
    const before = await rowCount();
    const frame = JSON.stringify([order('exactly-1mb', 1, '')]);
    const exact = JSON.stringify([order('exactly-1mb', 1, 'x'.repeat(1_000_000 - frame.length))]);
    expect(Buffer.byteLength(exact)).toBe(1_000_000);
    const over = `${exact} `;

    const declared = await post(over, { 'content-type': 'application/json', 'content-length': '1000001' });
    expect(declared.status).toBe(400);
    expect(((await declared.json()) as ErrorJson).error).toMatchObject({
      code: 'invalid_orders',
      message: 'Request body is 1000001 bytes; the limit is 1000000 bytes (1 MB)',
    });
    const streamed = await post(`${exact.slice(0, -1)}, ${JSON.stringify(order('more'))}]`);
    expect(streamed.status).toBe(400);
    expect(((await streamed.json()) as ErrorJson).error.message).toMatch(
      /too large; the limit is 1000000 bytes/,
    );
    // Over the 1 MiB of other JSON routes too: still this route's answer.
    const huge = await post(JSON.stringify([order('huge', 1, 'y'.repeat(2 * 1024 * 1024))]));
    expect(huge.status).toBe(400);
    expect(await rowCount()).toBe(before);

    expect((await post(exact)).status).toBe(201);
    expect((await get('exactly-1mb')).status).toBe(200);
  });

  it('refuses a body not declared as JSON with 415', async () => {
    const before = await rowCount();
    for (const type of ['text/plain', 'application/x-www-form-urlencoded']) {
      const response = await post(TWO_ORDERS, { 'content-type': type });
      expect(response.status).toBe(415);
      expect(((await response.json()) as ErrorJson).error.message).toMatch(/Content-Type: application\/json/);
    }
    expect((await post(TWO_ORDERS, {})).status).toBe(415);
    expect(await rowCount()).toBe(before);
    expect((await post(TWO_ORDERS, { 'content-type': 'application/json; charset=utf-8' })).status).toBe(201);
  });

  it('lists every problem of a large bad body, up to 100, and counts the rest', async () => {
    const items = Array.from({ length: 1000 }, (_, i) => ({ record_id: `bad-${i}`, parameter_1: 'p' }));
    const response = await post(JSON.stringify(items));
    expect(response.status).toBe(400);
    const { error } = (await response.json()) as ErrorJson;
    expect(error.details).toHaveLength(100);
    expect(error.message).toMatch(/^Invalid orders \(1000 problems\): item 0, parameter_2: required; /);
    expect(error.message).toMatch(/and 995 more \(the first 100 are in details\)$/);
  });
});

it('describes the order routes in the OpenAPI document', async () => {
  const doc = (await (await call('/openapi.json')).json()) as { paths: Record<string, object> };
  expect(Object.keys(doc.paths)).toEqual(expect.arrayContaining(['/orders', '/orders/{record_id}']));
  expect(Object.keys(doc.paths['/orders'] ?? {}).sort()).toEqual(['get', 'post']);
});
