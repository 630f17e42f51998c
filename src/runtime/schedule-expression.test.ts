import { describe, expect, it } from 'vitest';
import {
  InvalidScheduleExpressionError,
  parseScheduleExpression,
  scheduleExpressionProblem,
} from './schedule-expression.js';

// 2024-09-01 is a Sunday.
const SUNDAY_NOON = '2024-09-01T12:00:00Z';

describe('parseScheduleExpression', () => {
  it.each([
    ['rate(1 hour)', SUNDAY_NOON, '2024-09-01T13:00:00Z'],
    ['rate(1 hour)', '2024-09-01T12:30:00Z', '2024-09-01T13:00:00Z'],
    ['rate(5 minutes)', '2024-09-01T12:03:10Z', '2024-09-01T12:05:00Z'],
    ['rate(90 minutes)', SUNDAY_NOON, '2024-09-01T13:30:00Z'],
    ['rate(1 day)', SUNDAY_NOON, '2024-09-02T00:00:00Z'],
    ['rate(1 minute)', '2024-09-01T12:00:59.999Z', '2024-09-01T12:01:00Z'],
    ['cron(0 * * * ? *)', SUNDAY_NOON, '2024-09-01T13:00:00Z'],
    ['cron(0 * * * ? *)', '2024-09-01T12:59:59Z', '2024-09-01T13:00:00Z'],
    ['cron(0/15 * * * ? *)', '2024-09-01T12:07:00Z', '2024-09-01T12:15:00Z'],
    ['cron(5,35 14 * * ? *)', SUNDAY_NOON, '2024-09-01T14:05:00Z'],
    ['cron(0 8-10/2 * * ? *)', SUNDAY_NOON, '2024-09-02T08:00:00Z'],
    ['cron(0 9 ? * MON-FRI *)', '2024-09-07T10:00:00Z', '2024-09-09T09:00:00Z'],
    ['cron(0 9 ? * 2-6 *)', '2024-09-07T10:00:00Z', '2024-09-09T09:00:00Z'],
    ['cron(0 12 ? * 1 *)', SUNDAY_NOON, '2024-09-08T12:00:00Z'],
    ['cron(0 12 ? * 7 *)', SUNDAY_NOON, '2024-09-07T12:00:00Z'],
    ['cron(0 0 ? * sun *)', SUNDAY_NOON, '2024-09-08T00:00:00Z'],
    ['cron(0 18 ? * L *)', SUNDAY_NOON, '2024-09-07T18:00:00Z'],
    ['cron(0 10 ? * 6L *)', SUNDAY_NOON, '2024-09-27T10:00:00Z'],
    ['cron(0 10 ? * 3#2 *)', SUNDAY_NOON, '2024-09-10T10:00:00Z'],
    ['cron(0 10 ? * TUE#1 *)', SUNDAY_NOON, '2024-09-03T10:00:00Z'],
    ['cron(0 0 L * ? *)', SUNDAY_NOON, '2024-09-30T00:00:00Z'],
    ['cron(0 0 L 2 ? *)', SUNDAY_NOON, '2025-02-28T00:00:00Z'],
    ['cron(0 0 15W * ? *)', SUNDAY_NOON, '2024-09-16T00:00:00Z'],
    ['cron(30 8 1 JAN,JUL ? 2025)', SUNDAY_NOON, '2025-01-01T08:30:00Z'],
    ['cron(0 0 29 2 ? 2025-2028)', SUNDAY_NOON, '2028-02-29T00:00:00Z'],
    ['cron(0 0 1 1 ? 2020)', SUNDAY_NOON, undefined],
    ['at(2024-09-01T12:30:00)', SUNDAY_NOON, '2024-09-01T12:30:00Z'],
    ['at(2024-09-01T12:00:00)', SUNDAY_NOON, undefined],
  ])('%s after %s fires at %s', (expression, after, next) => {
    expect(parseScheduleExpression(expression).next(new Date(after))?.toISOString()).toBe(
      next && new Date(next).toISOString(),
    );
  });

  it('gives successive fire times when asked after each one', () => {
    const fridayEvenings = parseScheduleExpression('cron(0 22-23 ? * FRI *)');
    const times: string[] = [];
    let at = new Date(SUNDAY_NOON);
    for (let i = 0; i < 3; i++) {
      at = fridayEvenings.next(at)!;
      times.push(at.toISOString());
    }
    expect(times).toEqual([
      '2024-09-06T22:00:00.000Z',
      '2024-09-06T23:00:00.000Z',
      '2024-09-13T22:00:00.000Z',
    ]);
  });

  it.each([
    ['every hour', 'expected rate(…), cron(…) or at(…)'],
    ['rate(0 minutes)', 'the rate value must be a whole number >= 1, got "0"'],
    ['rate(1.5 hours)', 'the rate value must be a whole number >= 1, got "1.5"'],
    ['rate(1 hours)', 'use "hour" for a value of 1'],
    ['rate(5 minute)', 'use "minutes" for a value above 1'],
    ['rate(2 weeks)', 'the rate unit must be minute(s), hour(s) or day(s), got "weeks"'],
    ['rate(5minutes)', 'expected rate(value unit), as in rate(5 minutes)'],
    ['cron(0 * * * *)', 'expected 6 fields (minutes hours day-of-month month day-of-week year), got 5'],
    ['cron(0 12 * * MON *)', 'exactly one of day-of-month and day-of-week must be "?"'],
    ['cron(0 12 ? * ? *)', 'exactly one of day-of-month and day-of-week must be "?"'],
    ['cron(61 * * * ? *)', 'minutes: 61 is out of range 0-59'],
    ['cron(0 24 * * ? *)', 'hours: 24 is out of range 0-23'],
    ['cron(? 0 1 * ? *)', 'minutes: "?" is not a value (0-59)'],
    ['cron(0 0 ? * 0 *)', 'day-of-week: 0 is out of range 1-7'],
    ['cron(0 0 ? * 8 *)', 'day-of-week: 8 is out of range 1-7'],
    ['cron(0 0 1 FOO ? *)', 'month: "FOO" is not a value (1-12 or JAN-DEC)'],
    ['cron(0 22-2 * * ? *)', 'hours: range "22-2" goes backwards'],
    ['cron(0/0 * * * ? *)', 'minutes: "0/0": the step must be a whole number >= 1'],
    ['cron(0 0 LW * ? *)', 'day-of-month: "LW" is not supported'],
    ['cron(0 0 ? * 2#6 *)', 'day-of-week: "2#6": the occurrence after # must be 1 to 5'],
    ['cron(0 0 1 * ? 1969)', 'year: 1969 is out of range 1970-2199'],
    ['at(2024-13-01T00:00:00)', 'expected at(yyyy-mm-ddThh:mm:ss), got at(2024-13-01T00:00:00)'],
  ])('rejects %s: %s', (expression, problem) => {
    const parse = () => parseScheduleExpression(expression);
    expect(parse).toThrow(InvalidScheduleExpressionError);
    expect(parse).toThrow(`invalid schedule expression "${expression}": ${problem}`);
  });

  it('tells configuration what is wrong with an expression, or nothing when it is valid', () => {
    expect(scheduleExpressionProblem('cron(0 * * * ? *)')).toBeUndefined();
    expect(scheduleExpressionProblem('rate(2 hour)')).toBe(
      'invalid schedule expression "rate(2 hour)": use "hours" for a value above 1',
    );
  });
});
