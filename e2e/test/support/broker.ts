// A Kafka broker of the test's own (same jars as the local stack, its own ports and data),
// for faults that stop the broker: the shared one must stay up for the other tests.
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { startKafka, stopKafka, type KafkaStackOptions } from '../../../tools/stack/kafka.js';
import { defaultKafkaVersion } from '../../../tools/stack/stack.js';

export interface OwnBroker {
  brokers: string[];
  start(): Promise<void>;
  stop(): Promise<void>;
  /** Stops the broker and deletes its data. */
  close(): Promise<void>;
}

function portFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = net.createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

/** A base port whose next three ports are free too (the broker's four listeners). */
async function freePortBlock(): Promise<number> {
  for (;;) {
    const base = 30_000 + Math.floor(Math.random() * 20_000);
    const free = await Promise.all([0, 1, 2, 3].map((offset) => portFree(base + offset)));
    if (free.every(Boolean)) return base;
  }
}

/** Starts a single-node broker of the version the test run uses. */
export async function startOwnBroker(): Promise<OwnBroker> {
  const options: KafkaStackOptions = {
    version: process.env.KAFKA_VERSION ?? defaultKafkaVersion,
    dir: fs.mkdtempSync(path.join(os.tmpdir(), 'sitewatch-broker-')),
    port: await freePortBlock(),
  };
  const brokers = (await startKafka(options)).brokers;
  return {
    brokers,
    start: async () => void (await startKafka(options)),
    stop: async () => void (await stopKafka(options)),
    async close() {
      await stopKafka(options);
      fs.rmSync(options.dir, { recursive: true, force: true });
    },
  };
}
