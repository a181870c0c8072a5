import { describe, expect, it } from '@jest/globals';
import { makeCheckResult } from '../testing.js';
import { newCheckId } from './check-result.js';
import { decode, encode, maxMessageBytes, validateCheckResult } from './codec.js';
import { SchemaError } from './errors.js';

function decodeObject(value: unknown) {
  return decode(JSON.stringify(value));
}

function expectError(result: ReturnType<typeof decode>, code: string, field?: string) {
  expect(result.ok).toBe(false);
  if (result.ok) return;
  expect(result.error).toBeInstanceOf(SchemaError);
  expect(result.error.code).toBe(code);
  expect(result.error.problems[0]?.path).toBe(field);
  return result.error;
}

describe('encode/decode', () => {
  it('round-trips a full CheckResult', () => {
    const result = makeCheckResult({
      outcome: 'down',
      reason: 'body_mismatch',
      regex: { mustMatch: { pattern: 'Welcome', matched: false }, mustNotMatch: { pattern: 'error', matched: false } },
      tlsNotAfter: '2027-01-01T00:00:00.000Z',
      error: { code: 'BODY_MISMATCH', message: 'body does not match /Welcome/' },
    });
    expect(decode(encode(result))).toEqual({ ok: true, value: result });
  });

  it('refuses to encode an invalid result, naming the field', () => {
    expect(() => encode(makeCheckResult({ responseTimeMs: -1 }))).toThrow(/\/responseTimeMs: must be >= 0/);
  });

  it('makes distinct UUIDv7 ids that carry their millisecond, across refills of the random pool', () => {
    const before = Date.now();
    // 1,000 ids draw 16,000 random bytes: the 4 KiB pool is refilled three times.
    const ids = Array.from({ length: 1_000 }, newCheckId);
    const after = Date.now();
    expect(ids.every((id) => /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/.test(id))).toBe(true);
    expect(new Set(ids).size).toBe(ids.length);
    // No two ids share their random part (the last 62 bits), which a pool handed out twice would give.
    expect(new Set(ids.map((id) => id.slice(19))).size).toBe(ids.length);
    const millis = ids.map((id) => parseInt(id.slice(0, 8) + id.slice(9, 13), 16));
    expect(millis.every((ms, i) => ms >= before && ms <= after && (i === 0 || ms >= millis[i - 1]!))).toBe(true);
  });
});

describe('decode of bad input', () => {
  it('rejects a null or empty value', () => {
    expectError(decode(null), 'ERR_SCHEMA_NOT_JSON');
    expectError(decode(Buffer.alloc(0)), 'ERR_SCHEMA_NOT_JSON');
  });

  it('rejects bytes that are not JSON', () => {
    const error = expectError(decode(Buffer.from('{"v":1,')), 'ERR_SCHEMA_NOT_JSON');
    expect(error?.message).toMatch(/^message is not JSON/);
  });

  it('rejects JSON that is not an object', () => {
    expectError(decode('[1,2]'), 'ERR_SCHEMA_INVALID', '');
    expectError(decode('"up"'), 'ERR_SCHEMA_INVALID', '');
  });

  it('rejects an oversized message without parsing it', () => {
    const error = expectError(decode(Buffer.alloc(maxMessageBytes + 1, 0x20)), 'ERR_SCHEMA_INVALID');
    expect(error?.message).toContain(`${maxMessageBytes + 1} bytes`);
  });

  it.each([
    ['a missing field', { id: undefined }, '/id', /is required/],
    ['a wrong type', { responseTimeMs: '12' }, '/responseTimeMs', /must be number/],
    ['a nested bad value', { phases: { dnsMs: -3 } }, '/phases/dnsMs', /must be >= 0/],
    ['a non-v7 id', { id: '123e4567-e89b-42d3-a456-426614174000' }, '/id', /must match pattern/],
    ['an unknown reason', { outcome: 'down', reason: 'cosmic_rays' }, '/reason', /must be one of: dns, connect, tls/],
    ['a non-http URL', { url: 'ftp://example.test/' }, '/url', /must match pattern/],
    ['a bad timestamp', { startedAt: 'yesterday' }, '/startedAt', /must match format "date-time"/],
  ])('names the field for %s', (_name, overrides, field, message) => {
    const value = { ...makeCheckResult(), ...overrides };
    const error = expectError(decodeObject(value), 'ERR_SCHEMA_INVALID', field);
    expect(error?.message).toMatch(message);
    expect(error?.message).toContain(`\n  ${field}: `);
  });

  it('requires a reason exactly when the check is down', () => {
    expectError(decodeObject(makeCheckResult({ outcome: 'down' })), 'ERR_SCHEMA_INVALID', '/reason');
    expect(decodeObject(makeCheckResult({ outcome: 'down', reason: 'timeout' })).ok).toBe(true);
    const upWithReason = expectError(decodeObject(makeCheckResult({ outcome: 'up', reason: 'timeout' })), 'ERR_SCHEMA_INVALID', '/reason');
    expect(upWithReason?.problems).toEqual([{ path: '/reason', message: 'is only for a down check' }]);
  });
});

describe('forward compatibility', () => {
  it('accepts fields a v1 reader does not know', () => {
    const value = { ...makeCheckResult(), httpVersion: '2', phases: { dnsMs: 1, quicMs: 3 } };
    const result = decodeObject(value);
    expect(result.ok).toBe(true);
  });

  it('rejects a newer major version with a clear reason', () => {
    const error = expectError(decodeObject({ ...makeCheckResult(), v: 2, shape: 'unknown' }), 'ERR_SCHEMA_UNSUPPORTED_VERSION', '/v');
    expect(error?.problems).toEqual([{ path: '/v', message: 'schema version 2 is newer than the supported 1; upgrade this reader' }]);
  });

  it('rejects an older or missing version as invalid', () => {
    expectError(decodeObject({ ...makeCheckResult(), v: 0 }), 'ERR_SCHEMA_INVALID', '/v');
    expectError(decodeObject({ ...makeCheckResult(), v: undefined }), 'ERR_SCHEMA_INVALID', '/v');
  });

  it('validates plain objects too', () => {
    expect(validateCheckResult(makeCheckResult()).ok).toBe(true);
  });
});
