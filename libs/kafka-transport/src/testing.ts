// Test helpers (entry point `@sitewatch/kafka-transport/testing`): the broker the test
// run provides, and a fresh topic and consumer group per test, deleted afterwards.
// The jest global set-up (tools/jest) exports the broker's address and certificates as
// KAFKA_BROKERS, KAFKA_SSL_BROKERS, KAFKA_SSL_{CA,CERT,KEY}_FILE, and for SASL over TLS
// KAFKA_SASL_BROKERS, KAFKA_SASL_USERNAME and KAFKA_SASL_PASSWORD_FILE.
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import { Kafka, logLevel, type Admin, type KafkaMessage } from 'kafkajs';
import type { KafkaConnectionOptions, SaslMechanism } from './lib/connection.js';
import { noopLogger } from '@sitewatch/schema';
import { headerText, readToEnd } from './lib/registry-topic.js';
import { openSpool } from './lib/spool.js';
import { spoolDefaults } from './lib/spool-options.js';


/** PEM contents, as a managed Kafka service hands them out (ca.pem, service.cert, service.key). */
export interface TestKafkaTls {
  brokers: string[];
  ca: string;
  cert: string;
  key: string;
}

/** A SASL_SSL listener (server-authenticated TLS) accepting PLAIN, SCRAM-SHA-256 and SCRAM-SHA-512. */
export interface TestKafkaSasl {
  brokers: string[];
  /** CA of the listener's certificate (PEM). */
  ca: string;
  username: string;
  password: string;
}

/** A message as read back from a topic. */
export interface TestKafkaMessage {
  partition: number;
  offset: string;
  key: Buffer | null;
  value: Buffer | null;
  /** Header values as UTF-8 text (the first value of a repeated header). */
  headers: Record<string, string>;
}

/** A message to write as it is (for bad messages that the publisher would refuse to write). */
export interface TestKafkaRawMessage {
  key?: string | Buffer | null;
  value: string | Buffer | null;
  headers?: Record<string, string | Buffer>;
  partition?: number;
}

/** Which listener a connection uses: PLAINTEXT, mutual TLS, or SASL over TLS with a mechanism. */
export type TestKafkaListener = 'plaintext' | 'tls' | SaslMechanism;

export interface TestKafka {
  /** PLAINTEXT bootstrap servers. */
  brokers: string[];
  /** The mutual-TLS listener and a client certificate it accepts. */
  tls: TestKafkaTls;
  /** The SASL-over-TLS listener and its user. */
  sasl: TestKafkaSasl;
  /** Connection options for a listener (default PLAINTEXT), as a config file would hold them. */
  connection(listener?: TestKafkaListener): KafkaConnectionOptions;
  /** Creates a topic with a unique name; close() deletes it. */
  createTopic(options?: { partitions?: number; prefix?: string; config?: Record<string, string> }): Promise<string>;
  /** A unique topic name, not created; close() deletes the topic if something created it. */
  uniqueTopicName(prefix?: string): string;
  /** A consumer group id no other test uses. */
  uniqueGroupId(prefix?: string): string;
  /** Writes messages as they are, in one request. */
  produce(topic: string, messages: TestKafkaRawMessage[]): Promise<void>;
  /**
   * Every message in the topic, by partition and offset, once it holds at least `atLeast`
   * (default 0); rejects when it does not within `timeoutMs` (default 15 000).
   */
  readMessages(topic: string, options?: { atLeast?: number; timeoutMs?: number }): Promise<TestKafkaMessage[]>;
  /** The group's committed offset per partition of the topic ('-1' for none). */
  committedOffsets(groupId: string, topic: string): Promise<Record<number, string>>;
  /** The number of partitions of a topic, or undefined when it does not exist. */
  partitionCount(topic: string): Promise<number | undefined>;
  /** Deletes the topics this helper created or named. Idempotent. */
  close(): Promise<void>;
}

/**
 * The results a publisher's spool holds, not yet acknowledged by the broker, as the next
 * start would send them (a damaged tail is cut, as it would be then). Its publisher must
 * not run.
 */
export function readSpool(directory: string): { key: string; value: Buffer }[] {
  const spool = openSpool({ ...spoolDefaults, directory }, noopLogger);
  try {
    return spool.next(Number.MAX_SAFE_INTEGER, Number.MAX_SAFE_INTEGER).map(({ key, value }) => ({ key, value }));
  } finally {
    spool.clear(new Error('read'));
  }
}

function requireEnv(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set: run the tests through jest's global set-up (tools/jest) or set it yourself`);
  return value;
}

async function waitForMessages(admin: Admin, topic: string, atLeast: number, deadline: number): Promise<void> {
  for (;;) {
    const offsets = await admin.fetchTopicOffsets(topic);
    const total = offsets.reduce((sum, p) => sum + BigInt(p.high) - BigInt(p.low), 0n);
    if (total >= BigInt(atLeast)) return;
    if (Date.now() > deadline) throw new Error(`topic ${topic} holds ${total} message(s), expected at least ${atLeast}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** The test run's broker, from the environment that the global set-up exports, or `options.brokers`. */
export async function startTestKafka(options: { brokers?: string[] } = {}): Promise<TestKafka> {
  // A test may bring a PLAINTEXT broker of its own (one it stops and restarts, say).
  const brokers = options.brokers ?? requireEnv('KAFKA_BROKERS').split(',');
  const tls: TestKafkaTls = {
    brokers: requireEnv('KAFKA_SSL_BROKERS').split(','),
    ca: fs.readFileSync(requireEnv('KAFKA_SSL_CA_FILE'), 'utf8'),
    cert: fs.readFileSync(requireEnv('KAFKA_SSL_CERT_FILE'), 'utf8'),
    key: fs.readFileSync(requireEnv('KAFKA_SSL_KEY_FILE'), 'utf8'),
  };
  const sasl: TestKafkaSasl = {
    brokers: requireEnv('KAFKA_SASL_BROKERS').split(','),
    ca: tls.ca,
    username: requireEnv('KAFKA_SASL_USERNAME'),
    password: fs.readFileSync(requireEnv('KAFKA_SASL_PASSWORD_FILE'), 'utf8').trim(),
  };
  const kafka = new Kafka({ clientId: 'sitewatch-test-admin', brokers, logLevel: logLevel.NOTHING });
  const admin = kafka.admin();
  await admin.connect();
  const producer = kafka.producer({ allowAutoTopicCreation: false });
  await producer.connect();
  const topics: string[] = [];
  let closing: Promise<void> | undefined;

  return {
    brokers,
    tls,
    sasl,
    connection(listener = 'plaintext') {
      if (listener === 'plaintext') return { brokers };
      if (listener === 'tls') return { brokers: tls.brokers, tls: { ca: tls.ca, cert: tls.cert, key: tls.key } };
      return { brokers: sasl.brokers, tls: { ca: sasl.ca }, sasl: { mechanism: listener, username: sasl.username, password: sasl.password } };
    },
    async createTopic({ partitions = 1, prefix = 'test', config = {} } = {}) {
      const topic = `${prefix}-${randomUUID()}`;
      const configEntries = Object.entries(config).map(([name, value]) => ({ name, value }));
      await admin.createTopics({ topics: [{ topic, numPartitions: partitions, replicationFactor: 1, configEntries }], waitForLeaders: true });
      topics.push(topic);
      return topic;
    },
    uniqueTopicName(prefix = 'test') {
      const topic = `${prefix}-${randomUUID()}`;
      topics.push(topic);
      return topic;
    },
    uniqueGroupId(prefix = 'test-group') {
      return `${prefix}-${randomUUID()}`;
    },
    async produce(topic, messages) {
      await producer.send({ topic, acks: -1, messages: messages.map((m) => ({ ...m, key: m.key ?? null })) });
    },
    async readMessages(topic, { atLeast = 0, timeoutMs = 15_000 } = {}) {
      const deadline = Date.now() + timeoutMs;
      await waitForMessages(admin, topic, atLeast, deadline);
      const messages: TestKafkaMessage[] = [];
      const visit = (partition: number, message: KafkaMessage) =>
        messages.push({ partition, offset: message.offset, key: message.key, value: message.value, headers: headerText(message.headers) });
      await readToEnd(kafka, admin, topic, visit, Math.max(deadline - Date.now(), 1000));
      return messages.sort((a, b) => a.partition - b.partition || Number(BigInt(a.offset) - BigInt(b.offset)));
    },
    async partitionCount(topic) {
      if (!(await admin.listTopics()).includes(topic)) return undefined;
      const { topics: [metadata] } = await admin.fetchTopicMetadata({ topics: [topic] });
      return metadata?.partitions.length;
    },
    async committedOffsets(groupId, topic) {
      const [offsets] = await admin.fetchOffsets({ groupId, topics: [topic] });
      return Object.fromEntries((offsets?.partitions ?? []).map((p) => [p.partition, p.offset]));
    },
    close() {
      closing ??= (async () => {
        // Only those that exist: kafkajs retries the deletion of an unknown topic for seconds.
        const existing = new Set(await admin.listTopics());
        const created = topics.filter((topic) => existing.has(topic));
        if (created.length > 0) await admin.deleteTopics({ topics: created }).catch(() => undefined);
        await producer.disconnect();
        await admin.disconnect();
      })();
      return closing;
    },
  };
}
