import { Cron } from 'croner';
import { CronFieldError, cronToCroner } from './schedule-cron.js';

/** A parsed EventBridge Scheduler expression, in UTC. */
export interface ScheduleExpression {
  readonly expression: string;
  readonly kind: 'rate' | 'cron' | 'at';
  /** The first fire time strictly after `after`; undefined when the expression fires no more. */
  next(after: Date): Date | undefined;
}

export class InvalidScheduleExpressionError extends Error {
  constructor(
    readonly expression: string,
    readonly problem: string,
  ) {
    super(`invalid schedule expression "${expression}": ${problem}`);
    this.name = 'InvalidScheduleExpressionError';
  }
}

const RATE_UNITS: Record<string, number> = { minute: 60_000, hour: 3_600_000, day: 86_400_000 };

/**
 * Parses `rate(value unit)`, `cron(minutes hours day-of-month month day-of-week year)` or
 * `at(yyyy-mm-ddThh:mm:ss)` with EventBridge Scheduler's rules, all in UTC:
 * - rate: a whole value >= 1 and a unit of minute(s), hour(s) or day(s), singular for 1 and plural
 *   otherwise. A rate fires at the multiples of its period since the Unix epoch (`rate(1 hour)` on
 *   every hour, `rate(1 day)` at midnight UTC), so its times do not depend on when the server
 *   started; AWS instead counts from the schedule's creation.
 * - cron: AWS fields (day-of-week 1-7 = SUN-SAT, or names; `?` in exactly one of the two day
 *   fields; `L`, `nW`, `d#n`, `dL`; lists, ranges, steps; a year field), computed with croner.
 * - at: one time.
 * Throws {@link InvalidScheduleExpressionError} naming the bad part.
 *
 * @example
 * parseScheduleExpression('cron(0 9 ? * MON-FRI *)').next(new Date('2024-09-07T00:00:00Z'));
 * // → 2024-09-09T09:00:00Z (the next weekday at 09:00)
 */
export function parseScheduleExpression(expression: string): ScheduleExpression {
  const invalid = (problem: string) => new InvalidScheduleExpressionError(expression, problem);
  const match = /^(rate|cron|at)\((.*)\)$/.exec(expression);
  if (!match) throw invalid('expected rate(…), cron(…) or at(…)');
  const [, kind, body = ''] = match;
  if (kind === 'rate') return rate(expression, body, invalid);
  if (kind === 'at') return at(expression, body, invalid);
  let pattern: string;
  try {
    pattern = cronToCroner(body.trim().split(/\s+/));
  } catch (error) {
    if (error instanceof CronFieldError) throw invalid(error.message);
    throw error;
  }
  let cron: Cron;
  try {
    cron = new Cron(pattern, { timezone: 'UTC', mode: '7-part', paused: true });
  } catch (error) {
    throw invalid(error instanceof Error ? error.message : String(error));
  }
  return { expression, kind: 'cron', next: (after) => cron.nextRun(after) ?? undefined };
}

/**
 * What is wrong with an expression, or undefined when it is valid: for configuration checks.
 *
 * @example
 * scheduleExpressionProblem('rate(1 hours)'); // 'invalid schedule expression "rate(1 hours)": use "hour" for a value of 1'
 */
export function scheduleExpressionProblem(expression: string): string | undefined {
  try {
    parseScheduleExpression(expression);
    return undefined;
  } catch (error) {
    if (error instanceof InvalidScheduleExpressionError) return error.message;
    throw error;
  }
}

function rate(expression: string, body: string, invalid: (problem: string) => Error): ScheduleExpression {
  const match = /^(\S+) (\S+)$/.exec(body);
  if (!match) throw invalid('expected rate(value unit), as in rate(5 minutes)');
  const [, valueText = '', unit = ''] = match;
  const value = /^\d+$/.test(valueText) ? Number(valueText) : Number.NaN;
  if (!(value >= 1)) throw invalid(`the rate value must be a whole number >= 1, got "${valueText}"`);
  const singular = unit.endsWith('s') ? unit.slice(0, -1) : unit;
  const unitMs = RATE_UNITS[singular];
  if (!unitMs) throw invalid(`the rate unit must be minute(s), hour(s) or day(s), got "${unit}"`);
  if (value === 1 && unit !== singular) throw invalid(`use "${singular}" for a value of 1`);
  if (value > 1 && unit === singular) throw invalid(`use "${singular}s" for a value above 1`);
  const period = value * unitMs;
  return {
    expression,
    kind: 'rate',
    next: (after) => new Date((Math.floor(after.getTime() / period) + 1) * period),
  };
}

function at(expression: string, body: string, invalid: (problem: string) => Error): ScheduleExpression {
  const time = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}$/.test(body) ? new Date(`${body}Z`) : undefined;
  if (!time || Number.isNaN(time.getTime()) || time.toISOString().slice(0, 19) !== body) {
    throw invalid(`expected at(yyyy-mm-ddThh:mm:ss), got at(${body})`);
  }
  return { expression, kind: 'at', next: (after) => (time > after ? time : undefined) };
}
