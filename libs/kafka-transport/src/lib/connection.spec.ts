import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { compileOptions } from '@sitewatch/schema';
import { recordingLogger } from '../../test/helpers.js';
import { createKafka, kafkaConfig, kafkaConnectionSchema, kafkajsRetry, resolveConnection, type KafkaConnectionOptions } from './connection.js';

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

const validate = compileOptions<KafkaConnectionOptions>(kafkaConnectionSchema);
/** Resolved as the library does: the schema (defaults filled), then the files. */
const resolve = (options: unknown) => {
  const { value, problems } = validate(options);
  expect(problems).toEqual([]);
  return resolveConnection(value).connection!;
};
/** Every problem, by JSON Pointer into the connection options, as createPublisher() reports them under /connection. */
const problemsOf = (options: unknown) => {
  const { value, problems } = validate(options);
  const all = problems.length > 0 ? problems : resolveConnection(value).problems;
  expect(JSON.stringify(all)).not.toContain('SECRET-KEY-MATERIAL');
  return all;
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
    createKafka(resolve({ brokers: ['b:9093'], tls: { rejectUnauthorized: false } }), logger, kafkajsRetry(0));
    expect(logger.records).toMatchObject([{ level: 'warn', fields: { option: '/connection/tls/rejectUnauthorized' } }]);
  });

  it('names the option and the path of a missing file', () => {
    expect(problemsOf({ brokers: ['b:9093'], tls: { caFile: path.join(dir, 'missing.pem') } })).toEqual([
      { path: '/tls/caFile', message: `cannot read ${path.join(dir, 'missing.pem')} (ENOENT)` },
    ]);
  });

  it('refuses what is not PEM without echoing it', () => {
    expect(problemsOf({ brokers: ['b:9093'], tls: { cert, key: 'SECRET-KEY-MATERIAL' } })).toEqual([{ path: '/tls/key', message: 'is not PEM (no "-----BEGIN" line)' }]);
    expect(problemsOf({ brokers: ['b:9093'], tls: { cert, keyFile: path.join(dir, 'not-pem.key') } })).toEqual([
      { path: '/tls/keyFile', message: `${path.join(dir, 'not-pem.key')} is not PEM (no "-----BEGIN" line)` },
    ]);
  });

  it.each([
    ['no broker', { brokers: [] }, '/brokers', 'must NOT have fewer than 1 items'],
    ['a broker without port', { brokers: ['localhost'] }, '/brokers/0', 'must match pattern "^\\S+:[0-9]{1,5}$"'],
    ['ca and caFile', { brokers: ['b:1'], tls: { ca, caFile: '/x' } }, '/tls/caFile', 'and ca are both set: use one'],
    ['a cert without key', { brokers: ['b:1'], tls: { cert } }, '/tls/cert', 'needs key or keyFile: the private key of the client certificate'],
    ['a key file without cert', { brokers: ['b:1'], tls: { keyFile: '/k' } }, '/tls/keyFile', 'needs cert or certFile: the certificate of the client key'],
    ['an unknown TLS option', { brokers: ['b:1'], tls: { ca, crt: cert } }, '/tls/crt', 'is not a known setting'],
    ['TLS as text', { brokers: ['b:1'], tls: 'yes' }, '/tls', 'must be boolean or object'],
    ['SASL without TLS', { brokers: ['b:1'], sasl: { mechanism: 'plain', username: 'u', password: 'p' } }, '/sasl', 'needs tls: SASL without TLS would expose the credentials and the data'],
    ['SASL with tls: false', { brokers: ['b:1'], tls: false, sasl: { mechanism: 'plain', username: 'u', password: 'p' } }, '/sasl', 'needs tls: SASL without TLS would expose the credentials and the data'],
    ['an unknown mechanism', { brokers: ['b:1'], tls: true, sasl: { mechanism: 'gssapi', username: 'u', password: 'p' } }, '/sasl/mechanism', 'must be one of: plain, scram-sha-256, scram-sha-512'],
    ['SASL without password', { brokers: ['b:1'], tls: true, sasl: { mechanism: 'plain', username: 'u' } }, '/sasl/password', 'is required'],
    ['a zero timeout', { brokers: ['b:1'], connectionTimeoutMs: 0 }, '/connectionTimeoutMs', 'must be >= 1'],
    ['a timeout as text', { brokers: ['b:1'], requestTimeoutMs: '30s' }, '/requestTimeoutMs', 'must be integer'],
    ['nothing', undefined, '', 'must be object'],
  ])('refuses %s', (_name, options, path, message) => {
    expect(problemsOf(options)).toEqual([{ path, message }]);
  });

  it('reports every problem at once', () => {
    expect(problemsOf({ brokers: ['localhost'], tls: { cert, crt: cert }, connectionTimeoutMs: 0 }).map((p) => p.path).sort()).toEqual([
      '/brokers/0',
      '/connectionTimeoutMs',
      '/tls/cert',
      '/tls/crt',
    ]);
  });

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
