// The consumer's Prometheus metrics. Counters the subscriber and the alerts keep are read when
// Prometheus scrapes; batch sizes and write latencies are observed as batches are stored.
import type { NotifierStats } from '@sitewatch/alerts';
import { createRegistry, pollMetric } from '@sitewatch/service';
import { Counter, Gauge, Histogram, type Registry } from 'prom-client';

export interface ConsumerMetrics {
  registry: Registry;
  /** Records one stored batch. */
  stored(batch: { results: number; inserted: number; duplicates: number; expired: number; seconds: number }): void;
  /** Records a failed write. */
  writeFailed(retriable: boolean): void;
}

export interface SubscriberStatsSource {
  (): { batches: number; results: number; deadLettered: number; retries: number; lag: number; partitions: number; restarts: number };
}

/** Counters by channel, read at scrape time. */
function perChannel(registry: Registry, name: string, help: string, read: () => Record<string, number>): void {
  new Counter({
    name,
    help,
    labelNames: ['channel'],
    registers: [registry],
    collect() {
      this.reset();
      for (const [channel, value] of Object.entries(read())) this.inc({ channel }, value);
    },
  });
}

/** A gauge with one label, its series read at scrape time (those absent from the reading are dropped). */
function labelled(registry: Registry, name: string, help: string, label: string, read: () => Record<string, number>): void {
  new Gauge({
    name,
    help,
    labelNames: [label],
    registers: [registry],
    collect() {
      this.reset();
      for (const [value, n] of Object.entries(read())) this.set({ [label]: value }, n);
    },
  });
}

/** The alerts' metrics: open incidents and what the outbox holds (the database's figures, every few seconds), what this process sent. */
function alertsMetrics(registry: Registry, alerts: () => NotifierStats): void {
  labelled(registry, 'sitewatch_incidents_open', 'Incidents open (all consumers), by kind: down, or degraded (up but slow).', 'kind', () => alerts().openByKind);
  labelled(registry, 'sitewatch_target_degraded', 'Targets with an open degraded incident (1 each; absent otherwise).', 'target', () => Object.fromEntries(alerts().degradedTargets.map((t) => [t, 1])));
  labelled(registry, 'sitewatch_certificate_expiry_timestamp_seconds', "Expiry of each target's TLS certificate as its latest https check saw it, Unix seconds.", 'target', () => alerts().certificateExpiry);
  pollMetric(registry, 'sitewatch_notifications_pending', 'Deliveries not sent yet: due, retrying or held to the end of a maintenance window (all consumers).', () => alerts().pending);
  pollMetric(registry, 'sitewatch_notifications_oldest_pending_seconds', 'Age of the oldest notification with a delivery due or failing (all consumers).', () => alerts().oldestPendingSeconds);
  pollMetric(registry, 'sitewatch_alerts_skipped_batches_total', 'Batches stored whose alert evaluation failed for good (a bug: see the error log).', () => alerts().skippedBatches);
  perChannel(registry, 'sitewatch_notifications_sent_total', 'Notifications delivered by this consumer.', () => alerts().sent);
  perChannel(registry, 'sitewatch_notifications_failed_total', 'Failed delivery attempts of this consumer (each retried, abandoned or refused).', () => alerts().failed);
  perChannel(registry, 'sitewatch_notifications_abandoned_total', 'Deliveries this consumer gave up on after alerts.notifier.giveUpAfterMs.', () => alerts().abandoned);
  perChannel(registry, 'sitewatch_notifications_refused_total', 'Deliveries the service refused for good (a 4xx other than 408 and 429, an SMTP 5xx): not tried again.', () => alerts().refused);
}

export function createConsumerMetrics(subscriber: SubscriberStatsSource, alerts: () => NotifierStats): ConsumerMetrics {
  const registry = createRegistry('consumer');
  const polled = (name: string, help: string, read: () => number) => pollMetric(registry, name, help, read);
  polled('sitewatch_consumer_batches_total', 'Batches stored and committed.', () => subscriber().batches);
  polled('sitewatch_consumer_results_total', 'Valid results handed to the database writer and stored.', () => subscriber().results);
  polled('sitewatch_consumer_dead_lettered_total', 'Messages sent to the dead-letter topic.', () => subscriber().deadLettered);
  polled('sitewatch_consumer_retries_total', 'Retries after retriable failures (database or dead-letter topic).', () => subscriber().retries);
  polled('sitewatch_consumer_restarts_total', 'Times the Kafka consumer crashed and was restarted.', () => subscriber().restarts);
  polled('sitewatch_consumer_lag_messages', 'Messages not yet stored: over the assigned partitions, the end offset less the group committed offset (from the broker every 5 s).', () => subscriber().lag);
  polled('sitewatch_consumer_partitions', 'Partitions assigned to this consumer.', () => subscriber().partitions);
  alertsMetrics(registry, alerts);
  const rows = new Counter({ name: 'sitewatch_sink_rows_total', help: 'Results written, by what happened to them.', labelNames: ['result'], registers: [registry] });
  const errors = new Counter({ name: 'sitewatch_sink_write_errors_total', help: 'Failed batch writes.', labelNames: ['retriable'], registers: [registry] });
  const batchSize = new Histogram({
    name: 'sitewatch_consumer_batch_size',
    help: 'Results per stored batch.',
    buckets: [1, 10, 50, 100, 500, 1000, 2500, 5000, 10_000],
    registers: [registry],
  });
  const writeSeconds = new Histogram({
    name: 'sitewatch_sink_write_duration_seconds',
    help: 'Time to write one batch to PostgreSQL (one transaction).',
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
    registers: [registry],
  });
  return {
    registry,
    stored(batch) {
      rows.inc({ result: 'inserted' }, batch.inserted);
      rows.inc({ result: 'duplicate' }, batch.duplicates);
      rows.inc({ result: 'expired' }, batch.expired);
      batchSize.observe(batch.results);
      writeSeconds.observe(batch.seconds);
    },
    writeFailed(retriable) {
      errors.inc({ retriable: String(retriable) });
    },
  };
}
