import type { Logger } from '@sitewatch/schema';
import { backoffSchema, resolveBackoff, type Backoff, type BackoffOptions } from './backoff.js';
import type { BatchHandler } from './batch-processor.js';
import type { KafkaConnectionOptions } from './connection.js';
import { booleanOption, checkKeys, ensure, nonEmptyString, positiveInteger, requiredFunction, requiredObject, topicName } from './options.js';
import { createTopicSchema, resolveCreateTopic, type CreateTopicOptions } from './topics.js';

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
  /** How often to heartbeat, in milliseconds (default 3000; below sessionTimeoutMs). */
  heartbeatIntervalMs?: number;
  /** How long a rebalance waits for members to finish their batch and rejoin, in milliseconds (default 60 000). */
  rebalanceTimeoutMs?: number;
  /** How long a fetch waits for new messages, in milliseconds (default 1000; close() may wait this long). */
  fetchMaxWaitMs?: number;
  /** Most bytes fetched per partition and request, which bounds a batch (default 1 MiB). */
  maxBytesPerPartition?: number;
  /**
   * Batches of different partitions handled at the same time (default 1). Each partition's
   * batches still come one after the other, in order; handleBatch must allow concurrent calls.
   */
  partitionsConcurrently?: number;
  /** How long close() waits for the current batch to finish, in milliseconds (default 30 000); it is then delivered again later. */
  closeTimeoutMs?: number;
  /** Create the topic and the dead-letter topic when they do not exist (default: don't; start() fails naming them). */
  createTopic?: CreateTopicOptions;
}

/** Defaults of SubscriberOptions. */
export const subscriberDefaults = {
  fromBeginning: true,
  sessionTimeoutMs: 30_000,
  heartbeatIntervalMs: 3000,
  rebalanceTimeoutMs: 60_000,
  fetchMaxWaitMs: 1000,
  maxBytesPerPartition: 1024 * 1024,
  partitionsConcurrently: 1,
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
    topic: { type: 'string', pattern: '^[a-zA-Z0-9._-]{1,249}$' },
    groupId: { type: 'string', minLength: 1 },
    deadLetterTopic: { type: 'string', pattern: '^[a-zA-Z0-9._-]{1,249}$', description: 'Default: <topic>.dlq' },
    fromBeginning: { type: 'boolean', default: subscriberDefaults.fromBeginning },
    retry: backoffSchema,
    sessionTimeoutMs: milliseconds(subscriberDefaults.sessionTimeoutMs),
    heartbeatIntervalMs: milliseconds(subscriberDefaults.heartbeatIntervalMs),
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
    closeTimeoutMs: { type: 'integer', minimum: 0, default: subscriberDefaults.closeTimeoutMs, description: 'ms' },
    createTopic: createTopicSchema,
  },
} as const;

/** SubscriberOptions checked, with defaults (connection and logger are resolved separately). */
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
  closeTimeoutMs: number;
  createTopic: CreateTopicOptions | undefined;
}

const keys = [
  'connection',
  'topic',
  'groupId',
  'handleBatch',
  'deadLetterTopic',
  'logger',
  'fromBeginning',
  'retry',
  'sessionTimeoutMs',
  'heartbeatIntervalMs',
  'rebalanceTimeoutMs',
  'fetchMaxWaitMs',
  'maxBytesPerPartition',
  'partitionsConcurrently',
  'closeTimeoutMs',
  'createTopic',
];

/** Checks SubscriberOptions (except `connection`) and fills in the defaults. */
export function resolveSubscriberOptions(value: SubscriberOptions): SubscriberSettings {
  const options = requiredObject(value, 'options');
  checkKeys(options, '', keys);
  const topic = topicName(options.topic, 'topic');
  const d = subscriberDefaults;
  const sessionTimeoutMs = positiveInteger(options.sessionTimeoutMs, 'sessionTimeoutMs', d.sessionTimeoutMs);
  const heartbeatIntervalMs = positiveInteger(options.heartbeatIntervalMs, 'heartbeatIntervalMs', Math.min(d.heartbeatIntervalMs, Math.floor(sessionTimeoutMs / 3)));
  ensure(heartbeatIntervalMs < sessionTimeoutMs, 'heartbeatIntervalMs', `must be below sessionTimeoutMs (${sessionTimeoutMs}); about a third of it is usual`);
  const deadLetterTopic = topicName(options.deadLetterTopic, 'deadLetterTopic', `${topic}.dlq`);
  ensure(deadLetterTopic !== topic, 'deadLetterTopic', 'must differ from topic');
  return {
    topic,
    groupId: nonEmptyString(options.groupId, 'groupId'),
    handleBatch: requiredFunction(options.handleBatch, 'handleBatch'),
    deadLetterTopic,
    fromBeginning: booleanOption(options.fromBeginning, 'fromBeginning', d.fromBeginning),
    retry: resolveBackoff(options.retry, 'retry'),
    sessionTimeoutMs,
    heartbeatIntervalMs,
    rebalanceTimeoutMs: positiveInteger(options.rebalanceTimeoutMs, 'rebalanceTimeoutMs', d.rebalanceTimeoutMs),
    fetchMaxWaitMs: positiveInteger(options.fetchMaxWaitMs, 'fetchMaxWaitMs', d.fetchMaxWaitMs),
    maxBytesPerPartition: positiveInteger(options.maxBytesPerPartition, 'maxBytesPerPartition', d.maxBytesPerPartition, { min: 1024 }),
    partitionsConcurrently: positiveInteger(options.partitionsConcurrently, 'partitionsConcurrently', d.partitionsConcurrently, { max: maxPartitionsConcurrently }),
    closeTimeoutMs: positiveInteger(options.closeTimeoutMs, 'closeTimeoutMs', d.closeTimeoutMs, { min: 0 }),
    createTopic: resolveCreateTopic(options.createTopic, 'createTopic'),
  };
}
