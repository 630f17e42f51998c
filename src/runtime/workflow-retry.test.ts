import { describe, expect, it } from 'vitest';
import { RetryBackoff } from './workflow-retry.js';

const named = (name: string) => Object.assign(new Error(name), { name });

describe('RetryBackoff', () => {
  it('waits IntervalSeconds × BackoffRate^attempt before each retry, and none after the last attempt', () => {
    const backoff = new RetryBackoff([
      { ErrorEquals: ['Timeout'], IntervalSeconds: 2, BackoffRate: 3, MaxAttempts: 3 },
    ]);

    expect(backoff.failed('k', named('Timeout'))).toBe(2_000);
    expect(backoff.takeDelay('k')).toBe(2_000);
    expect(backoff.takeDelay('k')).toBeUndefined();
    expect(backoff.failed('k', named('Timeout'))).toBe(6_000);
    expect(backoff.failed('k', named('Timeout'))).toBe(18_000);
    expect(backoff.failed('k', named('Timeout'))).toBeUndefined();
    expect(backoff.takeDelay('k')).toBeUndefined();
  });

  it('uses the first retrier that matches, with the ASL defaults, capped by MaxDelaySeconds', () => {
    const backoff = new RetryBackoff([
      { ErrorEquals: ['Fatal'], MaxAttempts: 0 },
      { ErrorEquals: ['States.ALL'], IntervalSeconds: 10, MaxDelaySeconds: 15 },
    ]);

    expect(backoff.failed('a', named('Fatal'))).toBeUndefined();
    expect(backoff.failed('b', named('Other'))).toBe(10_000);
    expect(backoff.failed('b', named('Other'))).toBe(15_000);
  });

  it('applies full jitter and forgets a call that succeeded', () => {
    const backoff = new RetryBackoff(
      [{ ErrorEquals: ['States.TaskFailed'], IntervalSeconds: 4, JitterStrategy: 'FULL' }],
      () => 0.5,
    );

    expect(backoff.failed('k', named('Boom'))).toBe(2_000);
    backoff.succeeded('k');
    expect(backoff.takeDelay('k')).toBeUndefined();
    expect(backoff.failed('k', named('Boom'))).toBe(2_000);
  });
});
