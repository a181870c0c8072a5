import { describe, expect, it } from '@jest/globals';
import { arrayLiteral, quotedArrayLiteral } from './pg-array.js';

describe('arrayLiteral', () => {
  it('writes numbers, booleans and NULL bare', () => {
    expect(arrayLiteral([1, 2.5, -3, 1e21, null])).toBe('{1,2.5,-3,1e+21,NULL}');
    expect(arrayLiteral([true, false, null])).toBe('{t,f,NULL}');
    expect(arrayLiteral([])).toBe('{}');
  });

  it('quotes strings and escapes quotes and backslashes', () => {
    expect(arrayLiteral(['a', 'b c', 'x,{y}', 'NULL', 'say "hi"', 'C:\\dir', ''])).toBe('{"a","b c","x,{y}","NULL","say \\"hi\\"","C:\\\\dir",""}');
  });

  it('refuses numbers PostgreSQL cannot read back as the same value', () => {
    expect(() => arrayLiteral([Number.NaN])).toThrow(RangeError);
    expect(() => arrayLiteral([Number.POSITIVE_INFINITY])).toThrow(RangeError);
  });
});

describe('quotedArrayLiteral', () => {
  it('quotes strings free of quotes and backslashes as arrayLiteral does', () => {
    const values = ['[185:187]={2,NULL,1}', '{}', '2026-11-27T00:00:00.000Z', ''];
    expect(quotedArrayLiteral(values)).toBe(arrayLiteral(values));
    expect(quotedArrayLiteral([])).toBe('{}');
  });
});
