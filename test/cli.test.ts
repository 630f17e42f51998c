import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { datasets, startDev, stop, tributary } from './support/cli.js';
import { CHALLENGE_SUMMARY } from './support/fixtures.js';

describe('tributary CLI (in-process, no server running)', () => {
  let dataDir: string;
  let env: Record<string, string>;

  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'tributary-cli-'));
    env = { TRIBUTARY_DATA_DIR: dataDir };
  });
  afterAll(async () => {
    await rm(dataDir, { recursive: true, force: true });
  });

  it('runs the README flow: account, upload with --wait, summary, one email', async () => {
    const add = await tributary(
      ['accounts', 'add', 'acct-1', '--email', 'ana@example.com', '--name', 'Ana Díaz'],
      env,
    );
    expect(add.stderr).toBe('');
    expect(add.code).toBe(0);

    const put = await tributary(
      [
        'put',
        join(datasets, 'statements/challenge-sample.csv'),
        'transactions/uploads/challenge.csv',
        '--meta',
        'account-id=acct-1',
        '--meta',
        'year=2024',
        '--wait',
        '--json',
      ],
      env,
    );
    expect(put.code).toBe(0);
    const outcome = JSON.parse(put.stdout);
    expect(outcome.settled).toBe(true);
    expect(outcome.statements).toMatchObject({
      status: 'processed',
      accepted: 4,
      rejectedCount: 0,
      accounts: ['acct-1'],
    });

    const summary = await tributary(['statements', 'summary', 'acct-1', '--json'], env);
    expect(JSON.parse(summary.stdout)).toEqual(CHALLENGE_SUMMARY);

    const list = JSON.parse((await tributary(['outbox', 'list', '--json'], env)).stdout);
    expect(list).toHaveLength(1);
    expect(list[0].to).toEqual(['ana@example.com']);
    const email = JSON.parse((await tributary(['outbox', 'show', list[0].id, '--json'], env)).stdout);
    for (const figure of ['39.74', '-15.38', '35.25']) {
      expect(email.html).toContain(figure);
      expect(email.text).toContain(figure);
    }
  });

  it('prints a clear error and exits non-zero for a bad address', async () => {
    const result = await tributary(
      ['put', join(datasets, 'statements/challenge-sample.csv'), 'transactions'],
      env,
    );
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('is not <bucket>/<key>');
  });
});

describe('tributary dev', () => {
  let dataDir: string;

  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'tributary-dev-'));
  });
  afterAll(async () => {
    await rm(dataDir, { recursive: true, force: true });
  });

  it('refuses a second server on the same data dir, naming the owner, and the CLI talks to the first', async () => {
    const env = { TRIBUTARY_DATA_DIR: dataDir };
    const first = await startDev(env);
    try {
      const health = await fetch(`${first.url}/health`);
      expect(health.status).toBe(200);

      // The dashboard link it printed signs in, and the session opens the dashboard at /.
      const link = /dashboard: +(\S+)/.exec(first.output())?.[1] as string;
      expect(link).toBe(`${first.url}/ui/sign-in?token=${encodeURIComponent(first.token)}`);
      const signIn = await fetch(link, { redirect: 'manual' });
      expect(signIn.status).toBe(303);
      const cookie = signIn.headers.get('set-cookie')?.split(';')[0] as string;
      const dashboard = await fetch(`${first.url}/`, { headers: { cookie } });
      expect(dashboard.status).toBe(200);
      expect(await dashboard.text()).toContain('<h1>Overview</h1>');
      expect((await fetch(`${first.url}/`, { redirect: 'manual' })).status).toBe(401);

      const second = await tributary(['dev', '--port', '0'], env);
      expect(second.code).not.toBe(0);
      expect(second.stderr).toContain(`in use by process ${first.child.pid}`);

      const add = await tributary(
        ['accounts', 'add', 'acct-9', '--email', 'x@example.com', '--name', 'X'],
        env,
      );
      expect(add.code).toBe(0);
      const response = await fetch(`${first.url}/accounts`, {
        headers: { authorization: `Bearer ${first.token}` },
      });
      const { accounts } = (await response.json()) as { accounts: { accountId: string }[] };
      expect(accounts.map((a) => a.accountId)).toContain('acct-9');
    } finally {
      await stop(first.child);
    }
  });
});
