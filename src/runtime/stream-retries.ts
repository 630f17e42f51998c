import { NonRetriableError } from '../functions/sqs-batch.js';
import type { StreamTrigger } from '../topology.js';
import { retryDelaySeconds } from './queue-store.js';
import type { ShardState, ShardUpdate } from './stream-checkpoints.js';
import { parseSequenceNumber } from './stream-shards.js';
import type { StoredStreamRecord } from './stream-store.js';

/** How an invocation ended. */
export type BatchOutcome =
  | { kind: 'ok' }
  /** `batchItemFailures` named records; `index` is the first of them in the batch. */
  | { kind: 'partial'; index: number; error: Error; failures: number }
  /** The handler threw, or answered with an id that is not in the batch. */
  | { kind: 'failed'; error: Error };

/** Records that exhausted their retries, for the `onFailure` queue. */
export interface DeadRecords {
  records: StoredStreamRecord[];
  error: Error;
  thrown: boolean;
  invocations: number;
}

const seqOf = (record: StoredStreamRecord) => parseSequenceNumber(record.sequenceNumber);
const retriable = (error: Error) => !(error instanceof NonRetriableError);
/** -1 retries forever, as `MaximumRetryAttempts: -1` does on Lambda. */
const exhausted = (attempts: number, maximumRetryAttempts: number) =>
  maximumRetryAttempts >= 0 && attempts > maximumRetryAttempts;

/**
 * The Lambda Kinesis event source mapping's reaction to a batch, as a new shard state:
 * - success: checkpoint at the batch's last record, retry state cleared, full batch size again;
 * - partial failure: checkpoint just before the first failed record, which is retried after a
 *   backoff; once it failed `maximumRetryAttempts` times more (or with a NonRetriableError) it is
 *   dead-lettered alone and the shard moves past it;
 * - function error: with `bisectBatchOnFunctionError`, a batch of several records is halved and
 *   retried at once (not a retry); otherwise the batch is retried as it was after a backoff, then
 *   dead-lettered whole.
 */
export function nextShardState(
  state: ShardState,
  records: readonly StoredStreamRecord[],
  outcome: BatchOutcome,
  trigger: Pick<StreamTrigger, 'maximumRetryAttempts' | 'bisectBatchOnFunctionError'>,
  now: Date,
): { update: ShardUpdate; dead?: DeadRecords } {
  const first = records[0];
  const last = records[records.length - 1];
  if (!first || !last) throw new Error('a batch has at least one record');
  const cleared = {
    failingSeq: null,
    attempts: 0,
    batchLimit: null,
    batchEnd: null,
    retryAt: null,
    lastError: null,
  };
  const backoff = (attempts: number) => new Date(now.getTime() + retryDelaySeconds(attempts) * 1000);
  if (outcome.kind === 'ok') return { update: { ...cleared, checkpoint: seqOf(last) } };

  const { error } = outcome;
  if (outcome.kind === 'partial') {
    const failed = records[outcome.index] as StoredStreamRecord;
    const before = records[outcome.index - 1];
    const seq = seqOf(failed);
    const attempts = state.failingSeq === seq ? state.attempts + 1 : 1;
    if (!retriable(error) || exhausted(attempts, trigger.maximumRetryAttempts)) {
      return {
        update: { ...cleared, checkpoint: seq },
        dead: { records: [failed], error, thrown: false, invocations: attempts },
      };
    }
    return {
      update: {
        ...cleared,
        checkpoint: before ? seqOf(before) : state.checkpoint,
        failingSeq: seq,
        attempts,
        retryAt: backoff(attempts),
        lastError: error.message,
      },
    };
  }

  if (trigger.bisectBatchOnFunctionError && records.length > 1) {
    return {
      update: {
        ...state,
        batchLimit: Math.ceil(records.length / 2),
        batchEnd: null,
        retryAt: null,
        lastError: error.message,
      },
    };
  }
  const seq = seqOf(first);
  const attempts = state.failingSeq === seq ? state.attempts + 1 : 1;
  if (!retriable(error) || exhausted(attempts, trigger.maximumRetryAttempts)) {
    return {
      update: { ...cleared, checkpoint: seqOf(last) },
      dead: { records: [...records], error, thrown: true, invocations: attempts },
    };
  }
  return {
    update: {
      ...state,
      failingSeq: seq,
      attempts,
      batchEnd: seqOf(last),
      retryAt: backoff(attempts),
      lastError: error.message,
    },
  };
}
