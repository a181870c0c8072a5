// Wires the producer: the scheduler runs checks, each result is counted and published.
import { checkTarget, createResolver, createScheduler } from '@sitewatch/checker';
import { createPublisher, type TransportError } from '@sitewatch/kafka-transport';
import type { Logger } from '@sitewatch/schema';
import { watchProcessCapacity } from './capacity.js';
import { checkerCa, probeId, producerTargets, publisherOptions, type ProducerConfig } from './config.js';
import { createProducerMetrics, type ProducerMetrics } from './metrics.js';

export interface Producer {
  metrics: ProducerMetrics;
  /** Readiness for /readyz: connected to Kafka. */
  readiness(): Record<string, boolean>;
  /** Stops scheduling, waits for in-flight checks, flushes what is buffered. */
  stop(): Promise<void>;
}

/** Kafka refusing us (rather than being unreachable): retrying cannot help, a person must act. */
const refusals = new Set(['ERR_TRANSPORT_TLS', 'ERR_TRANSPORT_AUTH', 'ERR_TRANSPORT_NOT_AUTHORIZED', 'ERR_TRANSPORT_TOPIC_CREATE_DENIED']);

/**
 * Starts checking and publishing. Throws (before anything runs) for options the libraries
 * refuse; calls `onFatal` when Kafka refuses the connection (TLS, credentials, permissions).
 */
export function startProducer(config: ProducerConfig, logger: Logger, onFatal: (error: TransportError) => void): Producer {
  const onError = (error: TransportError) => refusals.has(error.code) && onFatal(error);
  const publisher = createPublisher({ ...publisherOptions(config), logger, onError });
  const probe = probeId(config);
  const ca = checkerCa(config).text;
  const checkLog = logger.child({ component: 'checker', probeId: probe });
  const resolver = createResolver(config.checker.dns);
  const targets = producerTargets(config);
  const scheduler = createScheduler({
    targets,
    concurrency: config.checker.concurrency,
    logger: logger.child({ component: 'scheduler' }),
    check(target, scheduledAt) {
      const lateMs = Date.now() - scheduledAt.getTime();
      metrics.observeLateness(lateMs);
      capacity.observeLateness(lateMs);
      return checkTarget(target, { probeId: probe, scheduledAt, ca, resolver, logger: checkLog });
    },
    onResult(result) {
      metrics.observe(result);
      publisher.publish(result);
    },
  });
  const capacity = watchProcessCapacity(targets, () => scheduler.stats().checksCompleted, logger.child({ component: 'capacity' }));
  const metrics = createProducerMetrics({ scheduler: () => scheduler.stats(), publisher: () => publisher.stats(), capacity: () => capacity.reading() });
  scheduler.start();
  logger.info({ probeId: probe, targets: config.checker.targets.length, topic: config.kafka.topic }, 'producer started');

  return {
    metrics,
    readiness: () => ({ kafka: publisher.ready() }),
    async stop() {
      capacity.stop();
      await scheduler.stop();
      await publisher.close();
      const { published, dropped } = publisher.stats();
      logger.info({ published, dropped, checks: scheduler.stats().checksCompleted }, 'producer stopped');
    },
  };
}
