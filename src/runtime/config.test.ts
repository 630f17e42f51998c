import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from './config.js';

const cwd = resolve('/srv/project');

const env = {
  TRIBUTARY_DATA_DIR: '/var/lib/tributary',
  DATABASE_URL: 'postgres://env@db.example.com/tributary',
  SMTP_URL: 'smtp://env@mail.example.com:587',
  TRIBUTARY_MAIL_FROM: 'env@example.com',
};

const options = {
  dataDir: 'flag-dir',
  databaseUrl: 'postgresql://flag@db.example.com/tributary',
  smtpUrl: 'smtps://flag@mail.example.com:465',
  mailFrom: 'flag@example.com',
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
    });
  });

  it('takes each setting from the environment over the default', () => {
    expect(loadConfig(env, {}, cwd)).toEqual({
      dataDir: resolve('/var/lib/tributary'),
      databaseUrl: 'postgres://env@db.example.com/tributary',
      smtpUrl: 'smtp://env@mail.example.com:587',
      mailFrom: 'env@example.com',
    });
  });

  it('takes each explicit option over the environment', () => {
    expect(loadConfig(env, options, cwd)).toEqual({
      dataDir: resolve(cwd, 'flag-dir'),
      databaseUrl: 'postgresql://flag@db.example.com/tributary',
      smtpUrl: 'smtps://flag@mail.example.com:465',
      mailFrom: 'flag@example.com',
    });
  });

  it.each([
    ['dataDir', 'TRIBUTARY_DATA_DIR'],
    ['databaseUrl', 'DATABASE_URL'],
    ['smtpUrl', 'SMTP_URL'],
    ['mailFrom', 'TRIBUTARY_MAIL_FROM'],
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
    const blank = { TRIBUTARY_DATA_DIR: '', DATABASE_URL: '', SMTP_URL: '', TRIBUTARY_MAIL_FROM: '' };
    expect(loadConfig(blank, {}, cwd)).toEqual(loadConfig({}, {}, cwd));
  });

  it('ignores variables it does not know', () => {
    expect(loadConfig({ PATH: '/usr/bin', HOME: '' }, {}, cwd)).toEqual(loadConfig({}, {}, cwd));
  });

  it.each([
    ['DATABASE_URL', 'mysql://db.example.com/x', 'must start with postgres:// or postgresql://'],
    ['SMTP_URL', 'http://mail.example.com', 'must start with smtp:// or smtps://'],
    ['TRIBUTARY_MAIL_FROM', 'not an address', 'must be an email address'],
  ])('refuses an invalid %s with a ConfigError naming it', (variable, value, reason) => {
    const error = configError(() => loadConfig({ [variable]: value }, {}, cwd));
    expect(error.message).toContain(`${variable} ${reason}`);
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

  it('returns a frozen configuration', () => {
    expect(Object.isFrozen(loadConfig(env, {}, cwd))).toBe(true);
  });
});
