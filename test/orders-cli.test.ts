import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type DevServer, startDev, stop, tributary } from './support/cli.js';

const TWO_ORDERS =
  '[{"record_id":"unique_id_1","parameter_1":"abc","parameter_2":4},{"record_id":"unique_id_2","parameter_1":"def","parameter_2":2.1}]';
const HOUR = 3_600_000;

describe('tributary orders', () => {
  let dir: string;
  let env: Record<string, string>;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'tributary-orders-cli-'));
    env = { TRIBUTARY_DATA_DIR: join(dir, 'data') };
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('submits the two-order example, then lists and gets the orders', async () => {
    const file = join(dir, 'orders.json');
    await writeFile(file, TWO_ORDERS);
    const before = Date.now();
    const submitted = await tributary(['orders', 'submit', file, '--json'], env);
    expect(submitted.code, submitted.stderr).toBe(0);
    const answer = JSON.parse(submitted.stdout) as {
      accepted: number;
      record_ids: string[];
      expiresAt: string;
    };
    expect(answer).toMatchObject({ accepted: 2, record_ids: ['unique_id_1', 'unique_id_2'] });
    const expiry = Date.parse(answer.expiresAt);
    expect(expiry).toBeGreaterThanOrEqual(before + 24 * HOUR);
    expect(expiry).toBeLessThanOrEqual(Date.now() + 24 * HOUR);

    const human = await tributary(['orders', 'submit', file], env);
    expect(human.code, human.stderr).toBe(0);
    expect(human.stdout).toMatch(/^accepted 2 orders, expiring at \S+Z\n {2}unique_id_1\n {2}unique_id_2\n$/);

    const listed = await tributary(['orders', 'list', '--json'], env);
    expect(listed.code, listed.stderr).toBe(0);
    const orders = JSON.parse(listed.stdout) as { record_id: string; status: string }[];
    expect(orders.map((o) => o.record_id).sort()).toEqual(['unique_id_1', 'unique_id_2']);
    expect(orders.every((o) => o.status === 'pending')).toBe(true);
    const table = await tributary(['orders', 'list', '--status', 'pending'], env);
    expect(table.stdout).toMatch(/unique_id_2 +def +2\.1 +pending/);
    const none = await tributary(['orders', 'list', '--status', 'accepted', '--json'], env);
    expect(JSON.parse(none.stdout)).toEqual([]);
    const badStatus = await tributary(['orders', 'list', '--status', 'done'], env);
    expect(badStatus.code).toBe(1);
    expect(badStatus.stderr).toMatch(/--status must be one of pending, accepted, rejected/);

    const got = await tributary(['orders', 'get', 'unique_id_1', '--json'], env);
    expect(got.code, got.stderr).toBe(0);
    expect(JSON.parse(got.stdout)).toMatchObject({
      record_id: 'unique_id_1',
      parameter_1: 'abc',
      parameter_2: 4,
    });
    const gotHuman = await tributary(['orders', 'get', 'unique_id_2'], env);
    expect(gotHuman.stdout).toMatch(/parameter_2 +2\.1\nstatus +pending/);
    const missing = await tributary(['orders', 'get', 'nope'], env);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/no order with record_id "nope"/);
  });

  it('reports each problem of a bad file and stores none of it', async () => {
    const file = join(dir, 'bad.json');
    await writeFile(
      file,
      JSON.stringify([
        { record_id: 'fine', parameter_1: 'x', parameter_2: 1 },
        { record_id: '', parameter_1: 'x', parameter_2: 'NaN' },
        { record_id: 'fine', parameter_1: 'x' },
      ]),
    );
    const refused = await tributary(['orders', 'submit', file], env);
    expect(refused.code).toBe(1);
    expect(refused.stdout).toBe('');
    expect(refused.stderr).toContain('was refused, nothing stored (4 problems):');
    for (const line of [
      'item 1, record_id: must not be empty',
      'item 1, parameter_2: must be a finite number, got the string "NaN"',
      'item 2, record_id: "fine" is also the record_id of item 0',
      'item 2, parameter_2: required',
    ])
      expect(refused.stderr).toContain(`  ${line}`);

    const json = await tributary(['orders', 'submit', file, '--json'], env);
    expect(json.code).toBe(1);
    expect(JSON.parse(json.stdout).error).toMatchObject({
      code: 'invalid_orders',
      details: expect.any(Array),
    });
    expect(JSON.parse(json.stdout).error.details).toHaveLength(4);

    await writeFile(join(dir, 'empty.json'), '');
    const empty = await tributary(['orders', 'submit', join(dir, 'empty.json')], env);
    expect(empty.code).toBe(1);
    expect(empty.stderr).toMatch(/refused, nothing stored: Request body is empty/);
    await writeFile(join(dir, 'object.json'), '{"record_id":"x"}');
    const object = await tributary(['orders', 'submit', join(dir, 'object.json')], env);
    expect(object.stderr).toMatch(/must be a JSON array of orders/);
    const unreadable = await tributary(['orders', 'submit', join(dir, 'no-such-file.json')], env);
    expect(unreadable.code).toBe(1);
    expect(unreadable.stderr).toMatch(/cannot read/);

    const got = await tributary(['orders', 'get', 'fine'], env);
    expect(got.code).toBe(1);
  });

  it('expires orders after ORDER_TTL_HOURS', async () => {
    const ttlEnv = { TRIBUTARY_DATA_DIR: join(dir, 'ttl-data'), ORDER_TTL_HOURS: '0.001' };
    const file = join(dir, 'short.json');
    await writeFile(file, '[{"record_id":"short","parameter_1":"x","parameter_2":1}]');
    const submitted = await tributary(['orders', 'submit', file, '--json'], ttlEnv);
    expect(submitted.code, submitted.stderr).toBe(0);
    const expiresAt = Date.parse(JSON.parse(submitted.stdout).expiresAt);
    expect(expiresAt - Date.now()).toBeLessThanOrEqual(3600);
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, expiresAt - Date.now() + 50)));
    const got = await tributary(['orders', 'get', 'short'], ttlEnv);
    expect(got.code).toBe(1);
    expect(got.stderr).toMatch(/expired/);
    const bad = await tributary(['orders', 'list'], { ...ttlEnv, ORDER_TTL_HOURS: 'soon' });
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/ORDER_TTL_HOURS must be a positive number of hours/);
  });

  describe('with a server running', () => {
    let server: DevServer;
    let serverEnv: Record<string, string>;
    beforeAll(async () => {
      serverEnv = { TRIBUTARY_DATA_DIR: join(dir, 'server-data') };
      server = await startDev(serverEnv);
    });
    afterAll(async () => {
      if (server) await stop(server.child);
    });

    it('submits over HTTP, and a file over 1 MB is refused with a clear message', async () => {
      const file = join(dir, 'server.json');
      await writeFile(file, TWO_ORDERS);
      const submitted = await tributary(['orders', 'submit', file, '--json'], serverEnv);
      expect(submitted.code, submitted.stderr).toBe(0);
      expect(JSON.parse(submitted.stdout).accepted).toBe(2);
      const got = await tributary(['orders', 'get', 'unique_id_2', '--json'], serverEnv);
      expect(JSON.parse(got.stdout).parameter_2).toBe(2.1);

      const big = join(dir, 'big.json');
      await writeFile(
        big,
        JSON.stringify([{ record_id: 'big', parameter_1: 'x'.repeat(1_100_000), parameter_2: 1 }]),
      );
      const refused = await tributary(['orders', 'submit', big], serverEnv);
      expect(refused.code).toBe(1);
      expect(refused.stderr).toMatch(
        /refused, nothing stored: Request body is .*the limit is 1000000 bytes \(1 MB\)/,
      );
      expect((await tributary(['orders', 'get', 'big'], serverEnv)).code).toBe(1);
    });
  });
});
