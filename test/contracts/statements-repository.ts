import { randomBytes } from 'node:crypto';
import { beforeEach, describe, expect, it } from 'vitest';
import type { Transaction } from '../../src/core/statements/types.js';
import type { FileReport, StatementsRepository } from '../../src/ports/statements-repository.js';

/** A repository on its backend. Tests share the backend: each uses accounts and files of its own. */
export interface StatementsRepositoryFixture {
  repository: StatementsRepository;
}

/** Each test uses accounts of its own. */
const newAccount = () => `acct-${randomBytes(6).toString('hex')}`;

const tx = (
  accountId: string,
  transactionId: string,
  date: string,
  amountCents: number,
  line = 2,
): Transaction => ({
  accountId,
  transactionId,
  date,
  amountCents,
  line,
});

/**
 * The behaviour every `StatementsRepository` shares (the SQL one is the reference), run by each
 * adapter's test file with a `setup` that gives a repository on its backend.
 *
 * @example
 * statementsRepositoryContract('DynamoDB', async () => ({ repository: createDynamoStatementsRepository(options) }));
 */
export function statementsRepositoryContract(
  name: string,
  setup: () => StatementsRepositoryFixture | Promise<StatementsRepositoryFixture>,
): void {
  describe(name, () => {
    let fixture: StatementsRepositoryFixture;
    const repository = () => fixture.repository;

    beforeEach(async () => {
      fixture = await setup();
    });

    describe('saveTransactions', () => {
      it('returns nothing for an empty batch', async () => {
        expect(await repository().saveTransactions([])).toEqual([]);
      });

      it('inserts new transactions, then reports the same ones as duplicates and changed ones as conflicts, in input order', async () => {
        const account = newAccount();
        const repo = repository();
        const first = [tx(account, '1', '2024-07-01', 6050), tx(account, '2', '2024-07-02', -2046)];
        expect(await repo.saveTransactions(first)).toEqual([{ kind: 'inserted' }, { kind: 'inserted' }]);

        const second = [
          tx(account, '3', '2024-08-01', 100),
          tx(account, '2', '2024-07-02', -2046, 9),
          tx(account, '1', '2024-07-01', 6051),
          tx(account, '2', '2024-07-03', -2046),
        ];
        expect(await repo.saveTransactions(second)).toEqual([
          { kind: 'inserted' },
          { kind: 'duplicate' },
          { kind: 'conflict', existing: { date: '2024-07-01', amountCents: 6050 } },
          { kind: 'conflict', existing: { date: '2024-07-02', amountCents: -2046 } },
        ]);
        // Nothing was overwritten by the conflicts.
        expect(await repo.monthlyTotals(account)).toEqual([
          {
            month: '2024-07',
            creditCount: 1,
            creditCents: 6050,
            debitCount: 1,
            debitCents: -2046,
            zeroCount: 0,
          },
          { month: '2024-08', creditCount: 1, creditCents: 100, debitCount: 0, debitCents: 0, zeroCount: 0 },
        ]);
      });

      it('keeps the first occurrence within a batch and judges later ones against it', async () => {
        const account = newAccount();
        const batch = [
          tx(account, 'a', '2024-01-05', 500),
          tx(account, 'a', '2024-01-05', 500),
          tx(account, 'a', '2024-01-06', 500),
          tx(account, 'b', '2024-01-07', -10),
        ];
        expect(await repository().saveTransactions(batch)).toEqual([
          { kind: 'inserted' },
          { kind: 'duplicate' },
          { kind: 'conflict', existing: { date: '2024-01-05', amountCents: 500 } },
          { kind: 'inserted' },
        ]);
      });

      it('judges repeats within a batch against the stored row when the first occurrence was not new', async () => {
        const account = newAccount();
        const repo = repository();
        await repo.saveTransactions([tx(account, 'a', '2024-01-05', 500)]);
        expect(
          await repo.saveTransactions([
            tx(account, 'a', '2024-01-05', 999),
            tx(account, 'a', '2024-01-05', 500),
          ]),
        ).toEqual([
          { kind: 'conflict', existing: { date: '2024-01-05', amountCents: 500 } },
          { kind: 'duplicate' },
        ]);
      });

      it('keys by account and transaction id together', async () => {
        const [one, two] = [newAccount(), newAccount()];
        expect(
          await repository().saveTransactions([
            tx(one, 'same', '2024-01-01', 1),
            tx(two, 'same', '2024-01-01', 2),
          ]),
        ).toEqual([{ kind: 'inserted' }, { kind: 'inserted' }]);
      });

      it('stores ids with quotes, commas, braces and backslashes as they are', async () => {
        const account = `${newAccount()},"{x}"`;
        const ids = ['a,b', '"quoted"', '{brace}', 'back\\slash', 'NULL', ' padded '];
        const batch = ids.map((id) => tx(account, id, '2024-03-01', 1));
        const repo = repository();
        expect(await repo.saveTransactions(batch)).toEqual(ids.map(() => ({ kind: 'inserted' })));
        expect(await repo.saveTransactions(batch)).toEqual(ids.map(() => ({ kind: 'duplicate' })));
      });

      it('saves a 20,000-row batch and recognises it again as duplicates', async () => {
        const account = newAccount();
        const batch = Array.from({ length: 20_000 }, (_, i) =>
          tx(
            account,
            `t${i}`,
            `2023-${String((i % 12) + 1).padStart(2, '0')}-15`,
            i % 2 === 0 ? i + 1 : -(i + 1),
            i + 2,
          ),
        );
        const repo = repository();
        const first = await repo.saveTransactions(batch);
        expect(first.every((outcome) => outcome.kind === 'inserted')).toBe(true);
        expect(first).toHaveLength(20_000);

        const changed = batch.map((t, i) => (i % 1000 === 0 ? { ...t, amountCents: t.amountCents + 1 } : t));
        const second = await repo.saveTransactions(changed);
        expect(second.filter((outcome) => outcome.kind === 'duplicate')).toHaveLength(19_980);
        expect(second.filter((outcome) => outcome.kind === 'conflict')).toHaveLength(20);

        const totals = await repo.monthlyTotals(account);
        expect(totals).toHaveLength(12);
        expect(totals.reduce((sum, month) => sum + month.creditCount + month.debitCount, 0)).toBe(20_000);
        const expectedBalance = batch.reduce((sum, t) => sum + t.amountCents, 0);
        expect(totals.reduce((sum, month) => sum + month.creditCents + month.debitCents, 0)).toBe(
          expectedBalance,
        );
      }, 180_000);

      it('lets one of two concurrent saves of a transaction win and judges the other against it', async () => {
        const account = newAccount();
        const repo = repository();
        const [left, right] = await Promise.all([
          repo.saveTransactions([tx(account, 'race', '2024-04-01', 100)]),
          repo.saveTransactions([tx(account, 'race', '2024-04-01', 200)]),
        ]);
        const outcomes = [left![0]!, right![0]!];
        const winner = outcomes[0]!.kind === 'inserted' ? 100 : 200;
        expect(outcomes.filter((outcome) => outcome.kind === 'inserted')).toHaveLength(1);
        expect(outcomes).toContainEqual({
          kind: 'conflict',
          existing: { date: '2024-04-01', amountCents: winner },
        });
        const [april] = await repo.monthlyTotals(account);
        expect(april).toMatchObject({ creditCount: 1, creditCents: winner });
      });
    });

    describe('monthlyTotals', () => {
      it('sums credits and debits per calendar month in month order, zero amounts apart', async () => {
        const account = newAccount();
        const repo = repository();
        await repo.saveTransactions([
          tx(account, '5', '2025-01-31', -1),
          tx(account, '1', '2024-12-01', 6050),
          tx(account, '2', '2024-12-31', 1500),
          tx(account, '3', '2024-12-15', -2046),
          tx(account, '4', '2024-12-16', 0),
          tx(account, '6', '2024-02-29', -1030),
        ]);
        await repo.saveTransactions([tx(newAccount(), '1', '2024-12-01', 99)]);
        expect(await repo.monthlyTotals(account)).toEqual([
          {
            month: '2024-02',
            creditCount: 0,
            creditCents: 0,
            debitCount: 1,
            debitCents: -1030,
            zeroCount: 0,
          },
          {
            month: '2024-12',
            creditCount: 2,
            creditCents: 7550,
            debitCount: 1,
            debitCents: -2046,
            zeroCount: 1,
          },
          { month: '2025-01', creditCount: 0, creditCents: 0, debitCount: 1, debitCents: -1, zeroCount: 0 },
        ]);
      });

      it('keeps sums beyond 32 bits exact', async () => {
        const account = newAccount();
        const repo = repository();
        const big = 4_000_000_000_000; // 40 billion in cents
        await repo.saveTransactions([
          tx(account, '1', '2024-05-01', big),
          tx(account, '2', '2024-05-02', big + 1),
        ]);
        const [may] = await repo.monthlyTotals(account);
        expect(may?.creditCents).toBe(2 * big + 1);
      });

      it('returns no months for an account without transactions', async () => {
        expect(await repository().monthlyTotals(newAccount())).toEqual([]);
      });
    });

    describe('accounts', () => {
      it('remembers a holder seen in a file when the account is unknown', async () => {
        const accountId = newAccount();
        const repo = repository();
        expect(await repo.getAccount(accountId)).toBeUndefined();
        await repo.rememberHolder({ accountId, email: 'file@example.com', name: 'From File' });
        expect(await repo.getAccount(accountId)).toEqual({
          accountId,
          email: 'file@example.com',
          name: 'From File',
        });
      });

      it('lets a later file correct a holder remembered from an earlier file', async () => {
        const accountId = newAccount();
        const repo = repository();
        await repo.rememberHolder({ accountId, email: 'old@example.com', name: 'Old' });
        await repo.rememberHolder({ accountId, email: 'new@example.com', name: 'New' });
        expect(await repo.getAccount(accountId)).toEqual({
          accountId,
          email: 'new@example.com',
          name: 'New',
        });
      });

      it('never lets a file overwrite a registry entry, while the registry overwrites anything', async () => {
        const accountId = newAccount();
        const repo = repository();
        await repo.rememberHolder({ accountId, email: 'file@example.com', name: 'From File' });
        await repo.upsertAccount({ accountId, email: 'reg@example.com', name: 'Registry' });
        expect(await repo.getAccount(accountId)).toEqual({
          accountId,
          email: 'reg@example.com',
          name: 'Registry',
        });

        await repo.rememberHolder({ accountId, email: 'file2@example.com', name: 'Second File' });
        expect(await repo.getAccount(accountId)).toEqual({
          accountId,
          email: 'reg@example.com',
          name: 'Registry',
        });

        await repo.upsertAccount({ accountId, email: 'reg2@example.com', name: 'Registry Two' });
        expect(await repo.getAccount(accountId)).toEqual({
          accountId,
          email: 'reg2@example.com',
          name: 'Registry Two',
        });
      });

      it('lists accounts ordered by id', async () => {
        const prefix = newAccount();
        const repo = repository();
        await repo.upsertAccount({ accountId: `${prefix}-b`, email: 'b@example.com', name: 'B' });
        await repo.rememberHolder({ accountId: `${prefix}-a`, email: 'a@example.com', name: 'A' });
        const listed = (await repo.listAccounts()).filter((account) => account.accountId.startsWith(prefix));
        expect(listed).toEqual([
          { accountId: `${prefix}-a`, email: 'a@example.com', name: 'A' },
          { accountId: `${prefix}-b`, email: 'b@example.com', name: 'B' },
        ]);
      });
    });

    describe('file reports', () => {
      const report = (fileId: string): FileReport => ({
        fileId,
        bucket: 'transactions',
        key: 'accounts/42/july.csv',
        etag: '"abc123"',
        status: 'processed',
        accepted: 3,
        inserted: 2,
        duplicates: 1,
        rejectedCount: 2,
        rejected: [
          { line: 4, reason: 'amount: not a signed decimal with at most 2 decimals' },
          { line: 7, reason: 'date: "13/45" is not a date — "quoted", unicode ✓' },
        ],
        accounts: ['42', 'with,comma'],
        finishedAt: new Date('2024-07-01T10:11:12.345Z'),
      });

      it('round-trips a report exactly', async () => {
        const repo = repository();
        const saved = report(`transactions/${newAccount()}.csv@"abc123"`);
        await repo.saveFileReport(saved);
        expect(await repo.getFileReport(saved.fileId)).toStrictEqual(saved);
      });

      it('round-trips a whole-file rejection with its error and empty lists', async () => {
        const repo = repository();
        const saved: FileReport = {
          ...report(`transactions/${newAccount()}.csv@"e"`),
          status: 'rejected',
          error: 'no recognizable header',
          accepted: 0,
          inserted: 0,
          duplicates: 0,
          rejectedCount: 0,
          rejected: [],
          accounts: [],
        };
        await repo.saveFileReport(saved);
        expect(await repo.getFileReport(saved.fileId)).toStrictEqual(saved);
      });

      it('replaces the report when the same file is reported again', async () => {
        const repo = repository();
        const first = report(`transactions/${newAccount()}.csv@"r"`);
        await repo.saveFileReport(first);
        const again = {
          ...first,
          inserted: 0,
          duplicates: 3,
          finishedAt: new Date('2024-07-02T00:00:00.000Z'),
        };
        await repo.saveFileReport(again);
        expect(await repo.getFileReport(first.fileId)).toStrictEqual(again);
      });

      it('keeps the count of every rejected line when only the first ones are listed', async () => {
        const repo = repository();
        const saved: FileReport = {
          ...report(`transactions/${newAccount()}.csv@"c"`),
          rejectedCount: 25_000,
        };
        await repo.saveFileReport(saved);
        expect(await repo.getFileReport(saved.fileId)).toStrictEqual(saved);
      });

      it('round-trips a report listing 10,000 long rejections, and a short report that replaces it', async () => {
        const repo = repository();
        const fileId = `transactions/${newAccount()}.csv@"big"`;
        // Random text does not compress: the lines take megabytes, far beyond one DynamoDB item.
        const rejected = Array.from({ length: 10_000 }, (_, i) => ({
          line: i + 2,
          reason: `amount: "${randomBytes(96).toString('base64')}" is not a number — ✓ ${i}`,
        }));
        const accounts = Array.from(
          { length: 2_000 },
          (_, i) => `account-${i}-${randomBytes(8).toString('hex')}`,
        );
        const big: FileReport = { ...report(fileId), rejectedCount: 12_345, rejected, accounts };
        await repo.saveFileReport(big);
        expect(await repo.getFileReport(fileId)).toStrictEqual(big);

        const small = { ...report(fileId), finishedAt: new Date('2024-07-03T00:00:00.000Z') };
        await repo.saveFileReport(small);
        expect(await repo.getFileReport(fileId)).toStrictEqual(small);
        await repo.saveFileReport(big);
        expect(await repo.getFileReport(fileId)).toStrictEqual(big);
      });

      it('returns undefined for an unknown file', async () => {
        expect(await repository().getFileReport('transactions/missing.csv@"x"')).toBeUndefined();
      });
    });
  });
}
