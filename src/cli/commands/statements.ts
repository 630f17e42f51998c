import type { Command } from 'commander';
import type { AccountSummary as Summary } from '../../core/statements/summarize-account.js';
import type { Account } from '../../core/statements/types.js';
import { call } from '../backend.js';
import { emit, table } from '../output.js';
import type { Run } from './run.js';

export function registerStatementCommands(program: Command, run: Run): void {
  const accounts = program.command('accounts').description('account holders (name and email for statements)');
  accounts
    .command('add <id>')
    .description('register or update an account holder')
    .requiredOption('--email <email>', 'where statements are sent')
    .requiredOption('--name <name>', "the holder's name")
    .option('--json', 'machine-readable output')
    .action((id: string, options: { email: string; name: string; json?: boolean }) =>
      run(async (backend) => {
        const account = await call<Account>(backend, 'PUT', `/accounts/${encodeURIComponent(id)}`, {
          json: { email: options.email, name: options.name },
        });
        emit(
          !!options.json,
          account,
          () => `account ${account.accountId}: ${account.name} <${account.email}>`,
        );
      }),
    );
  accounts
    .command('list')
    .option('--json', 'machine-readable output')
    .action((options: { json?: boolean }) =>
      run(async (backend) => {
        const { accounts: list } = await call<{ accounts: Account[] }>(backend, 'GET', '/accounts');
        emit(!!options.json, list, () =>
          table(
            ['account', 'name', 'email'],
            list.map((a) => [a.accountId, a.name, a.email]),
          ),
        );
      }),
    );

  const statements = program.command('statements').description('account statements');
  statements
    .command('summary <accountId>')
    .description("an account's balance and monthly averages")
    .option('--json', 'machine-readable output')
    .action((accountId: string, options: { json?: boolean }) =>
      run(async (backend) => {
        const summary = await call<Summary>(
          backend,
          'GET',
          `/statements/accounts/${encodeURIComponent(accountId)}/summary`,
        );
        emit(!!options.json, summary, () =>
          [
            `account ${summary.accountId}`,
            `balance: ${summary.balance}   transactions: ${summary.transactionCount}`,
            `average credit: ${summary.averageCredit ?? '—'}   average debit: ${summary.averageDebit ?? '—'}`,
            '',
            table(
              ['month', 'name', 'count', 'avg credit', 'avg debit'],
              summary.months.map((m) => [m.month, m.name, m.count, m.averageCredit, m.averageDebit]),
            ),
          ].join('\n'),
        );
      }),
    );
}
