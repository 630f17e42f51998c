import { describe, expect, it } from 'vitest';
import { MAX_RECORD_BYTES, MAX_RECORDS_PER_REQUEST, MAX_REQUEST_BYTES, utf8ByteLength } from './limits.js';

describe('limits', () => {
  it('keeps the AWS-derived limits', () => {
    expect([MAX_RECORDS_PER_REQUEST, MAX_REQUEST_BYTES, MAX_RECORD_BYTES]).toEqual([500, 5_242_880, 262_144]);
  });

  it.each(['', 'monzo', 'é', '€uro', '😀 and 😀', 'lone \ud800 surrogate', 'ꙮ'.repeat(1000)])(
    'counts the UTF-8 bytes of %j as the encoder does',
    (text) => {
      expect(utf8ByteLength(text)).toBe(new TextEncoder().encode(text).length);
    },
  );
});
