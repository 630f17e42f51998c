import { resolve } from 'node:path';
import { z } from 'zod';

/** Settings of the local runtime, resolved once at start-up. */
export interface RuntimeConfig {
  dataDir: string;
  /** PostgreSQL server for fabric and pipeline state; PGlite under the data dir when absent. */
  databaseUrl: string | undefined;
  /** SMTP server for outgoing mail; the local outbox when absent. */
  smtpUrl: string | undefined;
  mailFrom: string;
}

export class ConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConfigError';
  }
}

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
  const blankToUndefined = Object.fromEntries(
    Object.entries(env).filter(
      ([key, value]) => key in envSchema.shape && value !== undefined && value !== '',
    ),
  );
  const parsed = envSchema.safeParse(blankToUndefined);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => `${issue.path.join('.')} ${issue.message}`);
    throw new ConfigError(`invalid configuration: ${problems.join('; ')}`);
  }
  const fromEnv = parsed.data;
  return Object.freeze({
    dataDir: resolve(cwd, options.dataDir ?? fromEnv.TRIBUTARY_DATA_DIR ?? '.tributary'),
    databaseUrl: options.databaseUrl ?? fromEnv.DATABASE_URL,
    smtpUrl: options.smtpUrl ?? fromEnv.SMTP_URL,
    mailFrom: options.mailFrom ?? fromEnv.TRIBUTARY_MAIL_FROM ?? 'statements@tributary.local',
  });
}
