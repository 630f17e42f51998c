/**
 * Amazon EventBridge event patterns, matched locally with the semantics of the service (and of
 * aws/event-ruler, which implements it): every pattern field must match (AND), the values of one
 * field are alternatives (OR), a field absent from the event fails unless it asks `exists: false`,
 * and when the event holds an array, the field matches if any element does.
 *
 * Two points where the local matcher is exact and event-ruler is famously loose:
 * - a nested pattern over an array of objects must be satisfied by one element, not by fields
 *   picked from different elements;
 * - `exists` looks at leaves only, like the service: a field holding an object or an empty array
 *   does not "exist", and `exists: false` asks that no element of any array along the path has it.
 *
 * @example
 * const rule = { source: ['aws.s3'], detail: { object: { key: [{ suffix: '.csv' }] } } };
 * matchesEventPattern(rule, event); // true for a .csv upload
 */

export type MatchExpression =
  | { prefix: string | { 'equals-ignore-case': string } }
  | { suffix: string | { 'equals-ignore-case': string } }
  | { 'equals-ignore-case': string }
  | { wildcard: string }
  | { exists: boolean }
  | { numeric: readonly (string | number)[] }
  | { 'anything-but': AnythingBut };

type StringsOrOne = string | readonly string[];
export type AnythingBut =
  | string
  | number
  | readonly string[]
  | readonly number[]
  | { prefix: StringsOrOne }
  | { suffix: StringsOrOne }
  | { 'equals-ignore-case': StringsOrOne }
  | { wildcard: StringsOrOne };

export type PatternValue = string | number | boolean | null | MatchExpression;

/** An event pattern: field names mapped to alternatives, nested patterns, or `$or` branches. */
export interface EventPattern {
  readonly [field: string]: readonly PatternValue[] | EventPattern | readonly EventPattern[];
}

export type EventPatternValidation = { ok: true } | { ok: false; errors: string[] };

export class InvalidEventPatternError extends Error {
  constructor(readonly errors: string[]) {
    super(`invalid event pattern: ${errors.join('; ')}`);
    this.name = 'InvalidEventPatternError';
  }
}

type JsonObject = Record<string, unknown>;

const OPERATORS = ['prefix', 'suffix', 'equals-ignore-case', 'anything-but', 'numeric', 'exists', 'wildcard'];
const ANYTHING_BUT_OPERATORS = ['prefix', 'suffix', 'equals-ignore-case', 'wildcard'];
const NUMERIC_OPERATORS = ['=', '<', '<=', '>', '>='];

function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function describe(value: unknown): string {
  if (value === undefined) return 'undefined';
  if (typeof value === 'number' && !Number.isFinite(value)) return String(value);
  const json = JSON.stringify(value) ?? typeof value;
  return json.length > 60 ? `${json.slice(0, 57)}...` : json;
}

function join(path: string, key: string): string {
  return path === '' ? key : `${path}.${key}`;
}

/** Checks a pattern and reports every problem, each prefixed with its JSON path. */
export function validateEventPattern(pattern: unknown): EventPatternValidation {
  const errors: string[] = [];
  validateObject(pattern, '', errors);
  return errors.length === 0 ? { ok: true } : { ok: false, errors };
}

function validateObject(value: unknown, path: string, errors: string[]): void {
  const at = path === '' ? 'pattern' : path;
  if (!isObject(value)) {
    errors.push(`${at}: expected a JSON object, got ${describe(value)}`);
    return;
  }
  const keys = Object.keys(value);
  if (keys.length === 0) errors.push(`${at}: empty objects are not allowed`);
  for (const key of keys) {
    const child = value[key];
    const childPath = join(path, key);
    if (key === '$or') validateOr(child, childPath, errors);
    else if (Array.isArray(child)) validateValues(child, childPath, errors);
    else if (isObject(child)) validateObject(child, childPath, errors);
    else
      errors.push(
        `${childPath}: expected an array of match values or a nested object, got ${describe(child)}`,
      );
  }
}

function validateOr(value: unknown, path: string, errors: string[]): void {
  if (!Array.isArray(value) || value.length < 2) {
    errors.push(`${path}: expected an array of at least 2 patterns, got ${describe(value)}`);
    return;
  }
  value.forEach((branch, index) => {
    validateObject(branch, `${path}[${index}]`, errors);
  });
}

function validateValues(values: readonly unknown[], path: string, errors: string[]): void {
  if (values.length === 0) errors.push(`${path}: empty arrays are not allowed`);
  for (const value of values) {
    if (typeof value === 'string' || typeof value === 'boolean' || value === null) continue;
    if (typeof value === 'number' && Number.isFinite(value)) continue;
    if (isObject(value)) validateExpression(value, path, errors);
    else
      errors.push(
        `${path}: a match value must be a string, number, boolean, null or an operator object, got ${describe(value)}`,
      );
  }
}

function validateExpression(expression: JsonObject, path: string, errors: string[]): void {
  const keys = Object.keys(expression);
  const [operator] = keys;
  if (operator === undefined || keys.length > 1) {
    errors.push(`${path}: an operator object needs exactly one operator, got ${describe(expression)}`);
    return;
  }
  const problem = operatorProblem(operator, expression[operator]);
  if (problem !== undefined) errors.push(`${path}: ${problem}`);
}

function operatorProblem(operator: string, arg: unknown): string | undefined {
  switch (operator) {
    case 'prefix':
    case 'suffix':
      if (typeof arg === 'string') return undefined;
      if (isObject(arg) && Object.keys(arg).length === 1 && typeof arg['equals-ignore-case'] === 'string')
        return undefined;
      return `${operator} expects a string or {"equals-ignore-case": string}, got ${describe(arg)}`;
    case 'equals-ignore-case':
      return typeof arg === 'string'
        ? undefined
        : `equals-ignore-case expects a string, got ${describe(arg)}`;
    case 'wildcard':
      return typeof arg === 'string'
        ? wildcardProblem(arg)
        : `wildcard expects a string, got ${describe(arg)}`;
    case 'exists':
      return typeof arg === 'boolean' ? undefined : `exists expects true or false, got ${describe(arg)}`;
    case 'numeric': {
      const parsed = parseNumeric(arg);
      return typeof parsed === 'string' ? parsed : undefined;
    }
    case 'anything-but':
      return anythingButProblem(arg);
    default: {
      const near = OPERATORS.find((known) => editDistance(known, operator) <= 2);
      return `unknown operator "${operator}"${near === undefined ? '' : ` (did you mean "${near}"?)`}`;
    }
  }
}

function anythingButProblem(arg: unknown): string | undefined {
  if (typeof arg === 'string' || (typeof arg === 'number' && Number.isFinite(arg))) return undefined;
  if (Array.isArray(arg)) {
    const allStrings = arg.every((v) => typeof v === 'string');
    const allNumbers = arg.every((v) => typeof v === 'number' && Number.isFinite(v));
    if (arg.length > 0 && (allStrings || allNumbers)) return undefined;
    return `anything-but list must be non-empty and hold only strings or only numbers, got ${describe(arg)}`;
  }
  if (isObject(arg)) {
    const keys = Object.keys(arg);
    const [inner] = keys;
    if (inner === undefined || keys.length > 1 || !ANYTHING_BUT_OPERATORS.includes(inner)) {
      return `anything-but accepts one of ${ANYTHING_BUT_OPERATORS.join(', ')} inside an object, got ${describe(arg)}`;
    }
    const value = arg[inner];
    const list = Array.isArray(value) ? value : [value];
    if (list.length === 0 || !list.every((v) => typeof v === 'string')) {
      return `anything-but ${inner} expects a string or a non-empty list of strings, got ${describe(value)}`;
    }
    if ((inner === 'prefix' || inner === 'suffix') && list.includes(''))
      return `anything-but ${inner} must not be empty`;
    if (inner === 'wildcard') return list.map((w: string) => wildcardProblem(w)).find((p) => p !== undefined);
    return undefined;
  }
  return `anything-but expects a string, number, list or object, got ${describe(arg)}`;
}

type NumericCondition = readonly [operator: string, bound: number];

/** The conditions of a `numeric` operand, or a message saying why it is malformed. */
function parseNumeric(arg: unknown): NumericCondition[] | string {
  const shape = 'numeric expects ["<op>", number] or [">"|">=", low, "<"|"<=", high]';
  if (!Array.isArray(arg)) return `${shape}, got ${describe(arg)}`;
  const [op1, low, op2, high] = arg;
  const isBound = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);
  if (arg.length === 2 && typeof op1 === 'string' && NUMERIC_OPERATORS.includes(op1) && isBound(low)) {
    return [[op1, low]];
  }
  if (
    arg.length === 4 &&
    (op1 === '>' || op1 === '>=') &&
    (op2 === '<' || op2 === '<=') &&
    isBound(low) &&
    isBound(high)
  ) {
    if (low >= high)
      return `numeric range must have its lower bound below its upper bound, got ${describe(arg)}`;
    return [
      [op1, low],
      [op2, high],
    ];
  }
  return `${shape}, got ${describe(arg)}`;
}

function wildcardProblem(wildcard: string): string | undefined {
  for (let i = 0; i < wildcard.length; i++) {
    const char = wildcard[i];
    if (char === '\\') {
      const next = wildcard[i + 1];
      if (next !== '*' && next !== '\\')
        return `wildcard has an invalid escape at position ${i} (only \\* and \\\\)`;
      i++;
    } else if (char === '*' && wildcard[i + 1] === '*') {
      return `wildcard has consecutive "*" at position ${i}`;
    }
  }
  return undefined;
}

function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      const substitution = (previous[j - 1] ?? 0) + (a[i - 1] === b[j - 1] ? 0 : 1);
      current.push(Math.min((previous[j] ?? 0) + 1, (current[j - 1] ?? 0) + 1, substitution));
    }
    previous = current;
  }
  return previous[b.length] ?? 0;
}

const validPatterns = new WeakSet<object>();

/**
 * Whether `event` matches `pattern`. Throws `InvalidEventPatternError` for a malformed pattern
 * (checked once per pattern object), so a typo in a rule fails loudly instead of matching nothing.
 */
export function matchesEventPattern(pattern: unknown, event: unknown): boolean {
  if (!isObject(pattern) || !validPatterns.has(pattern)) {
    const validation = validateEventPattern(pattern);
    if (!validation.ok) throw new InvalidEventPatternError(validation.errors);
    validPatterns.add(pattern as object);
  }
  return matchObject(pattern as JsonObject, event, { root: event, path: [] });
}

interface Position {
  /** The whole event, for `exists: false`, which is about every array element at once. */
  root: unknown;
  path: readonly string[];
}

function matchObject(pattern: JsonObject, node: unknown, at: Position): boolean {
  for (const [key, rule] of Object.entries(pattern)) {
    if (key === '$or') {
      if (!(rule as JsonObject[]).some((branch) => matchObject(branch, node, at))) return false;
      continue;
    }
    const child = isObject(node) && Object.hasOwn(node, key) ? node[key] : undefined;
    const childAt = { root: at.root, path: [...at.path, key] };
    const matched = Array.isArray(rule)
      ? matchValues(rule, leaves(child), childAt)
      : matchNested(rule as JsonObject, child, childAt);
    if (!matched) return false;
  }
  return true;
}

function matchNested(pattern: JsonObject, child: unknown, at: Position): boolean {
  const elements = objects(child);
  if (elements.length === 0) return matchObject(pattern, undefined, at);
  return elements.some((element) => matchObject(pattern, element, at));
}

/** Leaf values (not objects) held by an event field; arrays, nested or not, are flattened. */
function leaves(value: unknown): unknown[] {
  if (value === undefined || isObject(value)) return [];
  return Array.isArray(value) ? value.flatMap(leaves) : [value];
}

function objects(value: unknown): JsonObject[] {
  if (isObject(value)) return [value];
  return Array.isArray(value) ? value.flatMap(objects) : [];
}

function leavesAtPath(node: unknown, path: readonly string[]): unknown[] {
  if (Array.isArray(node)) return node.flatMap((element) => leavesAtPath(element, path));
  const [head, ...rest] = path;
  if (head === undefined) return leaves(node);
  return isObject(node) && Object.hasOwn(node, head) ? leavesAtPath(node[head], rest) : [];
}

function matchValues(rules: readonly unknown[], values: unknown[], at: Position): boolean {
  return rules.some((rule) => {
    if (!isObject(rule)) return values.some((value) => value === rule);
    const [operator, arg] = Object.entries(rule)[0] as [string, unknown];
    // `exists: true` asks for a leaf in this element, as any other value does; `exists: false`
    // asks that no element of any array along the path has one.
    if (operator === 'exists') return arg ? values.length > 0 : leavesAtPath(at.root, at.path).length === 0;
    return values.some((value) => matchOperator(operator, arg, value));
  });
}

function matchOperator(operator: string, arg: unknown, value: unknown): boolean {
  switch (operator) {
    case 'numeric':
      return (
        typeof value === 'number' && (parseNumeric(arg) as NumericCondition[]).every((c) => compare(value, c))
      );
    case 'anything-but':
      return !anythingButExcludes(arg, value);
    default:
      return typeof value === 'string' && matchString(operator, arg as string | JsonObject, value);
  }
}

function matchString(operator: string, arg: string | JsonObject, value: string): boolean {
  const ignoreCase = typeof arg !== 'string';
  const expected = lower(ignoreCase ? (arg['equals-ignore-case'] as string) : arg, ignoreCase);
  const actual = lower(value, ignoreCase || operator === 'equals-ignore-case');
  switch (operator) {
    case 'prefix':
      return actual.startsWith(expected);
    case 'suffix':
      return actual.endsWith(expected);
    case 'equals-ignore-case':
      return actual === expected.toLowerCase();
    case 'wildcard':
      return wildcardRegExp(expected).test(actual);
    default:
      return false;
  }
}

function lower(text: string, ignoreCase: boolean): string {
  return ignoreCase ? text.toLowerCase() : text;
}

function anythingButExcludes(arg: unknown, value: unknown): boolean {
  if (!isObject(arg)) return (Array.isArray(arg) ? arg : [arg]).includes(value);
  if (typeof value !== 'string') return false;
  const [operator, listed] = Object.entries(arg)[0] as [string, string | string[]];
  const forms = Array.isArray(listed) ? listed : [listed];
  return forms.some((form) => matchString(operator, form, value));
}

function compare(value: number, [operator, bound]: NumericCondition): boolean {
  switch (operator) {
    case '=':
      return value === bound;
    case '<':
      return value < bound;
    case '<=':
      return value <= bound;
    case '>':
      return value > bound;
    default:
      return value >= bound;
  }
}

const wildcardCache = new Map<string, RegExp>();

function wildcardRegExp(wildcard: string): RegExp {
  let regExp = wildcardCache.get(wildcard);
  if (regExp === undefined) {
    const source = wildcard
      .split(/(\\\\|\\\*|\*)/)
      .map((part) => {
        if (part === '*') return '.*';
        const literal = part === '\\\\' ? '\\' : part === '\\*' ? '*' : part;
        return literal.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
      })
      .join('');
    regExp = new RegExp(`^${source}$`, 's');
    wildcardCache.set(wildcard, regExp);
  }
  return regExp;
}
