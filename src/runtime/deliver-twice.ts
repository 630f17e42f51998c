import type { RecordFailure } from '../functions/sqs-batch.js';
import type { StoredMessage } from './queue-store.js';
import type { BatchOutcome } from './stream-retries.js';
import type { TaskFunction } from './workflow-handlers.js';

/**
 * The duplicate-delivery mode of the embedded fabric (`TRIBUTARY_DELIVER_TWICE`), a test mode
 * that delivers what AWS may deliver twice, twice, every time:
 * - `off`: each message, stream batch and task is delivered once (unless it fails).
 * - `after`: the redelivery comes after the first delivery completed. A queue message that was
 *   processed on its first receive is not deleted but made visible again, as when SQS loses the
 *   DeleteMessage or the visibility timeout ran out; it is received a second time (same
 *   messageId and body, receive count 2, a new receipt) and deleted then. A stream batch is
 *   handed to the handler twice before the checkpoint moves, as when Lambda retries a batch whose
 *   first invocation timed out after doing its work; the second response decides.
 * - `concurrent`: the two deliveries run at once, as when two pollers receive one SQS message
 *   or a worker that lost its shard lease is still processing the batch its successor reads.
 *   Either delivery failing fails the message or batch, which then retries as usual.
 *
 * In both modes each workflow Task runs twice, one after the other: Step Functions retries a task
 * whose response was lost (a Lambda service error, a timeout), never runs one task twice at once.
 */
export type DeliverTwice = 'off' | 'after' | 'concurrent';

/** The copy of a message that a second receiver gets: same id and body, one more receive. */
export function redelivered(message: StoredMessage): StoredMessage {
  return { ...message, receiveCount: message.receiveCount + 1, receipt: `${message.receipt ?? ''}:again` };
}

/**
 * What becomes of each message of a processed batch: a failure retries or dead-letters it; a
 * success deletes it, except in `after` mode on its first receive, when it is made visible again
 * for its second delivery.
 */
export function settleDeliveries(
  batch: readonly StoredMessage[],
  failures: ReadonlyMap<string, RecordFailure>,
  mode: DeliverTwice,
): { failed: [StoredMessage, RecordFailure][]; acknowledged: string[]; released: string[] } {
  const failed: [StoredMessage, RecordFailure][] = [];
  const acknowledged: string[] = [];
  const released: string[] = [];
  for (const message of batch) {
    const failure = failures.get(message.messageId);
    if (failure) failed.push([message, failure]);
    else if (!message.receipt) continue;
    else if (mode === 'after' && message.receiveCount === 1) released.push(message.receipt);
    else acknowledged.push(message.receipt);
  }
  return { failed, acknowledged, released };
}

/**
 * Hands a stream batch over (`invoke`) once, or twice in duplicate-delivery mode: one after the
 * other, the second response deciding, or both at once, the worse outcome deciding. Returns the
 * invocation that decides and every invocation (for `function_runs`).
 */
export async function deliverBatch<R extends { outcome: BatchOutcome }>(
  mode: DeliverTwice,
  invoke: () => Promise<R>,
): Promise<{ decided: R; runs: R[] }> {
  if (mode === 'off') {
    const run = await invoke();
    return { decided: run, runs: [run] };
  }
  const [first, second] =
    mode === 'concurrent' ? await Promise.all([invoke(), invoke()]) : [await invoke(), await invoke()];
  if (mode === 'after') return { decided: second, runs: [first, second] };
  const worse = worseOutcome(first.outcome, second.outcome);
  return { decided: worse === first.outcome ? first : second, runs: [first, second] };
}

/** Of two concurrent deliveries of one stream batch, the outcome that moves the checkpoint least. */
export function worseOutcome(a: BatchOutcome, b: BatchOutcome): BatchOutcome {
  if (a.kind === 'failed') return a;
  if (b.kind === 'failed') return b;
  if (a.kind === 'partial' && b.kind === 'partial') return a.index <= b.index ? a : b;
  return a.kind === 'partial' ? a : b;
}

/**
 * Task functions that each run twice: the first result is dropped, as a response that never
 * reached Step Functions, and the retry's result is the state's output. A first run that fails
 * is not repeated here: the state's Retry and Catch handle it, as they would on AWS.
 */
export function tasksRunTwice(
  tasks: Readonly<Record<string, TaskFunction>>,
): Readonly<Record<string, TaskFunction>> {
  return Object.fromEntries(
    Object.entries(tasks).map(([name, task]) => [
      name,
      async (input: unknown) => {
        await task(structuredClone(input));
        return task(input);
      },
    ]),
  );
}
