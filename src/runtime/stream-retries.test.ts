import { describe, expect, it } from 'vitest';
import { NonRetriableError } from '../functions/sqs-batch.js';
import type { ShardState } from './stream-checkpoints.js';
import { nextShardState } from './stream-retries.js';
import { formatSequenceNumber } from './stream-shards.js';
import type { StoredStreamRecord } from './stream-store.js';

const now = new Date('2024-09-01T12:00:00Z');
const fresh: ShardState = {
  shardId: 'shardId-000000000000',
  checkpoint: 10,
  failingSeq: null,
  attempts: 0,
  batchLimit: null,
  batchEnd: null,
};
const records = (...seqs: number[]): StoredStreamRecord[] =>
  seqs.map((seq) => ({
    stream: 's',
    shardId: fresh.shardId,
    sequenceNumber: formatSequenceNumber(seq),
    partitionKey: 'k',
    data: new Uint8Array(),
    traceId: null,
    approximateArrivalTimestamp: now,
  }));
const trigger = { maximumRetryAttempts: 2, bisectBatchOnFunctionError: true };
const boom = new Error('boom');

describe('nextShardState', () => {
  it('checkpoints a successful batch and clears the retry state', () => {
    const retrying = { ...fresh, failingSeq: 11, attempts: 2, batchLimit: 1, batchEnd: 11 };
    expect(nextShardState(retrying, records(11, 12), { kind: 'ok' }, trigger, now)).toEqual({
      update: {
        checkpoint: 12,
        failingSeq: null,
        attempts: 0,
        batchLimit: null,
        batchEnd: null,
        retryAt: null,
        lastError: null,
      },
    });
  });

  it('counts attempts of the same failing record and backs off 1 s, 2 s, 4 s', () => {
    const failAt = (state: ShardState) =>
      nextShardState(
        state,
        records(11, 12, 13),
        { kind: 'partial', index: 1, error: boom, failures: 1 },
        { ...trigger, maximumRetryAttempts: 5 },
        now,
      ).update;
    const first = failAt(fresh);
    expect(first).toMatchObject({ checkpoint: 11, failingSeq: 12, attempts: 1, lastError: 'boom' });
    const second = failAt({ ...fresh, ...first, shardId: fresh.shardId });
    const third = failAt({ ...fresh, ...second, shardId: fresh.shardId });
    expect([first, second, third].map((u) => (u.retryAt?.getTime() ?? 0) - now.getTime())).toEqual([
      1000, 2000, 4000,
    ]);
  });

  it('retries forever with maximumRetryAttempts -1, and never with a NonRetriableError', () => {
    const forever = nextShardState(
      { ...fresh, failingSeq: 11, attempts: 1000 },
      records(11),
      { kind: 'failed', error: boom },
      { ...trigger, maximumRetryAttempts: -1 },
      now,
    );
    expect(forever.dead).toBeUndefined();
    expect(forever.update.attempts).toBe(1001);
    const never = nextShardState(
      fresh,
      records(11),
      { kind: 'failed', error: new NonRetriableError('bad') },
      trigger,
      now,
    );
    expect(never.dead).toMatchObject({ invocations: 1, thrown: true });
    expect(never.update.checkpoint).toBe(11);
  });

  it('halves the batch on a function error without counting an attempt', () => {
    const { update, dead } = nextShardState(
      fresh,
      records(11, 12, 13),
      { kind: 'failed', error: boom },
      trigger,
      now,
    );
    expect(dead).toBeUndefined();
    expect(update).toMatchObject({ checkpoint: 10, batchLimit: 2, attempts: 0, retryAt: null });
  });
});
