import { describe, expect, it } from '@jest/globals';
import { isSitewatchError } from '@sitewatch/schema';
import { ServiceError, serviceErrorCodes } from './errors.js';

describe('ServiceError', () => {
  it('uses this package prefix for every code', () => {
    for (const code of serviceErrorCodes) expect(code).toMatch(/^ERR_SERVICE_[A-Z_]+$/);
  });

  it('carries the problems of a config file, by JSON Pointer', () => {
    const error = new ServiceError('ERR_SERVICE_CONFIG', 'invalid config a.yaml', { problems: [{ path: '/kafka/brokers', message: 'is required' }] });
    expect(isSitewatchError(error, serviceErrorCodes)).toBe(true);
    expect(error).toMatchObject({ name: 'ServiceError', retriable: false });
    expect(error.message).toBe('invalid config a.yaml:\n  /kafka/brokers: is required');
  });
});
