// The Docker alternative to the local stack (SITEWATCH_STACK=containers): the official
// apache/kafka image with the same listeners and throwaway CA as tools/stack/kafka.ts, and
// a postgres container. Thin by design, and not exercised by CI: the machines CI runs on
// have no Docker engine, so the local provider is the one that is tested.
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PostgreSqlContainer } from '@testcontainers/postgresql';
import { GenericContainer, Wait } from 'testcontainers';
import { kafkaCertificates, writeFiles } from './kafka.js';
import { defaultKafkaVersion, type StackInfo } from './stack.js';

export async function startContainers(version = process.env.KAFKA_VERSION ?? defaultKafkaVersion) {
  const certDir = fs.mkdtempSync(path.join(os.tmpdir(), 'sitewatch-certs-'));
  try {
    return await start(version, certDir);
  } catch (error) {
    fs.rmSync(certDir, { recursive: true, force: true });
    throw error;
  }
}

async function start(version: string, certDir: string) {
  const port = Number(process.env.SITEWATCH_KAFKA_PORT ?? 19092);
  const certs = await kafkaCertificates();
  writeFiles(certDir, { 'ca.pem': certs['ca.pem'], 'service.cert': certs['service.cert'], 'service.key': certs['service.key'] });
  const password = randomBytes(18).toString('base64url');
  writeFiles(certDir, { 'sasl-password': password });
  const ssl = { caFile: path.join(certDir, 'ca.pem'), certFile: path.join(certDir, 'service.cert'), keyFile: path.join(certDir, 'service.key') };

  // Host and container use the same ports, so the advertised 127.0.0.1 addresses hold.
  const kafka = await new GenericContainer(`apache/kafka:${version}`)
    .withExposedPorts(...[0, 1, 2].map((offset) => ({ container: port + offset, host: port + offset })))
    .withCopyContentToContainer([
      { content: certs['broker.pem'], target: '/etc/kafka/secrets/broker.pem' },
      { content: certs['ca.pem'], target: '/etc/kafka/secrets/ca.pem' },
    ])
    .withEnvironment({
      KAFKA_NODE_ID: '1',
      KAFKA_PROCESS_ROLES: 'broker,controller',
      KAFKA_CONTROLLER_QUORUM_VOTERS: `1@localhost:${port + 3}`,
      KAFKA_LISTENERS: `PLAINTEXT://0.0.0.0:${port},SSL://0.0.0.0:${port + 1},SASL_SSL://0.0.0.0:${port + 2},CONTROLLER://localhost:${port + 3}`,
      KAFKA_ADVERTISED_LISTENERS: `PLAINTEXT://127.0.0.1:${port},SSL://127.0.0.1:${port + 1},SASL_SSL://127.0.0.1:${port + 2}`,
      KAFKA_LISTENER_SECURITY_PROTOCOL_MAP: 'PLAINTEXT:PLAINTEXT,SSL:SSL,SASL_SSL:SASL_SSL,CONTROLLER:PLAINTEXT',
      KAFKA_CONTROLLER_LISTENER_NAMES: 'CONTROLLER',
      KAFKA_INTER_BROKER_LISTENER_NAME: 'PLAINTEXT',
      KAFKA_SSL_KEYSTORE_TYPE: 'PEM',
      KAFKA_SSL_KEYSTORE_LOCATION: '/etc/kafka/secrets/broker.pem',
      KAFKA_SSL_TRUSTSTORE_TYPE: 'PEM',
      KAFKA_SSL_TRUSTSTORE_LOCATION: '/etc/kafka/secrets/ca.pem',
      KAFKA_LISTENER_NAME_SSL_SSL_CLIENT_AUTH: 'required',
      KAFKA_SASL_ENABLED_MECHANISMS: 'PLAIN,SCRAM-SHA-256,SCRAM-SHA-512',
      KAFKA_LISTENER_NAME_SASL__SSL_PLAIN_SASL_JAAS_CONFIG: `org.apache.kafka.common.security.plain.PlainLoginModule required user_sitewatch="${password}";`,
      'KAFKA_LISTENER_NAME_SASL__SSL_SCRAM-SHA-256_SASL_JAAS_CONFIG': 'org.apache.kafka.common.security.scram.ScramLoginModule required;',
      'KAFKA_LISTENER_NAME_SASL__SSL_SCRAM-SHA-512_SASL_JAAS_CONFIG': 'org.apache.kafka.common.security.scram.ScramLoginModule required;',
      KAFKA_AUTO_CREATE_TOPICS_ENABLE: 'false',
      KAFKA_OFFSETS_TOPIC_REPLICATION_FACTOR: '1',
      KAFKA_TRANSACTION_STATE_LOG_REPLICATION_FACTOR: '1',
      KAFKA_TRANSACTION_STATE_LOG_MIN_ISR: '1',
      KAFKA_GROUP_INITIAL_REBALANCE_DELAY_MS: '0',
    })
    .withWaitStrategy(Wait.forLogMessage(/Kafka Server started/))
    .start();
  // SCRAM credentials are cluster metadata: added through the broker once it runs.
  const scram = `SCRAM-SHA-256=[password=${password}],SCRAM-SHA-512=[password=${password}]`;
  await kafka.exec(['/opt/kafka/bin/kafka-configs.sh', '--bootstrap-server', `localhost:${port}`, '--alter', '--add-config', scram, '--entity-type', 'users', '--entity-name', 'sitewatch']);
  const pg = await new PostgreSqlContainer('postgres:15-alpine').start();

  const info: StackInfo = {
    kafka: {
      version,
      brokers: [`127.0.0.1:${port}`],
      sslBrokers: [`127.0.0.1:${port + 1}`],
      ssl,
      sasl: { brokers: [`127.0.0.1:${port + 2}`], username: 'sitewatch', passwordFile: path.join(certDir, 'sasl-password') },
    },
    databaseUrl: pg.getConnectionUri(),
  };
  const stop = async () => {
    await Promise.all([kafka.stop(), pg.stop()]);
    fs.rmSync(certDir, { recursive: true, force: true });
  };
  return { info, stop };
}
