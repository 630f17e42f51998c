import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  InvalidEventPatternError,
  matchesEventPattern,
  validateEventPattern,
} from '../../src/runtime/event-pattern.js';
import { eventArb, matchValueArb, patternArb, patternFrom } from './event-pattern-arbitraries.js';
import { globMatches, referenceMatches } from './event-pattern-reference.js';
import { fuzzParams, fuzzTimeout } from './settings.js';

/** The bus's EventBridge pattern matcher, against a reference and by metamorphic properties. */

type Json = Record<string, unknown>;

const choicesArb = fc.array(fc.nat(), { minLength: 1, maxLength: 40 });

/** An event and a pattern for it: mostly built from its own fields, so that about half match. */
const caseArb = (objectArrays: boolean, absent = true) =>
  fc.oneof(
    {
      weight: 4,
      arbitrary: fc
        .tuple(eventArb(objectArrays), choicesArb)
        .map(([event, choices]) => ({ event, pattern: patternFrom(event, choices, absent) })),
    },
    fc.record({ event: eventArb(objectArrays), pattern: patternArb(absent) }),
  );

/** `value` with values at or under it wrapped, here and there, in a one-element array. */
const wrapped = (value: unknown, bits: readonly number[], at = { i: 0 }): unknown => {
  const wrap = ((bits[at.i++ % Math.max(bits.length, 1)] ?? 0) & 1) === 1;
  const inner =
    typeof value !== 'object' || value === null
      ? value
      : Array.isArray(value)
        ? value.map((item) => wrapped(item, bits, at))
        : Object.fromEntries(Object.entries(value).map(([key, item]) => [key, wrapped(item, bits, at)]));
  return wrap ? [inner] : inner;
};

describe('event pattern matching (fuzz)', () => {
  it(
    'matches as the reference does on events without arrays of objects',
    () => {
      fc.assert(
        fc.property(caseArb(false), ({ pattern, event }) => {
          expect(matchesEventPattern(pattern, event)).toBe(referenceMatches(pattern, event));
        }),
        fuzzParams(),
      );
    },
    fuzzTimeout,
  );

  it(
    'matches a wildcard as a glob where * is any run and \\* a star',
    () => {
      const wildcard = fc.string({ unit: fc.constantFrom('a', 'b', '*', '\\*', '\\\\', '.'), maxLength: 6 });
      const text = fc.string({ unit: fc.constantFrom('a', 'b', '*', '\\', '.', '\n'), maxLength: 8 });
      fc.assert(
        fc.property(
          wildcard.filter((w) => validateEventPattern({ f: [{ wildcard: w }] }).ok),
          text,
          (w, t) => {
            expect(matchesEventPattern({ f: [{ wildcard: w }] }, { f: t })).toBe(globMatches(w, t));
          },
        ),
        fuzzParams(),
      );
    },
    fuzzTimeout,
  );

  it(
    'gives the same answer when any value of the event is wrapped in a one-element array',
    () => {
      fc.assert(
        fc.property(caseArb(true), fc.array(fc.nat(), { maxLength: 16 }), ({ pattern, event }, bits) => {
          const root = Object.fromEntries(
            Object.entries(event).map(([key, value]) => [key, wrapped(value, bits)]),
          );
          expect(matchesEventPattern(pattern, root)).toBe(matchesEventPattern(pattern, event));
        }),
        fuzzParams(),
      );
    },
    fuzzTimeout,
  );

  it(
    'matches an array of objects when one element alone matches (exists: false aside, which looks at all)',
    () => {
      const withItems = fc
        .tuple(fc.array(eventArb(true), { minLength: 1, maxLength: 3 }), caseArb(true, false), choicesArb)
        .map(([items, { event, pattern }, choices]) => ({
          items,
          rest: event,
          pattern: { ...pattern, items: patternFrom(items, choices, false) },
        }));
      fc.assert(
        fc.property(withItems, ({ items, rest, pattern }) => {
          const whole = matchesEventPattern(pattern, { ...rest, items });
          const some = items.some((item) => matchesEventPattern(pattern, { ...rest, items: item }));
          expect(whole).toBe(some);
        }),
        fuzzParams(),
      );
    },
    fuzzTimeout,
  );

  it(
    'treats pattern fields as AND, a field’s values as OR and $or as OR of its branches',
    () => {
      fc.assert(
        fc.property(
          caseArb(true),
          caseArb(true),
          matchValueArb(true),
          ({ pattern: p, event: e }, { pattern: q, event: f }, extra) => {
            const matches = (pattern: Json) => matchesEventPattern(pattern, e);
            expect(matches({ $or: [p, q] })).toBe(matches(p) || matches(q));
            expect(matchesEventPattern({ x: p, y: q }, { x: e, y: f })).toBe(
              matches(p) && matchesEventPattern(q, f),
            );
            const [key, rule] = Object.entries(p).find(([k, r]) => k !== '$or' && Array.isArray(r)) ?? [];
            if (key !== undefined && matches(p))
              expect(matches({ ...p, [key]: [...(rule as unknown[]), extra] })).toBe(true);
          },
        ),
        fuzzParams(),
      );
    },
    fuzzTimeout,
  );

  it(
    'accepts every generated pattern, and throws nothing but InvalidEventPatternError on any JSON',
    () => {
      fc.assert(
        fc.property(patternArb(), fc.jsonValue({ maxDepth: 4 }), eventArb(true), (valid, any, event) => {
          expect(validateEventPattern(valid)).toEqual({ ok: true });
          try {
            expect(typeof matchesEventPattern(any, event)).toBe('boolean');
          } catch (error) {
            expect(error).toBeInstanceOf(InvalidEventPatternError);
            expect((error as InvalidEventPatternError).errors.length).toBeGreaterThan(0);
          }
        }),
        fuzzParams(),
      );
    },
    fuzzTimeout,
  );

  it(
    'refuses a pattern with one bad value, naming the JSON path of the field',
    () => {
      const bad = fc.constantFrom<unknown>(
        [],
        {},
        'text',
        7,
        [{ prefx: 'a' }],
        [{ prefix: 'a', suffix: 'b' }],
        [{ numeric: ['<'] }],
        [{ numeric: ['>', 5, '<', 1] }],
        [{ numeric: ['<', '5'] }],
        [{ wildcard: 'a**' }],
        [{ wildcard: 'a\\b' }],
        [{ exists: 'yes' }],
        [{ 'anything-but': [] }],
        [{ 'anything-but': ['a', 1] }],
        [{ 'anything-but': { prefix: '' } }],
        [{ 'anything-but': { numeric: ['<', 1] } }],
        [[1]],
        [{}],
      );
      fc.assert(
        fc.property(patternArb(), fc.constantFrom('a', 'b', 'c'), bad, (pattern, key, value) => {
          const broken = { ...pattern, nested: { [key]: value } };
          const result = validateEventPattern(broken);
          expect(result.ok).toBe(false);
          if (!result.ok)
            expect(result.errors.some((error) => error.startsWith(`nested.${key}: `))).toBe(true);
        }),
        fuzzParams(),
      );
    },
    fuzzTimeout,
  );

  it('does not take exists: true from another element of an array of objects (found by this fuzzer)', () => {
    const pattern = { items: { sku: ['A'], discount: [{ exists: true }] } };
    expect(matchesEventPattern(pattern, { items: [{ sku: 'A' }, { sku: 'B', discount: 5 }] })).toBe(false);
    expect(matchesEventPattern(pattern, { items: [{ sku: 'B' }, { sku: 'A', discount: 5 }] })).toBe(true);
  });
});
