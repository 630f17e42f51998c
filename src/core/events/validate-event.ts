import { z } from 'zod';
import { fingerprint } from './fingerprint.js';
import type { Reason, ValidationResult } from './types.js';

/**
 * A client name: the stream's partition key and a URL path segment (`/clients/:client/events`),
 * so it is kept to letters, digits, `.`, `_` and `-`, starting with a letter or digit, at most
 * 128 characters. Client registration and the HTTP edge check names with the same pattern.
 */
export const CLIENT_NAME_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;

export function isValidClientName(value: unknown): value is string {
  return typeof value === 'string' && CLIENT_NAME_PATTERN.test(value);
}

/** Why `value` cannot be a record's `Client`, or `undefined` when it can. */
export function clientNameProblem(value: unknown): string | undefined {
  if (value === undefined) return 'required: it is the partition key';
  if (typeof value !== 'string') return `must be a string, got ${describeValue(value)}`;
  if (CLIENT_NAME_PATTERN.test(value)) return undefined;
  return `must be 1 to 128 letters, digits, ".", "_" or "-", starting with a letter or digit, got ${describeValue(value)}`;
}

const ECHO_CHARS = 80;

/** A value as a reason quotes it: strings JSON-quoted and cut to ~80 characters, containers by kind. */
export function describeValue(value: unknown): string {
  if (typeof value === 'string') {
    if (value.length <= ECHO_CHARS) return JSON.stringify(value);
    const cut = isHighSurrogate(value.charCodeAt(ECHO_CHARS - 1)) ? ECHO_CHARS - 1 : ECHO_CHARS;
    return JSON.stringify(`${value.slice(0, cut)}…`);
  }
  if (value === undefined) return 'nothing';
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'object') return 'an object';
  return String(value);
}

function isHighSurrogate(code: number): boolean {
  return code >= 0xd800 && code <= 0xdbff;
}

const RFC3339 =
  /^(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2}):(\d{2})(?:\.(\d+))?(?:[Zz]|([+-])(\d{2}):(\d{2}))$/;
const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

/**
 * Reads an RFC 3339 date-time (`2009-11-10T23:00:00Z`, `2009-11-10T23:00:00.5+02:00`) as epoch
 * milliseconds (fractions beyond milliseconds are cut). The zone is required, as RFC 3339 wants,
 * and the date and time must exist: no February 30, no hour 24. A leap second (`:60`) is refused,
 * since an epoch instant cannot hold it. RFC 3339's optional lowercase `t`/`z` are accepted; a
 * space instead of `T` is not.
 */
export function parseEventTime(text: string): { ok: true; ms: number } | { ok: false; reason: string } {
  const match = RFC3339.exec(text);
  if (match === null) {
    return {
      ok: false,
      reason: `must be an RFC 3339 date-time with a time zone, such as "2009-11-10T23:00:00Z" or "2009-11-10T23:00:00+01:00", got ${describeValue(text)}`,
    };
  }
  const [year, month, day, hour, minute, second] = match.slice(1, 7).map(Number) as number[] as [
    number,
    number,
    number,
    number,
    number,
    number,
  ];
  const leap = year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);
  const days = month === 2 && leap ? 29 : (DAYS_IN_MONTH[month - 1] ?? 0);
  if (month < 1 || month > 12 || day < 1 || day > days) {
    return { ok: false, reason: `not a calendar date, got ${describeValue(text)}` };
  }
  if (hour > 23 || minute > 59 || second > 59) {
    const leapSecond = second === 60 && hour <= 23 && minute <= 59 ? ' (leap seconds are not supported)' : '';
    return { ok: false, reason: `not a time of day${leapSecond}, got ${describeValue(text)}` };
  }
  const offsetHours = Number(match[9] ?? 0);
  const offsetMinutes = Number(match[10] ?? 0);
  if (offsetHours > 23 || offsetMinutes > 59) {
    return { ok: false, reason: `not a time-zone offset, got ${describeValue(text)}` };
  }
  const millis = Number((match[7] ?? '').slice(0, 3).padEnd(3, '0'));
  const date = new Date(Date.UTC(2000, month - 1, day, hour, minute, second, millis));
  date.setUTCFullYear(year); // Date.UTC reads years 0-99 as 1900-1999.
  const sign = match[8] === '-' ? -1 : 1;
  return { ok: true, ms: date.getTime() - sign * (offsetHours * 60 + offsetMinutes) * 60_000 };
}

/** Schema-level zod error: a type-specific message when the field is missing, else the default one. */
function requiredFor(type: string | undefined) {
  return (issue: { input?: unknown }) =>
    type !== undefined && issue.input === undefined ? `required for Type "${type}"` : undefined;
}

/**
 * RFC 9562's shape (version 1 to 8, variant `10xx`), nil and max, in any case. zod's own `uuid`
 * takes the max UUID in lower case only, so `FFFFFFFF-…` would be refused while its lower-case
 * twin, the same ID once lowercased, is stored.
 */
const UUID =
  /^(?:[0-9a-f]{8}-[0-9a-f]{4}-[1-8][0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}|0{8}(?:-0{4}){3}-0{12}|f{8}(?:-f{4}){3}-f{12})$/i;

/** Field schemas shared by the schema versions, with the messages producers see. */
export const eventFields = {
  /** A UUID (RFC 9562 shape, any version, nil and max included), any case. */
  uuid: (options: { requiredFor?: string } = {}) =>
    z
      .string({ error: requiredFor(options.requiredFor) })
      .regex(UUID, { error: (issue) => `must be a UUID, got ${describeValue(issue.input)}` }),
  /** An RFC 3339 date-time with a zone; see {@link parseEventTime}. */
  time: () =>
    z.string().superRefine((text, ctx) => {
      const parsed = parseEventTime(text);
      if (!parsed.ok) ctx.addIssue({ code: 'custom', message: parsed.reason });
    }),
  /** A fraud score: a number from 0 to 100. */
  fraudScore: (options: { requiredFor?: string } = {}) =>
    z.number({ error: requiredFor(options.requiredFor) }).refine((score) => score >= 0 && score <= 100, {
      error: (issue) => `must be from 0 to 100, got ${describeValue(issue.input)}`,
    }),
  /** A client name; see {@link CLIENT_NAME_PATTERN}. */
  client: () =>
    z.string().superRefine((name, ctx) => {
      const problem = clientNameProblem(name);
      if (problem !== undefined) ctx.addIssue({ code: 'custom', message: problem });
    }),
};

/**
 * The per-parse zod error map: producer-facing wording for the issues whose schema gave no
 * message of its own (`undefined` leaves zod's default).
 */
export function issueMessage(issue: z.core.$ZodRawIssue): string | undefined {
  const got = describeValue(issue.input);
  if (issue.input === undefined && (issue.code === 'invalid_type' || issue.code === 'invalid_value')) {
    return 'required';
  }
  switch (issue.code) {
    case 'invalid_type':
      return `must be ${/^[aeiou]/.test(issue.expected) ? 'an' : 'a'} ${issue.expected}, got ${got}`;
    case 'invalid_format':
      return issue.format === 'uuid' ? `must be a UUID, got ${got}` : `must be a ${issue.format}, got ${got}`;
    case 'invalid_value':
      return `must be one of ${issue.values.map((value) => describeValue(value)).join(', ')}, got ${got}`;
    case 'too_small':
      return `must be at least ${String(issue.minimum)}, got ${got}`;
    case 'too_big':
      return `must be at most ${String(issue.maximum)}, got ${got}`;
    default:
      return undefined;
  }
}

/**
 * zod issues as reasons: dotted paths, and one reason per unknown field, naming it and the
 * field it most likely misspells (`keysAt` gives the fields allowed at a path).
 */
export function toReasons(
  issues: readonly z.core.$ZodIssue[],
  keysAt: (path: readonly PropertyKey[]) => string[],
): Reason[] {
  const reasons: Reason[] = [];
  for (const issue of issues) {
    const path = issue.path.map(String).join('.');
    if (issue.code !== 'unrecognized_keys') {
      reasons.push({ path, message: issue.message });
      continue;
    }
    const known = keysAt(issue.path);
    for (const key of issue.keys) {
      const guess = closestKey(key, known);
      const hint = guess !== undefined ? `did you mean "${guess}"?` : `expected one of ${known.join(', ')}`;
      reasons.push({ path: path === '' ? key : `${path}.${key}`, message: `unknown field; ${hint}` });
    }
  }
  return reasons;
}

/** The allowed key that `key` most likely misspells: same letters in another case, or a typo or two. */
function closestKey(key: string, known: readonly string[]): string | undefined {
  const lower = key.toLowerCase();
  const sameCase = known.find((candidate) => candidate.toLowerCase() === lower);
  if (sameCase !== undefined) return sameCase;
  const allowed = Math.max(1, Math.floor(key.length / 3));
  let best: string | undefined;
  let bestDistance = allowed + 1;
  for (const candidate of known) {
    const distance = editDistance(lower, candidate.toLowerCase());
    if (distance < bestDistance) {
      best = candidate;
      bestDistance = distance;
    }
  }
  return best;
}

function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i += 1) {
    const current = [i];
    for (let j = 1; j <= b.length; j += 1) {
      const substitution = (previous[j - 1] ?? 0) + (a[i - 1] === b[j - 1] ? 0 : 1);
      current.push(Math.min(substitution, (previous[j] ?? 0) + 1, (current[j - 1] ?? 0) + 1));
    }
    previous = current;
  }
  return previous[b.length] ?? 0;
}

/** A record already parsed against one schema version, turned into the result the consumer stores. */
export function toValidationResult(
  payload: Record<string, unknown>,
  schemaVersion: string,
  reasons: Reason[],
): ValidationResult {
  if (reasons.length > 0) return { ok: false, reasons };
  const event = payload.Event as Record<string, unknown>;
  const time = String(event.Time);
  const parsedTime = parseEventTime(time);
  if (!parsedTime.ok) return { ok: false, reasons: [{ path: 'Event.Time', message: parsedTime.reason }] };
  const id = String(payload.ID).toLowerCase();
  return {
    ok: true,
    event: {
      id,
      client: String(payload.Client),
      source: String(payload.Source),
      type: String(payload.Type),
      customerId: String(event.CustomerID).toLowerCase(),
      accountId: String(event.AccountID).toLowerCase(),
      time,
      timeMs: parsedTime.ms,
      schemaVersion,
      payload,
      fingerprint: fingerprint({ ...payload, ID: id }),
    },
  };
}
