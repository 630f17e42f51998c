import { HTTPException } from 'hono/http-exception';
import type { FC } from 'hono/jsx';
import type { z } from 'zod';
import { formatDuration } from '../components.js';

/** `85 ms` under a second (an auction run often takes less), else `formatDuration`'s `1 h 5 min`. */
export const durationText = (ms: number): string =>
  ms >= 0 && ms < 1000 ? `${Math.round(ms)} ms` : formatDuration(ms);

/**
 * The query of a page, checked: a bad parameter is a 400 page naming the parameter, the page
 * and what is allowed, never a guess.
 */
export function parseQuery<S extends z.ZodType>(
  schema: S,
  query: Record<string, string>,
  page: string,
): z.infer<S> {
  const parsed = schema.safeParse(query);
  if (parsed.success) return parsed.data;
  const problems = parsed.error.issues.map((issue) => {
    const name = issue.path.join('.');
    return name ? `query parameter "${name}" ${issue.message}` : issue.message;
  });
  throw new HTTPException(400, { message: `Bad address for ${page}: ${problems.join('; ')}.` });
}

/** The two pages of the orders section, so each reaches the other. */
export const OrdersNav: FC<{ current: 'orders' | 'executions' }> = ({ current }) => (
  <nav aria-label="Orders pages">
    <ul class="breadcrumbs">
      <li>
        <a href="/ui/orders" aria-current={current === 'orders' ? 'page' : undefined}>
          Orders
        </a>
      </li>
      <li>
        <a href="/ui/orders/executions" aria-current={current === 'executions' ? 'page' : undefined}>
          Auction runs
        </a>
      </li>
    </ul>
  </nav>
);

/** Starts the auction now; the server answers with the new run's page. */
export const StartAuctionForm: FC<{ label?: string }> = ({ label = 'Start an auction run' }) => (
  <form method="post" action="/ui/orders/executions" class="inline">
    <button type="submit">{label}</button>
  </form>
);
