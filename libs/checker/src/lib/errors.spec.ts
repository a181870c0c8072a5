import { describe, expect, it } from '@jest/globals';
import { CheckerError, checkerErrorCodes, invalidTarget, isCheckerError } from './errors.js';

describe('CheckerError', () => {
  it('uses this package prefix for every code', () => {
    for (const code of checkerErrorCodes) expect(code).toMatch(/^ERR_CHECKER_[A-Z_]+$/);
  });

  it('is never retriable and is recognised by code, not by class identity', () => {
    const error = new CheckerError('ERR_CHECKER_STOPPED', 'scheduler is stopped');
    expect(error.retriable).toBe(false);
    expect(isCheckerError(error)).toBe(true);
    expect(isCheckerError(Object.assign(new Error('copy'), { code: 'ERR_CHECKER_ABORTED' }))).toBe(true);
    expect(isCheckerError(Object.assign(new Error('other'), { code: 'ECONNRESET' }))).toBe(false);
    expect(isCheckerError('ERR_CHECKER_STOPPED')).toBe(false);
  });

  it('lists every problem of an invalid target, with its field', () => {
    const error = invalidTarget([
      { field: '/url', message: 'must be an http or https URL' },
      { field: '/mustMatch', message: 'does not compile: missing closing )' },
    ]);
    expect(error.code).toBe('ERR_CHECKER_INVALID_TARGET');
    expect(error.problems).toHaveLength(2);
    expect(error.message).toBe('invalid target: 2 problem(s)\n  /url: must be an http or https URL\n  /mustMatch: does not compile: missing closing )');
  });
});
