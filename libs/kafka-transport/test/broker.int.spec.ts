// Walking skeleton: the test run's broker takes and serves messages over PLAINTEXT, mutual
// TLS and SASL over TLS, and refuses a TLS client without a certificate.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Kafka, logLevel, type KafkaConfig } from 'kafkajs';
import { startTestKafka, type TestKafka } from '../src/testing.js';

let kafka: TestKafka;

beforeAll(async () => {
  kafka = await startTestKafka();
});

afterAll(() => kafka.close());

async function roundTrip(config: KafkaConfig): Promise<string> {
  const topic = await kafka.createTopic();
  const client = new Kafka({ ...config, logLevel: logLevel.NOTHING });
  const producer = client.producer();
  const consumer = client.consumer({ groupId: kafka.uniqueGroupId() });
  try {
    await producer.connect();
    await producer.send({ topic, messages: [{ key: 'k', value: 'hello' }] });
    await consumer.connect();
    await consumer.subscribe({ topic, fromBeginning: true });
    return await new Promise<string>((resolve) => {
      void consumer.run({ eachMessage: async ({ message }) => resolve(String(message.value)) });
    });
  } finally {
    await Promise.all([producer.disconnect(), consumer.disconnect()]);
  }
}

describe('the test broker', () => {
  it('round-trips a message over PLAINTEXT', async () => {
    await expect(roundTrip({ brokers: kafka.brokers })).resolves.toBe('hello');
  });

  it('round-trips a message over mutual TLS', async () => {
    const { brokers, ca, cert, key } = kafka.tls;
    await expect(roundTrip({ brokers, ssl: { ca: [ca], cert, key } })).resolves.toBe('hello');
  });

  it.each(['plain', 'scram-sha-256', 'scram-sha-512'] as const)('round-trips a message over SASL_SSL with %s', async (mechanism) => {
    const { brokers, ca, username, password } = kafka.sasl;
    await expect(roundTrip({ brokers, ssl: { ca: [ca] }, sasl: { mechanism, username, password } } as KafkaConfig)).resolves.toBe('hello');
  });

  it('refuses a TLS client that has no certificate', async () => {
    const { brokers, ca } = kafka.tls;
    const admin = new Kafka({ brokers, ssl: { ca: [ca] }, logLevel: logLevel.NOTHING, retry: { retries: 0 } }).admin();
    await expect(admin.connect()).rejects.toThrow(/certificate/);
    await admin.disconnect();
  });
});
