import { describe, expect, it } from 'vitest';
import { defaultRoutingRules } from '../core/loader/routing-rules.js';
import { LambdaEnvError, lambdaEnv, requireNames } from './env.js';

describe('lambdaEnv', () => {
  it('parses only the variables a function names, with their defaults', () => {
    const env = lambdaEnv(['ORDERS_TABLE', 'ORDER_TTL_HOURS', 'AUCTION_BATCH_LIMIT', 'LOADER_RULES'], {
      ORDERS_TABLE: 'tributary-prod-orders',
      STATEMENTS_TABLE: '',
      BUCKETS: 'not even JSON',
    });
    expect(env).toEqual({
      ORDERS_TABLE: 'tributary-prod-orders',
      ORDER_TTL_HOURS: 24,
      AUCTION_BATCH_LIMIT: 500,
      LOADER_RULES: defaultRoutingRules,
    });
    expect(Object.isFrozen(env)).toBe(true);
  });

  it('names every missing or malformed variable in one error', () => {
    const parse = () =>
      lambdaEnv(['STATEMENTS_TABLE', 'BUCKETS', 'MAIL_FROM', 'ORDER_TTL_HOURS', 'ALERTS_TOPIC_ARN'], {
        STATEMENTS_TABLE: '',
        BUCKETS: '["landing"]',
        MAIL_FROM: 'not-an-address',
        ORDER_TTL_HOURS: '0',
        ALERTS_TOPIC_ARN: 'alerts',
      });
    expect(parse).toThrow(LambdaEnvError);
    expect(parse).toThrow(
      /STATEMENTS_TABLE is required; BUCKETS must map each logical bucket name to a physical one.*; MAIL_FROM must be an email address; ORDER_TTL_HOURS must be a positive number of hours, at most 8760; ALERTS_TOPIC_ARN must be an SNS topic ARN/,
    );
  });

  it('reads BUCKETS and STREAMS as JSON maps and LOADER_RULES as JSON rules', () => {
    const env = lambdaEnv(['BUCKETS', 'STREAMS', 'LOADER_RULES'], {
      BUCKETS: '{"landing":"tributary-prod-landing"}',
      STREAMS: '{"events":"tributary-prod-events"}',
      LOADER_RULES: JSON.stringify([
        { pattern: '^teams.*\\.csv$', table: 'teams', columns: [{ name: 'id', type: 'int' }] },
      ]),
    });
    expect(env.BUCKETS).toEqual({ landing: 'tributary-prod-landing' });
    expect(env.STREAMS).toEqual({ events: 'tributary-prod-events' });
    expect(env.LOADER_RULES.map((rule) => rule.table)).toEqual(['teams']);
    expect(() => lambdaEnv(['LOADER_RULES'], { LOADER_RULES: '{"pattern":1}' })).toThrow(
      /LOADER_RULES is not valid routing rules/,
    );
  });

  it('refuses the simulated auction platform, which Lambda bundles do not carry', () => {
    expect(() =>
      lambdaEnv(['AUCTION_PLATFORM', 'AUCTION_URL'], {
        AUCTION_PLATFORM: 'simulated',
        AUCTION_URL: 'https://auction',
      }),
    ).toThrow(/AUCTION_PLATFORM must be http on AWS/);
    expect(() => lambdaEnv(['AUCTION_URL'], { AUCTION_URL: 'ftp://auction' })).toThrow(
      /AUCTION_URL must be an http:\/\/ or https:\/\/ URL/,
    );
    expect(() => lambdaEnv(['AUCTION_BATCH_LIMIT'], { AUCTION_BATCH_LIMIT: '0' })).toThrow(
      /AUCTION_BATCH_LIMIT must be from 1 to 10000/,
    );
  });

  it('takes DEAD_LETTER_QUEUE_URL when set, trimmed', () => {
    const url = 'https://sqs.eu-west-1.amazonaws.com/123456789012/tributary-prod-loader-dlq';
    expect(lambdaEnv(['DEAD_LETTER_QUEUE_URL'], {})).toEqual({});
    expect(lambdaEnv(['DEAD_LETTER_QUEUE_URL'], { DEAD_LETTER_QUEUE_URL: '' })).toEqual({});
    expect(lambdaEnv(['DEAD_LETTER_QUEUE_URL'], { DEAD_LETTER_QUEUE_URL: ` ${url} ` })).toEqual({
      DEAD_LETTER_QUEUE_URL: url,
    });
  });
});

describe('requireNames', () => {
  it('names the logical buckets a map lacks', () => {
    expect(() => requireNames('BUCKETS', { landing: 'x' }, ['landing', 'order-results'])).toThrow(
      'invalid Lambda environment: BUCKETS has no physical name for "order-results"',
    );
    expect(requireNames('BUCKETS', { landing: 'x' }, ['landing'])).toEqual({ landing: 'x' });
  });
});
