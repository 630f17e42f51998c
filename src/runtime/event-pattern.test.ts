import { describe, expect, it } from 'vitest';
import {
  type EventPattern,
  InvalidEventPatternError,
  matchesEventPattern,
  validateEventPattern,
} from './event-pattern.js';

const s3Created = (bucket: string, key: string, size = 120) => ({
  version: '0',
  id: '17793124-05d4-b198-2fde-7ededc63b103',
  'detail-type': 'Object Created',
  source: 'aws.s3',
  account: '000000000000',
  time: '2026-07-01T10:00:00Z',
  region: 'us-east-1',
  resources: [`arn:aws:s3:::${bucket}`],
  detail: {
    version: '0',
    bucket: { name: bucket },
    object: { key, size, etag: 'b1946ac92492d2347c6235b4d2611184' },
    reason: 'PutObject',
  },
});

const csvInTransactions: EventPattern = {
  source: ['aws.s3'],
  'detail-type': ['Object Created'],
  detail: { bucket: { name: ['transactions'] }, object: { key: [{ suffix: '.csv' }] } },
};

const field = (value: unknown) => ({ detail: { value } });
const on = (rules: unknown[]) => ({ detail: { value: rules } });

describe('matchesEventPattern with S3 "Object Created" events', () => {
  it('matches a .csv landing in the transactions bucket', () => {
    expect(matchesEventPattern(csvInTransactions, s3Created('transactions', 'accounts/7/july.csv'))).toBe(
      true,
    );
  });

  it('ignores a .csv in another bucket', () => {
    expect(matchesEventPattern(csvInTransactions, s3Created('landing', 'july.csv'))).toBe(false);
  });

  it('ignores another file type in the transactions bucket', () => {
    expect(matchesEventPattern(csvInTransactions, s3Created('transactions', 'july.csv.txt'))).toBe(false);
  });

  it('ignores an event of another detail-type', () => {
    const deleted = { ...s3Created('transactions', 'july.csv'), 'detail-type': 'Object Deleted' };
    expect(matchesEventPattern(csvInTransactions, deleted)).toBe(false);
  });

  it('combines a key prefix and a size range on the same object', () => {
    const pattern = {
      detail: { object: { key: [{ prefix: 'stage/' }], size: [{ numeric: ['>', 0, '<=', 1024] }] } },
    };
    expect(matchesEventPattern(pattern, s3Created('landing', 'stage/jobs.csv', 512))).toBe(true);
    expect(matchesEventPattern(pattern, s3Created('landing', 'stage/jobs.csv', 4096))).toBe(false);
    expect(matchesEventPattern(pattern, s3Created('landing', 'processed/jobs.csv', 512))).toBe(false);
  });
});

describe('exact values', () => {
  it.each([
    ['a string', 'Monday', 'Monday'],
    ['a number', 42, 42],
    ['a number written differently', 300, 3.0e2],
    ['true', true, true],
    ['false', false, false],
    ['null', null, null],
    ['the empty string', '', ''],
  ])('matches %s', (_name, rule, value) => {
    expect(matchesEventPattern(on([rule]), field(value))).toBe(true);
  });

  it.each([
    ['case differs', 'Monday', 'monday'],
    ['a string against a number', '42', 42],
    ['a number against a string', 42, '42'],
    ['true against "true"', true, 'true'],
    ['null against the empty string', null, ''],
    ['the empty string against null', '', null],
  ])('does not match when %s', (_name, rule, value) => {
    expect(matchesEventPattern(on([rule]), field(value))).toBe(false);
  });

  it('matches when any value of the pattern list matches', () => {
    expect(matchesEventPattern({ source: ['aws.ec2', 'aws.s3'] }, { source: 'aws.s3' })).toBe(true);
    expect(matchesEventPattern({ source: ['aws.ec2', 'aws.sqs'] }, { source: 'aws.s3' })).toBe(false);
  });

  it('matches an event array when any element matches', () => {
    const pattern = { resources: ['arn:aws:s3:::transactions'] };
    expect(
      matchesEventPattern(pattern, { resources: ['arn:aws:s3:::other', 'arn:aws:s3:::transactions'] }),
    ).toBe(true);
    expect(matchesEventPattern(pattern, { resources: ['arn:aws:s3:::other'] })).toBe(false);
    expect(matchesEventPattern(pattern, { resources: [] })).toBe(false);
  });

  it('fails when a pattern field is missing from the event', () => {
    expect(matchesEventPattern({ source: ['aws.s3'], region: ['eu-west-1'] }, { source: 'aws.s3' })).toBe(
      false,
    );
  });

  it('does not treat a null pattern value as an absent field', () => {
    expect(matchesEventPattern(on([null]), { detail: {} })).toBe(false);
  });

  it('ignores event fields the pattern does not mention', () => {
    expect(matchesEventPattern({ source: ['a'] }, { source: 'a', extra: { deep: [1, 2] } })).toBe(true);
  });

  it('does not read inherited properties as event fields', () => {
    expect(matchesEventPattern({ constructor: [{ exists: true }] }, {})).toBe(false);
  });
});

describe('nested objects', () => {
  const pattern = { detail: { a: { b: { c: { d: ['deep'] } } } } };

  it('matches fields at any depth', () => {
    expect(matchesEventPattern(pattern, { detail: { a: { b: { c: { d: 'deep', e: 1 } } } } })).toBe(true);
  });

  it('does not match when the nesting differs', () => {
    expect(matchesEventPattern(pattern, { detail: { a: { b: { d: 'deep' } } } })).toBe(false);
    expect(matchesEventPattern(pattern, { detail: { a: 'deep' } })).toBe(false);
  });

  it('matches a nested pattern against an element of an array of objects', () => {
    const items = { detail: { items: { sku: ['B'], qty: [{ numeric: ['>=', 2] }] } } };
    expect(
      matchesEventPattern(items, {
        detail: {
          items: [
            { sku: 'A', qty: 1 },
            { sku: 'B', qty: 3 },
          ],
        },
      }),
    ).toBe(true);
  });

  it('does not combine fields from different array elements', () => {
    const items = { detail: { items: { sku: ['B'], qty: [{ numeric: ['>=', 2] }] } } };
    expect(
      matchesEventPattern(items, {
        detail: {
          items: [
            { sku: 'A', qty: 3 },
            { sku: 'B', qty: 1 },
          ],
        },
      }),
    ).toBe(false);
  });

  it('does not match a leaf rule against an object', () => {
    expect(matchesEventPattern({ detail: ['x'] }, { detail: { x: 1 } })).toBe(false);
  });
});

describe('prefix and suffix', () => {
  it.each([
    [{ prefix: 'us-' }, 'us-east-1', true],
    [{ prefix: 'us-' }, 'eu-west-1', false],
    [{ prefix: 'us-' }, 'US-east-1', false],
    [{ prefix: { 'equals-ignore-case': 'EventB' } }, 'eventbridge', true],
    [{ prefix: { 'equals-ignore-case': 'EventB' } }, 'EVENTBRIDGE', true],
    [{ prefix: { 'equals-ignore-case': 'EventB' } }, 'sqs', false],
    [{ suffix: '.png' }, 'photo.png', true],
    [{ suffix: '.png' }, 'photo.PNG', false],
    [{ suffix: '.png' }, 'photo.png.txt', false],
    [{ suffix: { 'equals-ignore-case': '.png' } }, 'photo.PNG', true],
    [{ suffix: { 'equals-ignore-case': '.png' } }, 'photo.jpg', false],
    [{ prefix: '' }, 'anything', true],
  ])('%j against %j gives %s', (rule, value, expected) => {
    expect(matchesEventPattern(on([rule]), field(value))).toBe(expected);
  });

  it('only matches strings', () => {
    expect(matchesEventPattern(on([{ prefix: '12' }]), field(123))).toBe(false);
    expect(matchesEventPattern(on([{ suffix: 'e' }]), field(true))).toBe(false);
  });

  it('matches any element of an event array', () => {
    expect(matchesEventPattern(on([{ suffix: '.csv' }]), field(['a.txt', 'b.csv']))).toBe(true);
    expect(matchesEventPattern(on([{ suffix: '.csv' }]), field(['a.txt', 'b.json']))).toBe(false);
  });
});

describe('equals-ignore-case', () => {
  it('matches regardless of case', () => {
    expect(matchesEventPattern(on([{ 'equals-ignore-case': 'alice' }]), field('ALICE'))).toBe(true);
    expect(matchesEventPattern(on([{ 'equals-ignore-case': 'ALICE' }]), field('alice'))).toBe(true);
  });

  it('does not match other strings or non-strings', () => {
    expect(matchesEventPattern(on([{ 'equals-ignore-case': 'alice' }]), field('alicia'))).toBe(false);
    expect(matchesEventPattern(on([{ 'equals-ignore-case': 'true' }]), field(true))).toBe(false);
  });
});

describe('anything-but', () => {
  it.each([
    ['a single string', 'initializing', 'running', true],
    ['a single string', 'initializing', 'initializing', false],
    ['a single number', 123, 124, true],
    ['a single number', 123, 123, false],
    ['a list of strings', ['stopped', 'overloaded'], 'running', true],
    ['a list of strings', ['stopped', 'overloaded'], 'stopped', false],
    ['a list of numbers', [100, 200], 300, true],
    ['a list of numbers', [100, 200], 200, false],
    ['a prefix', { prefix: 'init' }, 'running', true],
    ['a prefix', { prefix: 'init' }, 'initializing', false],
    ['a list of prefixes', { prefix: ['init', 'stop'] }, 'stopping', false],
    ['a suffix', { suffix: '.png' }, 'a.jpg', true],
    ['a suffix', { suffix: '.png' }, 'a.png', false],
    ['an ignore-case value', { 'equals-ignore-case': 'initializing' }, 'INITIALIZING', false],
    ['an ignore-case value', { 'equals-ignore-case': 'initializing' }, 'running', true],
    ['a wildcard', { wildcard: '*/lib/*' }, 'src/lib/x.ts', false],
    ['a wildcard', { wildcard: '*/lib/*' }, 'src/bin/x.ts', true],
  ])('with %s (%j) on %j gives %s', (_name, arg, value, expected) => {
    expect(matchesEventPattern(on([{ 'anything-but': arg }]), field(value))).toBe(expected);
  });

  it('matches values of another type, which are never excluded', () => {
    expect(matchesEventPattern(on([{ 'anything-but': '123' }]), field(123))).toBe(true);
    expect(matchesEventPattern(on([{ 'anything-but': 123 }]), field('123'))).toBe(true);
    expect(matchesEventPattern(on([{ 'anything-but': { prefix: 'us-' } }]), field(5))).toBe(true);
  });

  it('never matches an absent field', () => {
    expect(matchesEventPattern(on([{ 'anything-but': 'x' }]), { detail: {} })).toBe(false);
  });

  it('matches an event array when any element is not excluded', () => {
    expect(matchesEventPattern(on([{ 'anything-but': 'a' }]), field(['a', 'b']))).toBe(true);
    expect(matchesEventPattern(on([{ 'anything-but': 'a' }]), field(['a', 'a']))).toBe(false);
  });
});

describe('numeric', () => {
  it.each([
    [['>', 0, '<=', 5], 5, true],
    [['>', 0, '<=', 5], 0, false],
    [['>', 0, '<=', 5], 5.01, false],
    [['>=', 0, '<', 5], 0, true],
    [['>=', 0, '<', 5], 5, false],
    [['=', 301.8], 301.8, true],
    [['=', 301.8], 301.9, false],
    [['<', 10], -3, true],
    [['<', 10], 10, false],
    [['<=', 10], 10, true],
    [['>', 10], 10, false],
    [['>=', 10], 10, true],
  ])('%j against %d gives %s', (range, value, expected) => {
    expect(matchesEventPattern(on([{ numeric: range }]), field(value))).toBe(expected);
  });

  it('compares numbers only, never numeric strings', () => {
    expect(matchesEventPattern(on([{ numeric: ['>', 0] }]), field('5'))).toBe(false);
    expect(matchesEventPattern(on([{ numeric: ['>', 0] }]), field(null))).toBe(false);
  });

  it('matches an event array when any element is in range', () => {
    expect(matchesEventPattern(on([{ numeric: ['>', 10] }]), field([1, 2, 30]))).toBe(true);
    expect(matchesEventPattern(on([{ numeric: ['>', 10] }]), field([1, 2, 3]))).toBe(false);
  });
});

describe('exists', () => {
  it('exists: true matches a present leaf, including null and the empty string', () => {
    for (const value of ['x', '', 0, false, null, ['x']]) {
      expect(matchesEventPattern(on([{ exists: true }]), field(value))).toBe(true);
    }
  });

  it('exists: true does not match an absent field, an object or an empty array', () => {
    expect(matchesEventPattern(on([{ exists: true }]), { detail: {} })).toBe(false);
    expect(matchesEventPattern(on([{ exists: true }]), field({ nested: 1 }))).toBe(false);
    expect(matchesEventPattern(on([{ exists: true }]), field([]))).toBe(false);
  });

  it('exists: false matches an absent field, also when its parent is absent', () => {
    expect(matchesEventPattern(on([{ exists: false }]), { detail: { other: 1 } })).toBe(true);
    expect(matchesEventPattern(on([{ exists: false }]), { source: 'x' })).toBe(true);
  });

  it('exists: false does not match a present field', () => {
    expect(matchesEventPattern(on([{ exists: false }]), field('x'))).toBe(false);
    expect(matchesEventPattern(on([{ exists: false }]), field(null))).toBe(false);
  });

  it('exists: false fails when any element of an array of objects has the field', () => {
    const pattern = { detail: { items: { discount: [{ exists: false }] } } };
    expect(
      matchesEventPattern(pattern, { detail: { items: [{ sku: 'A' }, { sku: 'B', discount: 5 }] } }),
    ).toBe(false);
    expect(matchesEventPattern(pattern, { detail: { items: [{ sku: 'A' }, { sku: 'B' }] } })).toBe(true);
    expect(matchesEventPattern(pattern, { detail: { items: [] } })).toBe(true);
  });

  it('combines with other values as alternatives', () => {
    const pattern = on([{ exists: false }, 'x']);
    expect(matchesEventPattern(pattern, { detail: {} })).toBe(true);
    expect(matchesEventPattern(pattern, field('x'))).toBe(true);
    expect(matchesEventPattern(pattern, field('y'))).toBe(false);
  });
});

describe('wildcard', () => {
  it.each([
    ['dir/*.png', 'dir/a.png', true],
    ['dir/*.png', 'dir/a.jpg', false],
    ['dir/*.png', 'dir/.png', true],
    ['*/lib/*', 'a/lib/b', true],
    ['*/lib/*', 'a/bin/b', false],
    ['a*c*e', 'abcde', true],
    ['a*c*e', 'abcd', false],
    ['exact', 'exact', true],
    ['exact', 'exactly', false],
    ['file\\*.txt', 'file*.txt', true],
    ['file\\*.txt', 'file1.txt', false],
    ['back\\\\slash', 'back\\slash', true],
    ['a.c', 'abc', false],
    ['*', 'line one\nline two', true],
  ])('%j against %j gives %s', (wildcard, value, expected) => {
    expect(matchesEventPattern(on([{ wildcard }]), field(value))).toBe(expected);
  });

  it('only matches strings', () => {
    expect(matchesEventPattern(on([{ wildcard: '*' }]), field(1))).toBe(false);
  });
});

describe('$or', () => {
  const pattern = {
    source: ['aws.s3'],
    $or: [
      { detail: { object: { key: [{ suffix: '.csv' }] } } },
      { detail: { bucket: { name: ['landing'] } } },
    ],
  };

  it('matches when any branch matches, together with the other fields', () => {
    expect(matchesEventPattern(pattern, s3Created('transactions', 'a.csv'))).toBe(true);
    expect(matchesEventPattern(pattern, s3Created('landing', 'a.txt'))).toBe(true);
  });

  it('does not match when no branch matches or another field fails', () => {
    expect(matchesEventPattern(pattern, s3Created('transactions', 'a.txt'))).toBe(false);
    expect(matchesEventPattern(pattern, { ...s3Created('landing', 'a.csv'), source: 'aws.ec2' })).toBe(false);
  });

  it('works inside nested objects', () => {
    const nested = { detail: { $or: [{ a: [1] }, { b: [{ numeric: ['>', 5] }] }] } };
    expect(matchesEventPattern(nested, { detail: { b: 6 } })).toBe(true);
    expect(matchesEventPattern(nested, { detail: { a: 2, b: 5 } })).toBe(false);
  });
});

describe('validateEventPattern', () => {
  it('accepts every supported form', () => {
    const pattern = {
      source: ['aws.s3', 1, true, null, ''],
      detail: {
        a: [{ prefix: 'x' }, { prefix: { 'equals-ignore-case': 'x' } }, { suffix: 'x' }],
        b: [{ suffix: { 'equals-ignore-case': 'x' } }, { 'equals-ignore-case': 'x' }, { wildcard: 'a*b\\*' }],
        c: [
          { 'anything-but': 'x' },
          { 'anything-but': 1 },
          { 'anything-but': ['x', 'y'] },
          { 'anything-but': [1] },
        ],
        d: [{ 'anything-but': { prefix: 'x' } }, { 'anything-but': { suffix: ['x', 'y'] } }],
        e: [{ 'anything-but': { 'equals-ignore-case': 'x' } }, { 'anything-but': { wildcard: '*x' } }],
        f: [{ numeric: ['>', 0, '<=', 5] }, { numeric: ['=', 3] }, { exists: false }],
        $or: [{ g: ['x'] }, { h: { i: [{ exists: true }] } }],
      },
    };
    expect(validateEventPattern(pattern)).toEqual({ ok: true });
  });

  it('names the JSON path of an unknown operator and suggests the near one', () => {
    const result = validateEventPattern({ detail: { object: { key: [{ sufix: '.csv' }] } } });
    expect(result).toEqual({
      ok: false,
      errors: ['detail.object.key: unknown operator "sufix" (did you mean "suffix"?)'],
    });
  });

  it('reports every error, not just the first', () => {
    const result = validateEventPattern({
      source: 'aws.s3',
      detail: { a: [], b: [{ exists: 'yes' }], c: {} },
      $or: [{ x: ['1'] }],
    });
    expect(result.ok).toBe(false);
    expect(!result.ok && result.errors).toEqual([
      'source: expected an array of match values or a nested object, got "aws.s3"',
      'detail.a: empty arrays are not allowed',
      'detail.b: exists expects true or false, got "yes"',
      'detail.c: empty objects are not allowed',
      '$or: expected an array of at least 2 patterns, got [{"x":["1"]}]',
    ]);
  });

  it.each([
    ['a non-object pattern', ['aws.s3'], 'pattern: expected a JSON object'],
    ['an empty pattern', {}, 'pattern: empty objects are not allowed'],
    ['a nested array', { a: [['x']] }, 'a: a match value must be'],
    ['an undefined value', { a: [undefined] }, 'a: a match value must be'],
    ['a non-finite number', { a: [Number.NaN] }, 'a: a match value must be'],
    ['two operators in one object', { a: [{ prefix: 'x', suffix: 'y' }] }, 'exactly one operator'],
    ['an empty operator object', { a: [{}] }, 'exactly one operator'],
    ['a non-string prefix', { a: [{ prefix: 1 }] }, 'a: prefix expects a string'],
    ['an unsupported prefix option', { a: [{ prefix: { wildcard: 'x' } }] }, 'a: prefix expects a string'],
    ['a non-string suffix', { a: [{ suffix: null }] }, 'a: suffix expects a string'],
    ['a non-string equals-ignore-case', { a: [{ 'equals-ignore-case': 1 }] }, 'equals-ignore-case expects'],
    ['consecutive wildcards', { a: [{ wildcard: 'a**b' }] }, 'consecutive "*" at position 1'],
    ['a bad wildcard escape', { a: [{ wildcard: 'a\\b' }] }, 'invalid escape at position 1'],
    ['a non-string wildcard', { a: [{ wildcard: 1 }] }, 'wildcard expects a string'],
    ['a non-array numeric', { a: [{ numeric: 5 }] }, 'numeric expects'],
    ['an unknown numeric operator', { a: [{ numeric: ['!=', 5] }] }, 'numeric expects'],
    ['a string numeric bound', { a: [{ numeric: ['>', '5'] }] }, 'numeric expects'],
    ['an upper bound first', { a: [{ numeric: ['<', 5, '>', 0] }] }, 'numeric expects'],
    ['an inverted range', { a: [{ numeric: ['>', 5, '<', 1] }] }, 'lower bound below its upper bound'],
    ['too many numeric terms', { a: [{ numeric: ['>', 0, '<', 5, '<', 6] }] }, 'numeric expects'],
    ['a mixed anything-but list', { a: [{ 'anything-but': ['x', 1] }] }, 'only strings or only numbers'],
    ['an empty anything-but list', { a: [{ 'anything-but': [] }] }, 'anything-but list must be non-empty'],
    ['a boolean anything-but', { a: [{ 'anything-but': true }] }, 'anything-but expects'],
    [
      'an unknown anything-but form',
      { a: [{ 'anything-but': { numeric: ['>', 1] } }] },
      'anything-but accepts',
    ],
    ['an empty anything-but prefix', { a: [{ 'anything-but': { prefix: '' } }] }, 'must not be empty'],
    ['a bad anything-but wildcard', { a: [{ 'anything-but': { wildcard: '**' } }] }, 'consecutive "*"'],
    ['a non-boolean exists', { a: [{ exists: 1 }] }, 'exists expects true or false'],
    ['an $or member that is not an object', { $or: [{ a: ['x'] }, 'b'] }, '$or[1]: expected a JSON object'],
    ['an error inside an $or branch', { $or: [{ a: ['x'] }, { b: [] }] }, '$or[1].b: empty arrays'],
    ['an operator the local matcher lacks', { a: [{ cidr: '10.0.0.0/24' }] }, 'unknown operator "cidr"'],
  ])('rejects %s', (_name, pattern, message) => {
    const result = validateEventPattern(pattern);
    expect(result.ok).toBe(false);
    expect(!result.ok && result.errors.join('\n')).toContain(message);
  });

  it('makes matchesEventPattern throw with every error instead of matching nothing', () => {
    const bad = { source: 'aws.s3', detail: { key: [{ sufix: '.csv' }] } };
    let caught: unknown;
    try {
      matchesEventPattern(bad, s3Created('transactions', 'a.csv'));
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(InvalidEventPatternError);
    expect((caught as InvalidEventPatternError).errors).toHaveLength(2);
  });
});
