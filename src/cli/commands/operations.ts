import type { Command } from 'commander';
import { CliError, call } from '../backend.js';
import { emit, table } from '../output.js';
import type { Run } from './run.js';

interface Email {
  id: string;
  from: string;
  to: string[];
  subject: string;
  createdAt: string;
  transport: string;
  html?: string;
  text?: string;
}

interface DeadLetter {
  messageId: string;
  queue: string;
  sourceQueue: string | null;
  receiveCount: number;
  sentAt: string;
  lastError: string | null;
}

interface StreamStatusJson {
  stream: string;
  shardCount: number;
  retentionHours: number;
  shards: { records: number }[];
  consumers: {
    consumer: string;
    shardId: string;
    checkpoint: string | null;
    lag: number;
    attempts: number;
    lastError: string | null;
  }[];
}

export function registerOperationCommands(program: Command, run: Run): void {
  const outbox = program.command('outbox').description('emails and alerts sent by the pipelines');
  outbox
    .command('alerts')
    .description('alerts raised (rejected orders, failed auctions) and their webhook delivery')
    .option('--json', 'machine-readable output')
    .action((options: { json?: boolean }) =>
      run(async (backend) => {
        const { alerts } = await call<{
          alerts: { createdAt: string; kind: string; delivery: string; text: string }[];
        }>(backend, 'GET', '/outbox/alerts');
        emit(!!options.json, alerts, () =>
          table(
            ['created', 'kind', 'delivery', 'text'],
            alerts.map((a) => [a.createdAt, a.kind, a.delivery, a.text]),
          ),
        );
      }),
    );
  outbox
    .command('list')
    .option('--json', 'machine-readable output')
    .action((options: { json?: boolean }) =>
      run(async (backend) => {
        const { emails } = await call<{ emails: Email[] }>(backend, 'GET', '/outbox');
        emit(!!options.json, emails, () =>
          table(
            ['id', 'to', 'subject', 'sent'],
            emails.map((e) => [e.id, e.to.join(', '), e.subject, e.createdAt]),
          ),
        );
      }),
    );
  outbox
    .command('show <id>')
    .description('an email: its text part, or the raw message with --eml')
    .option('--eml', 'print the raw RFC 5322 message (save it as .eml)')
    .option('--json', 'machine-readable output')
    .action((id: string, options: { eml?: boolean; json?: boolean }) =>
      run(async (backend) => {
        const path = `/outbox/${encodeURIComponent(id)}`;
        if (options.eml) {
          const response = await backend.request('GET', `${path}?format=eml`);
          if (!response.ok) throw new CliError(`no email "${id}" in the outbox`);
          process.stdout.write(Buffer.from(await response.arrayBuffer()));
          return;
        }
        const email = await call<Email>(backend, 'GET', path);
        emit(!!options.json, email, () =>
          [
            `From: ${email.from}`,
            `To: ${email.to.join(', ')}`,
            `Subject: ${email.subject}`,
            `Date: ${email.createdAt}`,
            '',
            email.text ?? '',
          ].join('\n'),
        );
      }),
    );

  program
    .command('streams')
    .description("each stream's shards and each consumer's checkpoint, lag and retries")
    .option('--json', 'machine-readable output')
    .action((options: { json?: boolean }) =>
      run(async (backend) => {
        const { streams } = await call<{ streams: StreamStatusJson[] }>(backend, 'GET', '/streams');
        emit(!!options.json, streams, () =>
          streams
            .map((s) =>
              [
                `stream ${s.stream}: ${s.shardCount} shards, ${s.shards.reduce((n, x) => n + x.records, 0)} records retained (${s.retentionHours} h)`,
                table(
                  ['consumer', 'shard', 'checkpoint', 'lag', 'attempts', 'last error'],
                  s.consumers.map((c) => [
                    c.consumer,
                    c.shardId,
                    c.checkpoint,
                    c.lag,
                    c.attempts,
                    c.lastError,
                  ]),
                ),
              ].join('\n'),
            )
            .join('\n\n'),
        );
      }),
    );

  const dlq = program.command('dlq').description('dead-letter queues');
  dlq
    .command('list')
    .option('--json', 'machine-readable output')
    .action((options: { json?: boolean }) =>
      run(async (backend) => {
        const { messages } = await call<{ messages: DeadLetter[] }>(backend, 'GET', '/dlq');
        emit(!!options.json, messages, () =>
          table(
            ['id', 'from queue', 'receives', 'reason'],
            messages.map((m) => [m.messageId, m.sourceQueue, m.receiveCount, m.lastError]),
          ),
        );
      }),
    );
  dlq
    .command('replay [id]')
    .description('move a dead letter (or all, with --all) back to its queue to be processed again')
    .option('--all', 'replay every dead letter')
    .option('--json', 'machine-readable output')
    .action((id: string | undefined, options: { all?: boolean; json?: boolean }) =>
      run(async (backend) => {
        if (!id && !options.all) throw new CliError('give a message id or --all');
        const target = options.all ? 'all' : (id as string);
        const result = await call<{ replayed: number }>(
          backend,
          'POST',
          `/dlq/${encodeURIComponent(target)}/replay`,
        );
        emit(!!options.json, result, () => `replayed ${result.replayed} message(s)`);
      }),
    );
  dlq
    .command('purge <queue>')
    .description('delete every message of a queue')
    .option('--json', 'machine-readable output')
    .action((queue: string, options: { json?: boolean }) =>
      run(async (backend) => {
        const result = await call<{ purged: number }>(
          backend,
          'DELETE',
          `/queues/${encodeURIComponent(queue)}/messages`,
        );
        emit(!!options.json, result, () => `purged ${result.purged} message(s) from ${queue}`);
      }),
    );
}
