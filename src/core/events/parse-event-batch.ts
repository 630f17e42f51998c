import { MAX_RECORD_BYTES, MAX_RECORDS_PER_REQUEST, MAX_REQUEST_BYTES, utf8ByteLength } from './limits.js';
import type { BatchError, BatchParseResult, BatchRecord, Reason, RecordPosition } from './types.js';
import { clientNameProblem, describeValue } from './validate-event.js';

export type { BatchError, BatchParseResult, BatchRecord, RecordOutcome, RecordPosition } from './types.js';

/**
 * Splits a producer's request body into records and runs the edge checks on each; the schema
 * itself is checked later, by the stream's consumer.
 *
 * A `json` body is one record (an object) or several (an array, each element re-serialised as
 * its `raw`; `[]` is an empty batch); an `ndjson` body has one record per non-blank line, `\r\n`
 * accepted, blank lines skipped but counted in `line`. A leading BOM is ignored.
 *
 * The request as a whole is refused (`ok: false`) only when it cannot be split: empty, larger
 * than {@link MAX_REQUEST_BYTES}, not JSON (with the position), neither object nor array, or more
 * than {@link MAX_RECORDS_PER_REQUEST} records. Otherwise every record gets its own outcome
 * ({@link classifyRecordText}): one bad record never refuses its neighbours.
 */
export function parseEventBatch(body: string, format: 'json' | 'ndjson'): BatchParseResult {
  const text = body.startsWith('\uFEFF') ? body.slice(1) : body;
  if (text.trim() === '') {
    return refuse('empty_body', 'the body is empty; send a JSON object, a JSON array of objects, or NDJSON');
  }
  if (text.length * 3 > MAX_REQUEST_BYTES) {
    const bytes = utf8ByteLength(text);
    if (bytes > MAX_REQUEST_BYTES) {
      return refuse('body_too_large', `the body is ${bytes} bytes; the limit is ${MAX_REQUEST_BYTES}`);
    }
  }
  return format === 'json' ? parseJsonBody(text) : parseNdjsonBody(text);
}

function parseJsonBody(text: string): BatchParseResult {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    return refuse('invalid_json', `the body is not valid JSON: ${jsonErrorMessage(text, error, 'body')}`);
  }
  if (Array.isArray(value)) {
    if (value.length > MAX_RECORDS_PER_REQUEST) return tooMany(value.length);
    const records = value.map((element, index) =>
      classifyRecordValue(element, JSON.stringify(element), { index }),
    );
    return { ok: true, records };
  }
  if (typeof value === 'object' && value !== null) {
    return { ok: true, records: [classifyRecordValue(value, text, { index: 0 })] };
  }
  return refuse(
    'not_object_or_array',
    `the body must be a JSON object or an array of objects, got ${describeValue(value)}`,
  );
}

function parseNdjsonBody(text: string): BatchParseResult {
  const lines: { line: number; raw: string }[] = [];
  let start = 0;
  for (let line = 1; start <= text.length; line += 1) {
    const end = text.indexOf('\n', start);
    const stop = end === -1 ? text.length : end;
    const raw = text.slice(start, stop > start && text.charCodeAt(stop - 1) === 13 ? stop - 1 : stop);
    if (raw.trim() !== '') lines.push({ line, raw });
    if (end === -1) break;
    start = end + 1;
  }
  if (lines.length > MAX_RECORDS_PER_REQUEST) return tooMany(lines.length);
  return { ok: true, records: lines.map(({ line, raw }, index) => classifyRecordText(raw, { index, line })) };
}

/**
 * The edge checks of one record's text, shared by `POST /events`, the bulk upload and the
 * stream consumer: it must be at most {@link MAX_RECORD_BYTES} UTF-8 bytes, JSON, an object, and
 * carry a valid `Client` (the partition key: without it the record cannot be routed). A record
 * that passes is `ready` to go onto the stream under its `Client`; every problem found is a
 * reason of a `rejected` one.
 */
export function classifyRecordText(raw: string, position: RecordPosition): BatchRecord {
  let value: unknown;
  try {
    value = JSON.parse(raw);
  } catch (error) {
    const reasons = sizeReasons(raw);
    reasons.push({ path: '', message: `not JSON: ${jsonErrorMessage(raw, error, 'record')}` });
    return rejected(raw, position, reasons, undefined);
  }
  return classifyRecordValue(value, raw, position);
}

/** As {@link classifyRecordText}, for a record already parsed; `raw` is its text, whose size counts. */
export function classifyRecordValue(value: unknown, raw: string, position: RecordPosition): BatchRecord {
  const reasons = sizeReasons(raw);
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    reasons.push({ path: '', message: `a record must be a JSON object, got ${describeValue(value)}` });
    return rejected(raw, position, reasons, undefined);
  }
  const record = value as Record<string, unknown>;
  // PostgreSQL text and jsonb cannot hold U+0000: such a record could never be stored.
  const nul = raw.includes('\\u0000') ? pathWithNul(record, '') : undefined;
  if (nul !== undefined)
    reasons.push({ path: nul, message: 'contains a NUL character (\\u0000), which cannot be stored' });
  const problem = clientNameProblem(record.Client);
  if (problem !== undefined) reasons.push({ path: 'Client', message: problem });
  if (reasons.length > 0) return rejected(raw, position, reasons, record);
  return {
    ...position,
    raw,
    outcome: { status: 'ready', value: record, partitionKey: record.Client as string },
  };
}

/** The dotted path of the first string or key holding U+0000, if any. */
function pathWithNul(value: unknown, path: string): string | undefined {
  if (typeof value === 'string') return value.includes('\u0000') ? path : undefined;
  if (typeof value !== 'object' || value === null) return undefined;
  for (const [key, item] of Object.entries(value)) {
    const at = path ? `${path}.${key}` : key;
    if (key.includes('\u0000')) return at;
    const found = pathWithNul(item, at);
    if (found !== undefined) return found;
  }
  return undefined;
}

/** The reason of a record over {@link MAX_RECORD_BYTES}, for paths that never hold its text. */
export function oversizedRecordReason(bytes: number): Reason {
  return { path: '', message: `record is ${bytes} bytes; the limit is ${MAX_RECORD_BYTES}` };
}

function sizeReasons(raw: string): Reason[] {
  if (raw.length * 3 <= MAX_RECORD_BYTES) return [];
  const bytes = utf8ByteLength(raw);
  return bytes > MAX_RECORD_BYTES ? [oversizedRecordReason(bytes)] : [];
}

function rejected(
  raw: string,
  position: RecordPosition,
  reasons: Reason[],
  record: Record<string, unknown> | undefined,
): BatchRecord {
  const client = record?.Client;
  const eventId = record?.ID;
  return {
    ...position,
    raw,
    outcome: {
      status: 'rejected',
      reasons,
      client: typeof client === 'string' ? client : null,
      eventId: typeof eventId === 'string' ? eventId : null,
    },
  };
}

/** Our own account of a JSON syntax error: V8's does not always give the position, and may quote the whole input. */
function jsonErrorMessage(text: string, error: unknown, what: 'body' | 'record'): string {
  const found = locateJsonError(text);
  if (found === undefined) return error instanceof Error ? error.message.slice(0, 200) : String(error);
  const where = found.line === 1 ? `column ${found.column}` : `line ${found.line}, column ${found.column}`;
  return what === 'body'
    ? `${found.message} at ${where} (position ${found.position})`
    : `${found.message} at ${where}`;
}

function tooMany(count: number): BatchParseResult {
  return refuse(
    'too_many_records',
    `the body holds ${count} records; the limit is ${MAX_RECORDS_PER_REQUEST} per request (split the batch, or stream it to /events/bulk)`,
  );
}

function refuse(code: BatchError['code'], message: string): BatchParseResult {
  return { ok: false, error: { code, message } };
}

const WHITESPACE = /[ \t\n\r]*/y;
const NUMBER = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y;
const LITERAL = /true|false|null/y;
const ESCAPE = /\\(?:["\\/bfnrt]|u[0-9a-fA-F]{4})/y;

/**
 * Where `text` stops being JSON (RFC 8259) and what was expected there, or `undefined` if it is
 * JSON. Only run once `JSON.parse` has failed; containers are tracked on a stack, so deep nesting
 * cannot overflow the call stack.
 */
export function locateJsonError(
  text: string,
): { position: number; line: number; column: number; message: string } | undefined {
  const stack: string[] = [];
  // What may come next: a value, a value or `]`, a key, a key or `}`, a `:`, what follows a value.
  let expect: 'value' | 'valueOrEnd' | 'key' | 'keyOrEnd' | 'colon' | 'after' = 'value';
  let i = 0;
  const fail = (position: number, message: string) => {
    const before = text.slice(0, position);
    const line = before.split('\n').length;
    return { position, line, column: position - before.lastIndexOf('\n'), message };
  };
  for (;;) {
    WHITESPACE.lastIndex = i;
    WHITESPACE.test(text);
    i = WHITESPACE.lastIndex;
    const char = text[i];
    if (char === undefined) {
      return expect === 'after' && stack.length === 0 ? undefined : fail(i, 'unexpected end of input');
    }
    const seen = JSON.stringify(char);
    if (expect === 'valueOrEnd' && char === ']') {
      stack.pop();
      i += 1;
      expect = 'after';
    } else if (expect === 'keyOrEnd' && char === '}') {
      stack.pop();
      i += 1;
      expect = 'after';
    } else if (expect === 'value' || expect === 'valueOrEnd') {
      if (char === '[' || char === '{') {
        stack.push(char);
        i += 1;
        expect = char === '[' ? 'valueOrEnd' : 'keyOrEnd';
        continue;
      }
      const end = char === '"' ? scanString(text, i) : scanToken(text, i);
      if (typeof end !== 'number') return fail(end.position, end.message);
      i = end;
      expect = 'after';
    } else if (expect === 'key' || expect === 'keyOrEnd') {
      if (char !== '"') return fail(i, `unexpected ${seen}; expected a double-quoted property name`);
      const end = scanString(text, i);
      if (typeof end !== 'number') return fail(end.position, end.message);
      i = end;
      expect = 'colon';
    } else if (expect === 'colon') {
      if (char !== ':') return fail(i, `unexpected ${seen}; expected ":" after a property name`);
      i += 1;
      expect = 'value';
    } else {
      const open = stack.at(-1);
      if (open === undefined) return fail(i, `unexpected ${seen} after the end of the JSON value`);
      const close = open === '[' ? ']' : '}';
      if (char === ',') expect = open === '[' ? 'value' : 'key';
      else if (char === close) stack.pop();
      else return fail(i, `unexpected ${seen}; expected "," or "${close}"`);
      i += 1;
    }
  }
}

function scanToken(text: string, start: number): number | { position: number; message: string } {
  for (const pattern of [NUMBER, LITERAL]) {
    pattern.lastIndex = start;
    if (pattern.test(text)) return pattern.lastIndex;
  }
  return { position: start, message: `unexpected ${JSON.stringify(text[start])}; expected a value` };
}

/** End of the string starting at `start` (its opening quote), or what is wrong in it. */
function scanString(text: string, start: number): number | { position: number; message: string } {
  for (let i = start + 1; i < text.length; ) {
    const code = text.charCodeAt(i);
    if (code === 34) return i + 1;
    if (code === 92) {
      ESCAPE.lastIndex = i;
      if (!ESCAPE.test(text)) return { position: i, message: 'invalid escape in string' };
      i = ESCAPE.lastIndex;
    } else if (code < 0x20) {
      return { position: i, message: 'unescaped control character in string' };
    } else {
      i += 1;
    }
  }
  return { position: text.length, message: 'unterminated string' };
}
