import { InvalidCursorError } from '../../ports/events-repository.js';

const CURSOR_SHAPE = /^[A-Za-z0-9_-]{1,64}$/;

/**
 * A position in an orders listing, the same on every backend: the base64url of `{"o": seq}`.
 * Opaque to callers; an edited one is refused or harmless.
 */
export function orderCursor(seq: number): string {
  return Buffer.from(JSON.stringify({ o: seq })).toString('base64url');
}

/** The sequence number of an orders cursor; anything else is an `InvalidCursorError`. */
export function readOrderCursor(cursor: string): number {
  let body: unknown;
  try {
    body = CURSOR_SHAPE.test(cursor)
      ? JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'))
      : undefined;
  } catch {
    body = undefined;
  }
  const seq = (body as { o?: unknown } | undefined)?.o;
  if (typeof body !== 'object' || body === null || !Number.isSafeInteger(seq) || (seq as number) < 1)
    throw new InvalidCursorError(cursor, 'not an orders cursor');
  return seq as number;
}
