import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tributary } from './support/cli.js';

describe('tributary auction', () => {
  let dir: string;
  let env: Record<string, string>;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'tributary-auction-cli-'));
    env = { TRIBUTARY_DATA_DIR: join(dir, 'data'), AUCTION_READY_PROBABILITY: '1', AUCTION_SEED: '3' };
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('runs the auction over submitted orders and shows the execution with its history', async () => {
    const file = join(dir, 'orders.json');
    const orders = Array.from({ length: 12 }, (_, i) => ({
      record_id: `o-${i}`,
      parameter_1: 'p',
      parameter_2: i + 1,
    }));
    await writeFile(file, JSON.stringify(orders));
    expect((await tributary(['orders', 'submit', file], env)).code).toBe(0);

    const ran = await tributary(['auction', 'run', '--wait', '--json'], env);
    expect(ran.code, ran.stderr).toBe(0);
    const execution = JSON.parse(ran.stdout) as {
      executionId: string;
      status: string;
      output: { accepted: number; rejected: number; alerted: number };
    };
    expect(execution.status).toBe('SUCCEEDED');
    expect(execution.output.accepted + execution.output.rejected).toBe(12);
    expect(execution.output.alerted).toBe(execution.output.rejected);

    const listed = await tributary(['auction', 'executions', '--json'], env);
    expect(JSON.parse(listed.stdout).map((e: { executionId: string }) => e.executionId)).toEqual([
      execution.executionId,
    ]);
    const shown = await tributary(['auction', 'show', execution.executionId], env);
    expect(shown.code, shown.stderr).toBe(0);
    expect(shown.stdout).toContain('SUCCEEDED');
    expect(shown.stdout).toMatch(/StateEntered\s+FetchResults/);
    expect(shown.stdout).toMatch(/StateExited\s+StoreResult\s+\d+/);

    const alerts = await tributary(['outbox', 'alerts', '--json'], env);
    expect(JSON.parse(alerts.stdout)).toHaveLength(execution.output.rejected);
    const accepted = await tributary(['orders', 'list', '--status', 'accepted', '--json'], env);
    expect(JSON.parse(accepted.stdout)).toHaveLength(execution.output.accepted);
  });

  it('exits 2 and says why when the run fails, and 1 for an unknown execution', async () => {
    const failing = {
      ...env,
      AUCTION_READY_PROBABILITY: '0',
      AUCTION_MAX_ATTEMPTS: '2',
      AUCTION_WAIT_SECONDS: '1',
    };
    const file = join(dir, 'more.json');
    await writeFile(file, JSON.stringify([{ record_id: 'late', parameter_1: 'p', parameter_2: 1 }]));
    expect((await tributary(['orders', 'submit', file], env)).code).toBe(0);
    const ran = await tributary(['auction', 'run', '--wait'], failing);
    expect(ran.code, ran.stdout + ran.stderr).toBe(2);
    expect(ran.stdout).toContain('FAILED');
    expect(ran.stdout).toContain('Auction.NoResults');
    const missing = await tributary(['auction', 'show', 'no-such-execution'], env);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('no auction execution "no-such-execution"');
  });
});
