// The registry topic as a whole: made sure to exist and to be compacted, read to its end
// (the current state, without a group of its own), and written (upserts and tombstones).
import { randomUUID } from 'node:crypto';
import { noopLogger, retry, type Logger } from '@sitewatch/schema';
import kafkajs, { Partitioners, type Admin, type IHeaders, type Kafka, type KafkaMessage } from 'kafkajs';
import { createKafka, kafkajsRetry } from './connection.js';
import { toTransportError, TransportError } from './errors.js';
import { registryCleanupPolicy, resolveRegistryOptions, type RegistryRecord, type RegistryOptions } from './registry-options.js';
import { ensureTopics, type CreateTopicOptions } from './topics.js';

/** A change to write: the value of a key, or null to remove the key (a tombstone). */
export interface RegistryChange {
  key: string;
  value: Buffer | null;
  /** Headers of the record (e.g. the schema version); default none. */
  headers?: Record<string, string>;
}

/** Header values as UTF-8 text (the first value of a repeated header). */
export function headerText(headers: IHeaders | undefined): Record<string, string> {
  const text: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers ?? {})) {
    const first = Array.isArray(value) ? value[0] : value;
    if (first !== undefined) text[name] = first.toString();
  }
  return text;
}

/** A record as the registry hands it on. */
export function toRecord(partition: number, message: KafkaMessage): RegistryRecord {
  return { partition, offset: message.offset, key: message.key?.toString('utf8') ?? null, value: message.value ?? null, headers: headerText(message.headers) };
}

/**
 * Makes sure the registry topic exists (created compacted when `create` is given) and is
 * compacted: with `delete` the broker would drop targets when their records age out. When
 * the client may not describe the topic's configs, it says so at warn and goes on.
 */
export async function ensureRegistryTopic(admin: Admin, topic: string, create: CreateTopicOptions | undefined, logger: Logger): Promise<void> {
  const compacted = create && { ...create, config: { ...create.config, 'cleanup.policy': registryCleanupPolicy } };
  await ensureTopics(admin, [topic], compacted, logger);
  let policy: string | undefined;
  try {
    // kafkajs is CommonJS: ConfigResourceTypes is only on its default export under Node's ESM loader.
    const { resources } = await admin.describeConfigs({ includeSynonyms: false, resources: [{ type: kafkajs.ConfigResourceTypes.TOPIC, name: topic, configNames: ['cleanup.policy'] }] });
    policy = resources[0]?.configEntries.find((entry) => entry.configName === 'cleanup.policy')?.configValue;
  } catch (error) {
    logger.warn({ err: toTransportError(error), topic }, 'cannot read the cleanup policy of the registry topic; make sure it is compact');
    return;
  }
  if (policy !== undefined && !policy.split(',').includes(registryCleanupPolicy)) {
    throw new TransportError('ERR_TRANSPORT_TOPIC_CONFIG', `topic ${topic} has cleanup.policy=${policy}: the registry needs ${registryCleanupPolicy}, or targets vanish when their records age out`);
  }
}

/** The offsets of a topic's partitions; retried while the leaders are not known yet (a topic just created: kafkajs does not retry this itself). */
function topicOffsets(admin: Admin, topic: string): Promise<{ partition: number; low: string; high: string }[]> {
  return retry(() => admin.fetchTopicOffsets(topic), { backoff: { initialMs: 100, maxMs: 2000 }, retries: 8, isRetriable: (error) => toTransportError(error).retriable });
}

/**
 * Calls `visit` with every message of `topic` below the end offsets of the moment, partition
 * by partition in order, then resolves. A consumer of a group of its own (never committed,
 * so the broker forgets it when it leaves) stands in for kafkajs' missing manual assignment.
 */
export async function readToEnd(kafka: Kafka, admin: Admin, topic: string, visit: (partition: number, message: KafkaMessage) => void, timeoutMs = 60_000): Promise<void> {
  const offsets = await topicOffsets(admin, topic);
  const pending = new Map(offsets.filter((p) => BigInt(p.high) > BigInt(p.low)).map((p) => [p.partition, BigInt(p.high)]));
  if (pending.size === 0) return;
  const consumer = kafka.consumer({ groupId: `sitewatch-read-${randomUUID()}`, maxWaitTimeInMs: 100, allowAutoTopicCreation: false });
  try {
    await consumer.connect();
    await consumer.subscribe({ topics: [topic], fromBeginning: true });
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new TransportError('ERR_TRANSPORT_CONNECT', `reading ${topic} to its end took more than ${timeoutMs} ms`, { retriable: true })), timeoutMs);
      consumer
        .run({
          autoCommit: false,
          eachBatch: async ({ batch }) => {
            const end = pending.get(batch.partition);
            if (end === undefined) return;
            for (const message of batch.messages) if (BigInt(message.offset) < end) visit(batch.partition, message);
            // batch.lastOffset() also covers records kafkajs filtered out (transaction markers, compacted gaps).
            if (BigInt(batch.lastOffset()) + 1n >= end) pending.delete(batch.partition);
            if (pending.size === 0) {
              clearTimeout(timer);
              resolve();
            }
          },
        })
        .catch(reject);
    });
  } finally {
    await consumer.disconnect().catch(() => undefined);
  }
}

/** Runs `work` with a client and an admin for the registry, the topic made sure of first. */
async function withRegistry<T>(options: RegistryOptions, work: (kafka: Kafka, admin: Admin, topic: string, log: Logger) => Promise<T>): Promise<T> {
  const { topic, createTopic, connection } = resolveRegistryOptions(options);
  const log = (options.logger ?? noopLogger).child({ component: 'kafka-registry', topic });
  // Retries ride out a cluster that is busy or still electing the leaders of a new topic.
  const kafka = createKafka(connection, log, kafkajsRetry(8, 300, 5000));
  const admin = kafka.admin();
  try {
    await admin.connect();
    await ensureRegistryTopic(admin, topic, createTopic, log);
    return await work(kafka, admin, topic, log);
  } catch (error) {
    throw toTransportError(error);
  } finally {
    await admin.disconnect().catch(() => undefined);
  }
}

/**
 * The current state of the registry: the latest record of every key, tombstoned keys left
 * out, sorted by key. Records without a key are left out too (they cannot be removed).
 */
export function readRegistry(options: RegistryOptions): Promise<RegistryRecord[]> {
  return withRegistry(options, async (kafka, admin, topic) => {
    const latest = new Map<string, RegistryRecord>();
    await readToEnd(kafka, admin, topic, (partition, message) => {
      const record = toRecord(partition, message);
      if (record.key === null) return;
      if (record.value === null) latest.delete(record.key);
      else latest.set(record.key, record);
    });
    return [...latest.values()].sort((a, b) => (a.key! < b.key! ? -1 : a.key! > b.key! ? 1 : 0));
  });
}

/** Writes changes to the registry (acks from all in-sync replicas, idempotent, key-hashed like the Java client), in order. */
export function writeRegistry(options: RegistryOptions, changes: readonly RegistryChange[]): Promise<void> {
  return withRegistry(options, async (kafka, _admin, topic, log) => {
    if (changes.length === 0) return;
    const producer = kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner, idempotent: true, maxInFlightRequests: 1, allowAutoTopicCreation: false });
    try {
      await producer.connect();
      for (let start = 0; start < changes.length; start += 1000) {
        const messages = changes.slice(start, start + 1000).map(({ key, value, headers }) => ({ key, value, ...(headers && { headers }) }));
        await producer.send({ topic, acks: -1, messages });
      }
      log.info({ records: changes.length, tombstones: changes.filter((change) => change.value === null).length }, 'registry written');
    } finally {
      await producer.disconnect().catch(() => undefined);
    }
  });
}
