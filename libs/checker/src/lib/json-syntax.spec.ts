import { describe, expect, it } from '@jest/globals';
import { jsonSyntaxError } from './json-syntax.js';

describe('jsonSyntaxError', () => {
  it.each([
    ['<html><body>Down for maintenance</body></html>', 'an unexpected character at position 0 (line 1, column 1)'],
    ['{"status": "UP",}', 'an unexpected character at position 16 (line 1, column 17)'],
    ['{"status": "UP"} trailing', 'more after the JSON value at position 17 (line 1, column 18)'],
    ['{\n  "status": UP\n}', 'an unexpected character at position 14 (line 2, column 13)'],
    ['[1, 2, tru]', 'an unexpected character at position 7 (line 1, column 8)'],
    ['[1, 2,]', 'an unexpected character at position 6 (line 1, column 7)'],
    ['{"a" 1}', 'an unexpected character at position 5 (line 1, column 6)'],
    ['{"a": "line\nbreak"}', 'a string that is not valid (unterminated, a control character or a bad escape) at position 6 (line 1, column 7)'],
    ['["\\x"]', 'a string that is not valid (unterminated, a control character or a bad escape) at position 1 (line 1, column 2)'],
    ['{"a": [1, 2', 'the body ends early at position 11 (line 1, column 12)'],
    ['"unterminated', 'a string that is not valid (unterminated, a control character or a bad escape) at position 0 (line 1, column 1)'],
    ['01', 'more after the JSON value at position 1 (line 1, column 2)'],
    ['{"a": 1}}', 'more after the JSON value at position 8 (line 1, column 9)'],
    ["{'a': 1}", 'an unexpected character at position 1 (line 1, column 2)'],
    ['NaN', 'an unexpected character at position 0 (line 1, column 1)'],
  ])('%j: %s', (text, where) => {
    expect(() => JSON.parse(text) as unknown).toThrow(SyntaxError);
    expect(jsonSyntaxError(text)).toBe(`body is not JSON: ${where}`);
  });

  it('says an empty body is empty', () => {
    for (const text of ['', ' \n\t ']) expect(jsonSyntaxError(text)).toBe('body is empty, not JSON');
  });

  it('quotes nothing of the body', () => {
    const text = `{"token": "s3cr3t-value", "rest": ${'x'.repeat(100)}}`;
    expect(jsonSyntaxError(text)).not.toMatch(/s3cr3t|xxx/);
  });

  it('finds an error deep inside a large, deeply nested body without running out of stack', () => {
    const depth = 200_000;
    const text = `${'['.repeat(depth)}1,}${']'.repeat(depth)}`;
    expect(() => JSON.parse(text) as unknown).toThrow(SyntaxError);
    expect(jsonSyntaxError(text)).toBe(`body is not JSON: an unexpected character at position ${depth + 2} (line 1, column ${depth + 3})`);
  });

  it('reads a long string with escapes in one pass', () => {
    const text = `["${'a\\n'.repeat(1_000_000)}", x]`;
    expect(jsonSyntaxError(text)).toBe(`body is not JSON: an unexpected character at position ${text.length - 2} (line 1, column ${text.length - 1})`);
  });
});
