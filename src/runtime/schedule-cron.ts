/**
 * The six fields of an EventBridge Scheduler `cron(minutes hours day-of-month month day-of-week
 * year)` expression, checked with AWS's rules and written as a croner pattern. Lists, ranges and
 * steps are expanded here, so croner gets plain lists and only the calendar specials (`L`, `nW`,
 * `d#n`, `d#L`) it implements the same way.
 */

interface FieldSpec {
  name: string;
  min: number;
  max: number;
  names?: readonly string[];
}

const MONTHS = ['JAN', 'FEB', 'MAR', 'APR', 'MAY', 'JUN', 'JUL', 'AUG', 'SEP', 'OCT', 'NOV', 'DEC'];
const DAYS = ['SUN', 'MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT'];

const FIELDS = {
  minutes: { name: 'minutes', min: 0, max: 59 },
  hours: { name: 'hours', min: 0, max: 23 },
  dayOfMonth: { name: 'day-of-month', min: 1, max: 31 },
  month: { name: 'month', min: 1, max: 12, names: MONTHS },
  dayOfWeek: { name: 'day-of-week', min: 1, max: 7, names: DAYS },
  year: { name: 'year', min: 1970, max: 2199 },
} satisfies Record<string, FieldSpec>;

/** A problem with one part of the expression; the message names the field and the part. */
export class CronFieldError extends Error {}

/** Converts the six AWS fields to a 7-part croner pattern (seconds first), or throws CronFieldError. */
export function cronToCroner(fields: readonly string[]): string {
  if (fields.length !== 6) {
    throw new CronFieldError(
      `expected 6 fields (minutes hours day-of-month month day-of-week year), got ${fields.length}`,
    );
  }
  const [minutes, hours, dayOfMonth, month, dayOfWeek, year] = fields as [
    string,
    string,
    string,
    string,
    string,
    string,
  ];
  if ((dayOfMonth === '?') === (dayOfWeek === '?')) {
    throw new CronFieldError('exactly one of day-of-month and day-of-week must be "?"');
  }
  return [
    '0',
    list(FIELDS.minutes, minutes),
    list(FIELDS.hours, hours),
    dayOfMonthPart(dayOfMonth),
    list(FIELDS.month, month),
    dayOfWeekPart(dayOfWeek),
    list(FIELDS.year, year),
  ].join(' ');
}

function dayOfMonthPart(text: string): string {
  if (text === '?') return '*';
  if (text === 'L') return 'L';
  const weekday = /^(\d+)W$/.exec(text);
  if (weekday) return `${value(FIELDS.dayOfMonth, weekday[1]!)}W`;
  if (/[LW]/i.test(text)) {
    throw new CronFieldError(`day-of-month: "${text}" is not supported (use L alone, or nW as in 15W)`);
  }
  return list(FIELDS.dayOfMonth, text);
}

/** AWS numbers days 1-7 from Sunday; croner (standard mode) 0-6. */
function dayOfWeekPart(text: string): string {
  if (text === '?') return '*';
  // L alone is the last day of the week: Saturday.
  if (text === 'L') return '6';
  const last = /^(\w+)L$/i.exec(text);
  if (last) return `${value(FIELDS.dayOfWeek, last[1]!) - 1}#L`;
  const nth = /^(\w+)#(\d+)$/.exec(text);
  if (nth) {
    const n = Number(nth[2]);
    if (n < 1 || n > 5)
      throw new CronFieldError(`day-of-week: "${text}": the occurrence after # must be 1 to 5`);
    return `${value(FIELDS.dayOfWeek, nth[1]!) - 1}#${n}`;
  }
  if (/[L#]/i.test(text)) {
    throw new CronFieldError(
      `day-of-week: "${text}" is not supported (use L, dL as in 6L, or d#n as in 2#1)`,
    );
  }
  const days = list(FIELDS.dayOfWeek, text);
  return days === '*'
    ? '*'
    : days
        .split(',')
        .map((day) => Number(day) - 1)
        .join(',');
}

/** `*`, or the field's values as a sorted comma list (from lists, ranges and steps). */
function list(field: FieldSpec, text: string): string {
  if (text === '*') return '*';
  if (text === '') throw new CronFieldError(`${field.name}: empty`);
  const values = new Set<number>();
  for (const item of text.split(',')) {
    const [range = '', stepText, extra] = item.split('/');
    if (extra !== undefined) throw new CronFieldError(`${field.name}: "${item}" has more than one "/"`);
    let step = 1;
    if (stepText !== undefined) {
      step = /^\d+$/.test(stepText) ? Number(stepText) : Number.NaN;
      if (!(step >= 1))
        throw new CronFieldError(`${field.name}: "${item}": the step must be a whole number >= 1`);
    }
    let low: number;
    let high: number;
    if (range === '*') {
      low = field.min;
      high = field.max;
    } else {
      const [from = '', to, more] = range.split('-');
      if (more !== undefined) throw new CronFieldError(`${field.name}: "${item}" is not a range`);
      low = value(field, from);
      // `a/s` runs from a to the end of the field.
      high = to !== undefined ? value(field, to) : stepText !== undefined ? field.max : low;
      if (high < low) throw new CronFieldError(`${field.name}: range "${range}" goes backwards`);
    }
    for (let v = low; v <= high; v += step) values.add(v);
  }
  return [...values].sort((a, b) => a - b).join(',');
}

function value(field: FieldSpec, text: string): number {
  const index = field.names?.indexOf(text.toUpperCase()) ?? -1;
  const number = index >= 0 ? field.min + index : /^\d+$/.test(text) ? Number(text) : Number.NaN;
  if (Number.isNaN(number)) {
    const names = field.names ? ` or ${field.names[0]}-${field.names.at(-1)}` : '';
    throw new CronFieldError(`${field.name}: "${text}" is not a value (${field.min}-${field.max}${names})`);
  }
  if (number < field.min || number > field.max) {
    throw new CronFieldError(`${field.name}: ${number} is out of range ${field.min}-${field.max}`);
  }
  return number;
}
