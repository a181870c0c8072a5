// The three services in one process: the status page, the writer (consumer) and the checker
// (producer), each with a child logger naming it, behind one ops server. They stop in the
// order that loses nothing: the checker first (its last checks published), then the writer
// drains what it published and stops, then the page.
import { createConsumer, type Consumer } from '@sitewatch/consumer';
import { startProducer, type Producer } from '@sitewatch/producer';
import type { Logger } from '@sitewatch/schema';
import { startOpsServer, type OpsServer } from '@sitewatch/service';
import { createStatusService, type StatusService } from '@sitewatch/status-app';
import { Registry } from 'prom-client';
import type { AllConfig } from './config.js';

export interface AllServices {
  /** Starts the page, the writer (in the background: it retries until Kafka and PostgreSQL answer), the checker and the ops server. */
  start(): Promise<void>;
  /** Stops them in order: checker, writer (after draining), page, ops server. Idempotent. */
  stop(): Promise<void>;
}

/** Readiness of every service, each check named `<service>.<check>`. */
function readinessOf(parts: Record<string, (() => Record<string, boolean>) | undefined>): Record<string, boolean> {
  return Object.fromEntries(Object.entries(parts).flatMap(([service, read]) => Object.entries(read?.() ?? { started: false }).map(([check, ok]) => [`${service}.${check}`, ok])));
}

/**
 * The services of `config`; `onFatal` is called when one of them cannot go on (Kafka refuses
 * the producer, the writer fails to start), for the owner to stop them all.
 */
export function createAllServices(config: AllConfig, logger: Logger, onFatal: (reason: string) => void): AllServices {
  const log = logger.child({ service: 'all' });
  const status: StatusService = createStatusService(config.status, logger.child({ service: 'status' }));
  const consumer: Consumer = createConsumer(config.consumer, logger.child({ service: 'consumer' }));
  const starting = new AbortController();
  let writerStarted = false;
  let producer: Producer | undefined;
  let ops: OpsServer | undefined;
  let stopping: Promise<void> | undefined;

  async function drain(): Promise<void> {
    const started = performance.now();
    try {
      await consumer.drain(AbortSignal.timeout(config.all.drainTimeoutMs));
      log.info({ durationMs: Math.round(performance.now() - started) }, 'writer drained');
    } catch (error) {
      log.warn({ err: error, drainTimeoutMs: config.all.drainTimeoutMs }, 'the writer did not store everything in time; the rest stays in the topic for the next start');
    }
  }

  return {
    async start() {
      await status.start();
      consumer.start(starting.signal).then(
        () => {
          writerStarted = true;
          // The tables are there now (the writer migrated): the page can read its board ahead.
          status.warm();
        },
        (error: unknown) => {
          if (starting.signal.aborted) return;
          log.error({ err: error }, 'the writer failed to start');
          onFatal('start-up failed');
        },
      );
      producer = startProducer(config.producer, logger.child({ service: 'producer' }), (error, reason) => {
        log.error({ err: error, code: error.code, reason }, 'the checker cannot go on; stopping');
        onFatal(reason);
      });
      const metrics = config.all.metrics;
      if (metrics) {
        const registry = Registry.merge([producer.metrics.registry, consumer.metrics.registry, status.registry]);
        const readiness = () => readinessOf({ producer: producer?.readiness, consumer: consumer.readiness, status: status.readiness });
        ops = await startOpsServer({ ...metrics, registry, readiness, logger: log });
      }
    },
    stop() {
      stopping ??= (async () => {
        starting.abort();
        await producer?.stop();
        if (writerStarted) await drain();
        await consumer.stop();
        await status.stop();
        await ops?.close();
      })();
      return stopping;
    },
  };
}
