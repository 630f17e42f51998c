import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MAX_ORDERS_PER_REQUEST, MAX_RECORD_ID_LENGTH } from '../../src/core/orders/limits.js';
import type { OrderInput } from '../../src/core/orders/types.js';
import { EMPTY_BODY_MESSAGE, validateOrdersBody } from '../../src/core/orders/validate-orders.js';
import { fuzzParams, fuzzTimeout } from './settings.js';

/** `POST /orders` bodies (DESIGN.md "orders"): `[{record_id, parameter_1, parameter_2}]`, 1 to 1,000. */

/** Text PostgreSQL can store: any code points but NUL, so no lone surrogate either. */
const storableText = (constraints: fc.StringConstraints) =>
  fc.string({ unit: 'binary', ...constraints }).filter((text) => !text.includes('\u0000'));

const orderArb = fc.record({
  record_id: storableText({ minLength: 1, maxLength: MAX_RECORD_ID_LENGTH }),
  parameter_1: storableText({ maxLength: 20 }),
  parameter_2: fc.double({ noNaN: true, noDefaultInfinity: true }),
});

const ordersArb = fc.uniqueArray(orderArb, {
  minLength: 1,
  maxLength: 30,
  selector: (order) => order.record_id,
});

/** The body as a producer may lay it out: compact or indented, with or without a BOM. */
const layoutArb = fc.record({ indent: fc.constantFrom(0, 2), bom: fc.boolean() });
const write = (value: unknown, { indent, bom }: { indent: number; bom: boolean }) =>
  (bom ? '\uFEFF' : '') + JSON.stringify(value, null, indent);

/** One way to break item `index`: the field its problem must name, and the item that has it. */
type Breakage = {
  field: string | undefined;
  apply: (orders: Record<string, unknown>[], index: number) => number | undefined;
};

const setField = (field: string, value: unknown): Breakage => ({
  field,
  apply: (orders, index) => {
    // Defined, not assigned, so that `__proto__` is an own field as JSON.parse makes it.
    Object.defineProperty(orders[index], field, {
      value,
      enumerable: true,
      writable: true,
      configurable: true,
    });
    return index;
  },
});
const dropField = (field: string): Breakage => ({
  field,
  apply: (orders, index) => {
    delete orders[index]?.[field];
    return index;
  },
});
/** Item `index` takes another item's record_id: the later of the two is the one refused. */
const duplicate: Breakage = {
  field: 'record_id',
  apply: (orders, index) => {
    const other = index === 0 ? 1 : 0;
    if (orders[other] === undefined) return undefined;
    (orders[index] as Record<string, unknown>).record_id = orders[other].record_id;
    return Math.max(index, other);
  },
};
const notAnObject = (value: unknown): Breakage => ({
  field: undefined,
  apply: (orders, index) => {
    (orders as unknown[])[index] = value;
    return index;
  },
});

const breakageArb: fc.Arbitrary<Breakage> = fc.oneof(
  fc.constantFrom('record_id', 'parameter_1', 'parameter_2').map(dropField),
  fc
    .constantFrom('', 'x'.repeat(129), '😀'.repeat(129), 'a\u0000b', 'lone\ud800', '\udc00', 7, null, ['a'])
    .map((value) => setField('record_id', value)),
  fc.constantFrom('a\u0000', '\ud83d', 1, null, true, {}).map((value) => setField('parameter_1', value)),
  fc.constantFrom('1', '', null, true, [], {}).map((value) => setField('parameter_2', value)),
  fc.constantFrom('record-id', 'Parameter_1', 'extra', '__proto__').map((key) => setField(key, 1)),
  fc.constant(duplicate),
  fc.constantFrom(null, 'order', 3, []).map(notAnObject),
);

const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

describe('validateOrdersBody (fuzz)', () => {
  it(
    'reads every valid body back as its orders, fields as sent',
    () => {
      fc.assert(
        fc.property(ordersArb, layoutArb, (orders, layout) => {
          const expected: OrderInput[] = orders.map((order) => ({
            recordId: order.record_id,
            parameter1: order.parameter_1,
            // JSON has no -0: it comes back as 0.
            parameter2: order.parameter_2 === 0 ? 0 : order.parameter_2,
          }));
          expect(validateOrdersBody(write(orders, layout))).toEqual({ ok: true, orders: expected });
        }),
        fuzzParams(),
      );
    },
    fuzzTimeout,
  );

  it(
    'refuses a body with one broken item, naming the item and the field',
    () => {
      fc.assert(
        fc.property(ordersArb, fc.nat(), breakageArb, layoutArb, (orders, pick, breakage, layout) => {
          const index = pick % orders.length;
          const body: Record<string, unknown>[] = orders.map((order) => ({ ...order }));
          const item = breakage.apply(body, index);
          fc.pre(item !== undefined);
          const checked = validateOrdersBody(write(body, layout));
          expect(checked.ok).toBe(false);
          if (checked.ok) return;
          const where = breakage.field === undefined ? {} : { field: breakage.field };
          expect(checked.problems).toContainEqual({ index: item, ...where, message: expect.any(String) });
          expect(checked.message).toMatch(new RegExp(`item ${item}\\b`));
          expect(checked.problemCount).toBe(checked.problems.length);
        }),
        fuzzParams(),
      );
    },
    fuzzTimeout,
  );

  it(
    'never throws on any body, and accepts only what it can store',
    () => {
      const bodyArb = fc.oneof(
        fc.string({ maxLength: 60 }),
        fc.json({ maxDepth: 3 }),
        fc
          .array(
            fc.dictionary(
              fc.constantFrom('record_id', 'parameter_1', 'parameter_2', 'x'),
              fc.jsonValue({ maxDepth: 1 }),
            ),
            { maxLength: 4 },
          )
          .map((v) => JSON.stringify(v)),
        fc.constantFrom(
          '',
          '   ',
          '\uFEFF',
          '[]',
          `[${Array(MAX_ORDERS_PER_REQUEST + 1)
            .fill('{}')
            .join(',')}]`,
        ),
      );
      fc.assert(
        fc.property(bodyArb, (body) => {
          const checked = validateOrdersBody(body);
          if (!checked.ok) {
            expect(checked.message).toMatch(/\S/);
            if (body.replace(/^\uFEFF/, '').trim() === '') expect(checked.message).toBe(EMPTY_BODY_MESSAGE);
            return;
          }
          const ids = new Set<string>();
          for (const order of checked.orders) {
            expect(order.recordId.length).toBeGreaterThan(0);
            expect([...order.recordId].length).toBeLessThanOrEqual(MAX_RECORD_ID_LENGTH);
            expect(LONE_SURROGATE.test(order.recordId) || LONE_SURROGATE.test(order.parameter1)).toBe(false);
            expect(`${order.recordId}${order.parameter1}`.includes('\u0000')).toBe(false);
            expect(Number.isFinite(order.parameter2)).toBe(true);
            expect(ids.has(order.recordId)).toBe(false);
            ids.add(order.recordId);
          }
          expect(checked.orders.length).toBeGreaterThan(0);
          expect(checked.orders.length).toBeLessThanOrEqual(MAX_ORDERS_PER_REQUEST);
        }),
        fuzzParams(),
      );
    },
    fuzzTimeout,
  );
});
