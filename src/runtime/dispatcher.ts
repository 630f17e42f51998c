import type { SqlClient } from '../adapters/sql/sql-client.js';
import type { StreamHandler } from '../functions/kinesis-batch.js';
import type { SqsHandler } from '../functions/sqs-batch.js';
import type { Clock } from '../ports/clock.js';
import { type FunctionSpec, isQueueTrigger, isStreamTrigger } from '../topology.js';
import type { DeliverTwice } from './deliver-twice.js';
import { lambdaContext } from './lambda-context.js';
import { QueueConsumer } from './queue-consumer.js';
import type { QueueStore } from './queue-store.js';
import { StreamConsumer } from './stream-consumer.js';
import type { StreamStore } from './stream-store.js';

/**
 * A function of the topology with its handler: an {@link SqsHandler} for a queue trigger, a
 * {@link StreamHandler} for a stream trigger (the topology says which envelope it gets).
 */
export interface DeployedFunction {
  name: string;
  spec: FunctionSpec;
  handler: SqsHandler | StreamHandler;
}

export interface DispatcherLog {
  error(message: string, fields?: Record<string, unknown>): void;
}

export interface DispatcherOptions {
  log?: DispatcherLog;
  /** Needed when a function reads a stream. */
  streams?: StreamStore;
  /** Duplicate-delivery mode (a test mode): see {@link DeliverTwice}. */
  deliverTwice?: DeliverTwice;
}

/** Retention trimming runs at most this often (clock time). */
const TRIM_INTERVAL_MS = 60_000;

/**
 * Polls each function's trigger and invokes the handler as the Lambda event source mapping does:
 * SQS-shaped batches for a queue ({@link QueueConsumer}), Kinesis-shaped batches per shard, in
 * order, from durable checkpoints for a stream ({@link StreamConsumer}). Drains on demand (the
 * CLI, tests) or polls in the background (the local server), and waits for work to settle.
 */
export class Dispatcher {
  private running = false;
  private timer: NodeJS.Timeout | undefined;
  private wake: (() => void) | undefined;
  private loop: Promise<void> | undefined;
  private readonly log: DispatcherLog;
  private readonly streams: StreamStore | undefined;
  private readonly consumers = new Map<string, QueueConsumer | StreamConsumer>();
  private readonly streamConsumers: StreamConsumer[] = [];
  private opened: Promise<void> | undefined;
  private lastTrim = Number.NEGATIVE_INFINITY;

  constructor(
    db: SqlClient,
    private readonly queues: QueueStore,
    private readonly clock: Clock,
    private readonly functions: readonly DeployedFunction[],
    options: DispatcherOptions = {},
  ) {
    this.log = options.log ?? { error: (message, fields) => console.error(message, fields ?? '') };
    this.streams = options.streams;
    for (const fn of functions) {
      const { trigger } = fn.spec;
      const common = {
        db,
        clock,
        queues,
        name: fn.name,
        context: () => lambdaContext(fn),
        log: this.log,
        deliverTwice: options.deliverTwice ?? 'off',
      };
      if (isQueueTrigger(trigger)) {
        this.consumers.set(
          fn.name,
          new QueueConsumer({ ...common, trigger, handler: fn.handler as SqsHandler }),
        );
        continue;
      }
      // Functions that state machines or the API invoke have no event source to poll.
      if (!isStreamTrigger(trigger)) continue;
      if (!this.streams) {
        throw new Error(`function "${fn.name}" reads a stream: the Dispatcher needs a StreamStore`);
      }
      const consumer = new StreamConsumer({
        ...common,
        streams: this.streams,
        trigger,
        handler: fn.handler as StreamHandler,
        leaseSeconds: fn.spec.timeoutSeconds + 60,
      });
      this.consumers.set(fn.name, consumer);
      this.streamConsumers.push(consumer);
    }
  }

  /**
   * Registers the stream consumers (their starting checkpoints). Called once at start-up, so a
   * `LATEST` consumer starts at what the stream held then; every poll makes sure it happened.
   */
  open(): Promise<void> {
    this.opened ??= (async () => {
      for (const consumer of this.streamConsumers) await consumer.open();
    })();
    return this.opened;
  }

  /**
   * Processes one batch for one function (one per shard for a stream). Returns how many messages
   * or records it handled. `honourBatchingWindow`: leave a young, partial stream batch for later.
   */
  async pollOnce(fn: DeployedFunction, options: { honourBatchingWindow?: boolean } = {}): Promise<number> {
    const consumer = this.consumers.get(fn.name);
    if (!consumer) throw new Error(`function "${fn.name}" is not deployed on this dispatcher`);
    if (consumer instanceof QueueConsumer) return consumer.poll();
    await this.open();
    return consumer.poll(options);
  }

  /**
   * Processes every visible message and stream record, including those the processing itself
   * produces, until no function has work. Work waiting out a retry delay is left for later; so
   * are young partial stream batches when `honourBatchingWindow` is set (the background loop):
   * on demand (the CLI, tests) nothing waits for a batching window.
   */
  async drain(options: { honourBatchingWindow?: boolean; until?: () => boolean } = {}): Promise<number> {
    await this.open();
    await this.trimStreams();
    let total = 0;
    for (;;) {
      let round = 0;
      for (const fn of this.functions) {
        // Stopping does not wait for a backlog: what is left stays durable for the next start.
        if (options.until?.()) return total;
        round += await this.pollOnce(fn, options);
      }
      total += round;
      if (round === 0) return total;
    }
  }

  /**
   * Work not settled yet, of a trace or all of it: messages outside the dead-letter queues and
   * stream records after their consumers' checkpoints, and the earliest time some of it can run.
   */
  async pending(traceId?: string): Promise<{ count: number; nextAt: Date | null }> {
    await this.open();
    const queued = await this.queues.pending(traceId);
    let count = queued.count;
    let nextAt = queued.count > 0 ? queued.nextVisibleAt : null;
    for (const consumer of this.streamConsumers) {
      const streamed = await consumer.pending(traceId);
      count += streamed.count;
      if (streamed.nextAt && (!nextAt || streamed.nextAt < nextAt)) nextAt = streamed.nextAt;
    }
    return { count, nextAt };
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
      const pending = await this.pending(options.traceId);
      if (pending.count === 0) return { settled: true as const };
      if (!options.sleep || Date.now() > deadline) return { settled: false as const, pending: pending.count };
      const waitMs = Math.max(10, (pending.nextAt?.getTime() ?? 0) - this.clock.now().getTime());
      await options.sleep(Math.min(waitMs, 1000));
    }
  }

  /** Retention: at most once a minute of clock time. */
  private async trimStreams(): Promise<void> {
    const now = this.clock.now();
    if (!this.streams || now.getTime() - this.lastTrim < TRIM_INTERVAL_MS) return;
    this.lastTrim = now.getTime();
    await this.streams.trim(now);
  }

  /** Starts polling in the background (the local server). */
  start(intervalMs = 250): void {
    if (this.running) return;
    this.running = true;
    const run = async () => {
      while (this.running) {
        try {
          await this.drain({ honourBatchingWindow: true, until: () => !this.running });
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
