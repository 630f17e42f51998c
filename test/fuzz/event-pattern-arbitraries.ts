import fc from 'fast-check';
import { isObject } from './event-pattern-reference.js';

/**
 * Events and EventBridge patterns for the pattern fuzzer: random ones over a few keys and small
 * values, and patterns built from an event's own values so that about half of them match.
 */

type Json = Record<string, unknown>;

const KEYS = ['a', 'b', 'c'];
const keyArb = fc.constantFrom(...KEYS);
const textArb = fc.string({ unit: fc.constantFrom('a', 'b', 'A', '*', '\\', '.', 'é', 'É'), maxLength: 3 });
const leafArb = fc.oneof(textArb, fc.integer({ min: -2, max: 2 }), fc.constantFrom(0.5, true, false, null));

/** Events of nested objects and arrays of leaves; with `objectArrays`, arrays of objects too. */
export const eventArb = (objectArrays: boolean) =>
  fc.letrec<{ tree: Json; value: unknown }>((tie) => ({
    tree: fc.dictionary(keyArb, tie('value'), { minKeys: 1, maxKeys: 3 }),
    value: fc.oneof(
      { maxDepth: 2, depthIdentifier: 'event' },
      leafArb,
      fc.array(leafArb, { maxLength: 3 }),
      tie('tree'),
      ...(objectArrays ? [fc.array(tie('tree'), { maxLength: 2 })] : []),
    ),
  })).tree;

const wildcardArb = fc
  .array(fc.constantFrom('a', 'b', '.', '*', '\\*', '\\\\'), { maxLength: 5 })
  .filter((tokens) => !tokens.some((token, i) => token === '*' && tokens[i + 1] === '*'))
  .map((tokens) => tokens.join(''));
const nonEmptyText = textArb.filter((text) => text !== '');
const oneOrMany = <T>(arb: fc.Arbitrary<T>) => fc.oneof(arb, fc.array(arb, { minLength: 1, maxLength: 3 }));
const caseless = fc.record({ 'equals-ignore-case': textArb });

/** Every match value the matcher supports; `exists: false` only when `absent` allows it. */
export const matchValueArb = (absent: boolean) =>
  fc.oneof(
    leafArb,
    fc.record({ prefix: fc.oneof(textArb, caseless) }),
    fc.record({ suffix: fc.oneof(textArb, caseless) }),
    fc.record({ 'equals-ignore-case': textArb }),
    fc.record({ wildcard: wildcardArb }),
    fc.record({ exists: absent ? fc.boolean() : fc.constant(true) }),
    fc.record({
      numeric: fc.oneof(
        fc.tuple(fc.constantFrom('=', '<', '<=', '>', '>='), fc.integer({ min: -2, max: 2 })),
        fc
          .tuple(
            fc.constantFrom('>', '>='),
            fc.integer({ min: -3, max: 1 }),
            fc.constantFrom('<', '<='),
            fc.nat(3),
          )
          .map(([op1, low, op2, span]) => [op1, low, op2, low + span + 1]),
      ),
    }),
    fc.record({
      'anything-but': fc.oneof(
        textArb,
        fc.integer({ min: -2, max: 2 }),
        fc.array(textArb, { minLength: 1, maxLength: 3 }),
        fc.array(fc.integer({ min: -2, max: 2 }), { minLength: 1, maxLength: 3 }),
        fc.record({ prefix: oneOrMany(nonEmptyText) }),
        fc.record({ suffix: oneOrMany(nonEmptyText) }),
        fc.record({ 'equals-ignore-case': oneOrMany(textArb) }),
        fc.record({ wildcard: oneOrMany(wildcardArb) }),
      ),
    }),
  );

/** Valid patterns over the keys events use, with nesting and `$or`. */
export const patternArb = (absent = true) =>
  fc.letrec<{ pattern: Json; rule: unknown }>((tie) => ({
    pattern: fc
      .tuple(
        fc.dictionary(keyArb, tie('rule'), { minKeys: 1, maxKeys: 3 }),
        fc.option(fc.array(tie('pattern'), { minLength: 2, maxLength: 3 }), {
          maxDepth: 2,
          depthIdentifier: 'pattern',
        }),
      )
      .map(([fields, or]) => (or === null ? fields : { ...fields, $or: or })),
    rule: fc.oneof(
      { maxDepth: 2, depthIdentifier: 'pattern' },
      fc.array(matchValueArb(absent), { minLength: 1, maxLength: 3 }),
      tie('pattern'),
    ),
  })).pattern;

/** Every leaf under `value`, objects and arrays included. */
const allLeaves = (value: unknown): unknown[] =>
  Array.isArray(value)
    ? value.flatMap(allLeaves)
    : isObject(value)
      ? Object.values(value).flatMap(allLeaves)
      : [value];

const escapeWildcard = (text: string) => [...text].map((c) => (c === '*' || c === '\\' ? `\\${c}` : c));

/** A source of choices: generated numbers read in turn, so a pattern shrinks with them. */
type Pick = (count: number) => number;
const picker = (numbers: readonly number[]): Pick => {
  let at = 0;
  return (count) =>
    count <= 1 || numbers.length === 0 ? 0 : (numbers[at++ % numbers.length] as number) % count;
};

/** A match value likely to hold for `leaf`: itself, a prefix, another case, a glob, a range... */
function nearValue(leaf: unknown, pick: Pick): unknown {
  if (typeof leaf === 'number') {
    const forms = [
      leaf,
      { numeric: ['=', leaf] },
      { numeric: ['>=', leaf - 1, '<', leaf + 1] },
      { numeric: ['>', leaf - 1] },
    ];
    return [...forms, { exists: true }, { 'anything-but': leaf + 1 }, { 'anything-but': leaf }][pick(7)];
  }
  if (typeof leaf !== 'string') return [leaf, { exists: true }, { 'anything-but': 'a' }][pick(3)];
  const i = pick(leaf.length + 1);
  const j = pick(leaf.length + 1);
  const tokens = escapeWildcard(leaf);
  tokens.splice(Math.min(i, j), Math.abs(i - j), '*');
  const forms = [
    leaf,
    { prefix: leaf.slice(0, i) },
    { suffix: leaf.slice(i) },
    { 'equals-ignore-case': leaf.toUpperCase() },
    { prefix: { 'equals-ignore-case': leaf.slice(0, i).toLowerCase() } },
    { wildcard: tokens.join('') },
    { exists: true },
    { 'anything-but': `${leaf}x` },
    { 'anything-but': { prefix: leaf.slice(0, 1) || 'a' } },
  ];
  return forms[pick(forms.length)];
}

/** Random match values, drawn once: a pattern takes one now and then among its near values. */
const POOL = {
  absent: fc.sample(matchValueArb(true), { numRuns: 300, seed: 7 }),
  present: fc.sample(matchValueArb(false), { numRuns: 300, seed: 7 }),
};

/**
 * A pattern built from `event`'s own fields and values, so that about half match (random
 * patterns almost never do). An array of objects is matched by a pattern built from all its
 * elements' fields at once: the case where one element must carry every field.
 */
export function patternFrom(event: unknown, numbers: readonly number[], absent: boolean): Json {
  const pick = picker(numbers);
  const pool = absent ? POOL.absent : POOL.present;
  const build = (node: unknown, depth: number): Json => {
    const objects = (Array.isArray(node) ? node.flat(3) : [node]).filter(isObject);
    const merged: Json = Object.assign({}, ...objects);
    const pattern: Json = {};
    for (const key of KEYS) {
      const value = merged[key];
      // Mostly fields the event has; now and then one it lacks.
      if (value === undefined ? pick(4) !== 0 : pick(3) === 0) continue;
      if (typeof value === 'object' && value !== null && depth < 2 && pick(2) === 0) {
        pattern[key] = build(value, depth + 1);
        continue;
      }
      const leaves = allLeaves(value).filter((leaf) => leaf !== undefined);
      pattern[key] = Array.from({ length: 1 + pick(2) }, () =>
        leaves.length > 0 && pick(6) !== 0
          ? nearValue(leaves[pick(leaves.length)], pick)
          : pool[pick(pool.length)],
      );
    }
    if (depth === 0 && pick(4) === 0) pattern.$or = [build(node, 1), build(node, 1)];
    return Object.keys(pattern).length > 0 ? pattern : { a: [{ exists: !absent }] };
  };
  return build(event, 0);
}
