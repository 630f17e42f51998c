import { describe, expect, it } from 'vitest';
import { ManualClock, realSleep, sleepOf, systemClock } from './clock.js';

describe('sleeping clocks', () => {
  it('moves a manual clock by the time slept, at once', async () => {
    const clock = new ManualClock('2024-09-01T12:00:00Z');
    const sleep = sleepOf(clock);

    await sleep(30_000);
    await sleep(30_000);

    expect(clock.now()).toEqual(new Date('2024-09-01T12:01:00Z'));
  });

  it('sleeps in real time, and ends early when aborted', async () => {
    const started = performance.now();
    await realSleep(20);
    expect(performance.now() - started).toBeGreaterThanOrEqual(15);

    const controller = new AbortController();
    const long = realSleep(60_000, controller.signal);
    controller.abort();
    await long;
    expect(performance.now() - started).toBeLessThan(5_000);
  });

  it('sleeps in real time for a clock that cannot sleep', () => {
    expect(sleepOf({ now: () => new Date() })).toBe(realSleep);
    expect(systemClock.sleep).toBe(realSleep);
  });
});
