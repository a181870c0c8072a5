import { describe, expect, it } from '@jest/globals';
import { ConfigError, isConfigError, isServiceError, serviceErrorCodes } from './errors.js';

describe('ServiceError', () => {
  it('uses this package prefix for every code', () => {
    for (const code of serviceErrorCodes) expect(code).toMatch(/^ERR_SERVICE_[A-Z_]+$/);
  });

  it('recognises a ConfigError by code and carries its problems', () => {
    const error = new ConfigError('a.yaml', [{ path: 'kafka.brokers', message: 'is required' }]);
    expect(isServiceError(error)).toBe(true);
    expect(isConfigError(error)).toBe(true);
    expect(error.message).toBe('a.yaml: 1 problem(s)\n  kafka.brokers: is required');
    expect(isConfigError(new Error('x'))).toBe(false);
  });
});
