// The publisher's options: the JSON Schema a config file and createPublisher() both check
// them with, and the rules it cannot say, run by createPublisher() and checkPublisherOptions().
import { backoffProblems, backoffSchema, compileOptions, relocateProblems, type Backoff, type BackoffOptions, type Logger, type Problem } from '@sitewatch/schema';
import { kafkaConnectionSchema, resolveConnection, type KafkaConnectionOptions, type ResolvedConnection } from './connection.js';
import { TransportError } from './errors.js';
import { spoolOptionsSchema, spoolProblems, type SpoolOptions, type SpoolSettings } from './spool-options.js';
import { createTopicSchema, topicNameSchema, type CreateTopicOptions } from './topics.js';

/** Compression codecs the publisher offers (kafkajs ships gzip only). */
export const compressionCodecs = ['gzip', 'none'] as const;

export type Compression = (typeof compressionCodecs)[number];

/** Options of `createPublisher()`. */
export interface PublisherOptions {
  /** Where the Kafka cluster is and how to authenticate (required). */
  connection: KafkaConnectionOptions;
  /** Topic the results go to (required). */
  topic: string;
  /** Where the publisher logs (default: nowhere). */
  logger?: Logger;
  /**
   * Results held while Kafka is slow or unreachable, the batch being sent included (default
   * 100 000). A buffered result takes about 1 KB of memory, so the default is about 100 MB.
   * Beyond it the oldest waiting results are dropped, counted in `stats().dropped` and logged.
   * Not used with `spool`, whose bound is `spool.maxBytes`.
   */
  maxBufferedResults?: number;
  /**
   * Keep the results in a log on disk instead of memory until the broker has them (default:
   * memory only): a process killed or crashed loses nothing it published, and the next start
   * in the same directory sends what it left, first.
   */
  spool?: SpoolOptions;
  /** Most results sent in one produce request (default 1000). */
  maxBatchResults?: number;
  /** How long a result may wait for others to fill its batch, in milliseconds (default 50). */
  lingerMs?: number;
  /** Compression of the batches: `gzip` or `none` (default `gzip`). */
  compression?: Compression;
  /** Delays between attempts to send a batch that failed (default 200 ms doubling up to 30 s, with jitter). */
  retry?: BackoffOptions;
  /** How long `close()` tries to send what is buffered, in milliseconds (default 10 000); what is left then is dropped and counted. */
  closeTimeoutMs?: number;
  /** Create the topic when it does not exist (default: don't, and a missing topic shows as failed sends). */
  createTopic?: CreateTopicOptions;
  /**
   * Told of each failed attempt to connect or send (each is retried, whatever it says): a
   * service can stop on `retriable: false` errors such as refused TLS or credentials (default none).
   */
  onError?: (error: TransportError) => void;
}

/** Defaults of PublisherOptions. */
export const publisherDefaults = {
  maxBufferedResults: 100_000,
  maxBatchResults: 1000,
  lingerMs: 50,
  compression: 'gzip',
  closeTimeoutMs: 10_000,
} as const;

/** JSON Schema fragment (draft-07) of the PublisherOptions a config file holds: all but `connection` and `logger`. */
export const publisherOptionsSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['topic'],
  properties: {
    topic: topicNameSchema,
    maxBufferedResults: { type: 'integer', minimum: 1, default: publisherDefaults.maxBufferedResults, description: 'About 1 KB of memory each; at least maxBatchResults.' },
    maxBatchResults: { type: 'integer', minimum: 1, maximum: 100_000, default: publisherDefaults.maxBatchResults },
    lingerMs: { type: 'integer', minimum: 0, maximum: 60_000, default: publisherDefaults.lingerMs, description: 'ms' },
    compression: { enum: compressionCodecs, default: publisherDefaults.compression },
    retry: backoffSchema,
    closeTimeoutMs: { type: 'integer', minimum: 0, default: publisherDefaults.closeTimeoutMs, description: 'ms' },
    createTopic: createTopicSchema,
    spool: spoolOptionsSchema,
  },
} as const;

// What only code can pass: the connection (its own fragment in a config file), a logger, a callback.
const librarySchema = {
  ...publisherOptionsSchema,
  required: [...publisherOptionsSchema.required, 'connection'],
  properties: { ...publisherOptionsSchema.properties, connection: kafkaConnectionSchema, logger: { typeof: 'object' }, onError: { typeof: 'function' } },
} as const;

/** PublisherOptions checked, with defaults (the connection is resolved separately). */
export interface PublisherSettings {
  topic: string;
  maxBufferedResults: number;
  maxBatchResults: number;
  lingerMs: number;
  compression: Compression;
  retry: Backoff;
  closeTimeoutMs: number;
  createTopic?: CreateTopicOptions;
  spool?: SpoolSettings;
  onError?: (error: TransportError) => void;
}

const validate = compileOptions<PublisherSettings & { connection: KafkaConnectionOptions }>(librarySchema);

function prepare(options: PublisherOptions): { settings?: PublisherSettings; connection?: ResolvedConnection; problems: Problem[] } {
  const { value, problems } = validate(options);
  if (problems.length > 0) return { problems };
  const { connection, logger: _logger, ...settings } = value as typeof value & { logger?: Logger };
  const resolved = resolveConnection(connection);
  problems.push(...relocateProblems(resolved.problems, { '': '/connection' }), ...backoffProblems(settings.retry, '/retry'));
  if (settings.maxBufferedResults < settings.maxBatchResults) {
    problems.push({ path: '/maxBufferedResults', message: `must be at least maxBatchResults (${settings.maxBatchResults})` });
  }
  problems.push(...spoolProblems(settings.spool));
  return problems.length > 0 ? { problems } : { settings, connection: resolved.connection!, problems };
}

/**
 * Everything wrong with publisher options, by JSON Pointer (e.g. `/connection/sasl`), as
 * createPublisher() would refuse them, without creating anything; empty when they are fine.
 * TLS files are read to check them.
 */
export function checkPublisherOptions(options: PublisherOptions): Problem[] {
  return prepare(options).problems;
}

/** Checks PublisherOptions, fills in the defaults and reads the TLS files; throws ERR_TRANSPORT_OPTIONS listing every problem. */
export function resolvePublisherOptions(options: PublisherOptions): { settings: PublisherSettings; connection: ResolvedConnection } {
  const { settings, connection, problems } = prepare(options);
  if (problems.length > 0) throw new TransportError('ERR_TRANSPORT_OPTIONS', 'invalid publisher options', { problems });
  return { settings: settings!, connection: connection! };
}
