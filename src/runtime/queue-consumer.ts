import { randomUUID } from 'node:crypto';
import type { Context, SQSEvent, SQSRecord } from 'aws-lambda';
import type { SqlClient } from '../adapters/sql/sql-client.js';
import { batchFailureReasons, type RecordFailure, type SqsHandler } from '../functions/sqs-batch.js';
import type { Clock } from '../ports/clock.js';
import type { QueueTrigger } from '../topology.js';
import { type DeliverTwice, redelivered, settleDeliveries } from './deliver-twice.js';
import { LOCAL_ACCOUNT, LOCAL_REGION } from './local-bus.js';
import type { QueueStore, StoredMessage } from './queue-store.js';
import { runInTrace } from './trace.js';

export interface QueueConsumerOptions {
  db: SqlClient;
  clock: Clock;
  queues: QueueStore;
  /** The function's name, as `function_runs` records it. */
  name: string;
  trigger: QueueTrigger;
  handler: SqsHandler;
  /** A Lambda context for one invocation. */
  context: () => Context;
  log: { error(message: string, fields?: Record<string, unknown>): void };
  /** Duplicate-delivery mode (a test mode): see {@link DeliverTwice}. */
  deliverTwice?: DeliverTwice;
}

/**
 * One queue-triggered function: a Lambda SQS event source mapping with
 * `ReportBatchItemFailures`. Messages a handler reports in `batchItemFailures` (or all of them
 * when it throws) are retried with backoff, then dead-lettered; the rest are deleted.
 */
export class QueueConsumer {
  constructor(private readonly options: QueueConsumerOptions) {}

  /** Receives and processes one batch. Returns how many messages it handled. */
  async poll(): Promise<number> {
    const { queues, trigger } = this.options;
    const messages = await queues.receive(trigger.queue, trigger.batchSize);
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
      await runInTrace(traceId || randomUUID(), () => this.invoke(batch));
    }
    return messages.length;
  }

  private async invoke(batch: StoredMessage[]): Promise<void> {
    const { queues, name, log, deliverTwice = 'off' } = this.options;
    let failures: Map<string, RecordFailure>;
    if (deliverTwice === 'concurrent') {
      // A second receiver holds the same messages: a message is done only if both succeeded.
      const [first, second] = await Promise.all([this.run(batch), this.run(batch.map(redelivered))]);
      failures = new Map([...second, ...first]);
    } else {
      failures = await this.run(batch);
    }
    const { failed, acknowledged, released } = settleDeliveries(batch, failures, deliverTwice);
    for (const [message, failure] of failed) {
      const outcome = await queues.fail(message, failure.error.message, {
        retriable: failure.retriable,
      });
      if (outcome === 'dead') {
        log.error(`${name}: message moved to DLQ`, {
          messageId: message.messageId,
          error: failure.error.message,
        });
      }
    }
    await queues.acknowledge(acknowledged);
    await queues.release(released);
  }

  /** One invocation of the handler, logged in `function_runs`. Returns the messages that failed. */
  private async run(batch: readonly StoredMessage[]): Promise<Map<string, RecordFailure>> {
    const { db, clock, name, handler } = this.options;
    const event: SQSEvent = { Records: batch.map((message) => toSqsRecord(message)) };
    const startedAt = clock.now();
    const failures = new Map<string, RecordFailure>();
    let invocationError: string | null = null;
    try {
      const response = await handler(event, this.options.context());
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
    await db.query(
      `INSERT INTO function_runs (function, trace_ids, started_at, finished_at, records, failures, error)
       VALUES ($1, $2, $3, $4, $5, $6, $7)`,
      [
        name,
        [...new Set(batch.map((m) => m.traceId ?? ''))],
        startedAt,
        clock.now(),
        batch.length,
        failures.size,
        invocationError ?? [...failures.values()][0]?.error.message ?? null,
      ],
    );
    return failures;
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
