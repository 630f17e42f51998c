import type { Clock } from '../ports/clock.js';

/**
 * Something that waits. Kept out of the {@link Clock} port: only the runtime's timers (workflow
 * Wait states and retry backoff) sleep, and they take it as a dependency. `signal` ends the wait
 * early (the promise then resolves).
 */
export type Sleep = (ms: number, signal?: AbortSignal) => Promise<void>;

/** setTimeout's longest delay; longer waits are chained. */
const MAX_TIMER_MS = 2 ** 31 - 1;

/** Sleeps in real time; an aborted `signal` ends the wait at once. */
export const realSleep: Sleep = async (ms, signal) => {
  let left = Math.max(0, ms);
  do {
    if (signal?.aborted) return;
    const step = Math.min(left, MAX_TIMER_MS);
    await new Promise<void>((resolve) => {
      const done = () => {
        clearTimeout(timer);
        signal?.removeEventListener('abort', done);
        resolve();
      };
      const timer = setTimeout(done, step);
      signal?.addEventListener('abort', done, { once: true });
    });
    left -= step;
  } while (left > 0);
};

/** The wall clock. */
export const systemClock: Clock & { sleep: Sleep } = { now: () => new Date(), sleep: realSleep };

/** A clock that moves only when told: tests advance it instead of sleeping. */
export class ManualClock implements Clock {
  private current: number;

  constructor(start: Date | string = '2024-09-01T12:00:00Z') {
    this.current = new Date(start).getTime();
  }

  now(): Date {
    return new Date(this.current);
  }

  advance(ms: number): void {
    this.current += ms;
  }

  set(time: Date | string): void {
    this.current = new Date(time).getTime();
  }

  /**
   * Moves the clock forward by `ms` and resolves at once, so code that sleeps (a workflow's Wait
   * loop) runs instantly and the clock shows the time it would have taken. Concurrent sleeps add
   * up: each moves the clock by its own duration.
   */
  sleep(ms: number): Promise<void> {
    this.advance(Math.max(0, ms));
    return Promise.resolve();
  }
}

/** The clock's own `sleep` when it has one (the system and manual clocks), else real time. */
export function sleepOf(clock: Clock): Sleep {
  const sleeper = clock as Clock & { sleep?: Sleep };
  return typeof sleeper.sleep === 'function' ? sleeper.sleep.bind(clock) : realSleep;
}
