import type { Clock } from '../ports/clock.js';

/** Lambda's clock is the system's (the local runtime's `systemClock` is not in Lambda bundles). */
export const systemClock: Clock = { now: () => new Date() };
