import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { Readable } from 'node:stream';
import type { Command } from 'commander';
import { describeProblem } from '../../core/orders/validate-orders.js';
import { CliError, call } from '../backend.js';
import { emit, table } from '../output.js';
import type { Run } from './run.js';

interface OrderJson {
  record_id: string;
  parameter_1: string;
  parameter_2: number;
  status: string;
  receivedAt: string;
  expiresAt: string;
  result?: { power?: number; decidedAt: string };
}

interface Submitted {
  accepted: number;
  record_ids: string[];
  expiresAt: string;
}

interface Refusal {
  error: { code: string; message: string; details?: { index?: number; field?: string; message: string }[] };
}

const STATUSES = ['pending', 'accepted', 'rejected'];

const orderRows = (orders: OrderJson[]) =>
  table(
    ['record_id', 'parameter_1', 'parameter_2', 'status', 'power', 'expires at'],
    orders.map((o) => [
      o.record_id,
      o.parameter_1,
      o.parameter_2,
      o.status,
      o.result?.power ?? null,
      o.expiresAt,
    ]),
  );

export function registerOrderCommands(program: Command, run: Run): void {
  const orders = program.command('orders').description('the orders pipeline: submit, list, get');

  orders
    .command('submit <file>')
    .description('submit the orders of a JSON file: the POST /orders body, an array of 1 to 1,000 orders')
    .option('--json', 'machine-readable output')
    .action((file: string, options: { json?: boolean }) =>
      run(async (backend) => {
        if (!(await stat(file).catch(() => undefined))?.isFile()) throw new CliError(`cannot read ${file}`);
        // Streamed as it is: the API alone decides what a valid body is, its size included.
        const response = await backend.request('POST', '/orders', {
          body: Readable.toWeb(createReadStream(file)) as ReadableStream,
          headers: { 'content-type': 'application/json' },
        });
        const payload = (await response.json().catch(() => undefined)) as Submitted | Refusal | undefined;
        if (response.status === 201 && payload && 'accepted' in payload) {
          emit(!!options.json, payload, () =>
            [
              `accepted ${payload.accepted} orders, expiring at ${payload.expiresAt}`,
              ...payload.record_ids.map((id) => `  ${id}`),
            ].join('\n'),
          );
          return;
        }
        const error = payload && 'error' in payload ? payload.error : undefined;
        if (!error) throw new CliError(`POST /orders failed with HTTP ${response.status}`);
        if (options.json) emit(true, payload, () => '');
        const itemProblems = (error.details ?? []).filter((problem) => problem.index !== undefined);
        if (itemProblems.length === 0)
          throw new CliError(`${file} was refused, nothing stored: ${error.message}`);
        // The message counts every problem; details list the first ones.
        const total = Number(/\((\d+) problems\)/.exec(error.message)?.[1] ?? itemProblems.length);
        throw new CliError(
          [
            `${file} was refused, nothing stored (${total} ${total === 1 ? 'problem' : 'problems'}):`,
            ...itemProblems.map((problem) => `  ${describeProblem(problem)}`),
            ...(total > itemProblems.length ? [`  … and ${total - itemProblems.length} more`] : []),
          ].join('\n'),
        );
      }),
    );

  orders
    .command('list')
    .description('orders that have not expired, newest first')
    .option('--status <status>', `only orders of this status (${STATUSES.join(', ')})`)
    .option('--limit <n>', 'at most this many orders', '100')
    .option('--json', 'machine-readable output')
    .action((options: { status?: string; limit: string; json?: boolean }) =>
      run(async (backend) => {
        if (options.status !== undefined && !STATUSES.includes(options.status))
          throw new CliError(`--status must be one of ${STATUSES.join(', ')}, got "${options.status}"`);
        const limit = Number(options.limit);
        if (!Number.isInteger(limit) || limit < 1)
          throw new CliError(`--limit must be a positive integer, got "${options.limit}"`);
        const list: OrderJson[] = [];
        let cursor: string | undefined;
        do {
          const query = new URLSearchParams({ limit: String(Math.min(1000, limit - list.length)) });
          if (options.status) query.set('status', options.status);
          if (cursor) query.set('cursor', cursor);
          const page = await call<{ orders: OrderJson[]; next?: string }>(backend, 'GET', `/orders?${query}`);
          list.push(...page.orders);
          cursor = page.next;
        } while (cursor && list.length < limit);
        emit(!!options.json, list, () => `${orderRows(list)}\n${list.length} orders`);
      }),
    );

  orders
    .command('get <record_id>')
    .description('one order, until it expires')
    .option('--json', 'machine-readable output')
    .action((recordId: string, options: { json?: boolean }) =>
      run(async (backend) => {
        const order = await call<OrderJson>(backend, 'GET', `/orders/${encodeURIComponent(recordId)}`);
        emit(!!options.json, order, () =>
          [
            `record_id    ${order.record_id}`,
            `parameter_1  ${order.parameter_1}`,
            `parameter_2  ${order.parameter_2}`,
            `status       ${order.status}`,
            ...(order.result?.power === undefined ? [] : [`power        ${order.result.power}`]),
            ...(order.result ? [`decided at   ${order.result.decidedAt}`] : []),
            `received at  ${order.receivedAt}`,
            `expires at   ${order.expiresAt}`,
          ].join('\n'),
        );
      }),
    );
}
