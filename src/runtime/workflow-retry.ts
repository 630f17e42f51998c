import type { Retrier } from './workflow-definition.js';

/** Amazon States Language defaults for a retrier. */
const DEFAULT_MAX_ATTEMPTS = 3;
const DEFAULT_INTERVAL_SECONDS = 1;
const DEFAULT_BACKOFF_RATE = 2;

/**
 * Retry backoff of one Task state, on the runner's clock. The interpreter is told to retry at once
 * (`retryIntervalOverrides` of 0 ms); this tracker, which sees each failure of the state's local
 * function, works out what the interpreter will do with it (the first retrier whose ErrorEquals
 * matches, its attempts, IntervalSeconds × BackoffRate^attempt capped by MaxDelaySeconds, FULL
 * jitter) and has the retried call sleep that long first.
 *
 * The function only sees its input, so a retried call is recognised by its input: two concurrent
 * calls of the same state with identical input (two equal Map items) share a backoff. That only
 * changes how long they wait; how often they are retried stays the interpreter's decision.
 */
export class RetryBackoff {
  private readonly pending = new Map<string, { attempts: number[]; delayMs: number | undefined }>();

  constructor(
    private readonly retriers: readonly Retrier[],
    private readonly random: () => number = Math.random,
  ) {}

  /** The wait before this call, when it is the retry of a failed one (then forgotten). */
  takeDelay(key: string): number | undefined {
    const entry = this.pending.get(key);
    const delay = entry?.delayMs;
    if (entry) entry.delayMs = undefined;
    return delay;
  }

  succeeded(key: string): void {
    this.pending.delete(key);
  }

  /** Records a failure; returns the delay before the retry, or undefined when none will follow. */
  failed(key: string, error: unknown): number | undefined {
    const entry = this.pending.get(key) ?? { attempts: this.retriers.map(() => 0), delayMs: undefined };
    const name = error instanceof Error ? error.name : 'Error';
    const index = this.retriers.findIndex((retrier) =>
      retrier.ErrorEquals.some(
        (code) => code === name || code === 'States.ALL' || code === 'States.TaskFailed',
      ),
    );
    const retrier = this.retriers[index];
    const attempts = entry.attempts[index] ?? 0;
    if (!retrier || attempts >= (retrier.MaxAttempts ?? DEFAULT_MAX_ATTEMPTS)) {
      this.pending.delete(key);
      return undefined;
    }
    entry.attempts[index] = attempts + 1;
    const interval =
      (retrier.IntervalSeconds ?? DEFAULT_INTERVAL_SECONDS) *
      (retrier.BackoffRate ?? DEFAULT_BACKOFF_RATE) ** attempts;
    const capped = retrier.MaxDelaySeconds ? Math.min(interval, retrier.MaxDelaySeconds) : interval;
    const delayMs =
      retrier.JitterStrategy === 'FULL' ? Math.floor(this.random() * capped * 1000) : capped * 1000;
    entry.delayMs = delayMs;
    this.pending.set(key, entry);
    return delayMs;
  }
}
