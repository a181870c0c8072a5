// Makes sure the topics a publisher or subscriber uses exist: creates the missing ones when
// asked to, and otherwise says clearly which one is missing.
import type { Logger } from '@sitewatch/schema';
import type { Admin } from 'kafkajs';
import { toTransportError, TransportError } from './errors.js';

/** JSON Schema of a Kafka topic name: 1-249 of a-z, A-Z, 0-9, '.', '_' and '-', not '.' nor '..' (the broker's rule). */
export const topicNameSchema = { type: 'string', pattern: '^(?!\\.\\.?$)[a-zA-Z0-9._-]{1,249}$' } as const;

/** Create missing topics with these settings (only when the client may: it needs the CREATE permission). */
export interface CreateTopicOptions {
  /** Number of partitions (required): the upper bound of consumers that share the work. */
  partitions: number;
  /** Copies of each partition (required): 3 on a production cluster, 1 on a single local broker. */
  replicationFactor: number;
  /** Topic configs, e.g. `{ 'retention.ms': '604800000', 'min.insync.replicas': '2' }` (default none). */
  config?: Record<string, string>;
}

/** JSON Schema fragment of CreateTopicOptions. */
export const createTopicSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['partitions', 'replicationFactor'],
  properties: {
    partitions: { type: 'integer', minimum: 1, maximum: 10_000 },
    replicationFactor: { type: 'integer', minimum: 1, maximum: 32 },
    config: { type: 'object', additionalProperties: { type: 'string', minLength: 1 } },
  },
} as const;

function describeSettings(create: CreateTopicOptions): string {
  return `${create.partitions} partition(s), replication factor ${create.replicationFactor}`;
}

/** The error to report when creating `topics` failed with `error`. */
export function topicCreateError(error: unknown, topics: string[], create: CreateTopicOptions): TransportError {
  const mapped = toTransportError(error);
  const names = topics.join(', ');
  const kafkaErrorType = mapped.kafkaErrorType === undefined ? {} : { kafkaErrorType: mapped.kafkaErrorType };
  if (mapped.code === 'ERR_TRANSPORT_NOT_AUTHORIZED') {
    const message = `not allowed to create topic(s) ${names}: create them yourself with ${describeSettings(create)}, or grant this client CREATE on them`;
    return new TransportError('ERR_TRANSPORT_TOPIC_CREATE_DENIED', message, { cause: error, ...kafkaErrorType });
  }
  if (mapped.code === 'ERR_TRANSPORT_CONNECT' || mapped.code === 'ERR_TRANSPORT_TLS' || mapped.code === 'ERR_TRANSPORT_AUTH') return mapped;
  const reason = mapped.kafkaErrorType ?? mapped.code;
  return new TransportError('ERR_TRANSPORT_TOPIC_CREATE', `cannot create topic(s) ${names} with ${describeSettings(create)} (${reason})`, {
    cause: error,
    retriable: mapped.retriable,
    ...kafkaErrorType,
  });
}

/**
 * Checks that `topics` exist; creates the missing ones with `create`, or throws
 * ERR_TRANSPORT_TOPIC_MISSING naming them when `create` is not given.
 */
export async function ensureTopics(admin: Admin, topics: string[], create: CreateTopicOptions | undefined, logger: Logger): Promise<void> {
  let existing: Set<string>;
  try {
    existing = new Set(await admin.listTopics());
  } catch (error) {
    throw toTransportError(error);
  }
  const missing = [...new Set(topics)].filter((topic) => !existing.has(topic));
  if (missing.length === 0) return;
  if (create === undefined) {
    throw new TransportError('ERR_TRANSPORT_TOPIC_MISSING', `topic(s) ${missing.join(', ')} do not exist: create them, or set createTopic to have them created`);
  }
  const configEntries = Object.entries(create.config ?? {}).map(([name, value]) => ({ name, value }));
  try {
    await admin.createTopics({
      waitForLeaders: true,
      topics: missing.map((topic) => ({ topic, numPartitions: create.partitions, replicationFactor: create.replicationFactor, configEntries })),
    });
  } catch (error) {
    throw topicCreateError(error, missing, create);
  }
  logger.info({ topics: missing, partitions: create.partitions, replicationFactor: create.replicationFactor }, 'created topics');
}
