// Wires the consumer: the subscriber hands each batch to the sink, which stores it in one
// transaction; offsets move only after that (the subscriber's contract).
import { createSubscriber, type BatchHandler } from '@sitewatch/kafka-transport';
import { createSink, isSinkError } from '@sitewatch/pg-sink';
import type { Logger } from '@sitewatch/schema';
import type { ConsumerConfig } from './config.js';
import { createConsumerMetrics, type ConsumerMetrics } from './metrics.js';

export interface Consumer {
  metrics: ConsumerMetrics;
  /** Readiness for /readyz: in the consumer group, and the last database call worked. */
  readiness(): Record<string, boolean>;
  /** Migrates (if configured), starts partition maintenance, joins the group; retries while Kafka or PostgreSQL are unreachable. */
  start(signal: AbortSignal): Promise<void>;
  /** Finishes and commits the current batch, leaves the group, closes the database pool. */
  stop(): Promise<void>;
}

const delays = [500, 1000, 2000, 5000, 10_000];

/** Runs `step` until it succeeds; a retriable failure is logged and tried again after a pause. */
async function untilDone(what: string, step: () => Promise<unknown>, log: Logger, signal: AbortSignal): Promise<void> {
  for (let attempt = 0; ; attempt++) {
    try {
      await step();
      return;
    } catch (error) {
      if (signal.aborted || (error as { retriable?: unknown }).retriable !== true) throw error;
      const delayMs = delays[Math.min(attempt, delays.length - 1)]!;
      log.warn({ err: error, attempt: attempt + 1, delayMs }, `${what} failed; retrying`);
      await new Promise((resolve) => setTimeout(resolve, delayMs));
    }
  }
}

export function createConsumer(config: ConsumerConfig, logger: Logger): Consumer {
  const { topic, createTopic, ...connection } = config.kafka;
  const { metrics: _ops, migrateOnStart, shutdownTimeoutMs: _deadline, ...subscriberSettings } = config.consumer;
  const sink = createSink({ ...config.postgres, logger });
  let databaseOk = false;

  const handleBatch: BatchHandler = async (results, { partition, attempt }) => {
    const started = performance.now();
    try {
      const written = await sink.write(results);
      databaseOk = true;
      const seconds = (performance.now() - started) / 1000;
      metrics.stored({ results: results.length, ...written, seconds });
      logger.info({ partition, results: results.length, ...written, attempt, durationMs: Math.round(seconds * 1000) }, 'batch stored');
    } catch (error) {
      const retriable = isSinkError(error) && error.retriable;
      databaseOk = !retriable && databaseOk;
      metrics.writeFailed(retriable);
      throw error;
    }
  };
  const subscriber = createSubscriber({ ...subscriberSettings, connection, topic, createTopic, handleBatch, logger });
  const metrics = createConsumerMetrics(() => subscriber.stats());

  return {
    metrics,
    readiness: () => ({ kafka: subscriber.ready(), postgres: databaseOk }),
    async start(signal) {
      if (migrateOnStart) await untilDone('migrating the database', () => sink.migrate(), logger, signal);
      await untilDone('starting partition maintenance', () => sink.startMaintenance(), logger, signal);
      databaseOk = true;
      await untilDone('joining the consumer group', () => subscriber.start(), logger, signal);
      logger.info({ topic, groupId: subscriberSettings.groupId }, 'consumer started');
    },
    async stop() {
      await subscriber.close();
      await sink.close();
      logger.info({ ...subscriber.stats() }, 'consumer stopped');
    },
  };
}

/** `sitewatch-consumer migrate`: applies pending migrations and exits. */
export async function migrateOnly(config: ConsumerConfig, logger: Logger): Promise<void> {
  const sink = createSink({ ...config.postgres, logger });
  try {
    const { applied, version } = await sink.migrate();
    logger.info({ applied, version }, 'database migrated');
  } finally {
    await sink.close();
  }
}
