import type { Logger } from '@sitewatch/schema';
import { backoffSchema, resolveBackoff, type Backoff, type BackoffOptions } from './backoff.js';
import type { KafkaConnectionOptions } from './connection.js';
import { checkKeys, ensure, oneOf, positiveInteger, requiredFunction, requiredObject, topicName } from './options.js';
import type { TransportError } from './errors.js';
import { createTopicSchema, resolveCreateTopic, type CreateTopicOptions } from './topics.js';

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
   */
  maxBufferedResults?: number;
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
    topic: { type: 'string', pattern: '^[a-zA-Z0-9._-]{1,249}$' },
    maxBufferedResults: { type: 'integer', minimum: 1, default: publisherDefaults.maxBufferedResults, description: 'About 1 KB of memory each.' },
    maxBatchResults: { type: 'integer', minimum: 1, maximum: 100_000, default: publisherDefaults.maxBatchResults },
    lingerMs: { type: 'integer', minimum: 0, maximum: 60_000, default: publisherDefaults.lingerMs, description: 'ms' },
    compression: { enum: compressionCodecs, default: publisherDefaults.compression },
    retry: backoffSchema,
    closeTimeoutMs: { type: 'integer', minimum: 0, default: publisherDefaults.closeTimeoutMs, description: 'ms' },
    createTopic: createTopicSchema,
  },
} as const;

/** PublisherOptions checked, with defaults (connection and logger are resolved separately). */
export interface PublisherSettings {
  topic: string;
  maxBufferedResults: number;
  maxBatchResults: number;
  lingerMs: number;
  compression: Compression;
  retry: Backoff;
  closeTimeoutMs: number;
  createTopic: CreateTopicOptions | undefined;
  onError: ((error: TransportError) => void) | undefined;
}

const keys = ['connection', 'topic', 'logger', 'maxBufferedResults', 'maxBatchResults', 'lingerMs', 'compression', 'retry', 'closeTimeoutMs', 'createTopic', 'onError'];

/** Checks PublisherOptions (except `connection`) and fills in the defaults. */
export function resolvePublisherOptions(value: PublisherOptions): PublisherSettings {
  const options = requiredObject(value, 'options');
  checkKeys(options, '', keys);
  const maxBatchResults = positiveInteger(options.maxBatchResults, 'maxBatchResults', publisherDefaults.maxBatchResults, { max: 100_000 });
  const maxBufferedResults = positiveInteger(options.maxBufferedResults, 'maxBufferedResults', publisherDefaults.maxBufferedResults);
  ensure(maxBufferedResults >= maxBatchResults, 'maxBufferedResults', `must be at least maxBatchResults (${maxBatchResults})`);
  return {
    topic: topicName(options.topic, 'topic'),
    maxBufferedResults,
    maxBatchResults,
    lingerMs: positiveInteger(options.lingerMs, 'lingerMs', publisherDefaults.lingerMs, { min: 0, max: 60_000 }),
    compression: oneOf(options.compression, 'compression', compressionCodecs, publisherDefaults.compression),
    retry: resolveBackoff(options.retry, 'retry'),
    closeTimeoutMs: positiveInteger(options.closeTimeoutMs, 'closeTimeoutMs', publisherDefaults.closeTimeoutMs, { min: 0 }),
    createTopic: resolveCreateTopic(options.createTopic, 'createTopic'),
    onError: options.onError === undefined ? undefined : requiredFunction(options.onError, 'onError'),
  };
}
