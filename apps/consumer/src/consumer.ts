// Wires the consumer: the subscriber hands each batch to the sink, which stores it in one
// transaction, alerts evaluated in it; offsets move only after that (the subscriber's
// contract). The alerts' notifier sends from the outbox over connections of its own.
import { createAlertingSink } from '@sitewatch/alerts';
import { createSubscriber, type BatchHandler } from '@sitewatch/kafka-transport';
import { sinkErrorCodes } from '@sitewatch/pg-sink';
import { isSitewatchError, retry, type Logger } from '@sitewatch/schema';
import { subscriberOptions, type ConsumerConfig } from './config.js';
import { createConsumerMetrics, type ConsumerMetrics } from './metrics.js';

export interface Consumer {
  metrics: ConsumerMetrics;
  /** Readiness for /readyz: in the consumer group, and the last database call worked. */
  readiness(): Record<string, boolean>;
  /** Migrates (if configured), starts partition maintenance, joins the group; retries while Kafka or PostgreSQL are unreachable. */
  start(signal: AbortSignal): Promise<void>;
  /**
   * Waits until the group has stored everything the topic holds now (`sitewatch all`, once the
   * producer beside it has stopped); rejects with the signal's reason when it aborts first.
   */
  drain(signal: AbortSignal): Promise<void>;
  /** Finishes and commits the current batch, leaves the group, closes the database pool. */
  stop(): Promise<void>;
}

// Start-up retries: from half a second up to ten, while Kafka or PostgreSQL are unreachable.
const startRetry = { initialMs: 500, maxMs: 10_000 };

/** Runs `step` until it succeeds; a retriable failure is logged and tried again after a pause. */
async function untilDone(what: string, step: () => Promise<unknown>, log: Logger, signal: AbortSignal): Promise<void> {
  await retry(step, { backoff: startRetry, signal, onRetry: (error, attempt, delayMs) => log.warn({ err: error, attempt: attempt + 1, delayMs }, `${what} failed; retrying`) });
}

export function createConsumer(config: ConsumerConfig, logger: Logger): Consumer {
  const { sink, alerts, migrate, close } = createAlertingSink({ sink: config.postgres, alerts: config.alerts, logger });
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
      const retriable = isSitewatchError(error, sinkErrorCodes) && error.retriable;
      databaseOk = !retriable && databaseOk;
      metrics.writeFailed(retriable);
      throw error;
    }
  };
  const subscriber = createSubscriber({ ...subscriberOptions(config, handleBatch), logger });
  const metrics = createConsumerMetrics(() => subscriber.stats(), () => alerts.stats());

  return {
    metrics,
    readiness: () => ({ kafka: subscriber.ready(), postgres: databaseOk }),
    async start(signal) {
      if (config.consumer.migrateOnStart) await untilDone('migrating the database', migrate, logger, signal);
      await untilDone('starting partition maintenance', () => sink.startMaintenance(), logger, signal);
      databaseOk = true;
      await untilDone('joining the consumer group', () => subscriber.start(), logger, signal);
      alerts.startNotifier();
      logger.info({ topic: config.kafka.topic, groupId: config.consumer.groupId }, 'consumer started');
    },
    drain: (signal) => subscriber.drain(signal),
    async stop() {
      await subscriber.close();
      await close();
      logger.info({ ...subscriber.stats() }, 'consumer stopped');
    },
  };
}

/** `sitewatch-consumer migrate`: applies pending migrations and exits. */
export async function migrateOnly(config: ConsumerConfig, logger: Logger): Promise<void> {
  const { migrate, close } = createAlertingSink({ sink: config.postgres, alerts: config.alerts, logger });
  try {
    const { applied, version, alerts: alertsMigrations } = await migrate();
    logger.info({ applied, version, alerts: alertsMigrations }, 'database migrated');
  } finally {
    await close();
  }
}
