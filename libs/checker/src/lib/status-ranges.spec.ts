import { describe, expect, it } from '@jest/globals';
import { isStatusAccepted, parseStatusRange, type StatusRange } from './status-ranges.js';

describe('parseStatusRange', () => {
  it('reads a single code and an inclusive range', () => {
    expect(parseStatusRange('204')).toEqual({ from: 204, to: 204 });
    expect(parseStatusRange('200-299')).toEqual({ from: 200, to: 299 });
  });

  it.each([
    ['2xx', 'is neither a status code nor a range like 200-299'],
    ['200 - 299', 'is neither a status code nor a range like 200-299'],
    ['', 'is neither a status code nor a range like 200-299'],
    ['099', 'is neither a status code nor a range like 200-299'],
    ['200-700', 'is outside 100-599'],
    ['299-200', 'starts after it ends'],
  ])('rejects %j', (spec, message) => {
    expect(parseStatusRange(spec)).toBe(`"${spec}" ${message}`);
  });
});

describe('isStatusAccepted', () => {
  const ranges = [parseStatusRange('200-299'), parseStatusRange('404')] as StatusRange[];

  it('accepts codes at both ends of a range and single codes', () => {
    expect([200, 250, 299, 404].map((code) => isStatusAccepted(ranges, code))).toEqual([true, true, true, true]);
  });

  it('refuses codes outside every range', () => {
    expect([199, 300, 403, 405, 503].map((code) => isStatusAccepted(ranges, code))).toEqual([false, false, false, false, false]);
  });
});
