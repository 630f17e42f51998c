import { describe, expect, it } from 'vitest';
import { assertStorableParams, UnstorableTextError } from './storable-params.js';

describe('assertStorableParams', () => {
  it('lets SQL metacharacters and every other value through: parameters are never spliced into SQL', () => {
    expect(() =>
      assertStorableParams([`'";--$1\\`, 1, null, new Date(0), ['a', 'b'], { k: "'" }, new Uint8Array([0])]),
    ).not.toThrow();
  });

  it.each([
    ['a string', ['ok', 'a\u0000b'], 2],
    ['an array element', [['a', '\u0000']], 1],
    ['a JSON value', [{ note: { deep: 'x\u0000' } }], 1],
    ['a JSON key', [{ 'k\u0000': 1 }], 1],
  ])('refuses a NUL in %s, naming the parameter', (_, params, parameter) => {
    expect(() => assertStorableParams(params)).toThrow(UnstorableTextError);
    expect(() => assertStorableParams(params)).toThrow(`parameter $${parameter}`);
  });
});
