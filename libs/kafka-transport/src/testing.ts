// Test helpers (entry point `@sitewatch/kafka-transport/testing`): the broker the test
// run provides, and a fresh topic and consumer group per test, deleted afterwards.
// The jest global set-up (tools/jest) exports the broker's address and certificates as
// KAFKA_BROKERS, KAFKA_SSL_BROKERS, KAFKA_SSL_{CA,CERT,KEY}_FILE, and for SASL over TLS
// KAFKA_SASL_BROKERS, KAFKA_SASL_USERNAME and KAFKA_SASL_PASSWORD_FILE.
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import { Kafka, logLevel } from 'kafkajs';

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

export interface TestKafka {
  /** PLAINTEXT bootstrap servers. */
  brokers: string[];
  /** The mutual-TLS listener and a client certificate it accepts. */
  tls: TestKafkaTls;
  /** The SASL-over-TLS listener and its user. */
  sasl: TestKafkaSasl;
  /** Creates a topic with a unique name; close() deletes it. */
  createTopic(options?: { partitions?: number; prefix?: string }): Promise<string>;
  /** A consumer group id no other test uses. */
  uniqueGroupId(prefix?: string): string;
  /** Deletes the topics this helper created. Idempotent. */
  close(): Promise<void>;
}

function requireEnv(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set: run the tests through jest's global set-up (tools/jest) or set it yourself`);
  return value;
}

/** The test run's broker, from the environment that the global set-up exports. */
export async function startTestKafka(): Promise<TestKafka> {
  const brokers = requireEnv('KAFKA_BROKERS').split(',');
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
  const admin = new Kafka({ clientId: 'sitewatch-test-admin', brokers, logLevel: logLevel.NOTHING }).admin();
  await admin.connect();
  const topics: string[] = [];
  let closing: Promise<void> | undefined;

  return {
    brokers,
    tls,
    sasl,
    async createTopic({ partitions = 1, prefix = 'test' } = {}) {
      const topic = `${prefix}-${randomUUID()}`;
      await admin.createTopics({ topics: [{ topic, numPartitions: partitions, replicationFactor: 1 }], waitForLeaders: true });
      topics.push(topic);
      return topic;
    },
    uniqueGroupId(prefix = 'test-group') {
      return `${prefix}-${randomUUID()}`;
    },
    close() {
      closing ??= (async () => {
        if (topics.length > 0) await admin.deleteTopics({ topics }).catch(() => undefined);
        await admin.disconnect();
      })();
      return closing;
    },
  };
}
