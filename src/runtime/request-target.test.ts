import { describe, expect, it } from 'vitest';
import { requestTargetProblem } from './request-target.js';

describe('requestTargetProblem', () => {
  it.each([
    '/buckets/transactions/objects/../x.csv',
    '/buckets/transactions/objects/a/./x.csv',
    '/buckets/transactions/objects/%2e%2E/x.csv',
    '/buckets/transactions/objects/.%2e/x.csv',
    '/buckets/transactions/objects/a/..',
    '/..',
  ])('refuses the dot segment in %s', (target) => {
    expect(requestTargetProblem(target)).toMatch(/"\." or "\.\." segment/);
  });

  it('refuses a backslash in the path', () => {
    expect(requestTargetProblem('/buckets/transactions/objects/..\\x.csv')).toMatch(/backslash/);
  });

  it.each([
    '/buckets/transactions/objects/a..b/x.csv',
    '/buckets/transactions/objects/..%2Fx.csv',
    '/buckets/transactions/objects/.hidden/x.csv',
    '/ui/buckets/transactions/object?key=../x.csv',
    '/ui/sign-in?next=/a/../b&x=\\',
    '/health',
  ])('leaves %s to the routes (encoded slashes, dotted names and queries)', (target) => {
    expect(requestTargetProblem(target)).toBeUndefined();
  });
});
