import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from '@jest/globals';
import { compileOptions, readPemFile, relocateProblems, whenPresent } from './validation.js';

const schema = {
  type: 'object',
  additionalProperties: false,
  required: ['brokers'],
  properties: {
    brokers: { type: 'array', minItems: 1, items: { type: 'string' } },
    tls: { anyOf: [{ type: 'boolean' }, { type: 'object', additionalProperties: false, properties: { ca: { type: 'string' } } }] },
    sasl: { type: 'object' },
    mode: { enum: ['a', 'b'] },
    headers: { type: 'object', propertyNames: { pattern: '^[a-z-]+$' }, additionalProperties: { type: 'string' } },
    timeoutMs: { type: 'integer', minimum: 1, default: 3000 },
    retry: { type: 'object', default: {}, properties: { maxMs: { type: 'integer', default: 100 } } },
    logger: { typeof: 'object' },
    onError: { typeof: 'function' },
  },
  allOf: [whenPresent('sasl', { required: ['tls'], properties: { tls: { not: { const: false } } } }, 'needs tls: SASL without TLS would expose the credentials and the data')],
} as const;
const validate = compileOptions<Record<string, unknown>>(schema);

describe('compileOptions', () => {
  it('fills in defaults on a copy, never on the value given, and keeps code options as they are', () => {
    const logger = { info: () => undefined };
    const given = Object.freeze({ brokers: Object.freeze(['b:1']), logger });
    const { value, problems } = validate(given);
    expect(problems).toEqual([]);
    expect(value).toEqual({ brokers: ['b:1'], logger, timeoutMs: 3000, retry: { maxMs: 100 } });
    expect(value.logger).toBe(logger);
    expect(given).toEqual({ brokers: ['b:1'], logger });
  });

  it('reports every problem by JSON Pointer, worded for people', () => {
    const { problems } = validate({ brokers: [], tls: 'yes', mode: 'c', timeoutMs: 0, colour: 'blue', headers: { 'Bad Name': 'x', ok: 1 }, onError: 'log' });
    expect(problems).toEqual(
      expect.arrayContaining([
        { path: '/brokers', message: 'must NOT have fewer than 1 items' },
        { path: '/tls', message: 'must be boolean or object' },
        { path: '/mode', message: 'must be one of: a, b' },
        { path: '/timeoutMs', message: 'must be >= 1' },
        { path: '/colour', message: 'is not a known setting' },
        { path: '/headers/Bad Name', message: 'name must match pattern "^[a-z-]+$"' },
        { path: '/headers/ok', message: 'must be string' },
        { path: '/onError', message: 'must be a function' },
      ]),
    );
    expect(problems).toHaveLength(8);
  });

  it('reports the problem inside an alternative the value has the type of', () => {
    expect(validate({ brokers: ['b:1'], tls: { ca: 'x', crt: 'y' } }).problems).toEqual([{ path: '/tls/crt', message: 'is not a known setting' }]);
  });

  it('reports a whenPresent rule once, at its property, with its message', () => {
    const message = 'needs tls: SASL without TLS would expose the credentials and the data';
    expect(validate({ brokers: ['b:1'], sasl: {} }).problems).toEqual([{ path: '/sasl', message }]);
    expect(validate({ brokers: ['b:1'], sasl: {}, tls: false }).problems).toEqual([{ path: '/sasl', message }]);
    expect(validate({ brokers: ['b:1'], sasl: {}, tls: true }).problems).toEqual([]);
  });

  it('escapes keys in pointers (RFC 6901)', () => {
    expect(validate({ brokers: ['b:1'], 'a/b~c': 1 }).problems).toEqual([{ path: '/a~1b~0c', message: 'is not a known setting' }]);
    expect(validate(undefined).problems).toEqual([{ path: '', message: 'must be object' }]);
  });
});

describe('secret: true', () => {
  const kind = (name: string, properties: object) => ({ if: { properties: { type: { const: name } } }, then: { properties: { type: { const: name }, ...properties } } });
  const validateChannels = compileOptions<unknown>({
    type: 'object',
    additionalProperties: {
      type: 'object',
      required: ['type'],
      properties: { type: { enum: ['hook', 'mail'] } },
      allOf: [
        kind('hook', { url: { type: 'string', secret: true }, headers: { type: 'object', additionalProperties: { type: 'string', secret: true } } }),
        kind('mail', { url: { type: 'string' }, to: { type: 'array', items: { type: 'string', secret: true } } }),
      ],
    },
  });

  it('returns the strings at the places marked, by JSON Pointer, in the branches validation took', () => {
    const { problems, secrets } = validateChannels({
      ops: { type: 'hook', url: 'https://hooks.test/T0/token', headers: { 'x/auth': 'Bearer t0ken' } },
      mail: { type: 'mail', url: 'smtp://not-a-secret', to: ['a@b.test', 42] },
    });
    expect(problems).toEqual([{ path: '/mail/to/1', message: 'must be string' }]);
    expect(secrets).toEqual([
      { path: '/ops/url', value: 'https://hooks.test/T0/token' },
      { path: '/ops/headers/x~1auth', value: 'Bearer t0ken' },
      { path: '/mail/to/0', value: 'a@b.test' },
    ]);
  });

  it('finds none where nothing is marked, and none left over from an earlier value', () => {
    expect(validateChannels({ mail: { type: 'mail', url: 'smtp://x' } }).secrets).toEqual([]);
    expect(validate({ brokers: ['b:1'] }).secrets).toEqual([]);
  });
});

describe('relocateProblems', () => {
  it('moves each path by its longest matching prefix, a whole segment at a time', () => {
    const moves = { '': '/producer', '/connection': '/kafka', '/topic': '/kafka/topic' };
    const problems = ['/connection/tls/caFile', '/topic', '/topics', '/lingerMs', ''].map((p) => ({ path: p, message: 'm' }));
    expect(relocateProblems(problems, moves).map((p) => p.path)).toEqual(['/kafka/tls/caFile', '/kafka/topic', '/producer/topics', '/producer/lingerMs', '/producer']);
  });
});

describe('readPemFile', () => {
  it('reads a PEM file, or names it and the reason, never its content', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sitewatch-schema-'));
    const pem = '-----BEGIN CERTIFICATE-----\nx\n-----END CERTIFICATE-----\n';
    try {
      fs.writeFileSync(path.join(dir, 'ca.pem'), pem);
      fs.writeFileSync(path.join(dir, 'secret.txt'), 'hunter2');
      expect(readPemFile(path.join(dir, 'ca.pem'), '/tls/caFile')).toEqual({ text: pem });
      expect(readPemFile(path.join(dir, 'none.pem'), '/tls/caFile')).toEqual({ problem: { path: '/tls/caFile', message: `cannot read ${path.join(dir, 'none.pem')} (ENOENT)` } });
      expect(readPemFile(path.join(dir, 'secret.txt'), '/tls/keyFile')).toEqual({ problem: { path: '/tls/keyFile', message: `${path.join(dir, 'secret.txt')} is not PEM (no "-----BEGIN" line)` } });
      expect(readPemFile(dir, '/ssl/caFile')).toEqual({ problem: { path: '/ssl/caFile', message: `cannot read ${dir} (EISDIR)` } });
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
