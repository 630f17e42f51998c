/** Source of the current time. The runtime passes a system clock; tests pass a manual one. */
export interface Clock {
  now(): Date;
}
