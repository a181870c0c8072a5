import { describe, expect, it } from '@jest/globals';
import { schemaErrorCodes } from './errors.js';
import { decodeTarget, encodeTarget } from './target-codec.js';
import type { Target } from './target.js';

const target: Target = {
  id: 'shop',
  url: 'https://shop.test/health',
  method: 'GET',
  headers: { authorization: 'Bearer t' },
  intervalMs: 30_000,
  timeoutMs: 5_000,
  acceptStatus: ['200-299'],
  followRedirects: true,
  maxRedirects: 5,
  mustMatch: 'ok',
  maxBodyBytes: 1024,
  tlsVerify: true,
};

const record = (value: unknown) => Buffer.from(JSON.stringify(value));

function problemOf(result: ReturnType<typeof decodeTarget>): { code: string; path?: string; message?: string } {
  if (result.ok) throw new Error('expected an invalid record');
  expect(schemaErrorCodes).toContain(result.error.code);
  return { code: result.error.code, path: result.error.problems[0]?.path, message: result.error.problems[0]?.message };
}

describe('the target record', () => {
  it('round-trips a target, with its version in v', () => {
    const bytes = encodeTarget(target);
    expect(JSON.parse(bytes.toString())).toMatchObject({ v: 1, id: 'shop' });
    expect(decodeTarget(bytes, 'shop')).toEqual({ ok: true, value: target });
  });

  it('leaves out settings that are undefined', () => {
    expect(JSON.parse(encodeTarget({ ...target, mustNotMatch: undefined }).toString())).not.toHaveProperty('mustNotMatch');
  });

  it('refuses to encode an invalid target, naming the field', () => {
    expect(() => encodeTarget({ ...target, intervalMs: 10 })).toThrow(/\/intervalMs: must be >= 1000/);
  });

  it.each([
    ['not JSON', Buffer.from('{"v":1,'), 'ERR_SCHEMA_NOT_JSON', undefined],
    ['empty', Buffer.alloc(0), 'ERR_SCHEMA_NOT_JSON', undefined],
    ['without a version', record({ id: 'shop', url: 'https://shop.test/' }), 'ERR_SCHEMA_INVALID', '/v'],
    ['of a newer major version', record({ v: 2, id: 'shop', url: 'https://shop.test/', retries: 3 }), 'ERR_SCHEMA_UNSUPPORTED_VERSION', '/v'],
    ['with a setting this reader does not know', record({ v: 1, id: 'shop', url: 'https://shop.test/', retries: 3 }), 'ERR_SCHEMA_INVALID', '/retries'],
    ['with a bad setting', record({ v: 1, id: 'shop', url: 'ftp://shop.test/' }), 'ERR_SCHEMA_INVALID', '/url'],
    ['under another key', record({ v: 1, id: 'other', url: 'https://shop.test/' }), 'ERR_SCHEMA_INVALID', '/id'],
  ])('reports a record %s, never throws', (_name, bytes, code, path) => {
    expect(problemOf(decodeTarget(bytes, 'shop'))).toMatchObject({ code, path });
  });

  it('says which key a record belongs under', () => {
    expect(problemOf(decodeTarget(record({ v: 1, id: 'other', url: 'https://shop.test/' }), 'shop')).message).toBe('differs from the record key "shop"');
  });
});
