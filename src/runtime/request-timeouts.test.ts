import { describe, expect, it } from 'vitest';
import { MAX_OBJECT_BYTES } from '../api/routes/objects.js';
import { DEFAULT_REQUEST_TIMEOUTS, timeoutServerOptions } from './request-timeouts.js';

describe('request timeouts', () => {
  it('give the largest object an hour, at 0.6 MB/s, and a stalled body 30 s', () => {
    const { requestMs, bodyIdleMs, headersMs } = DEFAULT_REQUEST_TIMEOUTS;
    expect(MAX_OBJECT_BYTES / (requestMs / 1000)).toBeLessThan(0.6e6);
    expect(bodyIdleMs).toBe(30_000);
    expect(headersMs).toBeLessThan(requestMs);
  });

  it('check connections often enough for the shorter limit', () => {
    expect(timeoutServerOptions(DEFAULT_REQUEST_TIMEOUTS)).toEqual({
      headersTimeout: 30_000,
      requestTimeout: 3_600_000,
      connectionsCheckingInterval: 7_500,
    });
    expect(timeoutServerOptions({ headersMs: 1000, requestMs: 3000, bodyIdleMs: 500 })).toMatchObject({
      connectionsCheckingInterval: 250,
    });
  });
});
