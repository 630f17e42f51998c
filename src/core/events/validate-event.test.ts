import { describe, expect, it } from 'vitest';
import {
  CLIENT_NAME_PATTERN,
  clientNameProblem,
  describeValue,
  isValidClientName,
  parseEventTime,
} from './validate-event.js';

describe('parseEventTime', () => {
  it.each([
    ['2009-11-10T23:00:00Z', Date.UTC(2009, 10, 10, 23)],
    ['2009-11-10t23:00:00z', Date.UTC(2009, 10, 10, 23)],
    ['2009-11-10T23:00:00.123456-05:30', Date.UTC(2009, 10, 11, 4, 30, 0, 123)],
    ['2024-02-29T00:00:00+00:00', Date.UTC(2024, 1, 29)],
    ['0001-01-01T00:00:00Z', -62135596800000],
  ])('reads %s', (text, ms) => {
    expect(parseEventTime(text)).toEqual({ ok: true, ms });
  });

  it.each([
    ['2023-02-29T00:00:00Z', 'not a calendar date'],
    ['1900-02-29T00:00:00Z', 'not a calendar date'],
    ['2023-13-01T00:00:00Z', 'not a calendar date'],
    ['2023-02-30T00:00:00Z', 'not a calendar date'],
    ['2009-11-10T24:00:00Z', 'not a time of day'],
    ['2009-11-10T23:60:00Z', 'not a time of day'],
    ['2016-12-31T23:59:60Z', 'leap seconds are not supported'],
    ['2009-11-10T23:00:00+24:00', 'not a time-zone offset'],
    ['2009-11-10T23:00:00', 'with a time zone'],
    ['2009-11-10 23:00:00Z', 'with a time zone'],
    ['2009-11-10T23:00:00+0100', 'with a time zone'],
    ['2009-11-10', 'with a time zone'],
  ])('refuses %s', (text, reason) => {
    const parsed = parseEventTime(text);
    expect(parsed.ok).toBe(false);
    expect(!parsed.ok && parsed.reason).toContain(reason);
  });
});

describe('client names', () => {
  it.each(['monzo', 'barclays', 'Acme-Bank_2.eu', '0', 'a'.repeat(128)])('accepts %s', (name) => {
    expect(isValidClientName(name)).toBe(true);
    expect(clientNameProblem(name)).toBeUndefined();
  });

  it.each(['', '-bank', '.hidden', 'two words', 'a/b', '..', 'é', 'a'.repeat(129)])('refuses %j', (name) => {
    expect(CLIENT_NAME_PATTERN.test(name)).toBe(false);
    expect(clientNameProblem(name)).toMatch(/^must be 1 to 128 letters/);
  });

  it('says why a missing or non-string Client cannot be routed', () => {
    expect(clientNameProblem(undefined)).toBe('required: it is the partition key');
    expect(clientNameProblem(42)).toBe('must be a string, got 42');
  });
});

describe('describeValue', () => {
  it('quotes strings, cut to 80 characters, and names containers by kind', () => {
    expect(describeValue('abc')).toBe('"abc"');
    expect(describeValue('y'.repeat(200))).toBe(`"${'y'.repeat(80)}…"`);
    expect(describeValue(`${'y'.repeat(79)}😀`)).toBe(`"${'y'.repeat(79)}…"`);
    expect([null, [], {}, 1.5, false, undefined].map(describeValue)).toEqual([
      'null',
      'an array',
      'an object',
      '1.5',
      'false',
      'nothing',
    ]);
  });
});
