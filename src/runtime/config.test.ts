import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from './config.js';

const cwd = resolve('/srv/project');

const env = {
  TRIBUTARY_DATA_DIR: '/var/lib/tributary',
  DATABASE_URL: 'postgres://env@db.example.com/tributary',
  SMTP_URL: 'smtp://env@mail.example.com:587',
  TRIBUTARY_MAIL_FROM: 'env@example.com',
  ORDER_TTL_HOURS: '12',
  AUCTION_PLATFORM: 'http',
  AUCTION_URL: 'http://auction.example.com/results',
  AUCTION_SEED: '7',
  AUCTION_READY_PROBABILITY: '0.25',
  AUCTION_WAIT_SECONDS: '10',
  AUCTION_MAX_ATTEMPTS: '5',
  AUCTION_SCHEDULE: 'cron(0 9 * * ? *)',
  ALERT_WEBHOOK_URL: 'https://hooks.example.com/env',
  LOADER_RULES: '/etc/tributary/loader-rules.json',
  TRIBUTARY_DELIVER_TWICE: '1',
};

const options = {
  dataDir: 'flag-dir',
  databaseUrl: 'postgresql://flag@db.example.com/tributary',
  smtpUrl: 'smtps://flag@mail.example.com:465',
  mailFrom: 'flag@example.com',
  orderTtlHours: 0.5,
  auctionPlatform: 'simulated' as const,
  auctionUrl: 'https://flag.example.com/auction',
  auctionSeed: 42,
  auctionReadyProbability: 1,
  auctionWaitSeconds: 5,
  auctionMaxAttempts: 3,
  auctionSchedule: 'rate(5 minutes)',
  alertWebhookUrl: 'https://hooks.example.com/flag',
  loaderRulesFile: 'config/rules.json',
  deliverTwice: 'concurrent' as const,
};

const auctionDefaults = {
  auctionPlatform: 'simulated',
  auctionUrl: undefined,
  auctionSeed: 1,
  auctionReadyProbability: 0.5,
  auctionWaitSeconds: 30,
  auctionMaxAttempts: 20,
  auctionSchedule: 'rate(1 hour)',
  alertWebhookUrl: undefined,
  loaderRulesFile: undefined,
  deliverTwice: 'off',
};

function configError(fn: () => unknown): ConfigError {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return error as ConfigError;
  }
  throw new Error('expected a ConfigError');
}

describe('loadConfig', () => {
  it('uses the defaults when neither an option nor the environment sets a value', () => {
    expect(loadConfig({}, {}, cwd)).toEqual({
      dataDir: resolve(cwd, '.tributary'),
      databaseUrl: undefined,
      smtpUrl: undefined,
      mailFrom: 'statements@tributary.local',
      orderTtlHours: 24,
      ...auctionDefaults,
    });
  });

  it('takes each setting from the environment over the default', () => {
    expect(loadConfig(env, {}, cwd)).toEqual({
      dataDir: resolve('/var/lib/tributary'),
      databaseUrl: 'postgres://env@db.example.com/tributary',
      smtpUrl: 'smtp://env@mail.example.com:587',
      mailFrom: 'env@example.com',
      orderTtlHours: 12,
      auctionPlatform: 'http',
      auctionUrl: 'http://auction.example.com/results',
      auctionSeed: 7,
      auctionReadyProbability: 0.25,
      auctionWaitSeconds: 10,
      auctionMaxAttempts: 5,
      auctionSchedule: 'cron(0 9 * * ? *)',
      alertWebhookUrl: 'https://hooks.example.com/env',
      loaderRulesFile: resolve('/etc/tributary/loader-rules.json'),
      deliverTwice: 'after',
    });
  });

  it('takes each explicit option over the environment', () => {
    expect(loadConfig(env, options, cwd)).toEqual({
      dataDir: resolve(cwd, 'flag-dir'),
      databaseUrl: 'postgresql://flag@db.example.com/tributary',
      smtpUrl: 'smtps://flag@mail.example.com:465',
      mailFrom: 'flag@example.com',
      orderTtlHours: 0.5,
      auctionPlatform: 'simulated',
      auctionUrl: 'https://flag.example.com/auction',
      auctionSeed: 42,
      auctionReadyProbability: 1,
      auctionWaitSeconds: 5,
      auctionMaxAttempts: 3,
      auctionSchedule: 'rate(5 minutes)',
      alertWebhookUrl: 'https://hooks.example.com/flag',
      loaderRulesFile: resolve(cwd, 'config/rules.json'),
      deliverTwice: 'concurrent',
    });
  });

  it.each([
    ['dataDir', 'TRIBUTARY_DATA_DIR'],
    ['databaseUrl', 'DATABASE_URL'],
    ['smtpUrl', 'SMTP_URL'],
    ['mailFrom', 'TRIBUTARY_MAIL_FROM'],
    ['orderTtlHours', 'ORDER_TTL_HOURS'],
    ['auctionSeed', 'AUCTION_SEED'],
    ['auctionReadyProbability', 'AUCTION_READY_PROBABILITY'],
    ['auctionWaitSeconds', 'AUCTION_WAIT_SECONDS'],
    ['auctionMaxAttempts', 'AUCTION_MAX_ATTEMPTS'],
    ['auctionSchedule', 'AUCTION_SCHEDULE'],
    ['alertWebhookUrl', 'ALERT_WEBHOOK_URL'],
    ['loaderRulesFile', 'LOADER_RULES'],
    ['deliverTwice', 'TRIBUTARY_DELIVER_TWICE'],
  ] as const)('resolves %s on its own: option, then %s, then default', (setting, variable) => {
    const defaults = loadConfig({}, {}, cwd);
    const onlyEnv = { [variable]: env[variable] };
    const onlyOption = { [setting]: options[setting] };

    expect(loadConfig({}, {}, cwd)[setting]).toBe(defaults[setting]);
    expect(loadConfig(onlyEnv, {}, cwd)[setting]).toBe(loadConfig(env, {}, cwd)[setting]);
    expect(loadConfig(onlyEnv, onlyOption, cwd)[setting]).toBe(loadConfig(env, options, cwd)[setting]);
    expect(loadConfig({}, onlyOption, cwd)[setting]).toBe(loadConfig(env, options, cwd)[setting]);
    const others = Object.entries(loadConfig(onlyEnv, onlyOption, cwd)).filter(([name]) => name !== setting);
    expect(others).toEqual(Object.entries(defaults).filter(([name]) => name !== setting));
  });

  it('falls back to the environment when an option is explicitly undefined', () => {
    expect(loadConfig(env, { databaseUrl: undefined, smtpUrl: undefined }, cwd)).toMatchObject({
      databaseUrl: env.DATABASE_URL,
      smtpUrl: env.SMTP_URL,
    });
  });

  it('resolves a relative data dir against the working directory', () => {
    expect(loadConfig({ TRIBUTARY_DATA_DIR: 'data' }, {}, cwd).dataDir).toBe(resolve(cwd, 'data'));
  });

  it('counts empty environment values as unset', () => {
    const blank = {
      TRIBUTARY_DATA_DIR: '',
      DATABASE_URL: '',
      SMTP_URL: '',
      TRIBUTARY_MAIL_FROM: '',
      ORDER_TTL_HOURS: '',
    };
    expect(loadConfig(blank, {}, cwd)).toEqual(loadConfig({}, {}, cwd));
  });

  it('ignores variables it does not know', () => {
    expect(loadConfig({ PATH: '/usr/bin', HOME: '' }, {}, cwd)).toEqual(loadConfig({}, {}, cwd));
  });

  it.each([
    ['DATABASE_URL', 'mysql://db.example.com/x', 'must start with postgres:// or postgresql://'],
    ['SMTP_URL', 'http://mail.example.com', 'must start with smtp:// or smtps://'],
    ['TRIBUTARY_MAIL_FROM', 'not an address', 'must be an email address'],
    ['ORDER_TTL_HOURS', 'a day', 'must be a positive number of hours'],
    ['ORDER_TTL_HOURS', '0', 'must be a positive number of hours'],
    ['ORDER_TTL_HOURS', '-24', 'must be a positive number of hours'],
    ['ORDER_TTL_HOURS', '1e3', 'must be a positive number of hours'],
    ['ORDER_TTL_HOURS', '8761', 'must be a positive number of hours, at most 8760'],
    ['AUCTION_PLATFORM', 'carrier-pigeon', 'must be simulated or http'],
    ['AUCTION_URL', 'ftp://auction.example.com', 'must be an http:// or https:// URL'],
    ['AUCTION_SEED', '-3', 'must be a whole number'],
    ['AUCTION_READY_PROBABILITY', '1.5', 'must be a number from 0 to 1'],
    ['AUCTION_WAIT_SECONDS', '0', 'must be from 1 to 86400 seconds'],
    ['AUCTION_MAX_ATTEMPTS', 'many', 'must be a whole number'],
    ['AUCTION_SCHEDULE', 'every hour', ''],
    ['ALERT_WEBHOOK_URL', 'hooks', 'must be an http:// or https:// URL'],
    ['LOADER_RULES', 'rules.yaml', 'must be the path of a .json file'],
  ])('refuses an invalid %s with a ConfigError naming it', (variable, value, reason) => {
    const error = configError(() => loadConfig({ [variable]: value }, {}, cwd));
    expect(error.message).toContain(`${variable} ${reason}`);
  });

  it('needs AUCTION_URL when AUCTION_PLATFORM is http', () => {
    const error = configError(() => loadConfig({ AUCTION_PLATFORM: 'http' }, {}, cwd));
    expect(error.message).toContain('AUCTION_URL is required when AUCTION_PLATFORM is http');
  });

  it('names every invalid variable at once', () => {
    const error = configError(() =>
      loadConfig({ DATABASE_URL: 'x', SMTP_URL: 'y', TRIBUTARY_MAIL_FROM: 'z' }, {}, cwd),
    );
    for (const variable of ['DATABASE_URL', 'SMTP_URL', 'TRIBUTARY_MAIL_FROM'])
      expect(error.message).toContain(variable);
  });

  it('lets an explicit option replace an invalid environment value, and checks the option by the same rules', () => {
    const config = loadConfig({ DATABASE_URL: 'mysql://x' }, { databaseUrl: 'postgres://127.0.0.1/db' }, cwd);
    expect(config.databaseUrl).toBe('postgres://127.0.0.1/db');
    const error = configError(() => loadConfig({}, { smtpUrl: 'http://mail' }, cwd));
    expect(error.message).toContain('SMTP_URL must start with smtp://');
  });

  it('reads a fractional ORDER_TTL_HOURS, and checks an explicit orderTtlHours by the same rules', () => {
    expect(loadConfig({ ORDER_TTL_HOURS: ' 1.5 ' }, {}, cwd).orderTtlHours).toBe(1.5);
    expect(configError(() => loadConfig({}, { orderTtlHours: -1 }, cwd)).message).toContain(
      'ORDER_TTL_HOURS',
    );
  });

  it('reads TRIBUTARY_DELIVER_TWICE as off, after or concurrent, with 0 and 1 for off and after', () => {
    const mode = (value: string) => loadConfig({ TRIBUTARY_DELIVER_TWICE: value }, {}, cwd).deliverTwice;
    expect(['0', 'off', '1', 'after', 'concurrent'].map(mode)).toEqual([
      'off',
      'off',
      'after',
      'after',
      'concurrent',
    ]);
    expect(configError(() => mode('twice')).message).toContain(
      'TRIBUTARY_DELIVER_TWICE must be off, after (or 1) or concurrent',
    );
  });

  it('returns a frozen configuration', () => {
    expect(Object.isFrozen(loadConfig(env, {}, cwd))).toBe(true);
  });
});
