import { z } from 'zod';
import {
  type AuctionPlatform,
  AuctionPlatformResponseError,
  AuctionPlatformUnavailableError,
} from '../../ports/auction-platform.js';

const answer = z.discriminatedUnion('results', [
  z.object({ results: z.literal(false) }),
  z.object({
    results: z.literal(true),
    orders: z.array(
      z.object({
        record_id: z.string(),
        status: z.enum(['accepted', 'rejected']),
        power: z.number().finite(),
      }),
    ),
  }),
]);

/**
 * The auction platform over HTTP: `POST <url>` with `{"orders": [...], "executionId", "attempt"}`,
 * expecting `{"results": false}` or `{"results": true, "orders": [{record_id, status, power}]}`.
 * A timeout, a refused connection or a 5xx is {@link AuctionPlatformUnavailableError} (the state
 * machine retries it); a 4xx or a body of another shape is {@link AuctionPlatformResponseError}.
 */
export function createHttpAuctionPlatform(options: {
  url: string;
  timeoutMs?: number;
  fetch?: typeof fetch;
}): AuctionPlatform {
  const timeoutMs = options.timeoutMs ?? 10_000;
  const send = options.fetch ?? fetch;
  return {
    async fetchResults(orders, context) {
      let response: Response;
      try {
        response = await send(options.url, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ orders, ...context }),
          signal: AbortSignal.timeout(timeoutMs),
        });
      } catch (error) {
        throw new AuctionPlatformUnavailableError(
          `auction platform ${options.url} did not answer: ${(error as Error).message}`,
          { cause: error },
        );
      }
      const text = await response.text();
      if (response.status >= 500) {
        throw new AuctionPlatformUnavailableError(
          `auction platform answered HTTP ${response.status}: ${text.slice(0, 200)}`,
        );
      }
      if (!response.ok) {
        throw new AuctionPlatformResponseError(
          `auction platform answered HTTP ${response.status}: ${text.slice(0, 200)}`,
        );
      }
      let body: unknown;
      try {
        body = JSON.parse(text);
      } catch {
        throw new AuctionPlatformResponseError(
          `auction platform answered something that is not JSON: ${text.slice(0, 200)}`,
        );
      }
      const parsed = answer.safeParse(body);
      if (!parsed.success) {
        const problem = parsed.error.issues
          .map((i) => `${i.path.join('.') || '(body)'}: ${i.message}`)
          .join('; ');
        throw new AuctionPlatformResponseError(`auction platform answered an unexpected shape: ${problem}`);
      }
      return parsed.data;
    },
  };
}
