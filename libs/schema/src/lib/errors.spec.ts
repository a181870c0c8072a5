import { describe, expect, it } from '@jest/globals';
import { formatProblems, isSitewatchError, SchemaError, schemaErrorCodes, SitewatchError } from './errors.js';

describe('SchemaError', () => {
  it('uses this package prefix for every code', () => {
    for (const code of schemaErrorCodes) expect(code).toMatch(/^ERR_SCHEMA_[A-Z_]+$/);
  });

  it('is a SitewatchError named after its class, never retriable by default', () => {
    const error = new SchemaError('ERR_SCHEMA_INVALID', 'invalid CheckResult', { problems: [{ path: '/id', message: 'is required' }] });
    expect(error).toBeInstanceOf(SitewatchError);
    expect(error).toMatchObject({ name: 'SchemaError', code: 'ERR_SCHEMA_INVALID', retriable: false, problems: [{ path: '/id', message: 'is required' }] });
    expect(error.message).toBe('invalid CheckResult:\n  /id: is required');
  });
});

describe('SitewatchError', () => {
  it('keeps the cause, retriable and extra details as fields', () => {
    const cause = new Error('socket hang up');
    const error = new SitewatchError<'ERR_X_Y', { sqlState?: string }>('ERR_X_Y', 'write failed', { cause, retriable: true, sqlState: '40P01' });
    expect(error).toMatchObject({ code: 'ERR_X_Y', message: 'write failed', cause, retriable: true, sqlState: '40P01', problems: [] });
    expect(Object.keys(new SitewatchError<'ERR_X_Y', { sqlState?: string }>('ERR_X_Y', 'm', { sqlState: undefined }))).not.toContain('sqlState');
  });
});

describe('isSitewatchError', () => {
  it('recognises one by its shape, also from another copy of the package, and filters by code list', () => {
    const error = new SchemaError('ERR_SCHEMA_NOT_JSON', 'message has no value');
    expect(isSitewatchError(error)).toBe(true);
    expect(isSitewatchError(error, schemaErrorCodes)).toBe(true);
    expect(isSitewatchError(error, ['ERR_SINK_WRITE'])).toBe(false);
    const copy = Object.assign(new Error('copy'), { code: 'ERR_SCHEMA_NOT_JSON', retriable: false, problems: [] });
    expect(isSitewatchError(copy, schemaErrorCodes)).toBe(true);
    expect(isSitewatchError(Object.assign(new Error('other'), { code: 'ECONNRESET', retriable: true, problems: [] }))).toBe(false);
    expect(isSitewatchError(Object.assign(new Error('older'), { code: 'ERR_SCHEMA_INVALID' }))).toBe(false);
    expect(isSitewatchError('ERR_SCHEMA_INVALID')).toBe(false);
  });
});

describe('formatProblems', () => {
  it('writes one line per problem, the whole input as (root)', () => {
    expect(formatProblems('invalid config x.yaml', [{ path: '', message: 'YAML line 1' }, { path: '/kafka/sasl', message: 'needs tls' }])).toBe(
      'invalid config x.yaml:\n  (root): YAML line 1\n  /kafka/sasl: needs tls',
    );
  });
});
