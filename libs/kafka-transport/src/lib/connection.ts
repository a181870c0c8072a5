// How to reach the Kafka cluster: brokers, TLS (CA, client certificate and key, as PEM
// strings or files) and SASL. The schema says what it can; resolveConnection() reads the
// files, once, and reports an unreadable one or one that is not PEM by option and path,
// never by content.
import type { ConnectionOptions as TlsConnectionOptions } from 'node:tls';
import { isPem, readPemFile, whenPresent, type Logger, type Problem } from '@sitewatch/schema';
import { Kafka, type KafkaConfig, type RetryOptions, type SASLOptions } from 'kafkajs';
import { createLogCreator, kafkajsLogLevel } from './kafkajs-logger.js';

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

/** SASL credentials; only over TLS (a connection with `sasl` and no `tls`, or `tls: false`, is refused). */
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
  /** SASL authentication (default: none); requires `tls` (not false). */
  sasl?: KafkaSaslOptions;
  /** Time to open a connection, TLS handshake included, in milliseconds (default 3000). */
  connectionTimeoutMs?: number;
  /** Time to wait for a broker's response, in milliseconds (default 30 000). */
  requestTimeoutMs?: number;
}

/** Defaults of KafkaConnectionOptions. */
export const connectionDefaults = { clientId: 'sitewatch', connectionTimeoutMs: 3000, requestTimeoutMs: 30_000 } as const;

const pem = { type: 'string', minLength: 1 } as const;

// Each PEM inline or from a file, not both; a client certificate needs its key, and the key its certificate.
const tlsRules = [
  ...(['ca', 'cert', 'key'] as const).map((name) => whenPresent(`${name}File`, { not: { required: [name] } }, `and ${name} are both set: use one`)),
  ...['cert', 'certFile'].map((name) => whenPresent(name, { anyOf: [{ required: ['key'] }, { required: ['keyFile'] }] }, 'needs key or keyFile: the private key of the client certificate')),
  ...['key', 'keyFile'].map((name) => whenPresent(name, { anyOf: [{ required: ['cert'] }, { required: ['certFile'] }] }, 'needs cert or certFile: the certificate of the client key')),
];

/** JSON Schema fragment (draft-07) of KafkaConnectionOptions, for a YAML config and for the library's own check. */
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
            ca: pem,
            caFile: pem,
            cert: pem,
            certFile: pem,
            key: pem,
            keyFile: pem,
            rejectUnauthorized: { type: 'boolean', description: 'Verify the brokers certificates (true when absent).' },
          },
          allOf: tlsRules,
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
  // Refused rather than warned about: PLAIN would send the password in clear, and even SCRAM
  // would leave every message readable on the wire. Set `tls: true` for SASL_SSL.
  allOf: [whenPresent('sasl', { required: ['tls'], properties: { tls: { not: { const: false } } } }, 'needs tls: SASL without TLS would expose the credentials and the data')],
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

/** One PEM of `tls`, inline or read from its file; a problem when it cannot be read or is not PEM. */
function readPem(tls: KafkaTlsOptions, name: 'ca' | 'cert' | 'key'): { pem?: string; problem?: Problem } {
  const file = tls[`${name}File`];
  if (file !== undefined) {
    const read = readPemFile(file, `/tls/${name}File`);
    return 'problem' in read ? read : { pem: read.text };
  }
  const pem = tls[name];
  // Say which option is wrong without echoing what it holds: it may be a private key.
  return pem === undefined || isPem(pem) ? { pem } : { problem: { path: `/tls/${name}`, message: 'is not PEM (no "-----BEGIN" line)' } };
}

function resolveTls(tls: KafkaConnectionOptions['tls']): { ssl?: TlsConnectionOptions | true; problems: Problem[] } {
  if (tls === undefined || tls === false) return { problems: [] };
  if (tls === true) return { ssl: true, problems: [] };
  const [ca, cert, key] = (['ca', 'cert', 'key'] as const).map((name) => readPem(tls, name));
  const problems = [ca, cert, key].flatMap((read) => (read!.problem ? [read!.problem] : []));
  const ssl = { rejectUnauthorized: tls.rejectUnauthorized ?? true, ...(ca!.pem && { ca: [ca!.pem] }), ...(cert!.pem && { cert: cert!.pem }), ...(key!.pem && { key: key!.pem }) };
  return { ssl, problems };
}

/**
 * What the schema cannot check about connection options it accepted (defaults filled in):
 * reads the PEM files. Returns what a kafkajs client is made from, or the problems, by JSON
 * Pointer into the options.
 */
export function resolveConnection(options: KafkaConnectionOptions): { connection?: ResolvedConnection; problems: Problem[] } {
  const { ssl, problems } = resolveTls(options.tls);
  if (problems.length > 0) return { problems };
  const { brokers, clientId, sasl, connectionTimeoutMs, requestTimeoutMs } = options as Required<KafkaConnectionOptions>;
  return { connection: { brokers, clientId, ...(ssl && { ssl }), ...(sasl && { sasl }), connectionTimeoutMs, requestTimeoutMs }, problems };
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

/** A kafkajs client for a resolved connection; warns when the brokers' certificates are not verified. */
export function createKafka(connection: ResolvedConnection, logger: Logger, retry: RetryOptions): Kafka {
  if (typeof connection.ssl === 'object' && connection.ssl.rejectUnauthorized === false) {
    logger.warn({ option: '/connection/tls/rejectUnauthorized' }, 'TLS certificate verification of the brokers is off');
  }
  return new Kafka(kafkaConfig(connection, logger, retry));
}
