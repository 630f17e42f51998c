import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { summarizeAccount } from '../src/core/statements/summarize-account.js';
import { ManualClock } from '../src/runtime/clock.js';
import { type Fabric, openFabric } from '../src/runtime/fabric.js';
import { datasets } from './support/cli.js';

/**
 * The statements pipeline on the embedded fabric, from upload to email. Expected figures were
 * computed independently (Python, Decimal, halves away from zero) and pinned here.
 */
describe('statements pipeline', () => {
  let dataDir: string;
  let fabric: Fabric;
  const clock = new ManualClock('2024-09-01T10:00:00Z');

  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'tributary-statements-'));
    fabric = await openFabric({
      dataDir,
      databaseUrl: undefined,
      smtpUrl: undefined,
      mailFrom: 'statements@test.local',
      clock,
    });
  });
  afterAll(async () => {
    await fabric.close();
    await rm(dataDir, { recursive: true, force: true });
  });

  const upload = async (key: string, body: string | Buffer, metadata: Record<string, string> = {}) => {
    await fabric.objects.put({ bucket: 'transactions', key, body, metadata });
    expect(await fabric.dispatcher.settle()).toEqual({ settled: true });
    const info = await fabric.objects.head('transactions', key);
    return fabric.statements.getFileReport(`transactions/${key}@${info?.etag}`);
  };
  const summary = async (accountId: string) =>
    summarizeAccount(accountId, await fabric.statements.monthlyTotals(accountId));
  const dataset = (name: string) => readFile(join(datasets, 'statements', name));
  const deadLetters = async () => (await fabric.queues.list()).filter((m) => m.queue.endsWith('-dlq'));

  it('summarizes the challenge sample and emails the holder once, even when the file is uploaded again', async () => {
    await fabric.statements.upsertAccount({
      accountId: 'acct-1',
      email: 'ana@example.com',
      name: 'Ana Díaz',
    });
    const body = await dataset('challenge-sample.csv');
    const report = await upload('uploads/challenge.csv', body, { 'account-id': 'acct-1', year: '2024' });
    expect(report).toMatchObject({ status: 'processed', accepted: 4, inserted: 4, rejectedCount: 0 });
    expect(await summary('acct-1')).toMatchObject({
      balance: '39.74',
      averageCredit: '35.25',
      averageDebit: '-15.38',
    });
    expect(await fabric.outbox.list()).toHaveLength(1);

    const again = await upload('uploads/challenge-again.csv', body, { 'account-id': 'acct-1', year: '2024' });
    expect(again).toMatchObject({ accepted: 4, inserted: 0, duplicates: 4 });
    expect(await summary('acct-1')).toMatchObject({ balance: '39.74', transactionCount: 4 });
    expect(await fabric.outbox.list()).toHaveLength(1);
  });

  it('reads accounts from an AccountId column and ISO datetimes without an id column', async () => {
    const report = await upload('uploads/accountid-datetime.csv', await dataset('accountid-datetime.csv'));
    expect(report).toMatchObject({ accepted: 4, rejectedCount: 0, accounts: ['1', '2', '3', '4'] });
    expect(await summary('1')).toEqual({
      accountId: '1',
      balance: '60.50',
      transactionCount: 1,
      averageCredit: '60.50',
      averageDebit: null,
      months: [{ month: '2023-08', name: 'August', count: 1, averageCredit: '60.50', averageDebit: null }],
    });
    expect(await summary('3')).toMatchObject({
      balance: '-20.46',
      averageDebit: '-20.46',
      averageCredit: null,
    });
    // No email is known for these accounts: each summary waits in the DLQ with the reason.
    const waiting = await deadLetters();
    expect(waiting.map((m) => m.lastError)).toEqual(
      expect.arrayContaining([expect.stringContaining('no email known for account "1"')]),
    );
  });

  it('reports a repeated id with other content as a conflict and mails the holder named in the file', async () => {
    const report = await upload(
      'accounts/ruben/email-name-padded.csv',
      await dataset('email-name-padded.csv'),
      { year: '2024' },
    );
    expect(report?.accepted).toBe(2);
    expect(report?.rejected.map((r) => r.line)).toEqual([4, 5]);
    expect(report?.rejected[0]?.reason).toContain('conflict');
    expect(await summary('ruben')).toEqual({
      accountId: 'ruben',
      balance: '50.20',
      transactionCount: 2,
      averageCredit: '60.50',
      averageDebit: '-10.30',
      months: [{ month: '2024-07', name: 'July', count: 2, averageCredit: '60.50', averageDebit: '-10.30' }],
    });
    const emails = await fabric.outbox.list();
    expect(emails.filter((e) => e.to.includes('validEmail@gmail.com'))).toHaveLength(1);
  });

  it('summarizes 3,000 transactions exactly', async () => {
    const report = await upload('uploads/transactions3000.csv', await dataset('transactions3000.csv'), {
      year: '2024',
    });
    expect(report).toMatchObject({ accepted: 3000, rejectedCount: 0, accounts: ['AccountId123'] });
    const result = await summary('AccountId123');
    expect(result).toMatchObject({
      balance: '1373.88',
      transactionCount: 3000,
      averageCredit: '49.64',
      averageDebit: '-48.66',
    });
    expect(result.months.map((m) => [m.name, m.count, m.averageCredit, m.averageDebit])).toEqual([
      ['January', 253, '52.14', '-46.44'],
      ['February', 242, '50.56', '-49.66'],
      ['March', 280, '46.99', '-50.29'],
      ['April', 247, '50.66', '-48.82'],
      ['May', 257, '46.72', '-49.48'],
      ['June', 258, '44.17', '-48.96'],
      ['July', 221, '51.14', '-50.86'],
      ['August', 264, '50.46', '-47.19'],
      ['September', 255, '45.95', '-48.13'],
      ['October', 244, '52.03', '-50.44'],
      ['November', 234, '53.08', '-44.15'],
      ['December', 245, '52.36', '-48.62'],
    ]);
  });

  it('stores the good lines of a file with malformed ones and reports each bad line by number', async () => {
    const csv = [
      'Id,Date,Transaction',
      '1,7/1,+10.00',
      '2,7/2,12.3.4',
      '3,2/30,+1',
      '4,7/4',
      '5,7/5,+1,extra',
      '6,7/6,*5',
      '',
      '7,7/7,-2.50',
    ].join('\r\n');
    const report = await upload('accounts/mixed/bad-lines.csv', csv, { year: '2024' });
    expect(report?.accepted).toBe(2);
    expect(report?.rejected.map((r) => r.line)).toEqual([3, 4, 5, 6, 7]);
    expect(report?.rejected.every((r) => r.reason.startsWith(`line ${r.line}:`))).toBe(true);
    expect(await summary('mixed')).toMatchObject({ balance: '7.50', transactionCount: 2 });
  });

  it('rejects a file without a recognizable header as a whole and keeps it in the bucket', async () => {
    const report = await upload('accounts/x/no-header.csv', 'hello,world\n1,2\n');
    expect(report?.status).toBe('rejected');
    expect(report?.error).toContain('no recognizable header');
    expect(await fabric.objects.head('transactions', 'accounts/x/no-header.csv')).toBeDefined();
  });

  it('rejects a file whose year metadata is not a year, naming the value', async () => {
    const report = await upload('accounts/y/bad-year.csv', 'Id,Date,Transaction\n1,7/1,+1\n', {
      year: '24x',
    });
    expect(report).toMatchObject({
      status: 'rejected',
      error: 'metadata year "24x" is not a four-digit year',
    });
  });

  it('delivers a held statement after the account is added and the DLQ is replayed', async () => {
    const held = (await deadLetters()).find((m) => m.lastError?.includes('account "2"'));
    expect(held).toBeDefined();
    await fabric.statements.upsertAccount({ accountId: '2', email: 'two@example.com', name: 'Two' });
    expect(await fabric.queues.redrive([held?.messageId as string])).toBe(1);
    await fabric.dispatcher.settle();
    const sent = (await fabric.outbox.list()).filter((e) => e.to.includes('two@example.com'));
    expect(sent).toHaveLength(1);
    const email = await fabric.outbox.get(sent[0]?.id as string);
    expect(email?.text).toContain('-10.30');
  });
});
