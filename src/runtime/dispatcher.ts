import { randomUUID } from 'node:crypto';
import type { Context, SQSEvent, SQSRecord } from 'aws-lambda';
import type { SqlClient } from '../adapters/sql/sql-client.js';
import { batchFailureReasons, type RecordFailure, type SqsHandler } from '../functions/sqs-batch.js';
import type { Clock } from '../ports/clock.js';
import type { FunctionSpec } from '../topology.js';
import { LOCAL_ACCOUNT, LOCAL_REGION } from './local-bus.js';
import type { QueueStore, StoredMessage } from './queue-store.js';
import { runInTrace } from './trace.js';

export interface DeployedFunction {
  name: string;
  spec: FunctionSpec;
  handler: SqsHandler;
}

export interface DispatcherLog {
  error(message: string, fields?: Record<string, unknown>): void;
}

/**
 * Polls each function's trigger queue and invokes the handler with SQS-shaped batches, as the
 * Lambda event source mapping does: messages a handler reports in `batchItemFailures` (or all of
 * them when it throws) are retried with backoff, then dead-lettered; the rest are deleted.
 */
export class Dispatcher {
  private running = false;
  private timer: NodeJS.Timeout | undefined;
  private wake: (() => void) | undefined;
  private loop: Promise<void> | undefined;

  constructor(
    private readonly db: SqlClient,
    private readonly queues: QueueStore,
    private readonly clock: Clock,
    private readonly functions: readonly DeployedFunction[],
    private readonly log: DispatcherLog = {
      error: (message, fields) => console.error(message, fields ?? ''),
    },
  ) {}

  /** Receives and processes one batch for one function. Returns how many messages it handled. */
  async pollOnce(fn: DeployedFunction): Promise<number> {
    const messages = await this.queues.receive(fn.spec.trigger.queue, fn.spec.trigger.batchSize);
    if (messages.length === 0) return 0;
    // Lambda sends one batch; here it is split by trace so that events a handler publishes
    // carry the trace of the message that caused them.
    const byTrace = new Map<string, StoredMessage[]>();
    for (const message of messages) {
      const key = message.traceId ?? '';
      const group = byTrace.get(key);
      if (group) group.push(message);
      else byTrace.set(key, [message]);
    }
    for (const [traceId, batch] of byTrace) {
      await runInTrace(traceId || randomUUID(), () => this.invoke(fn, batch));
    }
    return messages.length;
  }

  private async invoke(fn: DeployedFunction, batch: StoredMessage[]): Promise<void> {
    const event: SQSEvent = { Records: batch.map((message) => toSqsRecord(message)) };
    const startedAt = this.clock.now();
    const failures = new Map<string, RecordFailure>();
    let invocationError: string | null = null;
    try {
      const response = await fn.handler(event, lambdaContext(fn));
      const reasons = batchFailureReasons(event);
      for (const { itemIdentifier } of response?.batchItemFailures ?? []) {
        failures.set(
          itemIdentifier,
          reasons.get(itemIdentifier) ?? {
            error: new Error('reported in batchItemFailures'),
            retriable: true,
          },
        );
      }
    } catch (caught) {
      const error = caught instanceof Error ? caught : new Error(String(caught));
      invocationError = error.message;
      for (const message of batch) failures.set(message.messageId, { error, retriable: true });
    }
    const acknowledged: string[] = [];
    for (const message of batch) {
      const failure = failures.get(message.messageId);
      if (!failure) {
        if (message.receipt) acknowledged.push(message.receipt);
        continue;
      }
      const outcome = await this.queues.fail(message, failure.error.message, {
        retriable: failure.retriable,
      });
      if (outcome === 'dead') {
        this.log.error(`${fn.name}: message moved to DLQ`, {
          messageId: message.messageId,
          error: failure.error.message,
        });
      }
    }
    await this.queues.acknowledge(acknowledged);
    await this.db.query(
      `INSERT INTO function_runs (function, trace_ids, started_at, finished_at, records, failures, error)
       VALUES ($1, $2, $3, $4, $5, $6, $7)`,
      [
        fn.name,
        [...new Set(batch.map((m) => m.traceId ?? ''))],
        startedAt,
        this.clock.now(),
        batch.length,
        failures.size,
        invocationError ?? [...failures.values()][0]?.error.message ?? null,
      ],
    );
  }

  /**
   * Processes every visible message, including those the processing itself produces, until no
   * function has work. Messages waiting out a retry delay are left for later.
   */
  async drain(): Promise<number> {
    let total = 0;
    for (;;) {
      let round = 0;
      for (const fn of this.functions) round += await this.pollOnce(fn);
      total += round;
      if (round === 0) return total;
    }
  }

  /**
   * Drains, then waits for delayed retries, until nothing of the trace (or nothing at all) is
   * pending outside the dead-letter queues. With a manual clock nothing waits: the caller
   * advances the clock and calls again.
   */
  async settle(
    options: { traceId?: string; timeoutMs?: number; sleep?: (ms: number) => Promise<void> } = {},
  ) {
    const deadline = Date.now() + (options.timeoutMs ?? 120_000);
    for (;;) {
      await this.drain();
      const pending = await this.queues.pending(options.traceId);
      if (pending.count === 0) return { settled: true as const };
      if (!options.sleep || Date.now() > deadline) return { settled: false as const, pending: pending.count };
      const waitMs = Math.max(10, (pending.nextVisibleAt?.getTime() ?? 0) - this.clock.now().getTime());
      await options.sleep(Math.min(waitMs, 1000));
    }
  }

  /** Starts polling in the background (the local server). */
  start(intervalMs = 250): void {
    if (this.running) return;
    this.running = true;
    const run = async () => {
      while (this.running) {
        try {
          await this.drain();
        } catch (error) {
          this.log.error('dispatcher: polling failed', { error: (error as Error).message });
        }
        if (!this.running) break;
        await new Promise<void>((resolve) => {
          this.wake = resolve;
          this.timer = setTimeout(resolve, intervalMs);
        });
      }
    };
    this.loop = run();
  }

  /** Asks the background loop to poll now (after a send). */
  nudge(): void {
    this.wake?.();
  }

  async stop(): Promise<void> {
    this.running = false;
    if (this.timer) clearTimeout(this.timer);
    this.wake?.();
    await this.loop;
  }
}

function toSqsRecord(message: StoredMessage): SQSRecord {
  return {
    messageId: message.messageId,
    receiptHandle: message.receipt ?? '',
    body: message.body,
    attributes: {
      ApproximateReceiveCount: String(message.receiveCount),
      SentTimestamp: String(message.sentAt.getTime()),
      SenderId: LOCAL_ACCOUNT,
      ApproximateFirstReceiveTimestamp: String((message.firstReceivedAt ?? message.sentAt).getTime()),
      ...(message.traceId ? { AWSTraceHeader: `Root=${message.traceId}` } : {}),
    },
    messageAttributes: {},
    md5OfBody: '',
    eventSource: 'aws:sqs',
    eventSourceARN: `arn:aws:sqs:${LOCAL_REGION}:${LOCAL_ACCOUNT}:${message.queue}`,
    awsRegion: LOCAL_REGION,
  };
}

function lambdaContext(fn: DeployedFunction): Context {
  const deadline = Date.now() + fn.spec.timeoutSeconds * 1000;
  return {
    callbackWaitsForEmptyEventLoop: false,
    functionName: fn.name,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:${LOCAL_REGION}:${LOCAL_ACCOUNT}:function:${fn.name}`,
    memoryLimitInMB: String(fn.spec.memoryMb),
    awsRequestId: randomUUID(),
    logGroupName: `/aws/lambda/${fn.name}`,
    logStreamName: 'local',
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
    done: () => {},
    fail: () => {},
    succeed: () => {},
  };
}
