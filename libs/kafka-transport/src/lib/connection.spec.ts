import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { compileConfigSchema, recordingLogger } from '../../test/helpers.js';
import { kafkaConfig, kafkaConnectionSchema, kafkajsRetry, resolveConnection, type KafkaConnectionOptions } from './connection.js';

const ca = '-----BEGIN CERTIFICATE-----\nMIIBca\n-----END CERTIFICATE-----\n';
const cert = '-----BEGIN CERTIFICATE-----\nMIIBcert\n-----END CERTIFICATE-----\n';
const key = '-----BEGIN PRIVATE KEY-----\nSECRET-KEY-MATERIAL\n-----END PRIVATE KEY-----\n';
let dir: string;

beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kafka-transport-'));
  fs.writeFileSync(path.join(dir, 'ca.pem'), ca);
  fs.writeFileSync(path.join(dir, 'service.cert'), cert);
  fs.writeFileSync(path.join(dir, 'service.key'), key);
  fs.writeFileSync(path.join(dir, 'not-pem.key'), 'SECRET-KEY-MATERIAL');
});

afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

const resolve = (options: KafkaConnectionOptions) => resolveConnection(options, 'connection', recordingLogger());
const fails = (options: unknown, code: string, message: RegExp) => {
  let error: unknown;
  try {
    resolve(options as KafkaConnectionOptions);
  } catch (caught) {
    error = caught;
  }
  expect(error).toMatchObject({ code, message: expect.stringMatching(message) });
  expect((error as Error).message).not.toContain('SECRET-KEY-MATERIAL');
};

describe('resolveConnection', () => {
  it('fills in the defaults for a plaintext connection', () => {
    expect(resolve({ brokers: ['127.0.0.1:9092'] })).toEqual({ brokers: ['127.0.0.1:9092'], clientId: 'sitewatch', connectionTimeoutMs: 3000, requestTimeoutMs: 30_000 });
  });

  it('takes TLS material as PEM strings or reads it from files', () => {
    const inline = resolve({ brokers: ['b:9093'], tls: { ca, cert, key } });
    const files = resolve({ brokers: ['b:9093'], tls: { caFile: path.join(dir, 'ca.pem'), certFile: path.join(dir, 'service.cert'), keyFile: path.join(dir, 'service.key') } });
    expect(inline.ssl).toEqual({ ca: [ca], cert, key, rejectUnauthorized: true });
    expect(files.ssl).toEqual(inline.ssl);
    expect(resolve({ brokers: ['b:9093'], tls: true }).ssl).toBe(true);
    expect(resolve({ brokers: ['b:9093'], tls: false }).ssl).toBeUndefined();
  });

  it('warns when certificate verification is off', () => {
    const logger = recordingLogger();
    resolveConnection({ brokers: ['b:9093'], tls: { rejectUnauthorized: false } }, 'connection', logger);
    expect(logger.records).toMatchObject([{ level: 'warn', fields: { option: 'connection.tls.rejectUnauthorized' } }]);
  });

  it('names the option and the path of a missing file', () => {
    fails({ brokers: ['b:9093'], tls: { caFile: path.join(dir, 'missing.pem') } }, 'ERR_TRANSPORT_TLS_FILE', /^connection\.tls\.caFile: cannot read .*missing\.pem \(ENOENT\)$/);
  });

  it('refuses what is not PEM without echoing it', () => {
    fails({ brokers: ['b:9093'], tls: { cert, key: 'SECRET-KEY-MATERIAL' } }, 'ERR_TRANSPORT_OPTIONS', /^connection\.tls\.key is not PEM/);
    fails({ brokers: ['b:9093'], tls: { cert, keyFile: path.join(dir, 'not-pem.key') } }, 'ERR_TRANSPORT_OPTIONS', /^connection\.tls\.keyFile \(.*not-pem\.key\) is not PEM/);
  });

  it.each([
    ['no broker', { brokers: [] }, /^connection\.brokers must list at least one broker/],
    ['a broker without port', { brokers: ['localhost'] }, /^connection\.brokers\.0 must be host:port/],
    ['ca and caFile', { brokers: ['b:1'], tls: { ca, caFile: '/x' } }, /^connection\.tls\.ca and connection\.tls\.caFile are both set/],
    ['a cert without key', { brokers: ['b:1'], tls: { cert } }, /^connection\.tls\.key is required/],
    ['an unknown TLS option', { brokers: ['b:1'], tls: { ca, crt: cert } }, /^connection\.tls\.crt is not a known option/],
    ['SASL without TLS', { brokers: ['b:1'], sasl: { mechanism: 'plain', username: 'u', password: 'p' } }, /^connection\.sasl needs tls/],
    ['SASL with tls: false', { brokers: ['b:1'], tls: false, sasl: { mechanism: 'plain', username: 'u', password: 'p' } }, /^connection\.sasl needs tls/],
    ['an unknown mechanism', { brokers: ['b:1'], tls: true, sasl: { mechanism: 'gssapi', username: 'u', password: 'p' } }, /^connection\.sasl\.mechanism must be one of: plain, scram-sha-256, scram-sha-512/],
    ['SASL without password', { brokers: ['b:1'], tls: true, sasl: { mechanism: 'plain', username: 'u' } }, /^connection\.sasl\.password must be a non-empty string/],
    ['a zero timeout', { brokers: ['b:1'], connectionTimeoutMs: 0 }, /^connection\.connectionTimeoutMs must be an integer/],
    ['nothing', undefined, /^connection is required/],
  ])('refuses %s', (_name, options, message) => fails(options, 'ERR_TRANSPORT_OPTIONS', message));

  it('builds a kafkajs config with SASL over TLS, timeouts and our log bridge', () => {
    const resolved = resolve({ brokers: ['b:9094'], clientId: 'probe-1', tls: { ca }, sasl: { mechanism: 'scram-sha-512', username: 'u', password: 'p' }, requestTimeoutMs: 5000 });
    const config = kafkaConfig(resolved, recordingLogger(), kafkajsRetry(2));
    expect(config).toMatchObject({
      brokers: ['b:9094'],
      clientId: 'probe-1',
      ssl: { ca: [ca], rejectUnauthorized: true },
      sasl: { mechanism: 'scram-sha-512', username: 'u', password: 'p' },
      connectionTimeout: 3000,
      requestTimeout: 5000,
      retry: { retries: 2 },
    });
    expect(typeof config.logCreator).toBe('function');
  });
});

describe('kafkaConnectionSchema', () => {
  // The apps validate their YAML config with ajv in strict mode, filling in defaults.
  const validate = compileConfigSchema(kafkaConnectionSchema);

  it('accepts what resolveConnection accepts, and fills in defaults', () => {
    const config = { brokers: ['kafka-1.example.com:12345'], tls: { caFile: 'ca.pem', certFile: 'service.cert', keyFile: 'service.key' } };
    expect(validate(config)).toBe(true);
    expect(config).toMatchObject({ clientId: 'sitewatch', connectionTimeoutMs: 3000, requestTimeoutMs: 30_000 });
    expect(validate({ brokers: ['b:1'], tls: true, sasl: { mechanism: 'scram-sha-256', username: 'u', password: 'p' } })).toBe(true);
  });

  it.each([
    ['no broker', { brokers: [] }],
    ['a broker without port', { brokers: ['no-port'] }],
    ['an unknown TLS option', { brokers: ['b:1'], tls: { crt: 'x' } }],
    ['SASL without TLS', { brokers: ['b:1'], sasl: { mechanism: 'plain', username: 'u', password: 'p' } }],
    ['an unknown mechanism', { brokers: ['b:1'], tls: true, sasl: { mechanism: 'gssapi', username: 'u', password: 'p' } }],
    ['a timeout as text', { brokers: ['b:1'], requestTimeoutMs: '30s' }],
  ])('refuses %s', (_name, config) => {
    expect(validate(config)).toBe(false);
  });
});
