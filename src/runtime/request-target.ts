import type { IncomingMessage, ServerResponse } from 'node:http';

// A `.` or `..` segment, raw or percent-encoded (`%2e`), as URL parsing would resolve it.
const DOT_SEGMENT = /(?:^|\/)(?:\.|%2e)(?:\.|%2e)?(?:\/|$)/i;

/**
 * Why a request target is refused, or undefined. The Hono adapter builds a WHATWG URL, which
 * resolves `a/../b` to `b` and refuses a backslash with a bare 400: so an object PUT to
 * `x/../y.csv` would store `y.csv`, and `..\x` would get no reason. Refused here instead, on the
 * raw target, with the reason; no object key may hold such segments anyway. The query is left
 * alone: `?key=../x` reaches the dashboard, whose key check answers it.
 */
export function requestTargetProblem(target: string): string | undefined {
  const query = target.indexOf('?');
  const path = query === -1 ? target : target.slice(0, query);
  if (path.includes('\\')) return 'the request path holds a backslash; object keys may not';
  if (DOT_SEGMENT.test(path)) {
    return 'the request path holds a "." or ".." segment (raw or percent-encoded); paths are not resolved and object keys may not hold them';
  }
  return undefined;
}

/**
 * Answers 400 with a JSON reason when the request target is refused (see
 * {@link requestTargetProblem}) and returns true; returns false, having done nothing, otherwise.
 */
export function refuseBadRequestTarget(req: IncomingMessage, res: ServerResponse): boolean {
  const problem = requestTargetProblem(req.url ?? '/');
  if (!problem) return false;
  const body = JSON.stringify({ error: { code: 'invalid_path', message: problem } });
  // The body, if any, is not read: close the connection rather than parse what follows.
  res.writeHead(400, { 'content-type': 'application/json', connection: 'close' });
  res.end(body);
  return true;
}
