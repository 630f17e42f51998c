import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MAX_RECORDS_PER_REQUEST } from '../../src/core/events/limits.js';
import { locateJsonError, parseEventBatch } from '../../src/core/events/parse-event-batch.js';
import { CLIENT_NAME_PATTERN } from '../../src/core/events/validate-event.js';
import { clientArb, eventArb } from './event-arbitraries.js';
import { fuzzParams, fuzzTimeout } from './settings.js';

/** The edge of `POST /events`: a body split into records, each checked for what routing needs. */

const eventsArb = fc.array(
  eventArb.map(({ event }) => event),
  { minLength: 1, maxLength: 6 },
);

const ready = (event: Record<string, unknown>) => ({
  status: 'ready',
  value: event,
  partitionKey: event.Client,
});

/** Whether a key or string anywhere in `value` holds U+0000, which PostgreSQL cannot store. */
const holdsNul = (value: unknown): boolean =>
  typeof value === 'string'
    ? value.includes('\u0000')
    : typeof value === 'object' && value !== null
      ? Object.entries(value).some(([key, item]) => key.includes('\u0000') || holdsNul(item))
      : false;

describe('parseEventBatch (fuzz)', () => {
  it(
    'takes valid events sent as an object, an array or NDJSON, each ready under its Client',
    () => {
      const layout = fc.record({
        crlf: fc.boolean(),
        blankEvery: fc.integer({ min: 0, max: 3 }),
        bom: fc.boolean(),
      });
      fc.assert(
        fc.property(eventsArb, layout, (events, { crlf, blankEvery, bom }) => {
          const [first] = events as [Record<string, unknown>];
          const single = JSON.stringify(first, null, 2);
          expect(parseEventBatch((bom ? '\uFEFF' : '') + single, 'json')).toEqual({
            ok: true,
            records: [{ index: 0, raw: single, outcome: ready(first) }],
          });

          const array = parseEventBatch(JSON.stringify(events), 'json');
          expect(array).toEqual({
            ok: true,
            records: events.map((event, index) => ({
              index,
              raw: JSON.stringify(event),
              outcome: ready(event),
            })),
          });

          const lines: string[] = [];
          const expected = events.map((event, index) => {
            if (blankEvery > 0 && index % blankEvery === 0) lines.push(index % 2 ? '  ' : '');
            lines.push(JSON.stringify(event));
            return { index, line: lines.length, raw: JSON.stringify(event), outcome: ready(event) };
          });
          const body = lines.join(crlf ? '\r\n' : '\n');
          expect(parseEventBatch((bom ? '\uFEFF' : '') + body, 'ndjson')).toEqual({
            ok: true,
            records: expected,
          });
        }),
        fuzzParams(),
      );
    },
    fuzzTimeout,
  );

  it(
    'rejects a record without a routable Client, naming the field, and keeps its neighbours',
    () => {
      const badClient = fc.oneof(
        fc.constantFrom(undefined, null, 7, '', ' x', 'a b', '../x', 'x'.repeat(129), 'é', ['a'], {}),
        clientArb.map((name) => `${name}/`),
      );
      fc.assert(
        fc.property(eventsArb, fc.nat(), badClient, (events, pick, client) => {
          const victim = pick % events.length;
          const sent = events.map((event, index) =>
            index === victim ? { ...event, Client: client } : event,
          );
          const parsed = parseEventBatch(sent.map((event) => JSON.stringify(event)).join('\n'), 'ndjson');
          if (!parsed.ok) throw new Error(parsed.error.message);
          expect(parsed.records.map((record) => record.outcome.status)).toEqual(
            events.map((_, index) => (index === victim ? 'rejected' : 'ready')),
          );
          expect(parsed.records[victim]?.outcome).toEqual({
            status: 'rejected',
            reasons: [{ path: 'Client', message: expect.any(String) }],
            client: typeof client === 'string' ? client : null,
            eventId: events[victim]?.ID,
          });
        }),
        fuzzParams(),
      );
    },
    fuzzTimeout,
  );

  it(
    'never throws on any body: it is refused as a whole or every record gets an outcome',
    () => {
      const body = fc.oneof(
        fc.string({ maxLength: 80 }),
        fc.string({
          unit: fc.constantFrom('{', '}', '[', ']', '"', ':', ',', '\n', '\r', ' ', 'a', '1', '\\', '\u0000'),
          maxLength: 40,
        }),
        fc.array(fc.json({ maxDepth: 2 }), { maxLength: 5 }).map((lines) => lines.join('\n')),
        fc.constant(
          `[${Array(MAX_RECORDS_PER_REQUEST + 1)
            .fill('{}')
            .join(',')}]`,
        ),
      );
      fc.assert(
        fc.property(body, fc.constantFrom('json', 'ndjson'), (text, format) => {
          const parsed = parseEventBatch(text, format as 'json' | 'ndjson');
          if (!parsed.ok) {
            expect(parsed.error.message).toMatch(/\S/);
            return;
          }
          expect(parsed.records.length).toBeLessThanOrEqual(MAX_RECORDS_PER_REQUEST);
          parsed.records.forEach((record, index) => {
            expect(record.index).toBe(index);
            if (record.outcome.status === 'ready') {
              expect(record.outcome.partitionKey).toMatch(CLIENT_NAME_PATTERN);
              expect(JSON.parse(record.raw)).toEqual(record.outcome.value);
              expect(holdsNul(record.outcome.value)).toBe(false);
            } else {
              expect(record.outcome.reasons.length).toBeGreaterThan(0);
            }
          });
        }),
        fuzzParams(),
      );
    },
    fuzzTimeout,
  );
});

describe('locateJsonError (fuzz)', () => {
  it(
    'finds an error exactly when JSON.parse does, at a position inside the text',
    () => {
      // Valid JSON with one character dropped, doubled or replaced: near misses, the hard cases.
      const nearMiss = fc
        .tuple(
          fc.json({ maxDepth: 3 }),
          fc.nat(),
          fc.constantFrom('drop', 'double', ',', '"', '}', ']', '\\', '\n', 'x'),
        )
        .map(([text, at, edit]) => {
          const i = at % (text.length + 1);
          if (edit === 'drop') return text.slice(0, i) + text.slice(i + 1);
          if (edit === 'double') return text.slice(0, i) + text.slice(i, i + 1) + text.slice(i);
          return text.slice(0, i) + edit + text.slice(i);
        });
      const noise = fc.string({
        unit: fc.constantFrom(
          '{',
          '}',
          '[',
          ']',
          '"',
          ':',
          ',',
          ' ',
          '1',
          '-',
          '.',
          'e',
          'n',
          'u',
          'l',
          't',
          '\\',
        ),
        maxLength: 20,
      });
      fc.assert(
        fc.property(fc.oneof(nearMiss, noise, fc.json()), (text) => {
          let valid = true;
          try {
            JSON.parse(text);
          } catch {
            valid = false;
          }
          const found = locateJsonError(text);
          if (valid) expect(found).toBeUndefined();
          else {
            expect(found).toBeDefined();
            expect(found?.position).toBeGreaterThanOrEqual(0);
            expect(found?.position).toBeLessThanOrEqual(text.length);
          }
        }),
        fuzzParams(),
      );
    },
    fuzzTimeout,
  );
});
