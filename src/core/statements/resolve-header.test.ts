import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { deriveTransactionId, resolveHeader } from './resolve-header.js';

describe('resolveHeader', () => {
  it('finds the challenge columns', () => {
    expect(resolveHeader(['Id', 'Date', 'Transaction'])).toEqual({
      ok: true,
      columns: { id: 0, date: 1, amount: 2, cellCount: 3 },
    });
  });

  it('accepts aliases in any order and case, trimmed and without BOM', () => {
    expect(
      resolveHeader(['\uFEFFtransactionID', ' DATE ', 'amount', ' accountid', 'EMAIL', ' Name ']),
    ).toEqual({
      ok: true,
      columns: { id: 0, date: 1, amount: 2, accountId: 3, email: 4, name: 5, cellCount: 6 },
    });
  });

  it('accepts a header without an id column', () => {
    expect(resolveHeader(['AccountId', 'Datetime', 'Transaction'])).toEqual({
      ok: true,
      columns: { accountId: 0, date: 1, amount: 2, cellCount: 3 },
    });
  });

  it('ignores unknown columns but counts them as cells', () => {
    expect(resolveHeader(['Date', 'Memo', 'Amount'])).toEqual({
      ok: true,
      columns: { date: 0, amount: 2, cellCount: 3 },
    });
  });

  it('refuses a header naming the same column through two aliases', () => {
    expect(resolveHeader(['Id', 'TransactionId', 'Date', 'Amount'])).toEqual({
      ok: false,
      reason: 'header names the id column twice: "Id" and "TransactionId"',
    });
    expect(resolveHeader(['Date', 'Amount', 'Transaction']).ok).toBe(false);
  });

  it('says what was expected and what was found when date or amount is missing', () => {
    const result = resolveHeader(['0', '7/15', '+60.5']);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.reason).toContain('expected columns Date (or Datetime) and Transaction (or Amount)');
    expect(result.reason).toContain('found "0", "7/15", "+60.5"');
  });
});

describe('deriveTransactionId', () => {
  it('hashes account, date, amount and occurrence into a short prefixed id', () => {
    const digest = createHash('sha256').update('1|2023-08-01|6050|0').digest('hex');
    expect(deriveTransactionId('1', '2023-08-01', 6050, 0)).toBe(`h-${digest.slice(0, 16)}`);
    expect(deriveTransactionId('1', '2023-08-01', 6050, 0)).toMatch(/^h-[0-9a-f]{16}$/);
  });

  it('tells repeated identical transactions apart by their occurrence', () => {
    expect(deriveTransactionId('1', '2023-08-01', 6050, 0)).not.toBe(
      deriveTransactionId('1', '2023-08-01', 6050, 1),
    );
  });
});
