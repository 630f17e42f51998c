import { describe, expect, it } from 'vitest';
import { parseTransactionDate } from './parse-date.js';

describe('parseTransactionDate', () => {
  it.each([
    ['7/15', '2024-07-15'],
    ['07/05', '2024-07-05'],
    ['12/31', '2024-12-31'],
    ['2/29', '2024-02-29'],
    [' 8/2 ', '2024-08-02'],
    ['2023-08-01', '2023-08-01'],
    ['2024-02-29', '2024-02-29'],
    ['2023-08-01T09:55', '2023-08-01'],
    ['2023-08-01T09:55:22', '2023-08-01'],
    ['2023-08-01T09:55:22.123Z', '2023-08-01'],
    ['2023-08-01T23:30:00-05:00', '2023-08-01'],
    ['2023-08-01T00:30:00+14:00', '2023-08-01'],
    ['2023-08-01 09:55:22', '2023-08-01'],
  ])('reads %j as %s, keeping the calendar date as written', (text, date) => {
    expect(parseTransactionDate(text, 2024)).toEqual({ ok: true, date });
  });

  it('takes the year of an M/D date from the default year', () => {
    expect(parseTransactionDate('2/28', 2023)).toEqual({ ok: true, date: '2023-02-28' });
  });

  it.each(['2/30', '13/1', '0/10', '4/31', '2023-02-29', '2024-13-01', '2024-00-10', '2024-04-00'])(
    'rejects the impossible date %j, naming it',
    (text) => {
      expect(parseTransactionDate(text, 2023)).toEqual({
        ok: false,
        reason: expect.stringMatching(new RegExp(`"${text}" does not exist`)),
      });
    },
  );

  it('rejects February 29th in a year that is not a leap year', () => {
    expect(parseTransactionDate('2/29', 2023).ok).toBe(false);
    expect(parseTransactionDate('1900-02-29', 2023).ok).toBe(false);
    expect(parseTransactionDate('2000-02-29', 2023).ok).toBe(true);
  });

  it.each([
    '',
    'yesterday',
    '7-15',
    '15/7/2024',
    '2024/07/15',
    '2024-7-15',
    '2024-07-15T',
    '2024-07-15 09:55',
    '2024-07-15T09:55:22+0200',
    '20240715',
    '7/15/24',
  ])('rejects the unrecognised form %j, naming the value', (text) => {
    expect(parseTransactionDate(text, 2024)).toEqual({
      ok: false,
      reason: `date ${JSON.stringify(text)} is not M/D, YYYY-MM-DD or an ISO datetime`,
    });
  });

  it('rejects impossible times and offsets', () => {
    expect(parseTransactionDate('2024-07-15T24:00:00', 2024)).toMatchObject({ ok: false });
    expect(parseTransactionDate('2024-07-15 09:60:00', 2024)).toMatchObject({ ok: false });
    expect(parseTransactionDate('2024-07-15T09:00:00+25:00', 2024)).toMatchObject({ ok: false });
  });

  it('rejects an M/D date when the default year is unusable', () => {
    expect(parseTransactionDate('7/15', Number.NaN)).toMatchObject({ ok: false });
  });
});
