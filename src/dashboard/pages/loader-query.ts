import { HTTPException } from 'hono/http-exception';
import { z } from 'zod';

/** The years the reports accept: wide enough for any hire date, narrow enough to catch a typo. */
export const MIN_YEAR = 1900;
export const MAX_YEAR = 2200;
/** Rejected rows shown by default, and at most (the API's own ceiling). */
export const DEFAULT_REJECTED_LIMIT = 200;
export const MAX_REJECTED_LIMIT = 10_000;

/** A value as a message quotes it: short, so a pasted novel does not fill the error page. */
const quoted = (text: string) => JSON.stringify(text.length > 40 ? `${text.slice(0, 40)}…` : text);

/** A whole number written as digits within [min, max]; an empty field counts as not given. */
const wholeNumber = (min: number, max: number, what: string, example: number) =>
  z
    .string()
    .optional()
    .transform((text, ctx) => {
      const value = text?.trim();
      if (!value) return undefined;
      const n = /^\d{1,6}$/.test(value) ? Number(value) : Number.NaN;
      if (Number.isInteger(n) && n >= min && n <= max) return n;
      ctx.addIssue({
        code: 'custom',
        message: `${quoted(text ?? '')} is not ${what} from ${min} to ${max}; give a whole number such as ${example}`,
      });
      return z.NEVER;
    });

/** `GET /ui/loader/reports?year=…` (and the year the main page offers). */
export const reportsQuery = z.object({ year: wholeNumber(MIN_YEAR, MAX_YEAR, 'a year', 2021) });

/** `GET /ui/loader/rejected?file=…&limit=…`. An empty `file` is the form's "all files". */
export const rejectedQuery = z.object({
  file: z
    .string()
    .max(1024, { error: 'is longer than 1024 characters; no loaded file has such a name' })
    .optional()
    .transform((file) => file?.trim() || undefined),
  limit: wholeNumber(1, MAX_REJECTED_LIMIT, 'a row count', DEFAULT_REJECTED_LIMIT),
});

/**
 * The query parameters `schema` describes, or a 400 naming the parameter and what is wrong
 * with it (the dashboard's error page shows the message). Parameters it does not name are ignored.
 */
export function parseQuery<T extends z.ZodType>(schema: T, query: Record<string, string>): z.output<T> {
  const result = schema.safeParse(query);
  if (result.success) return result.data;
  const problems = result.error.issues.map(
    (issue) => `query parameter ${issue.path.join('.') || '(none)'}: ${issue.message}`,
  );
  throw new HTTPException(400, { message: `Bad ${problems.join('; ')}.` });
}
