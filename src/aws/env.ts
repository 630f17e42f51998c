import { z } from 'zod';
import { MAX_ORDERS_PER_AUCTION } from '../core/auction/auction-steps.js';
import { defaultRoutingRules, parseRoutingRules, type RoutingRule } from '../core/loader/routing-rules.js';

/**
 * The Lambda environment, parsed with zod. Each function names the variables it reads
 * (`lambdaEnv(['ORDERS_TABLE', 'ORDER_TTL_HOURS'])`), so a function that does not use a table
 * never requires its variable, and a missing or malformed value fails the cold start, naming the
 * variable, before any request is taken.
 *
 * The AUCTION_* and ORDER_TTL_HOURS rules are those of `src/runtime/config.ts`, repeated here
 * because Lambda bundles may not load `src/runtime/` (the embedded runtime).
 */
export class LambdaEnvError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'LambdaEnvError';
  }
}

/** A year: an order kept longer is a mistake in the setting, not a use case (as config.ts). */
const MAX_ORDER_TTL_HOURS = 8_760;

const required = (what = 'a non-empty string') =>
  z
    .string({ error: (issue) => (issue.input === undefined ? 'is required' : `must be ${what}`) })
    .trim()
    .min(1, 'is required');

/** A JSON object of logical name → physical name, e.g. `{"landing":"tributary-prod-landing"}`. */
const nameMap = (kind: string) =>
  required(`a JSON object of ${kind} names`).transform((text, ctx) => {
    const example = `e.g. {"${kind === 'bucket' ? 'landing' : 'events'}":"tributary-prod-${kind === 'bucket' ? 'landing' : 'events'}"}`;
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch {
      ctx.addIssue({ code: 'custom', message: `must be a JSON object of ${kind} names, ${example}` });
      return z.NEVER;
    }
    const parsed = z.record(z.string().min(1), z.string().trim().min(1)).safeParse(value);
    if (!parsed.success || Array.isArray(value)) {
      ctx.addIssue({
        code: 'custom',
        message: `must map each logical ${kind} name to a physical one, ${example}`,
      });
      return z.NEVER;
    }
    return Object.freeze(parsed.data);
  });

const wholeNumber = (message: string) => z.string().trim().regex(/^\d+$/, message).transform(Number);

const secretId = required('the ARN or name of a Secrets Manager secret');

const variables = {
  STATEMENTS_TABLE: required('a DynamoDB table name'),
  EVENTS_TABLE: required('a DynamoDB table name'),
  ORDERS_TABLE: required('a DynamoDB table name'),
  BUCKETS: nameMap('bucket'),
  STREAMS: nameMap('stream'),
  EVENT_BUS_NAME: required('an EventBridge bus name or ARN'),
  ALERTS_TOPIC_ARN: required('an SNS topic ARN').pipe(
    z.string().regex(/^arn:aws[\w-]*:sns:[\w-]+:\d{12}:[\w.-]+$/, 'must be an SNS topic ARN'),
  ),
  MAIL_FROM: required('an email address').pipe(z.email('must be an email address')),
  SES_CONFIGURATION_SET: z.string().trim().min(1).optional(),
  /**
   * The URL of the function's trigger queue's dead-letter queue: a message that can never succeed
   * goes there at once, with its reason (see `withSqsLogging`). Without it, SQS redrives it after
   * its receives. Taken as given (the stack sets it from the queue): a wrong URL fails each send,
   * naming it, and the message then takes the redrive path.
   */
  DEAD_LETTER_QUEUE_URL: z.string().trim().min(1).optional(),
  DB_SECRET_ARN: secretId,
  ADMIN_TOKEN_SECRET_ARN: secretId,
  ORDER_TTL_HOURS: z
    .string()
    .trim()
    .regex(/^\d+(\.\d+)?$/, 'must be a positive number of hours')
    .transform(Number)
    .refine((hours) => hours > 0 && hours <= MAX_ORDER_TTL_HOURS, {
      message: `must be a positive number of hours, at most ${MAX_ORDER_TTL_HOURS}`,
    })
    .default(24),
  /**
   * Only the HTTP platform runs on AWS: the simulated one lives in `src/adapters/local/`, which
   * Lambda bundles may not load.
   */
  AUCTION_PLATFORM: z
    .enum(['http'], 'must be http on AWS (the simulated platform runs only in the embedded runtime)')
    .default('http'),
  AUCTION_URL: required('an http:// or https:// URL').pipe(
    z.url({ protocol: /^https?$/, error: 'must be an http:// or https:// URL' }),
  ),
  /** Most pending orders one execution takes (see `auction-batch.ts`: the 256 KB payload cap). */
  AUCTION_BATCH_LIMIT: wholeNumber('must be a whole number')
    .refine((n) => n >= 1 && n <= MAX_ORDERS_PER_AUCTION, `must be from 1 to ${MAX_ORDERS_PER_AUCTION}`)
    .default(500),
  /** The routing rules as JSON text (not a file: a Lambda has none to read); the built-in ones when absent. */
  LOADER_RULES: z
    .string()
    .optional()
    .transform((text, ctx): readonly RoutingRule[] => {
      if (text === undefined) return defaultRoutingRules;
      try {
        return parseRoutingRules(text);
      } catch (error) {
        ctx.addIssue({ code: 'custom', message: `is not valid routing rules: ${(error as Error).message}` });
        return z.NEVER;
      }
    }),
};

export type LambdaVariable = keyof typeof variables;

/** The parsed values of the variables `K`. */
export type LambdaEnv<K extends LambdaVariable> = {
  readonly [P in K]: z.output<(typeof variables)[P]>;
};

/**
 * Parses the variables a function needs (and only those) from `env`. Empty values count as
 * absent, as in the local configuration. Throws a {@link LambdaEnvError} naming every problem.
 *
 * @example
 * const env = lambdaEnv(['ORDERS_TABLE', 'ORDER_TTL_HOURS']);
 * env.ORDER_TTL_HOURS; // 24 unless set
 */
export function lambdaEnv<K extends LambdaVariable>(
  names: readonly K[],
  env: Record<string, string | undefined> = process.env,
): LambdaEnv<K> {
  const shape = Object.fromEntries(names.map((name) => [name, variables[name]]));
  const raw = Object.fromEntries(
    names.flatMap((name) => (env[name] === undefined || env[name] === '' ? [] : [[name, env[name]]])),
  );
  const parsed = z.object(shape).safeParse(raw);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => `${issue.path.join('.')} ${issue.message}`);
    throw new LambdaEnvError(`invalid Lambda environment: ${problems.join('; ')}`);
  }
  return Object.freeze(parsed.data) as LambdaEnv<K>;
}

/**
 * Checks that a name map (BUCKETS, STREAMS) has every logical name the function uses, so a
 * deployment that forgot one fails at the cold start rather than at the first object.
 */
export function requireNames(
  variable: 'BUCKETS' | 'STREAMS',
  map: Readonly<Record<string, string>>,
  logical: readonly string[],
): Readonly<Record<string, string>> {
  const missing = logical.filter((name) => !map[name]);
  if (missing.length > 0) {
    throw new LambdaEnvError(
      `invalid Lambda environment: ${variable} has no physical name for ${missing.map((name) => `"${name}"`).join(', ')}`,
    );
  }
  return map;
}
