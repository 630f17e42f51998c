/**
 * A small reference for EventBridge pattern matching over events without arrays of objects
 * (where the service's semantics are plain: a field's leaves, arrays flattened), written by
 * walking paths rather than recursing like the product.
 */

type Json = Record<string, unknown>;

/** A JSON object, not an array or null. */
export const isObject = (value: unknown): value is Json =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** The leaves at `path`: a scalar, or the scalars of an array (nested arrays flattened). */
function leavesAt(event: unknown, path: readonly string[]): unknown[] {
  let node = event;
  for (const key of path) {
    if (!isObject(node) || !Object.hasOwn(node, key)) return [];
    node = node[key];
  }
  const flat = (value: unknown): unknown[] =>
    Array.isArray(value) ? value.flatMap(flat) : isObject(value) || value === undefined ? [] : [value];
  return flat(node);
}

const STAR = Symbol('*');

/** Wildcard matching by memoised search over tokens (`*`, `\*` and `\\` escapes). */
export function globMatches(wildcard: string, text: string): boolean {
  const tokens: (string | typeof STAR)[] = [];
  for (let i = 0; i < wildcard.length; i += 1) {
    const char = wildcard[i] as string;
    if (char === '\\') tokens.push(wildcard[++i] as string);
    else tokens.push(char === '*' ? STAR : char);
  }
  const seen = new Map<number, boolean>();
  const from = (t: number, s: number): boolean => {
    const key = t * (text.length + 1) + s;
    const known = seen.get(key);
    if (known !== undefined) return known;
    const token = tokens[t];
    const result =
      token === undefined
        ? s === text.length
        : token === STAR
          ? from(t + 1, s) || (s < text.length && from(t, s + 1))
          : s < text.length && text[s] === token && from(t + 1, s + 1);
    seen.set(key, result);
    return result;
  };
  return from(0, 0);
}

const fold = (text: string) => text.toUpperCase();

function stringMatches(operator: string, arg: unknown, value: unknown): boolean {
  if (typeof value !== 'string') return false;
  const ignoreCase = isObject(arg);
  const expected = ignoreCase ? (arg['equals-ignore-case'] as string) : (arg as string);
  const [a, e] = ignoreCase ? [fold(value), fold(expected)] : [value, expected];
  if (operator === 'prefix') return a.startsWith(e);
  if (operator === 'suffix') return a.endsWith(e);
  if (operator === 'equals-ignore-case') return fold(value) === fold(expected);
  return globMatches(expected, value);
}

function compare(value: number, operator: string, bound: number): boolean {
  return {
    '=': value === bound,
    '<': value < bound,
    '<=': value <= bound,
    '>': value > bound,
    '>=': value >= bound,
  }[operator] as boolean;
}

function excluded(arg: unknown, value: unknown): boolean {
  if (!isObject(arg)) return (Array.isArray(arg) ? arg : [arg]).includes(value);
  const [operator, listed] = Object.entries(arg)[0] as [string, unknown];
  return (Array.isArray(listed) ? listed : [listed]).some((form) => stringMatches(operator, form, value));
}

function valueMatches(rule: unknown, leaves: unknown[]): boolean {
  if (!isObject(rule)) return leaves.includes(rule);
  const [operator, arg] = Object.entries(rule)[0] as [string, unknown];
  if (operator === 'exists') return leaves.length > 0 === arg;
  if (operator === 'anything-but') return leaves.some((value) => !excluded(arg, value));
  if (operator === 'numeric') {
    const list = arg as (string | number)[];
    const conditions = list.length === 2 ? [list] : [list.slice(0, 2), list.slice(2)];
    return leaves.some(
      (value) =>
        typeof value === 'number' &&
        conditions.every(([op, bound]) => compare(value, op as string, bound as number)),
    );
  }
  return leaves.some((value) => stringMatches(operator, arg, value));
}

/** Whether `event` (no arrays of objects) matches a valid `pattern`. */
export function referenceMatches(pattern: Json, event: unknown, path: readonly string[] = []): boolean {
  return Object.entries(pattern).every(([key, rule]) => {
    if (key === '$or') return (rule as Json[]).some((branch) => referenceMatches(branch, event, path));
    if (Array.isArray(rule))
      return rule.some((value) => valueMatches(value, leavesAt(event, [...path, key])));
    return referenceMatches(rule as Json, event, [...path, key]);
  });
}
