/** Result of {@link parseTransactionDate}: a calendar date `YYYY-MM-DD`. */
export type DateResult = { ok: true; date: string } | { ok: false; reason: string };

const MONTH_DAY = /^(\d{1,2})\/(\d{1,2})$/;
const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const ISO_DATE_TIME =
  /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2})(?:\.\d{1,9})?)?(?:Z|[+-]\d{2}:\d{2})?$/;
const SPACED_DATE_TIME = /^(\d{4})-(\d{2})-(\d{2}) (\d{2}):(\d{2}):(\d{2})$/;

/**
 * Parses the date cell of a transaction line into a calendar date `YYYY-MM-DD`.
 *
 * Accepted forms:
 * - `M/D` or `MM/DD`: the year is `defaultYear` (the upload's year);
 * - `YYYY-MM-DD`;
 * - ISO datetimes `YYYY-MM-DDTHH:MM[:SS[.fff]][Z|±HH:MM]`;
 * - `YYYY-MM-DD HH:MM:SS`.
 *
 * For datetimes the calendar date is kept as written: an offset never moves the date to
 * another day, because the statement belongs to the day the bank printed.
 * Impossible dates (`2/30`, `13/1`, `2023-02-29`) and times (`25:00`) are rejected.
 *
 * @example
 * parseTransactionDate('7/15', 2024);                 // { ok: true, date: '2024-07-15' }
 * parseTransactionDate('2023-08-01 09:55:22', 2024);  // { ok: true, date: '2023-08-01' }
 */
export function parseTransactionDate(text: string, defaultYear: number): DateResult {
  const value = text.trim();
  const monthDay = MONTH_DAY.exec(value);
  if (monthDay) return calendarDate(value, defaultYear, Number(monthDay[1]), Number(monthDay[2]));

  const match = ISO_DATE.exec(value) ?? ISO_DATE_TIME.exec(value) ?? SPACED_DATE_TIME.exec(value);
  if (!match) {
    return { ok: false, reason: `date ${JSON.stringify(value)} is not M/D, YYYY-MM-DD or an ISO datetime` };
  }
  const [, year, month, day, hour = '00', minute = '00', second = '00'] = match;
  if (Number(hour) > 23 || Number(minute) > 59 || Number(second) > 59) {
    return { ok: false, reason: `date ${JSON.stringify(value)} has an impossible time of day` };
  }
  const offset = /[+-](\d{2}):(\d{2})$/.exec(value.slice(10));
  if (offset && (Number(offset[1]) > 23 || Number(offset[2]) > 59)) {
    return { ok: false, reason: `date ${JSON.stringify(value)} has an impossible UTC offset` };
  }
  return calendarDate(value, Number(year), Number(month), Number(day));
}

function calendarDate(value: string, year: number, month: number, day: number): DateResult {
  if (!Number.isInteger(year) || year < 1 || year > 9999) {
    return { ok: false, reason: `date ${JSON.stringify(value)} has no usable year (${year})` };
  }
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) {
    return { ok: false, reason: `date ${JSON.stringify(value)} does not exist in ${year}` };
  }
  const date = `${String(year).padStart(4, '0')}-${pad2(month)}-${pad2(day)}`;
  return { ok: true, date };
}

function daysInMonth(year: number, month: number): number {
  if (month === 2) return isLeapYear(year) ? 29 : 28;
  return [4, 6, 9, 11].includes(month) ? 30 : 31;
}

function isLeapYear(year: number): boolean {
  return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
}

function pad2(n: number): string {
  return String(n).padStart(2, '0');
}
