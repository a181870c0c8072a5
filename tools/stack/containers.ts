// The Docker alternative to the local stack (SITEWATCH_STACK=containers): the official
// apache/kafka image with the same listeners and throwaway CA as tools/stack/kafka.ts, and
// a postgres container. Thin by design, and not exercised by CI: the machines CI runs on
// have no Docker engine, so the local provider is the one that is tested.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PostgreSqlContainer } from '@testcontainers/postgresql';
import { GenericContainer, Wait } from 'testcontainers';
import { kafkaCertificates, writeFiles } from './kafka.js';
import { defaultKafkaVersion, type StackInfo } from './stack.js';

export async function startContainers(version = process.env.KAFKA_VERSION ?? defaultKafkaVersion) {
  const port = Number(process.env.SITEWATCH_KAFKA_PORT ?? 19092);
  const certs = await kafkaCertificates();
  const certDir = fs.mkdtempSync(path.join(os.tmpdir(), 'sitewatch-certs-'));
  writeFiles(certDir, { 'ca.pem': certs['ca.pem'], 'service.cert': certs['service.cert'], 'service.key': certs['service.key'] });
  const ssl = { caFile: path.join(certDir, 'ca.pem'), certFile: path.join(certDir, 'service.cert'), keyFile: path.join(certDir, 'service.key') };

  // Host and container use the same ports, so the advertised 127.0.0.1 addresses hold.
  const kafka = await new GenericContainer(`apache/kafka:${version}`)
    .withExposedPorts({ container: port, host: port }, { container: port + 1, host: port + 1 })
    .withCopyContentToContainer([
      { content: certs['broker.pem'], target: '/etc/kafka/secrets/broker.pem' },
      { content: certs['ca.pem'], target: '/etc/kafka/secrets/ca.pem' },
    ])
    .withEnvironment({
      KAFKA_NODE_ID: '1',
      KAFKA_PROCESS_ROLES: 'broker,controller',
      KAFKA_CONTROLLER_QUORUM_VOTERS: `1@localhost:${port + 2}`,
      KAFKA_LISTENERS: `PLAINTEXT://0.0.0.0:${port},SSL://0.0.0.0:${port + 1},CONTROLLER://localhost:${port + 2}`,
      KAFKA_ADVERTISED_LISTENERS: `PLAINTEXT://127.0.0.1:${port},SSL://127.0.0.1:${port + 1}`,
      KAFKA_LISTENER_SECURITY_PROTOCOL_MAP: 'PLAINTEXT:PLAINTEXT,SSL:SSL,CONTROLLER:PLAINTEXT',
      KAFKA_CONTROLLER_LISTENER_NAMES: 'CONTROLLER',
      KAFKA_INTER_BROKER_LISTENER_NAME: 'PLAINTEXT',
      KAFKA_LISTENER_NAME_SSL_SSL_KEYSTORE_TYPE: 'PEM',
      KAFKA_LISTENER_NAME_SSL_SSL_KEYSTORE_LOCATION: '/etc/kafka/secrets/broker.pem',
      KAFKA_LISTENER_NAME_SSL_SSL_TRUSTSTORE_TYPE: 'PEM',
      KAFKA_LISTENER_NAME_SSL_SSL_TRUSTSTORE_LOCATION: '/etc/kafka/secrets/ca.pem',
      KAFKA_LISTENER_NAME_SSL_SSL_CLIENT_AUTH: 'required',
      KAFKA_AUTO_CREATE_TOPICS_ENABLE: 'false',
      KAFKA_OFFSETS_TOPIC_REPLICATION_FACTOR: '1',
      KAFKA_TRANSACTION_STATE_LOG_REPLICATION_FACTOR: '1',
      KAFKA_TRANSACTION_STATE_LOG_MIN_ISR: '1',
      KAFKA_GROUP_INITIAL_REBALANCE_DELAY_MS: '0',
    })
    .withWaitStrategy(Wait.forLogMessage(/Kafka Server started/))
    .start();
  const pg = await new PostgreSqlContainer('postgres:15-alpine').start();

  const info: StackInfo = {
    kafka: { version, brokers: [`127.0.0.1:${port}`], sslBrokers: [`127.0.0.1:${port + 1}`], ssl },
    databaseUrl: pg.getConnectionUri(),
  };
  const stop = async () => {
    await Promise.all([kafka.stop(), pg.stop()]);
    fs.rmSync(certDir, { recursive: true, force: true });
  };
  return { info, stop };
}
