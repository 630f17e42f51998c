import type { Server, ServerOptions } from 'node:http';

/** How long the local server waits on a client that sends its request slowly, or stops. */
export interface RequestTimeouts {
  /** The request line and headers must arrive within this (a slowloris sends them a byte at a time). */
  headersMs: number;
  /**
   * The whole request, body included, must arrive within this: long enough for the largest object
   * (2 GiB) at a modest rate, so what it stops is a body trickled on purpose.
   */
  requestMs: number;
  /** A body that stops arriving for this long, while the server waits for it, is cut off. */
  bodyIdleMs: number;
}

/**
 * Node's own defaults (headers 60 s, request 300 s, no idle limit) cut a 2 GiB upload off below
 * 7 MB/s and let a client that stalls mid-body hold its connection for five minutes. Ours: 30 s
 * for the headers; an hour for a request (2 GiB at 0.6 MB/s, a home uplink); and 30 s of silence
 * in the middle of a body, which no working client needs and every stalled one hits.
 */
export const DEFAULT_REQUEST_TIMEOUTS: RequestTimeouts = Object.freeze({
  headersMs: 30_000,
  requestMs: 60 * 60_000,
  bodyIdleMs: 30_000,
});

/**
 * The `node:http` server options that enforce the headers and request limits. Node checks them
 * every `connectionsCheckingInterval`, so that interval follows the shorter limit (tests use
 * limits of a second or so).
 */
export function timeoutServerOptions(timeouts: RequestTimeouts): ServerOptions {
  const shorter = Math.min(timeouts.headersMs, timeouts.requestMs);
  return {
    headersTimeout: timeouts.headersMs,
    requestTimeout: timeouts.requestMs,
    connectionsCheckingInterval: Math.min(30_000, Math.max(50, Math.floor(shorter / 4))),
  };
}

/**
 * Destroys the connection of a request whose body stops arriving for `idleMs`. A socket is idle
 * for three reasons, and only the first is the client's fault:
 * - the body is incomplete and the server has read all it got: the client stalled, cut it off;
 * - the body is incomplete but unread bytes wait in the request: the server is behind (a batch
 *   being stored), so the client is blocked by back-pressure; wait again;
 * - the body is complete: the server is still answering, at its own pace; leave it.
 * A `timeout` listener on the response is what stops Node from destroying the socket itself in
 * the last two cases. Between requests, Node's keep-alive timeout closes idle connections as before.
 */
export function cutOffStalledBodies(server: Server, idleMs: number): void {
  server.timeout = idleMs;
  server.on('request', (req, res) => {
    res.on('timeout', () => {
      if (req.complete) return;
      if (req.readableLength > 0) {
        req.socket.setTimeout(idleMs);
        return;
      }
      req.socket.destroy();
    });
  });
}
