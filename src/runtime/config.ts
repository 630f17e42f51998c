import { resolve } from 'node:path';
import { z } from 'zod';
import type { DeliverTwice } from './deliver-twice.js';
import { scheduleExpressionProblem } from './schedule-expression.js';

/** Settings of the local runtime, resolved once at start-up. */
export interface RuntimeConfig {
  dataDir: string;
  /** PostgreSQL server for fabric and pipeline state; PGlite under the data dir when absent. */
  databaseUrl: string | undefined;
  /** SMTP server for outgoing mail; the local outbox when absent. */
  smtpUrl: string | undefined;
  mailFrom: string;
  /** How long an order lives after it is received, in hours (`ORDER_TTL_HOURS`). */
  orderTtlHours: number;
  /** `simulated` (seeded, the default) or `http` (POSTs to `auctionUrl`). */
  auctionPlatform: 'simulated' | 'http';
  auctionUrl: string | undefined;
  /** Seed of the simulated platform: the same seed gives the same runs. */
  auctionSeed: number;
  /** Chance that the simulated platform has results at each poll (0 to 1). */
  auctionReadyProbability: number;
  /** Seconds between polls of the platform while it has no results. */
  auctionWaitSeconds: number;
  /** Polls before an execution gives up (and alerts). */
  auctionMaxAttempts: number;
  /** When the auction runs (EventBridge Scheduler syntax, UTC). */
  auctionSchedule: string;
  /** Slack-compatible incoming webhook for alerts; alerts are always kept in the outbox. */
  alertWebhookUrl: string | undefined;
  /** A JSON file of loader routing rules (`LOADER_RULES`), resolved; the built-in rules when absent. */
  loaderRulesFile: string | undefined;
  /**
   * Duplicate delivery, a test mode (`TRIBUTARY_DELIVER_TWICE`): `after` (or `1`) delivers every
   * message, stream batch and workflow task a second time after the first, `concurrent` both at once.
   */
  deliverTwice: DeliverTwice;
}

export class ConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConfigError';
  }
}

/** A year: an order kept longer is a mistake in the setting, not a use case. */
const MAX_ORDER_TTL_HOURS = 8_760;

const envSchema = z.object({
  TRIBUTARY_DATA_DIR: z.string().min(1).optional(),
  DATABASE_URL: z
    .string()
    .regex(/^postgres(ql)?:\/\//, 'must start with postgres:// or postgresql://')
    .optional(),
  SMTP_URL: z
    .string()
    .regex(/^smtps?:\/\//, 'must start with smtp:// or smtps://')
    .optional(),
  TRIBUTARY_MAIL_FROM: z.email('must be an email address').optional(),
  ORDER_TTL_HOURS: z
    .string()
    .trim()
    .regex(/^\d+(\.\d+)?$/, 'must be a positive number of hours')
    .transform(Number)
    .refine((hours) => hours > 0 && hours <= MAX_ORDER_TTL_HOURS, {
      message: `must be a positive number of hours, at most ${MAX_ORDER_TTL_HOURS}`,
    })
    .optional(),
  AUCTION_PLATFORM: z.enum(['simulated', 'http'], 'must be simulated or http').optional(),
  AUCTION_URL: z.url({ protocol: /^https?$/, error: 'must be an http:// or https:// URL' }).optional(),
  AUCTION_SEED: z.string().trim().regex(/^\d+$/, 'must be a whole number').transform(Number).optional(),
  AUCTION_READY_PROBABILITY: z
    .string()
    .trim()
    .regex(/^(0(\.\d+)?|1(\.0+)?)$/, 'must be a number from 0 to 1')
    .transform(Number)
    .optional(),
  AUCTION_WAIT_SECONDS: z
    .string()
    .trim()
    .regex(/^\d+$/, 'must be a whole number of seconds')
    .transform(Number)
    .refine((n) => n >= 1 && n <= 86_400, 'must be from 1 to 86400 seconds')
    .optional(),
  AUCTION_MAX_ATTEMPTS: z
    .string()
    .trim()
    .regex(/^\d+$/, 'must be a whole number')
    .transform(Number)
    .refine((n) => n >= 1 && n <= 1_000, 'must be from 1 to 1000')
    .optional(),
  AUCTION_SCHEDULE: z
    .string()
    .trim()
    .superRefine((expression, ctx) => {
      const problem = scheduleExpressionProblem(expression);
      if (problem) ctx.addIssue({ code: 'custom', message: problem });
    })
    .optional(),
  ALERT_WEBHOOK_URL: z.url({ protocol: /^https?$/, error: 'must be an http:// or https:// URL' }).optional(),
  LOADER_RULES: z
    .string()
    .trim()
    .regex(/\.json$/i, 'must be the path of a .json file')
    .optional(),
  TRIBUTARY_DELIVER_TWICE: z
    .enum(['0', 'off', '1', 'after', 'concurrent'], 'must be off, after (or 1) or concurrent')
    .transform((value): DeliverTwice => (value === '0' ? 'off' : value === '1' ? 'after' : value))
    .optional(),
});

/**
 * Reads configuration with this precedence: explicit option (a CLI flag), then environment,
 * then default. Invalid values fail here, naming the variable, before anything starts.
 */
export function loadConfig(
  env: Record<string, string | undefined>,
  options: Partial<RuntimeConfig> = {},
  cwd = process.cwd(),
): Readonly<RuntimeConfig> {
  // An explicit option replaces the variable before validation: a bad value that is overridden
  // does not stop start-up, and an option is checked by the same rules as its variable.
  const overrides: Record<string, string | undefined> = {
    TRIBUTARY_DATA_DIR: options.dataDir,
    DATABASE_URL: options.databaseUrl,
    SMTP_URL: options.smtpUrl,
    TRIBUTARY_MAIL_FROM: options.mailFrom,
    ORDER_TTL_HOURS: options.orderTtlHours === undefined ? undefined : String(options.orderTtlHours),
    AUCTION_PLATFORM: options.auctionPlatform,
    AUCTION_URL: options.auctionUrl,
    AUCTION_SEED: options.auctionSeed === undefined ? undefined : String(options.auctionSeed),
    AUCTION_READY_PROBABILITY:
      options.auctionReadyProbability === undefined ? undefined : String(options.auctionReadyProbability),
    AUCTION_WAIT_SECONDS:
      options.auctionWaitSeconds === undefined ? undefined : String(options.auctionWaitSeconds),
    AUCTION_MAX_ATTEMPTS:
      options.auctionMaxAttempts === undefined ? undefined : String(options.auctionMaxAttempts),
    AUCTION_SCHEDULE: options.auctionSchedule,
    ALERT_WEBHOOK_URL: options.alertWebhookUrl,
    LOADER_RULES: options.loaderRulesFile,
    TRIBUTARY_DELIVER_TWICE: options.deliverTwice,
  };
  const raw = Object.fromEntries(
    Object.keys(envSchema.shape)
      .map((key) => [key, overrides[key] ?? env[key]] as const)
      .filter(([, value]) => value !== undefined && value !== ''),
  );
  const parsed = envSchema.safeParse(raw);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => `${issue.path.join('.')} ${issue.message}`);
    throw new ConfigError(`invalid configuration: ${problems.join('; ')}`);
  }
  const values = parsed.data;
  if (values.AUCTION_PLATFORM === 'http' && !values.AUCTION_URL) {
    throw new ConfigError('invalid configuration: AUCTION_URL is required when AUCTION_PLATFORM is http');
  }
  return Object.freeze({
    dataDir: resolve(cwd, values.TRIBUTARY_DATA_DIR ?? '.tributary'),
    databaseUrl: values.DATABASE_URL,
    smtpUrl: values.SMTP_URL,
    mailFrom: values.TRIBUTARY_MAIL_FROM ?? 'statements@tributary.local',
    orderTtlHours: values.ORDER_TTL_HOURS ?? 24,
    auctionPlatform: values.AUCTION_PLATFORM ?? 'simulated',
    auctionUrl: values.AUCTION_URL,
    auctionSeed: values.AUCTION_SEED ?? 1,
    auctionReadyProbability: values.AUCTION_READY_PROBABILITY ?? 0.5,
    auctionWaitSeconds: values.AUCTION_WAIT_SECONDS ?? 30,
    auctionMaxAttempts: values.AUCTION_MAX_ATTEMPTS ?? 20,
    auctionSchedule: values.AUCTION_SCHEDULE ?? 'rate(1 hour)',
    alertWebhookUrl: values.ALERT_WEBHOOK_URL,
    loaderRulesFile: values.LOADER_RULES ? resolve(cwd, values.LOADER_RULES) : undefined,
    deliverTwice: values.TRIBUTARY_DELIVER_TWICE ?? 'off',
  });
}
