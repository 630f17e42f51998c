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
  // An explicit option replaces the variable before validation: a bad value that is overridden
  // does not stop start-up, and an option is checked by the same rules as its variable.
  const overrides: Record<string, string | undefined> = {
    TRIBUTARY_DATA_DIR: options.dataDir,
    DATABASE_URL: options.databaseUrl,
    SMTP_URL: options.smtpUrl,
    TRIBUTARY_MAIL_FROM: options.mailFrom,
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
  return Object.freeze({
    dataDir: resolve(cwd, values.TRIBUTARY_DATA_DIR ?? '.tributary'),
    databaseUrl: values.DATABASE_URL,
    smtpUrl: values.SMTP_URL,
    mailFrom: values.TRIBUTARY_MAIL_FROM ?? 'statements@tributary.local',
  });
}
