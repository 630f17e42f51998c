import { spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { datasets, repoRoot, tributary } from './support/cli.js';
import { makeEvent } from './support/events.js';

describe('tributary events and clients', () => {
  let dir: string;
  let env: Record<string, string>;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'tributary-events-cli-'));
    env = { TRIBUTARY_DATA_DIR: join(dir, 'data') };
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('sends the sample events, lists them per client, and polls a consumer group', async () => {
    for (const name of ['transaction-1.json', 'transaction-2.json']) {
      const sent = await tributary(['events', 'send', `${datasets}events/${name}`, '--json'], env);
      expect(sent.code, sent.stderr).toBe(0);
      expect(JSON.parse(sent.stdout)).toEqual({ accepted: 1, rejected: 0, rejections: [] });
    }
    const listed = await tributary(['events', 'list', '--client', 'barclays', '--json'], env);
    expect(listed.code, listed.stderr).toBe(0);
    expect(JSON.parse(listed.stdout).map((e: { id: string }) => e.id)).toEqual([
      '0124e053-3580-7000-b158-3401dd4f2d37',
    ]);
    const human = await tributary(['events', 'list', '--client', 'monzo'], env);
    expect(human.stdout).toContain('0124e053-3580-7000-a773-0e4701b781d1');

    const polled = await tributary(
      ['events', 'poll', '--client', 'monzo', '--consumer', 'billing', '--ack', '--json'],
      env,
    );
    expect(polled.code, polled.stderr).toBe(0);
    expect(JSON.parse(polled.stdout).events).toHaveLength(1);
    const empty = await tributary(
      ['events', 'poll', '--client', 'monzo', '--consumer', 'billing', '--json'],
      env,
    );
    expect(JSON.parse(empty.stdout).events).toHaveLength(0);
  });

  it('reports each rejected line with its reasons and stores the rest', async () => {
    const file = join(dir, 'mixed.ndjson');
    const good = makeEvent({ client: 'cli-mixed' });
    await writeFile(
      file,
      [
        JSON.stringify(good),
        '{not json',
        JSON.stringify(makeEvent({ client: 'cli-mixed', type: 'refund' })),
        '',
      ].join('\n'),
    );
    const sent = await tributary(['events', 'send', file], env);
    expect(sent.code, sent.stderr).toBe(0);
    expect(sent.stdout).toContain('accepted 2, rejected 1');
    expect(sent.stdout).toMatch(/line 2: not JSON/);

    // The line that is not JSON names no client: it is listed with every client's rejections.
    const mine = await tributary(['events', 'rejected', '--client', 'cli-mixed', '--json'], env);
    const records = JSON.parse(mine.stdout) as { stage: string; reasons: { path: string }[] }[];
    expect(records.map((r) => [r.stage, r.reasons[0]?.path])).toEqual([['validation', 'Type']]);
    const all = await tributary(['events', 'rejected', '--json'], env);
    expect(JSON.parse(all.stdout)).toContainEqual(
      expect.objectContaining({ stage: 'ingest', client: null, raw: '{not json' }),
    );
    const listed = await tributary(['events', 'list', '--client', 'cli-mixed', '--json'], env);
    expect(JSON.parse(listed.stdout).map((e: { id: string }) => e.id)).toEqual([good.ID]);
  });

  it('reads events from stdin and reports an array element by its index', async () => {
    const records = [makeEvent({ client: 'cli-stdin' }), { Client: 'cli-stdin', ID: 'nope' }];
    const child = spawn(
      process.execPath,
      [join(repoRoot, 'bin/tributary.js'), 'events', 'send', '-', '--json'],
      {
        cwd: repoRoot,
        env: { ...process.env, ...env },
      },
    );
    let stdout = '';
    child.stdout.on('data', (chunk) => {
      stdout += chunk;
    });
    child.stdin.end(JSON.stringify(records, null, 2));
    const code = await new Promise((resolve) => child.on('close', resolve));
    expect(code).toBe(0);
    // The edge accepts both (each names a client); validation rejects the second later.
    expect(JSON.parse(stdout)).toMatchObject({ accepted: 2, rejected: 0 });
    const rejected = await tributary(['events', 'rejected', '--client', 'cli-stdin', '--json'], env);
    expect(JSON.parse(rejected.stdout)[0].reasons.map((r: { path: string }) => r.path)).toContain('ID');
  });

  it('creates a client and prints its token once', async () => {
    const added = await tributary(['clients', 'add', 'barclays', '--json'], env);
    expect(added.code, added.stderr).toBe(0);
    expect(JSON.parse(added.stdout)).toMatchObject({
      client: 'barclays',
      status: 'created',
      token: expect.stringMatching(/^trc_/),
    });
    const again = await tributary(['clients', 'add', 'barclays'], env);
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(/exists.*--rotate/);
    const listed = await tributary(['clients', 'list', '--json'], env);
    expect(JSON.parse(listed.stdout).map((c: { name: string }) => c.name)).toEqual(['barclays']);
  });
});
