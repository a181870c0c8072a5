import { describe, expect, it } from '@jest/globals';
import { isSchemaError, SchemaError, schemaErrorCodes } from './errors.js';

describe('SchemaError', () => {
  it('uses this package prefix for every code', () => {
    for (const code of schemaErrorCodes) expect(code).toMatch(/^ERR_SCHEMA_[A-Z_]+$/);
  });

  it('is never retriable and is recognised by code, not by class identity', () => {
    const error = new SchemaError('ERR_SCHEMA_INVALID', '/id is required', '/id');
    expect(error.retriable).toBe(false);
    expect(isSchemaError(error)).toBe(true);
    expect(isSchemaError(Object.assign(new Error('copy'), { code: 'ERR_SCHEMA_NOT_JSON' }))).toBe(true);
    expect(isSchemaError(Object.assign(new Error('other'), { code: 'ECONNRESET' }))).toBe(false);
    expect(isSchemaError('ERR_SCHEMA_INVALID')).toBe(false);
  });
});
