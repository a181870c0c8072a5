// The subscriber's options: the JSON Schema a config file and createSubscriber() both check
// them with, and the rules it cannot say, run by createSubscriber() and checkSubscriberOptions().
import { backoffProblems, backoffSchema, compileOptions, relocateProblems, type Backoff, type BackoffOptions, type Logger, type Problem } from '@sitewatch/schema';
import type { BatchHandler } from './batch-processor.js';
import { kafkaConnectionSchema, resolveConnection, type KafkaConnectionOptions, type ResolvedConnection } from './connection.js';
import { TransportError } from './errors.js';
import { instanceProblems, instanceSchema, type InstanceOptions } from './instance.js';
import { createTopicSchema, topicNameSchema, type CreateTopicOptions } from './topics.js';

/** Options of `createSubscriber()`. */
export interface SubscriberOptions {
  /** Where the Kafka cluster is and how to authenticate (required). */
  connection: KafkaConnectionOptions;
  /** Topic to read results from (required). */
  topic: string;
  /** Consumer group: subscribers with the same group share the topic's partitions (required). */
  groupId: string;
  /** Stores a batch of results (required); see BatchHandler for the contract. */
  handleBatch: BatchHandler;
  /** Topic for messages that cannot be stored (default `<topic>.dlq`). */
  deadLetterTopic?: string;
  /** Where the subscriber logs (default: nowhere). */
  logger?: Logger;
  /** Where a new group starts: the oldest message (true, the default) or only new ones (false). */
  fromBeginning?: boolean;
  /** Delays between attempts after a retriable failure (default 200 ms doubling up to 30 s, with jitter). */
  retry?: BackoffOptions;
  /** The group evicts a member silent this long, in milliseconds (default 30 000; brokers allow 6000 and up). */
  sessionTimeoutMs?: number;
  /** How often to heartbeat, in milliseconds (default 3000, or a third of sessionTimeoutMs when that is less; below sessionTimeoutMs). */
  heartbeatIntervalMs?: number;
  /** How long a rebalance waits for members to finish their batch and rejoin, in milliseconds (default 60 000). */
  rebalanceTimeoutMs?: number;
  /** How long a fetch waits for new messages, in milliseconds (default 1000; close() may wait this long). */
  fetchMaxWaitMs?: number;
  /** Most bytes fetched per partition and request, which bounds a batch (default 192 KiB, about 2,000 results). */
  maxBytesPerPartition?: number;
  /**
   * Batches of different partitions handled at the same time (default 2). Each partition's
   * batches still come one after the other, in order; handleBatch must allow concurrent calls.
   */
  partitionsConcurrently?: number;
  /**
   * Messages fetched and not yet stored beyond which fetching waits (default 12 000): the
   * next batches are fetched while earlier ones are stored, up to this many. Batches of a
   * partition that queued up meanwhile are stored as one, of up to half this many.
   */
  maxBufferedResults?: number;
  /** How long close() waits for the current batch to finish, in milliseconds (default 30 000); it is then delivered again later. */
  closeTimeoutMs?: number;
  /** Create the topic and the dead-letter topic when they do not exist (default: don't; start() fails naming them). */
  createTopic?: CreateTopicOptions;
  /**
   * Who this process is, so that after a crash its restart takes its place in the group at
   * once instead of after `sessionTimeoutMs` (default: none, a restart waits for the session).
   */
  instance?: InstanceOptions;
}

/** Defaults of SubscriberOptions. */
export const subscriberDefaults = {
  fromBeginning: true,
  sessionTimeoutMs: 30_000,
  heartbeatIntervalMs: 3000,
  rebalanceTimeoutMs: 60_000,
  fetchMaxWaitMs: 1000,
  // Measured in bench/pipeline (bench/README.md, the consumer's defaults): what a consumer
  // holds is mostly the fetches in flight, so the fetches are small and what queued up is
  // stored as one transaction. Against the earlier 1 MiB, one partition at a time and 20,000:
  // as fast (+6% over three alternating runs) at 55% of the memory (peak RSS 261-273 against
  // 467-498 MiB).
  maxBytesPerPartition: 192 * 1024,
  partitionsConcurrently: 2,
  maxBufferedResults: 12_000,
  closeTimeoutMs: 30_000,
} as const;

// Beyond a few, concurrent batches only compete for the same database connections and memory.
const maxPartitionsConcurrently = 64;

const milliseconds = (value: number) => ({ type: 'integer', minimum: 1, default: value, description: 'ms' }) as const;

/** JSON Schema fragment (draft-07) of the SubscriberOptions a config file holds: all but `connection`, `handleBatch` and `logger`. */
export const subscriberOptionsSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['topic', 'groupId'],
  properties: {
    topic: topicNameSchema,
    groupId: { type: 'string', minLength: 1 },
    deadLetterTopic: { ...topicNameSchema, description: 'Default: <topic>.dlq; not the topic itself' },
    fromBeginning: { type: 'boolean', default: subscriberDefaults.fromBeginning },
    retry: backoffSchema,
    sessionTimeoutMs: milliseconds(subscriberDefaults.sessionTimeoutMs),
    heartbeatIntervalMs: { type: 'integer', minimum: 1, description: 'ms; default 3000, or a third of sessionTimeoutMs when that is less; below sessionTimeoutMs' },
    rebalanceTimeoutMs: milliseconds(subscriberDefaults.rebalanceTimeoutMs),
    fetchMaxWaitMs: milliseconds(subscriberDefaults.fetchMaxWaitMs),
    maxBytesPerPartition: { type: 'integer', minimum: 1024, default: subscriberDefaults.maxBytesPerPartition, description: 'bytes' },
    partitionsConcurrently: {
      type: 'integer',
      minimum: 1,
      maximum: maxPartitionsConcurrently,
      default: subscriberDefaults.partitionsConcurrently,
      description: 'Batches of different partitions stored at the same time; one partition is always in order.',
    },
    maxBufferedResults: {
      type: 'integer',
      minimum: 1,
      default: subscriberDefaults.maxBufferedResults,
      description: 'Messages fetched and not yet stored beyond which fetching waits (what the consumer holds in memory).',
    },
    closeTimeoutMs: { type: 'integer', minimum: 0, default: subscriberDefaults.closeTimeoutMs, description: 'ms' },
    createTopic: createTopicSchema,
    instance: instanceSchema,
  },
} as const;

// What only code can pass: the connection (its own fragment in a config file), a logger, the handler.
const librarySchema = {
  ...subscriberOptionsSchema,
  required: [...subscriberOptionsSchema.required, 'connection', 'handleBatch'],
  properties: { ...subscriberOptionsSchema.properties, connection: kafkaConnectionSchema, logger: { typeof: 'object' }, handleBatch: { typeof: 'function' } },
} as const;

/** SubscriberOptions checked, with defaults (the connection is resolved separately). */
export interface SubscriberSettings {
  topic: string;
  groupId: string;
  handleBatch: BatchHandler;
  deadLetterTopic: string;
  fromBeginning: boolean;
  retry: Backoff;
  sessionTimeoutMs: number;
  heartbeatIntervalMs: number;
  rebalanceTimeoutMs: number;
  fetchMaxWaitMs: number;
  maxBytesPerPartition: number;
  partitionsConcurrently: number;
  maxBufferedResults: number;
  closeTimeoutMs: number;
  createTopic?: CreateTopicOptions;
  instance?: InstanceOptions;
}

type Validated = Omit<SubscriberSettings, 'deadLetterTopic' | 'heartbeatIntervalMs'> & { deadLetterTopic?: string; heartbeatIntervalMs?: number; connection: KafkaConnectionOptions };

const validate = compileOptions<Validated>(librarySchema);

function prepare(options: SubscriberOptions): { settings?: SubscriberSettings; connection?: ResolvedConnection; problems: Problem[] } {
  const { value, problems } = validate(options);
  if (problems.length > 0) return { problems };
  const { connection, logger: _logger, ...given } = value as Validated & { logger?: Logger };
  const settings: SubscriberSettings = {
    ...given,
    heartbeatIntervalMs: given.heartbeatIntervalMs ?? Math.min(subscriberDefaults.heartbeatIntervalMs, Math.floor(given.sessionTimeoutMs / 3)),
    deadLetterTopic: given.deadLetterTopic ?? `${given.topic}.dlq`,
  };
  const resolved = resolveConnection(connection);
  problems.push(...relocateProblems(resolved.problems, { '': '/connection' }), ...backoffProblems(settings.retry, '/retry'));
  if (settings.heartbeatIntervalMs >= settings.sessionTimeoutMs) {
    problems.push({ path: '/heartbeatIntervalMs', message: `must be below sessionTimeoutMs (${settings.sessionTimeoutMs}); about a third of it is usual` });
  }
  if (settings.deadLetterTopic === settings.topic) problems.push({ path: '/deadLetterTopic', message: 'must differ from topic' });
  problems.push(...instanceProblems(settings.instance));
  return problems.length > 0 ? { problems } : { settings, connection: resolved.connection!, problems };
}

/**
 * Everything wrong with subscriber options, by JSON Pointer (e.g. `/heartbeatIntervalMs`),
 * as createSubscriber() would refuse them, without creating anything; empty when they are
 * fine. TLS files are read to check them.
 */
export function checkSubscriberOptions(options: SubscriberOptions): Problem[] {
  return prepare(options).problems;
}

/** Checks SubscriberOptions, fills in the defaults and reads the TLS files; throws ERR_TRANSPORT_OPTIONS listing every problem. */
export function resolveSubscriberOptions(options: SubscriberOptions): { settings: SubscriberSettings; connection: ResolvedConnection } {
  const { settings, connection, problems } = prepare(options);
  if (problems.length > 0) throw new TransportError('ERR_TRANSPORT_OPTIONS', 'invalid subscriber options', { problems });
  return { settings: settings!, connection: connection! };
}
