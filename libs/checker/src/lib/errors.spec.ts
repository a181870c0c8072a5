import { describe, expect, it } from '@jest/globals';
import { isSitewatchError } from '@sitewatch/schema';
import { CheckerError, checkerErrorCodes } from './errors.js';

describe('CheckerError', () => {
  it('uses this package prefix for every code', () => {
    for (const code of checkerErrorCodes) expect(code).toMatch(/^ERR_CHECKER_[A-Z_]+$/);
  });

  it('is never retriable and is recognised by its code list', () => {
    const error = new CheckerError('ERR_CHECKER_STOPPED', 'scheduler is stopped');
    expect(error).toMatchObject({ name: 'CheckerError', retriable: false, problems: [] });
    expect(isSitewatchError(error, checkerErrorCodes)).toBe(true);
  });
});
