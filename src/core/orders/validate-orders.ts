import { locateJsonError } from '../events/parse-event-batch.js';
import { describeValue } from '../events/validate-event.js';
import { MAX_ORDERS_PER_REQUEST, MAX_RECORD_ID_LENGTH, MAX_REPORTED_PROBLEMS } from './limits.js';
import type { OrderInput, OrderProblem, OrdersValidation } from './types.js';

/** The message of a missing or empty body, word for word as the API promises it. */
export const EMPTY_BODY_MESSAGE = 'Request body is empty';

const FIELDS = ['record_id', 'parameter_1', 'parameter_2'] as const;
/** Problems quoted in the summary message; `problems` has the rest. */
const PROBLEMS_IN_MESSAGE = 5;

/**
 * Validates a `POST /orders` body: a JSON array of 1 to {@link MAX_ORDERS_PER_REQUEST}
 * `{record_id, parameter_1, parameter_2}` objects (string of 1 to 128 characters, string,
 * finite number). The body size is the HTTP edge's business; a leading BOM is ignored.
 *
 * Every problem is reported, by item index and field, not only the first: fields other than the
 * three (refused, as the events schema refuses them, so that a misspelt field is not silently
 * dropped), a value that PostgreSQL text cannot hold (NUL, a lone surrogate), and a `record_id`
 * repeated within the body (naming the item that has it first). An empty or blank body is
 * refused with exactly {@link EMPTY_BODY_MESSAGE}.
 *
 * @example
 * const checked = validateOrdersBody('[{"record_id":"a","parameter_1":"x","parameter_2":4}]');
 * if (checked.ok) checked.orders; // [{ recordId: 'a', parameter1: 'x', parameter2: 4 }]
 */
export function validateOrdersBody(body: string): OrdersValidation {
  const text = body.startsWith('\uFEFF') ? body.slice(1) : body;
  if (text.trim() === '') return refuse(EMPTY_BODY_MESSAGE);
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    const found = locateJsonError(text);
    const where = found
      ? `${found.message} at ${found.line === 1 ? '' : `line ${found.line}, `}column ${found.column} (position ${found.position})`
      : error instanceof Error
        ? error.message.slice(0, 200)
        : String(error);
    return refuse(`Request body is not valid JSON: ${where}`);
  }
  return validateOrders(value);
}

/** As {@link validateOrdersBody}, for a body already parsed from JSON. */
export function validateOrders(value: unknown): OrdersValidation {
  if (!Array.isArray(value)) {
    return refuse(
      `Request body must be a JSON array of orders {record_id, parameter_1, parameter_2}, got ${describeValue(value)}`,
    );
  }
  if (value.length === 0) {
    return refuse(`Request body holds no orders; send 1 to ${MAX_ORDERS_PER_REQUEST}`);
  }
  if (value.length > MAX_ORDERS_PER_REQUEST) {
    return refuse(
      `Request body holds ${value.length} orders; the limit is ${MAX_ORDERS_PER_REQUEST} per request`,
    );
  }
  const problems: OrderProblem[] = [];
  const orders: OrderInput[] = [];
  const firstIndex = new Map<string, number>();
  value.forEach((item, index) => {
    const order = checkItem(item, index, firstIndex, problems);
    if (order) orders.push(order);
  });
  if (problems.length === 0) return { ok: true, orders };
  return refuseItems(problems);
}

function checkItem(
  item: unknown,
  index: number,
  firstIndex: Map<string, number>,
  problems: OrderProblem[],
): OrderInput | undefined {
  if (typeof item !== 'object' || item === null || Array.isArray(item)) {
    problems.push({ index, message: `an order must be a JSON object, got ${describeValue(item)}` });
    return undefined;
  }
  const fields = item as Record<string, unknown>;
  const before = problems.length;
  const problem = (field: string, message: string) => problems.push({ index, field, message });

  const recordId = fields.record_id;
  const idProblem = recordIdProblem(recordId);
  if (idProblem) {
    problem('record_id', idProblem);
  } else {
    const id = recordId as string;
    const first = firstIndex.get(id);
    if (first === undefined) firstIndex.set(id, index);
    else
      problem(
        'record_id',
        `${describeValue(id)} is also the record_id of item ${first}: a record_id may appear once per request`,
      );
  }
  const parameter1Problem = textProblem(fields.parameter_1);
  if (parameter1Problem) problem('parameter_1', parameter1Problem);
  const parameter2Problem = finiteNumberProblem(fields.parameter_2);
  if (parameter2Problem) problem('parameter_2', parameter2Problem);
  for (const key of Object.keys(fields)) {
    if (!(FIELDS as readonly string[]).includes(key))
      problem(key, 'is not an order field; an order has exactly record_id, parameter_1 and parameter_2');
  }
  if (problems.length > before) return undefined;
  return {
    recordId: recordId as string,
    parameter1: fields.parameter_1 as string,
    parameter2: fields.parameter_2 as number,
  };
}

function recordIdProblem(value: unknown): string | undefined {
  const problem = textProblem(value);
  if (problem) return problem;
  const text = value as string;
  if (text === '') return 'must not be empty';
  // Fewer UTF-16 units than the limit means fewer code points too: count only when it may matter.
  const length = text.length > MAX_RECORD_ID_LENGTH ? codePoints(text) : text.length;
  if (length > MAX_RECORD_ID_LENGTH) return `is ${length} characters; the limit is ${MAX_RECORD_ID_LENGTH}`;
  return undefined;
}

/** Why `value` cannot be stored as text, or `undefined` when it can. */
function textProblem(value: unknown): string | undefined {
  if (value === undefined) return 'required';
  if (typeof value !== 'string') return `must be a string, got ${describeValue(value)}`;
  // PostgreSQL text cannot hold U+0000, and a lone surrogate would come back as U+FFFD.
  if (value.includes('\u0000')) return 'contains a NUL character (\\u0000), which cannot be stored';
  if (LONE_SURROGATE.test(value))
    return 'contains a lone surrogate (\\ud800–\\udfff), which is not Unicode text';
  return undefined;
}

function finiteNumberProblem(value: unknown): string | undefined {
  if (value === undefined) return 'required';
  if (typeof value === 'number') {
    return Number.isFinite(value)
      ? undefined
      : `must be a finite number; ${value} is out of range (a JSON number beyond ±1.8e308)`;
  }
  if (typeof value === 'string') return `must be a finite number, got the string ${describeValue(value)}`;
  return `must be a finite number, got ${describeValue(value)}`;
}

const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

function codePoints(text: string): number {
  let count = 0;
  for (const _ of text) count++;
  return count;
}

/** `item 3, parameter_2: must be …`, or the message alone for a problem of the whole body. */
export function describeProblem(problem: OrderProblem): string {
  if (problem.index === undefined) return problem.message;
  return `item ${problem.index}${problem.field === undefined ? '' : `, ${problem.field}`}: ${problem.message}`;
}

function refuse(message: string): OrdersValidation {
  return { ok: false, message, problems: [{ message }], problemCount: 1 };
}

function refuseItems(all: OrderProblem[]): OrdersValidation {
  const count = all.length;
  const quoted = all.slice(0, PROBLEMS_IN_MESSAGE).map(describeProblem).join('; ');
  const unquoted = count - Math.min(count, PROBLEMS_IN_MESSAGE);
  const listed = Math.min(count, MAX_REPORTED_PROBLEMS);
  const rest =
    unquoted === 0
      ? ''
      : `; and ${unquoted} more (${listed < count ? `the first ${listed} are in details` : 'see details'})`;
  const head = count === 1 ? 'Invalid order' : `Invalid orders (${count} problems)`;
  return {
    ok: false,
    message: `${head}: ${quoted}${rest}`,
    problems: all.slice(0, MAX_REPORTED_PROBLEMS),
    problemCount: count,
  };
}
