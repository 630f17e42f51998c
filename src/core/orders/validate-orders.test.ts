import { describe, expect, it } from 'vitest';
import { MAX_REPORTED_PROBLEMS } from './limits.js';
import type { OrderProblem, OrdersValidation } from './types.js';
import {
  describeProblem,
  EMPTY_BODY_MESSAGE,
  validateOrders,
  validateOrdersBody,
} from './validate-orders.js';

const TWO_ORDERS =
  '[{"record_id":"unique_id_1","parameter_1":"abc","parameter_2":4},{"record_id":"unique_id_2","parameter_1":"def","parameter_2":2.1}]';

const item = (fields: Record<string, unknown> = {}) => ({
  record_id: 'id-1',
  parameter_1: 'abc',
  parameter_2: 4,
  ...fields,
});

function refused(result: OrdersValidation) {
  if (result.ok) throw new Error('expected the body to be refused');
  return result;
}

/** The problems of a body holding one item with these fields changed. */
const problemsOf = (fields: Record<string, unknown>) => refused(validateOrders([item(fields)])).problems;

describe('validateOrdersBody', () => {
  it('accepts the two-order example of the issue', () => {
    expect(validateOrdersBody(TWO_ORDERS)).toEqual({
      ok: true,
      orders: [
        { recordId: 'unique_id_1', parameter1: 'abc', parameter2: 4 },
        { recordId: 'unique_id_2', parameter1: 'def', parameter2: 2.1 },
      ],
    });
  });

  it('accepts the limits themselves: 1 and 1,000 items, a 128-character record_id, an empty parameter_1', () => {
    expect(validateOrders([item()]).ok).toBe(true);
    const thousand = Array.from({ length: 1000 }, (_, i) => item({ record_id: `id-${i}` }));
    expect(validateOrders(thousand).ok).toBe(true);
    expect(validateOrders([item({ record_id: '😀'.repeat(128), parameter_1: '' })]).ok).toBe(true);
    expect(
      validateOrders([item({ parameter_2: -1.5e308 }), item({ record_id: 'b', parameter_2: 0 })]).ok,
    ).toBe(true);
  });

  it.each([
    ['nothing', ''],
    ['blanks', ' \n\t '],
    ['a byte-order mark alone', '\uFEFF'],
  ])('refuses a body of %s with exactly "Request body is empty"', (_, body) => {
    const result = refused(validateOrdersBody(body));
    expect(result.message).toBe('Request body is empty');
    expect(EMPTY_BODY_MESSAGE).toBe('Request body is empty');
    expect(result.problems).toEqual([{ message: 'Request body is empty' }]);
  });

  it('refuses a body that is not JSON, saying where it breaks', () => {
    const result = refused(validateOrdersBody('[{"record_id": "a",]'));
    expect(result.message).toBe(
      'Request body is not valid JSON: unexpected "]"; expected a double-quoted property name at column 20 (position 19)',
    );
    expect(result.problems).toHaveLength(1);
    expect(refused(validateOrdersBody('[{"a":1},\n{')).message).toMatch(/line 2, column 2/);
  });

  it.each([
    [
      'an object',
      '{"record_id":"a","parameter_1":"x","parameter_2":1}',
      /must be a JSON array of orders.*got an object/,
    ],
    ['a string', '"orders"', /got "orders"/],
    ['null', 'null', /got null/],
    ['no items', '[]', /holds no orders; send 1 to 1000/],
  ])('refuses %s instead of an array of orders', (_, body, message) => {
    const result = refused(validateOrdersBody(body));
    expect(result.message).toMatch(message);
    expect(result.problems).toEqual([{ message: result.message }]);
  });

  it('refuses 1,001 items without checking each', () => {
    const result = refused(validateOrders(Array.from({ length: 1001 }, () => 42)));
    expect(result.message).toBe('Request body holds 1001 orders; the limit is 1000 per request');
    expect(result.problemCount).toBe(1);
  });
});

describe('validateOrders: each item', () => {
  it('names a missing field by index and field', () => {
    const result = refused(validateOrders([item(), { parameter_1: 'x' }]));
    expect(result.problems).toEqual([
      { index: 1, field: 'record_id', message: 'required' },
      { index: 1, field: 'parameter_2', message: 'required' },
    ]);
    expect(result.message).toBe(
      'Invalid orders (2 problems): item 1, record_id: required; item 1, parameter_2: required',
    );
  });

  it('names each field of the wrong type', () => {
    expect(problemsOf({ record_id: 7, parameter_1: ['x'], parameter_2: true })).toEqual([
      { index: 0, field: 'record_id', message: 'must be a string, got 7' },
      { index: 0, field: 'parameter_1', message: 'must be a string, got an array' },
      { index: 0, field: 'parameter_2', message: 'must be a finite number, got true' },
    ]);
    expect(problemsOf({ parameter_2: '4' })).toEqual([
      { index: 0, field: 'parameter_2', message: 'must be a finite number, got the string "4"' },
    ]);
    expect(problemsOf({ parameter_2: null })[0]?.message).toBe('must be a finite number, got null');
  });

  it('refuses "NaN" and a number that JSON.parse turns into Infinity', () => {
    expect(problemsOf({ parameter_2: 'NaN' })).toEqual([
      { index: 0, field: 'parameter_2', message: 'must be a finite number, got the string "NaN"' },
    ]);
    const overflow = refused(
      validateOrdersBody(
        '[{"record_id":"a","parameter_1":"x","parameter_2":1e999},{"record_id":"b","parameter_1":"x","parameter_2":-1e999}]',
      ),
    );
    expect(overflow.problems.map((p) => [p.index, p.field])).toEqual([
      [0, 'parameter_2'],
      [1, 'parameter_2'],
    ]);
    expect(overflow.problems[0]?.message).toMatch(/must be a finite number; Infinity is out of range/);
    expect(overflow.problems[1]?.message).toMatch(/-Infinity is out of range/);
  });

  it('refuses an empty record_id and one over 128 characters', () => {
    expect(problemsOf({ record_id: '' })).toEqual([
      { index: 0, field: 'record_id', message: 'must not be empty' },
    ]);
    expect(problemsOf({ record_id: 'x'.repeat(129) })[0]?.message).toBe(
      'is 129 characters; the limit is 128',
    );
    expect(problemsOf({ record_id: '😀'.repeat(129) })[0]?.message).toBe(
      'is 129 characters; the limit is 128',
    );
  });

  it('refuses a record_id repeated within the request, naming both items', () => {
    const result = refused(
      validateOrders([
        item({ record_id: 'a' }),
        item({ record_id: 'b' }),
        item({ record_id: 'a' }),
        item({ record_id: 'a' }),
      ]),
    );
    expect(result.problems).toEqual([
      {
        index: 2,
        field: 'record_id',
        message: '"a" is also the record_id of item 0: a record_id may appear once per request',
      },
      {
        index: 3,
        field: 'record_id',
        message: '"a" is also the record_id of item 0: a record_id may appear once per request',
      },
    ]);
    expect(result.message).toMatch(/item 2, record_id: "a" is also the record_id of item 0/);
  });

  it('refuses fields other than the three', () => {
    expect(problemsOf({ Parameter_2: 1, note: 'x' })).toEqual([
      { index: 0, field: 'Parameter_2', message: expect.stringMatching(/not an order field/) },
      {
        index: 0,
        field: 'note',
        message: expect.stringMatching(/exactly record_id, parameter_1 and parameter_2/),
      },
    ]);
  });

  it('refuses an item that is not an object', () => {
    const result = refused(validateOrders([item(), null, [1], 'x']));
    expect(result.problems).toEqual([
      { index: 1, message: 'an order must be a JSON object, got null' },
      { index: 2, message: 'an order must be a JSON object, got an array' },
      { index: 3, message: 'an order must be a JSON object, got "x"' },
    ]);
  });

  it('refuses text PostgreSQL cannot hold as sent: NUL and lone surrogates', () => {
    const result = refused(
      validateOrdersBody('[{"record_id":"a\\u0000","parameter_1":"\\ud800x","parameter_2":1}]'),
    );
    expect(result.problems.map((p) => [p.field, p.message])).toEqual([
      ['record_id', expect.stringMatching(/NUL/)],
      ['parameter_1', expect.stringMatching(/lone surrogate/)],
    ]);
    expect(validateOrders([item({ parameter_1: '\ud83d\ude00' })]).ok).toBe(true);
  });

  it('reports every problem of every item, listing the first 100 and counting the rest', () => {
    const items = Array.from({ length: 300 }, (_, i) => ({ record_id: `id-${i}`, parameter_1: i }));
    const result = refused(validateOrders(items));
    expect(result.problemCount).toBe(600);
    expect(result.problems).toHaveLength(MAX_REPORTED_PROBLEMS);
    expect(result.problems.slice(0, 2)).toEqual([
      { index: 0, field: 'parameter_1', message: 'must be a string, got 0' },
      { index: 0, field: 'parameter_2', message: 'required' },
    ]);
    expect(result.message).toMatch(
      /^Invalid orders \(600 problems\): item 0, parameter_1: must be a string, got 0; /,
    );
    expect(result.message).toMatch(/; and 595 more \(the first 100 are in details\)$/);
  });

  it('quotes one problem alone in the message', () => {
    const result = refused(validateOrders([item(), item({ record_id: 'b', parameter_2: 'NaN' })]));
    expect(result.message).toBe(
      'Invalid order: item 1, parameter_2: must be a finite number, got the string "NaN"',
    );
  });
});

describe('describeProblem', () => {
  it('says where the problem is when it concerns an item', () => {
    const problems: OrderProblem[] = [
      { index: 3, field: 'parameter_2', message: 'required' },
      { index: 4, message: 'an order must be a JSON object, got 1' },
      { message: 'Request body is empty' },
    ];
    expect(problems.map(describeProblem)).toEqual([
      'item 3, parameter_2: required',
      'item 4: an order must be a JSON object, got 1',
      'Request body is empty',
    ]);
  });
});
