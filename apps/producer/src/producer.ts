// Wires the producer: the scheduler runs checks, each result is counted and published. The
// targets are the config file's, or this checker's share of the registry (fleet.ts).
import { checkTarget, createResolver, createScheduler } from '@sitewatch/checker';
import { createPublisher, type TransportError } from '@sitewatch/kafka-transport';
import type { Logger } from '@sitewatch/schema';
import { watchProcessCapacity } from './capacity.js';
import { checkerCa, checkerLocation, producerTargets, publisherOptions, type ProducerConfig } from './config.js';
import { joinFleet, type Fleet } from './fleet.js';
import { createProducerMetrics, type ProducerMetrics } from './metrics.js';

export interface Producer {
  metrics: ProducerMetrics;
  /** Readiness for /readyz: connected to Kafka (and, in a fleet, a member of the group). */
  readiness(): Record<string, boolean>;
  /** Stops scheduling (and leaves the group), waits for in-flight checks, flushes what is buffered. */
  stop(): Promise<void>;
}

/** Kafka refusing us (rather than being unreachable): retrying cannot help, a person must act. */
const refusals = new Set(['ERR_TRANSPORT_TLS', 'ERR_TRANSPORT_AUTH', 'ERR_TRANSPORT_NOT_AUTHORIZED', 'ERR_TRANSPORT_TOPIC_CREATE_DENIED']);

/**
 * Starts checking and publishing. Throws (before anything runs) for options the libraries
 * refuse; calls `onFatal` when Kafka refuses the connection (TLS, credentials, permissions)
 * or the registry cannot be joined.
 */
export function startProducer(config: ProducerConfig, logger: Logger, onFatal: (error: TransportError, reason: string) => void): Producer {
  const onError = (error: TransportError) => refusals.has(error.code) && onFatal(error, 'Kafka refuses the connection');
  const publisher = createPublisher({ ...publisherOptions(config), logger, onError });
  const location = checkerLocation(config);
  const ca = checkerCa(config).text;
  const checkLog = logger.child({ component: 'checker', probeId: location });
  const resolver = createResolver(config.checker.dns);
  let fleet: Fleet | undefined;
  const scheduler = createScheduler({
    targets: producerTargets(config),
    concurrency: config.checker.concurrency,
    logger: logger.child({ component: 'scheduler' }),
    check(target, scheduledAt) {
      const lateMs = Date.now() - scheduledAt.getTime();
      metrics.observeLateness(lateMs);
      capacity.observeLateness(lateMs);
      return checkTarget(target, { probeId: location, scheduledAt, ca, resolver, blockNetworks: config.checker.blockNetworks, logger: checkLog });
    },
    onResult(result) {
      metrics.observe(result);
      publisher.publish(result);
    },
    // In a fleet a slot runs only while this checker holds its lease on the target's partition.
    ...(config.checker.registry && { canRun: () => fleet!.member.leaseValid() }),
  });
  if (config.checker.registry) fleet = joinFleet(config, location, scheduler, logger, (error) => onFatal(error, 'the target registry cannot be joined'));
  const capacity = watchProcessCapacity(() => scheduler.stats(), logger.child({ component: 'capacity' }));
  const metrics = createProducerMetrics({
    scheduler: () => scheduler.stats(),
    publisher: () => publisher.stats(),
    spooling: config.producer.spool !== undefined,
    capacity: () => capacity.reading(),
    ...(fleet && { registry: fleet.stats }),
  });
  scheduler.start();
  const targets = fleet ? { registry: config.checker.registry!.topic } : { targets: scheduler.stats().targets };
  logger.info({ probeId: location, ...targets, topic: config.kafka.topic }, 'producer started');

  return {
    metrics,
    readiness: () => ({ kafka: publisher.ready(), ...(fleet && { registry: fleet.member.ready() }) }),
    async stop() {
      capacity.stop();
      // Leaving the group at once lets the other checkers take over while the last checks finish.
      await Promise.all([scheduler.stop(), fleet?.member.close()]);
      await publisher.close();
      const { published, dropped, spool } = publisher.stats();
      logger.info({ published, dropped, ...(spool && { spooled: spool.results, replayed: spool.replayed }), checks: scheduler.stats().checksCompleted }, 'producer stopped');
    },
  };
}

