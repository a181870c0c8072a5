// A Kafka broker of the test's own (same jars as the local stack, its own ports and data),
// for faults that stop the broker: the shared one must stay up for the other tests.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startKafka, stopKafka, type KafkaStackOptions } from '../../../tools/stack/kafka.js';
import { defaultKafkaVersion } from '../../../tools/stack/stack.js';
import { freePort } from '../../../tools/testing/ports.js';

export interface OwnBroker {
  brokers: string[];
  start(): Promise<void>;
  stop(): Promise<void>;
  /** Stops the broker and deletes its data. */
  close(): Promise<void>;
}

/** Starts a single-node broker of the version the test run uses. */
export async function startOwnBroker(): Promise<OwnBroker> {
  const options: KafkaStackOptions = {
    version: process.env.KAFKA_VERSION ?? defaultKafkaVersion,
    dir: fs.mkdtempSync(path.join(os.tmpdir(), 'sitewatch-broker-')),
    // Four listeners on consecutive ports, which stay free while the test has it stopped.
    port: await freePort(4, { restartable: true }),
  };
  const close = async () => {
    await stopKafka(options);
    fs.rmSync(options.dir, { recursive: true, force: true });
  };
  try {
    const { brokers } = await startKafka(options);
    return { brokers, start: async () => void (await startKafka(options)), stop: async () => void (await stopKafka(options)), close };
  } catch (error) {
    await close();
    throw error;
  }
}
