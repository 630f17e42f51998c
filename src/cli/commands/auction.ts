import { setTimeout as sleep } from 'node:timers/promises';
import type { Command } from 'commander';
import { type Backend, CliError, call } from '../backend.js';
import { emit, table } from '../output.js';
import type { Run } from './run.js';

interface ExecutionJson {
  executionId: string;
  status: string;
  output?: unknown;
  error?: string | null;
  cause?: string | null;
  startedAt: string;
  stoppedAt: string | null;
}

interface HistoryJson {
  sequence: number;
  timestamp: string;
  type: string;
  stateName?: string | null;
  mapIndex?: number | null;
  error?: string | null;
  cause?: string | null;
}

async function waitForEnd(backend: Backend, id: string): Promise<ExecutionJson & { history: HistoryJson[] }> {
  const deadline = Date.now() + 60 * 60_000;
  for (;;) {
    const execution = await call<ExecutionJson & { history: HistoryJson[] }>(
      backend,
      'GET',
      `/auction/executions/${encodeURIComponent(id)}`,
    );
    if (execution.status !== 'RUNNING') return execution;
    if (Date.now() > deadline) throw new CliError(`execution ${id} is still running after an hour`);
    await sleep(200);
  }
}

function describeExecution(execution: ExecutionJson): string {
  const ended = execution.stoppedAt ? ` → ${execution.stoppedAt}` : '';
  const lines = [`execution ${execution.executionId}: ${execution.status} (${execution.startedAt}${ended})`];
  if (execution.output !== undefined) lines.push(`output: ${JSON.stringify(execution.output)}`);
  if (execution.error)
    lines.push(`error: ${execution.error}${execution.cause ? `: ${execution.cause}` : ''}`);
  return lines.join('\n');
}

export function registerAuctionCommands(program: Command, run: Run): void {
  const auction = program
    .command('auction')
    .description('the auction workflow: run it, list and show executions');

  auction
    .command('run')
    .description('start an auction execution now; --wait follows it to the end')
    .option('--wait', 'wait until the execution ends and print its outcome')
    .option('--json', 'machine-readable output')
    .action((options: { wait?: boolean; json?: boolean }) =>
      run(async (backend) => {
        const { executionId } = await call<{ executionId: string }>(backend, 'POST', '/auction/executions');
        if (!options.wait) {
          emit(!!options.json, { executionId }, () => `started execution ${executionId}`);
          return;
        }
        const execution = await waitForEnd(backend, executionId);
        emit(!!options.json, execution, () => describeExecution(execution));
        if (execution.status !== 'SUCCEEDED') process.exitCode = 2;
      }),
    );

  auction
    .command('executions')
    .description('auction executions, newest first')
    .option('--limit <n>', 'at most this many', '50')
    .option('--json', 'machine-readable output')
    .action((options: { limit: string; json?: boolean }) =>
      run(async (backend) => {
        const { executions } = await call<{ executions: ExecutionJson[] }>(
          backend,
          'GET',
          `/auction/executions?limit=${encodeURIComponent(options.limit)}`,
        );
        emit(!!options.json, executions, () =>
          table(
            ['execution', 'status', 'started', 'stopped', 'output / error'],
            executions.map((e) => [
              e.executionId,
              e.status,
              e.startedAt,
              e.stoppedAt,
              e.error ? `${e.error}` : e.output === undefined ? null : JSON.stringify(e.output),
            ]),
          ),
        );
      }),
    );

  auction
    .command('show <executionId>')
    .description('one execution with each state entered and exited')
    .option('--json', 'machine-readable output')
    .action((executionId: string, options: { json?: boolean }) =>
      run(async (backend) => {
        const execution = await call<ExecutionJson & { history: HistoryJson[] }>(
          backend,
          'GET',
          `/auction/executions/${encodeURIComponent(executionId)}`,
        );
        emit(!!options.json, execution, () =>
          [
            describeExecution(execution),
            '',
            table(
              ['#', 'time', 'event', 'state', 'map item', 'error'],
              execution.history.map((e) => [
                e.sequence,
                e.timestamp,
                e.type,
                e.stateName ?? null,
                e.mapIndex ?? null,
                e.error ? `${e.error}${e.cause ? `: ${e.cause}` : ''}` : null,
              ]),
            ),
          ].join('\n'),
        );
      }),
    );
}
