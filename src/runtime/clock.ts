import type { Clock } from '../ports/clock.js';

/** The wall clock. */
export const systemClock: Clock = { now: () => new Date() };

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
}
