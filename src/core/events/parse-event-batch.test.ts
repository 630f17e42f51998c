import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { MAX_RECORD_BYTES, MAX_RECORDS_PER_REQUEST, MAX_REQUEST_BYTES } from './limits.js';
import { classifyRecordText, locateJsonError, parseEventBatch } from './parse-event-batch.js';
import type { BatchParseResult, BatchRecord } from './types.js';

const samples = new URL('../../../../shared/datasets/events/', import.meta.url);
const barclaysText = readFileSync(new URL('transaction-1.json', samples), 'utf8');
const monzoText = readFileSync(new URL('transaction-2.json', samples), 'utf8');
const barclays = JSON.parse(barclaysText);
const monzo = JSON.parse(monzoText);

function records(result: BatchParseResult): BatchRecord[] {
  if (!result.ok) throw new Error(`expected records, got ${result.error.message}`);
  return result.records;
}

describe('parseEventBatch', () => {
  it('takes a pretty-printed object body as one record, kept as sent', () => {
    expect(records(parseEventBatch(barclaysText, 'json'))).toEqual([
      {
        index: 0,
        raw: barclaysText,
        outcome: { status: 'ready', value: barclays, partitionKey: 'barclays' },
      },
    ]);
  });

  it('takes each element of an array body, re-serialised', () => {
    const body = JSON.stringify([barclays, 7, monzo], null, 2);
    const [first, second, third] = records(parseEventBatch(body, 'json'));
    expect(first).toMatchObject({ index: 0, raw: JSON.stringify(barclays), outcome: { status: 'ready' } });
    expect(second).toEqual({
      index: 1,
      raw: '7',
      outcome: {
        status: 'rejected',
        reasons: [{ path: '', message: 'a record must be a JSON object, got 7' }],
        client: null,
        eventId: null,
      },
    });
    expect(third).toMatchObject({ index: 2, outcome: { status: 'ready', partitionKey: 'monzo' } });
    expect(records(parseEventBatch('[]', 'json'))).toEqual([]);
  });

  it('takes one record per NDJSON line, skipping blank lines but counting them', () => {
    const body = `\uFEFF${JSON.stringify(barclays)}\r\n\r\n   \n${JSON.stringify(monzo)}\n{"Client":\n`;
    const parsed = records(parseEventBatch(body, 'ndjson'));
    expect(parsed.map(({ index, line, outcome }) => [index, line, outcome.status])).toEqual([
      [0, 1, 'ready'],
      [1, 4, 'ready'],
      [2, 5, 'rejected'],
    ]);
    expect(parsed[0]?.raw).toBe(JSON.stringify(barclays));
    expect(parsed[2]?.outcome).toMatchObject({
      reasons: [{ path: '', message: 'not JSON: unexpected end of input at column 11' }],
    });
  });

  it('rejects a line that is not JSON, saying where', () => {
    const [record] = records(parseEventBatch('{"Client": "monzo", oops}', 'ndjson'));
    expect(record?.outcome).toEqual({
      status: 'rejected',
      reasons: [
        {
          path: '',
          message: 'not JSON: unexpected "o"; expected a double-quoted property name at column 21',
        },
      ],
      client: null,
      eventId: null,
    });
  });

  it('rejects a record without a routable Client, keeping its ID', () => {
    const { Client: _, ...anonymous } = monzo;
    const body = [anonymous, { ...monzo, Client: 'a/b' }, { ...monzo, Client: 7 }]
      .map((r) => JSON.stringify(r))
      .join('\n');
    const outcomes = records(parseEventBatch(body, 'ndjson')).map((record) => record.outcome);
    expect(outcomes).toEqual([
      {
        status: 'rejected',
        reasons: [{ path: 'Client', message: 'required: it is the partition key' }],
        client: null,
        eventId: monzo.ID,
      },
      {
        status: 'rejected',
        reasons: [
          { path: 'Client', message: expect.stringMatching(/^must be 1 to 128 letters.*got "a\/b"$/) },
        ],
        client: 'a/b',
        eventId: monzo.ID,
      },
      {
        status: 'rejected',
        reasons: [{ path: 'Client', message: 'must be a string, got 7' }],
        client: null,
        eventId: monzo.ID,
      },
    ]);
  });

  it('leaves schema checks to the consumer: a ready record may still be invalid', () => {
    const [record] = records(parseEventBatch('{"Client":"monzo","Type":"foo"}', 'json'));
    expect(record?.outcome).toEqual({
      status: 'ready',
      value: { Client: 'monzo', Type: 'foo' },
      partitionKey: 'monzo',
    });
  });

  it('rejects a record over 256 KiB, and only that one', () => {
    const big = { ...monzo, Padding: 'é'.repeat(MAX_RECORD_BYTES / 2) };
    const body = [JSON.stringify(big), JSON.stringify(monzo)].join('\n');
    const [oversized, fine] = records(parseEventBatch(body, 'ndjson'));
    const bytes = new TextEncoder().encode(JSON.stringify(big)).length;
    expect(oversized?.outcome).toEqual({
      status: 'rejected',
      reasons: [{ path: '', message: `record is ${bytes} bytes; the limit is 262144` }],
      client: 'monzo',
      eventId: monzo.ID,
    });
    expect(fine?.outcome.status).toBe('ready');
  });

  it.each([
    ['', 'json', 'empty_body'],
    [' \n\r\n ', 'ndjson', 'empty_body'],
    ['"monzo"', 'json', 'not_object_or_array'],
    ['null', 'json', 'not_object_or_array'],
  ] as const)('refuses the body %j as %s', (body, format, code) => {
    const result = parseEventBatch(body, format);
    expect(!result.ok && result.error.code).toBe(code);
  });

  it('refuses a body that is not JSON, giving the position', () => {
    const result = parseEventBatch('[\n  {"Client": "monzo"},\n  {"Client": "monzo",}\n]', 'json');
    expect(result).toEqual({
      ok: false,
      error: {
        code: 'invalid_json',
        message:
          'the body is not valid JSON: unexpected "}"; expected a double-quoted property name at line 3, column 22 (position 46)',
      },
    });
  });

  it('refuses more than 500 records, as an array or as lines', () => {
    const many = Array.from({ length: MAX_RECORDS_PER_REQUEST + 1 }, () => ({ Client: 'monzo' }));
    const asArray = parseEventBatch(JSON.stringify(many), 'json');
    const asLines = parseEventBatch(many.map((r) => JSON.stringify(r)).join('\n'), 'ndjson');
    for (const result of [asArray, asLines]) {
      expect(!result.ok && result.error.code).toBe('too_many_records');
      expect(!result.ok && result.error.message).toContain('the body holds 501 records; the limit is 500');
    }
    expect(records(parseEventBatch(JSON.stringify(many.slice(1)), 'json'))).toHaveLength(500);
  });

  it('refuses a body over 5 MiB', () => {
    const result = parseEventBatch(`["${'x'.repeat(MAX_REQUEST_BYTES)}"]`, 'json');
    expect(!result.ok && result.error.code).toBe('body_too_large');
  });
});

describe('classifyRecordText', () => {
  it('rejects a record holding a NUL character, which no database can store, naming the field', () => {
    const raw = JSON.stringify({ ...barclays, Event: { ...barclays.Event, Note: 'a\u0000b' } });
    const record = classifyRecordText(raw, { index: 0 });
    expect(record.outcome).toMatchObject({
      status: 'rejected',
      reasons: [{ path: 'Event.Note', message: expect.stringContaining('NUL') }],
    });
    // The text "\\u0000" (an escaped backslash) is an ordinary string.
    const harmless = classifyRecordText(JSON.stringify({ ...barclays, Note: '\\u0000' }), { index: 0 });
    expect(harmless.outcome.status).toBe('ready');
  });

  it('classifies a record of the bulk path as the HTTP path does', () => {
    const line = JSON.stringify(monzo);
    expect(classifyRecordText(line, { index: 3, line: 9 })).toEqual({
      index: 3,
      line: 9,
      raw: line,
      outcome: { status: 'ready', value: monzo, partitionKey: 'monzo' },
    });
    expect(classifyRecordText(monzoText, { index: 0 })).toMatchObject({ outcome: { status: 'ready' } });
  });
});

describe('locateJsonError', () => {
  it.each([
    ['{"a":}', 5, 'unexpected "}"; expected a value'],
    ['[1,2', 4, 'unexpected end of input'],
    ['{"a" 1}', 5, 'unexpected "1"; expected ":" after a property name'],
    ['{"a":1}x', 7, 'unexpected "x" after the end of the JSON value'],
    ['"abc', 4, 'unterminated string'],
    ['["\\x"]', 2, 'invalid escape in string'],
    ['["a\tb"]', 3, 'unescaped control character in string'],
    ['[1 2]', 3, 'unexpected "2"; expected "," or "]"'],
    ['[tru]', 1, 'unexpected "t"; expected a value'],
    ['[-]', 1, 'unexpected "-"; expected a value'],
  ])('finds the error in %j', (text, position, message) => {
    expect(() => JSON.parse(text)).toThrow();
    expect(locateJsonError(text)).toMatchObject({ position, message });
  });

  it('finds none in JSON, however deep', () => {
    for (const text of [
      '{"a":[1,-2.5e3,true,null,{"b":"\\u00e9\\n"}]}',
      ' 0 ',
      `${'['.repeat(1e5)}${']'.repeat(1e5)}`,
    ]) {
      expect(locateJsonError(text)).toBeUndefined();
    }
  });
});
