// How to reach the Kafka cluster: brokers, TLS (CA, client certificate and key, as PEM
// strings or files) and SASL. Resolved once, at construction: files are read then, and a
// missing one is reported by option and path, never by content.
import fs from 'node:fs';
import type { ConnectionOptions as TlsConnectionOptions } from 'node:tls';
import type { Logger } from '@sitewatch/schema';
import { Kafka, type KafkaConfig, type RetryOptions, type SASLOptions } from 'kafkajs';
import { TransportError } from './errors.js';
import { createLogCreator, kafkajsLogLevel } from './kafkajs-logger.js';
import { booleanOption, checkKeys, ensure, nonEmptyString, oneOf, optionalObject, positiveInteger, requiredObject } from './options.js';

/** SASL mechanisms the transport supports. */
export const saslMechanisms = ['plain', 'scram-sha-256', 'scram-sha-512'] as const;

export type SaslMechanism = (typeof saslMechanisms)[number];

/** TLS settings. Each PEM comes either inline (`ca`) or from a file (`caFile`), not both. */
export interface KafkaTlsOptions {
  /** CA certificate(s) that signed the brokers' certificates, PEM (default: the system CAs). */
  ca?: string;
  /** File holding `ca` (e.g. Aiven's ca.pem). */
  caFile?: string;
  /** Client certificate for mutual TLS, PEM (needs `key`). */
  cert?: string;
  /** File holding `cert` (e.g. service.cert). */
  certFile?: string;
  /** Private key of the client certificate, PEM, unencrypted (needs `cert`). */
  key?: string;
  /** File holding `key` (e.g. service.key). */
  keyFile?: string;
  /** Verify the brokers' certificates (default true; false is for experiments only and is logged as a warning). */
  rejectUnauthorized?: boolean;
}

/** SASL credentials; only over TLS (a connection with `sasl` and no `tls` is refused). */
export interface KafkaSaslOptions {
  /** `plain`, `scram-sha-256` or `scram-sha-512`. */
  mechanism: SaslMechanism;
  /** User name (required). */
  username: string;
  /** Password (required); never logged nor put in an error message. */
  password: string;
}

/** Where the Kafka cluster is and how to authenticate to it. */
export interface KafkaConnectionOptions {
  /** Bootstrap brokers, `host:port` (required, at least one). */
  brokers: string[];
  /** Client id the brokers see in their logs and quotas (default `sitewatch`). */
  clientId?: string;
  /** TLS: `true` for TLS with the system CAs, or the CA and client certificate (default: no TLS). */
  tls?: boolean | KafkaTlsOptions;
  /** SASL authentication (default: none); requires `tls`. */
  sasl?: KafkaSaslOptions;
  /** Time to open a connection, TLS handshake included, in milliseconds (default 3000). */
  connectionTimeoutMs?: number;
  /** Time to wait for a broker's response, in milliseconds (default 30 000). */
  requestTimeoutMs?: number;
}

/** Defaults of KafkaConnectionOptions. */
export const connectionDefaults = { clientId: 'sitewatch', connectionTimeoutMs: 3000, requestTimeoutMs: 30_000 } as const;

const pemString = { type: 'string', minLength: 1 } as const;
const pemFile = { type: 'string', minLength: 1 } as const;

/** JSON Schema fragment (draft-07) of KafkaConnectionOptions, for a YAML config. */
export const kafkaConnectionSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['brokers'],
  properties: {
    brokers: { type: 'array', minItems: 1, items: { type: 'string', pattern: '^\\S+:[0-9]{1,5}$' }, description: 'Bootstrap brokers, host:port.' },
    clientId: { type: 'string', minLength: 1, default: connectionDefaults.clientId },
    tls: {
      description: 'true for TLS with the system CAs, or the CA and client certificate (PEM strings or files).',
      anyOf: [
        { type: 'boolean' },
        {
          type: 'object',
          additionalProperties: false,
          properties: {
            ca: pemString,
            caFile: pemFile,
            cert: pemString,
            certFile: pemFile,
            key: pemString,
            keyFile: pemFile,
            rejectUnauthorized: { type: 'boolean', description: 'Verify the brokers certificates (true when absent).' },
          },
        },
      ],
    },
    sasl: {
      type: 'object',
      additionalProperties: false,
      required: ['mechanism', 'username', 'password'],
      properties: {
        mechanism: { enum: saslMechanisms },
        username: { type: 'string', minLength: 1 },
        password: { type: 'string', minLength: 1 },
      },
    },
    connectionTimeoutMs: { type: 'integer', minimum: 1, default: connectionDefaults.connectionTimeoutMs, description: 'ms' },
    requestTimeoutMs: { type: 'integer', minimum: 1, default: connectionDefaults.requestTimeoutMs, description: 'ms' },
  },
  // SASL over plaintext would expose the credentials.
  dependencies: { sasl: ['tls'] },
} as const;

/** KafkaConnectionOptions checked, with PEM files read: what a kafkajs client is made from. */
export interface ResolvedConnection {
  brokers: string[];
  clientId: string;
  ssl?: TlsConnectionOptions | true;
  sasl?: KafkaSaslOptions;
  connectionTimeoutMs: number;
  requestTimeoutMs: number;
}

function readPem(tls: KafkaTlsOptions, name: 'ca' | 'cert' | 'key', path: string): string | undefined {
  const inline = tls[name];
  const file = tls[`${name}File`];
  ensure(inline === undefined || file === undefined, `${path}.${name}`, `and ${path}.${name}File are both set; use one`);
  let pem = inline;
  if (file !== undefined) {
    nonEmptyString(file, `${path}.${name}File`);
    try {
      pem = fs.readFileSync(file, 'utf8');
    } catch (cause) {
      const reason = (cause as NodeJS.ErrnoException).code ?? 'unreadable';
      throw new TransportError('ERR_TRANSPORT_TLS_FILE', `${path}.${name}File: cannot read ${file} (${reason})`, { cause });
    }
  }
  if (pem === undefined) return undefined;
  // Say which option is wrong without echoing what it holds: it may be a private key.
  const where = file === undefined ? `${path}.${name}` : `${path}.${name}File (${file})`;
  ensure(typeof pem === 'string' && pem.includes('-----BEGIN '), where, 'is not PEM (no "-----BEGIN" line)');
  return pem;
}

function resolveTls(value: KafkaConnectionOptions['tls'], path: string, logger: Logger): TlsConnectionOptions | true | undefined {
  if (value === undefined || value === false) return undefined;
  if (value === true) return true;
  const tls = requiredObject(value, path);
  checkKeys(tls, path, ['ca', 'caFile', 'cert', 'certFile', 'key', 'keyFile', 'rejectUnauthorized']);
  const ca = readPem(tls, 'ca', path);
  const cert = readPem(tls, 'cert', path);
  const key = readPem(tls, 'key', path);
  ensure((cert === undefined) === (key === undefined), `${path}.${cert === undefined ? 'cert' : 'key'}`, 'is required with the other half of the client certificate');
  const rejectUnauthorized = booleanOption(tls.rejectUnauthorized, `${path}.rejectUnauthorized`, true);
  if (!rejectUnauthorized) logger.warn({ option: `${path}.rejectUnauthorized` }, 'TLS certificate verification of the brokers is off');
  return { rejectUnauthorized, ...(ca && { ca: [ca] }), ...(cert && { cert }), ...(key && { key }) };
}

function resolveSasl(value: KafkaSaslOptions | undefined, path: string): KafkaSaslOptions | undefined {
  const sasl = optionalObject(value, path);
  if (sasl === undefined) return undefined;
  checkKeys(sasl, path, ['mechanism', 'username', 'password']);
  return {
    mechanism: oneOf(sasl.mechanism, `${path}.mechanism`, saslMechanisms),
    username: nonEmptyString(sasl.username, `${path}.username`),
    password: nonEmptyString(sasl.password, `${path}.password`),
  };
}

/** Checks connection options at `path`, reads the PEM files, and fills in the defaults. */
export function resolveConnection(value: KafkaConnectionOptions, path: string, logger: Logger): ResolvedConnection {
  const options = requiredObject(value, path);
  checkKeys(options, path, ['brokers', 'clientId', 'tls', 'sasl', 'connectionTimeoutMs', 'requestTimeoutMs']);
  const { brokers } = options;
  ensure(Array.isArray(brokers) && brokers.length > 0, `${path}.brokers`, 'must list at least one broker');
  brokers.forEach((broker, i) => ensure(typeof broker === 'string' && /^\S+:[0-9]{1,5}$/.test(broker), `${path}.brokers.${i}`, 'must be host:port'));
  const ssl = resolveTls(options.tls, `${path}.tls`, logger);
  const sasl = resolveSasl(options.sasl, `${path}.sasl`);
  // Refused rather than warned about: PLAIN would send the password in clear, and even SCRAM
  // would leave every message readable on the wire. Set `tls: true` for SASL_SSL.
  ensure(sasl === undefined || ssl !== undefined, `${path}.sasl`, 'needs tls: SASL without TLS would expose the credentials and the data');
  return {
    brokers: [...brokers],
    clientId: nonEmptyString(options.clientId, `${path}.clientId`, connectionDefaults.clientId),
    ...(ssl && { ssl }),
    ...(sasl && { sasl }),
    connectionTimeoutMs: positiveInteger(options.connectionTimeoutMs, `${path}.connectionTimeoutMs`, connectionDefaults.connectionTimeoutMs),
    requestTimeoutMs: positiveInteger(options.requestTimeoutMs, `${path}.requestTimeoutMs`, connectionDefaults.requestTimeoutMs),
  };
}

/** kafkajs retry settings for one client; the caller's own loop retries beyond them. */
export function kafkajsRetry(retries: number, initialRetryTime = 100, maxRetryTime = 2000): RetryOptions {
  return { retries, initialRetryTime, maxRetryTime, factor: 0.2, multiplier: 2 };
}

/** The kafkajs client config of a resolved connection (kept internal: kafkajs is not in the API). */
export function kafkaConfig(connection: ResolvedConnection, logger: Logger, retry: RetryOptions): KafkaConfig {
  return {
    brokers: connection.brokers,
    clientId: connection.clientId,
    ...(connection.ssl && { ssl: connection.ssl }),
    ...(connection.sasl && { sasl: connection.sasl as SASLOptions }),
    connectionTimeout: connection.connectionTimeoutMs,
    requestTimeout: connection.requestTimeoutMs,
    retry,
    logLevel: kafkajsLogLevel,
    logCreator: createLogCreator(logger),
  };
}

/** A kafkajs client for a resolved connection. */
export function createKafka(connection: ResolvedConnection, logger: Logger, retry: RetryOptions): Kafka {
  return new Kafka(kafkaConfig(connection, logger, retry));
}
