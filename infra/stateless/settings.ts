import { readFileSync } from 'node:fs';
import type { Node } from 'constructs';
import { LambdaEnvError, lambdaEnv } from '../../src/aws/env.js';
import { scheduleExpressionProblem } from '../../src/runtime/schedule-expression.js';
import { topology } from '../../src/topology.js';
import type { DeploymentEnvironment } from '../environment.js';

export type ScheduleName = keyof typeof topology.schedules;

/**
 * The placeholder sender: an identity for example.com can never be verified, so nothing is sent
 * until `-c mailFrom=statements@your-domain` (and the DKIM records it prints) replace it.
 */
export const PLACEHOLDER_MAIL_FROM = 'statements@example.com';

/** The placeholder auction platform: replace with `-c auctionUrl=https://…`. */
export const PLACEHOLDER_AUCTION_URL = 'https://auction.example.com';

/** The SES identity the notify function sends as: a whole domain (DKIM) or one address. */
export interface MailIdentity {
  kind: 'domain' | 'email';
  value: string;
}

/**
 * What the stateless stack takes from CDK context (`-c key=value`), validated once at synth.
 * Values a function reads are checked by the function's own rules (`src/aws/env.ts`), so a value
 * the synth accepts is one the cold start accepts.
 */
export interface StatelessSettings {
  /** `mailFrom`: the statements' sender address. */
  mailFrom: string;
  /** `mailIdentity`: the SES identity to create (a domain or an address), default the sender's domain. */
  mailIdentity: MailIdentity;
  /** `auctionUrl`: the auction platform's base URL. */
  auctionUrl: string;
  /** `auctionBatchLimit`: most orders per auction execution (the function's default when absent). */
  auctionBatchLimit?: number;
  /** `auctionWaitSeconds`, `auctionMaxAttempts`: the auction's execution input, as locally (30, 20). */
  auctionInput: { waitSeconds: number; maxAttempts: number };
  /** `<schedule>Schedule` (`auctionSchedule`, `ordersPurgeSchedule`): overrides a topology expression. */
  schedules: Record<ScheduleName, string>;
  /** `orderTtlHours`: how long orders live (the function's default, 24, when absent). */
  orderTtlHours?: number;
  /** `loaderRules`: a routing-rules .json file, as LOADER_RULES locally; its text goes to the functions. */
  loaderRules?: string;
  /** `xray=true`: active X-Ray tracing on every function (the state machines are always traced). */
  tracing: boolean;
  /** `logLevel`: POWERTOOLS_LOG_LEVEL of every function (default INFO). */
  logLevel: 'DEBUG' | 'INFO' | 'WARN' | 'ERROR';
  /** Steady rate and burst of the HTTP API's default stage, requests per second. */
  apiThrottle: { rateLimit: number; burstLimit: number };
}

const LOG_LEVELS = ['DEBUG', 'INFO', 'WARN', 'ERROR'] as const;

/** Reads and validates the stateless settings; a bad value fails the synth, naming its context key. */
export function resolveStatelessSettings(node: Node, env: DeploymentEnvironment): StatelessSettings {
  const text = (key: string): string | undefined => {
    const value = node.tryGetContext(key);
    return value === undefined || value === null || value === '' ? undefined : String(value);
  };
  const problem = (key: string, message: string) => new Error(`Context ${key}: ${message}`);
  const wholeNumber = (key: string, fallback: number, min: number, max: number): number => {
    const given = text(key);
    if (given === undefined) return fallback;
    const value = /^\d+$/.test(given.trim()) ? Number(given) : Number.NaN;
    if (!(value >= min && value <= max)) {
      throw problem(key, `must be a whole number from ${min} to ${max}, got "${given}"`);
    }
    return value;
  };

  const mailFrom = text('mailFrom') ?? PLACEHOLDER_MAIL_FROM;
  const auctionUrl = text('auctionUrl') ?? PLACEHOLDER_AUCTION_URL;
  const loaderRulesFile = text('loaderRules');
  let loaderRules: string | undefined;
  if (loaderRulesFile) {
    try {
      loaderRules = readFileSync(loaderRulesFile, 'utf8');
    } catch (error) {
      throw problem('loaderRules', `cannot read "${loaderRulesFile}": ${(error as Error).message}`);
    }
  }
  // The function's own parser, so the synth refuses exactly what the cold start would.
  const raw = {
    MAIL_FROM: mailFrom,
    AUCTION_URL: auctionUrl,
    AUCTION_BATCH_LIMIT: text('auctionBatchLimit'),
    ORDER_TTL_HOURS: text('orderTtlHours'),
    LOADER_RULES: loaderRules,
  };
  const contextKeys: Record<keyof typeof raw, string> = {
    MAIL_FROM: 'mailFrom',
    AUCTION_URL: 'auctionUrl',
    AUCTION_BATCH_LIMIT: 'auctionBatchLimit',
    ORDER_TTL_HOURS: 'orderTtlHours',
    LOADER_RULES: 'loaderRules',
  };
  for (const name of Object.keys(raw) as (keyof typeof raw)[]) {
    try {
      lambdaEnv([name], raw);
    } catch (error) {
      if (!(error instanceof LambdaEnvError)) throw error;
      throw problem(contextKeys[name], error.message.replace('invalid Lambda environment: ', ''));
    }
  }

  const schedules = {} as Record<ScheduleName, string>;
  for (const [name, spec] of Object.entries(topology.schedules) as [ScheduleName, { expression: string }][]) {
    const key = `${camelCase(name)}Schedule`;
    const expression = text(key) ?? spec.expression;
    const invalid = scheduleExpressionProblem(expression);
    if (invalid) throw problem(key, invalid);
    schedules[name] = expression;
  }

  const logLevel = (text('logLevel') ?? 'INFO').toUpperCase();
  if (!(LOG_LEVELS as readonly string[]).includes(logLevel)) {
    throw problem('logLevel', `must be one of ${LOG_LEVELS.join(', ')}`);
  }
  const tracing = text('xray') ?? 'false';
  if (tracing !== 'true' && tracing !== 'false') throw problem('xray', 'must be true or false');

  return {
    mailFrom,
    mailIdentity: mailIdentity(text('mailIdentity'), mailFrom, problem),
    auctionUrl,
    auctionBatchLimit: optionalNumber(raw.AUCTION_BATCH_LIMIT),
    auctionInput: {
      waitSeconds: wholeNumber('auctionWaitSeconds', 30, 1, 86_400),
      maxAttempts: wholeNumber('auctionMaxAttempts', 20, 1, 1_000),
    },
    schedules,
    orderTtlHours: optionalNumber(raw.ORDER_TTL_HOURS),
    loaderRules,
    tracing: tracing === 'true',
    logLevel: logLevel as StatelessSettings['logLevel'],
    apiThrottle: env.production ? { rateLimit: 500, burstLimit: 1_000 } : { rateLimit: 50, burstLimit: 100 },
  };
}

/**
 * The identity covering the sender: `mailIdentity` when given (it must be the sender's address,
 * its domain or a parent domain of it), else the sender's domain.
 */
function mailIdentity(
  given: string | undefined,
  mailFrom: string,
  problem: (key: string, message: string) => Error,
): MailIdentity {
  const domain = mailFrom.slice(mailFrom.lastIndexOf('@') + 1).toLowerCase();
  if (!given) return { kind: 'domain', value: domain };
  const value = given.toLowerCase();
  if (value.includes('@')) {
    if (value !== mailFrom.toLowerCase()) {
      throw problem('mailIdentity', `the address ${given} is not the sender (mailFrom ${mailFrom})`);
    }
    return { kind: 'email', value: given };
  }
  if (domain !== value && !domain.endsWith(`.${value}`)) {
    throw problem('mailIdentity', `the domain ${given} does not cover the sender (mailFrom ${mailFrom})`);
  }
  return { kind: 'domain', value };
}

function optionalNumber(text: string | undefined): number | undefined {
  return text === undefined ? undefined : Number(text);
}

/** `orders-purge` → `ordersPurge`. */
export function camelCase(name: string): string {
  return name.replace(/-([a-z0-9])/g, (_, letter: string) => letter.toUpperCase());
}
