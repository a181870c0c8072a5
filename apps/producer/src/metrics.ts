// The producer's Prometheus metrics. Counters the libraries keep (scheduler, publisher) are
// read when Prometheus scrapes; per-check metrics are observed as results arrive.
import type { SpoolStats } from '@sitewatch/kafka-transport';
import type { CheckResult } from '@sitewatch/schema';
import { createRegistry, pollMetric } from '@sitewatch/service';
import { Counter, Histogram, type Registry } from 'prom-client';

const secondBuckets = [0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];

export interface ProducerMetrics {
  registry: Registry;
  /** Counts and times one completed check. */
  observe(result: CheckResult): void;
  /** Records how late a check started against its slot, ms. */
  observeLateness(ms: number): void;
}

export interface ProducerStatsSources {
  scheduler: () => { targets: number; overruns: number; missedSlots: number; skippedSlots: number; inFlight: number; queued: number; checksFailed: number };
  publisher: () => { buffered: number; published: number; dropped: number; sendErrors: number; spool?: SpoolStats };
  /** Whether the publisher keeps its results on disk (producer.spool): its metrics are then served. */
  spooling: boolean;
  capacity: () => { cpuMicrosPerCheck: number; neededCores: number };
  /** In a fleet: this checker's share of the registry. */
  registry?: () => { partitions: number; assignments: number; invalidRecords: number; leaseLapses: number };
}

/** The spool's figures (producer.spool). */
function spoolMetrics(polled: (name: string, help: string, read: () => number) => void, spool: () => SpoolStats): void {
  polled('sitewatch_spool_bytes', 'Bytes of the spool on disk.', () => spool().bytes);
  polled('sitewatch_spool_results', 'Results in the spool not yet acknowledged by Kafka.', () => spool().results);
  polled('sitewatch_spool_oldest_age_seconds', 'Age of the oldest result in the spool (0 when empty).', () => spool().oldestAgeMs / 1000);
  polled('sitewatch_spool_replayed_results_total', 'Results a previous run left in the spool, sent since the start.', () => spool().replayed);
  polled('sitewatch_spool_cut_bytes_total', 'Bytes cut from torn or damaged spool segment tails.', () => spool().cutBytes);
  polled('sitewatch_spool_cuts_total', 'Torn or damaged spool segment tails cut.', () => spool().cuts);
  polled('sitewatch_spool_dropped_results_total', 'Results dropped because the spool was full or could not be written (also in sitewatch_publish_dropped_results_total).', () => spool().dropped);
}

export function createProducerMetrics(sources: ProducerStatsSources): ProducerMetrics {
  const registry = createRegistry('producer');
  const polled = (name: string, help: string, read: () => number) => pollMetric(registry, name, help, read);
  const checks = new Counter({ name: 'sitewatch_checks_total', help: 'Completed checks by outcome and failure reason.', labelNames: ['outcome', 'reason'], registers: [registry] });
  const duration = new Histogram({
    name: 'sitewatch_check_duration_seconds',
    help: 'Total response time of completed checks.',
    labelNames: ['outcome'],
    buckets: secondBuckets,
    registers: [registry],
  });
  const lateness = new Histogram({
    name: 'sitewatch_check_start_lateness_seconds',
    help: 'How late checks started against their scheduled slot.',
    buckets: [0.005, ...secondBuckets],
    registers: [registry],
  });
  polled('sitewatch_checker_targets', 'Targets this checker schedules (in a fleet, those of the registry partitions it holds).', () => sources.scheduler().targets);
  polled('sitewatch_scheduler_overruns_total', 'Slots skipped because the previous check of the target had not finished.', () => sources.scheduler().overruns);
  polled('sitewatch_scheduler_missed_slots_total', 'Slots skipped because the scheduler was a whole interval late.', () => sources.scheduler().missedSlots);
  polled('sitewatch_scheduler_skipped_slots_total', 'Slots not run because this checker no longer held its lease on the target (paused, or cut off from Kafka).', () => sources.scheduler().skippedSlots);
  polled('sitewatch_checks_failed_total', 'Checks that produced no result (a bug, logged at error).', () => sources.scheduler().checksFailed);
  polled('sitewatch_checks_in_flight', 'Checks running now.', () => sources.scheduler().inFlight);
  polled('sitewatch_checks_queued', 'Checks waiting for a free place under the concurrency limit.', () => sources.scheduler().queued);
  polled('sitewatch_checker_cpu_seconds_per_check', 'CPU time of this process per completed check, over the last 30 s.', () => sources.capacity().cpuMicrosPerCheck / 1e6);
  polled('sitewatch_checker_needed_cores', 'Checks per second the schedule asks for times CPU per check: above about 1 the process cannot keep up.', () => sources.capacity().neededCores);
  polled('sitewatch_publish_buffered_results', 'Results waiting to be sent to Kafka (in memory, or in the spool).', () => sources.publisher().buffered);
  polled('sitewatch_published_results_total', 'Results acknowledged by Kafka.', () => sources.publisher().published);
  polled('sitewatch_publish_dropped_results_total', 'Results dropped: buffer full while Kafka was unreachable, or unsent at shutdown.', () => sources.publisher().dropped);
  polled('sitewatch_publish_errors_total', 'Failed attempts to reach Kafka or send a batch (each retried).', () => sources.publisher().sendErrors);
  if (sources.spooling) spoolMetrics(polled, () => sources.publisher().spool!);
  const fleet = sources.registry;
  if (fleet) {
    polled('sitewatch_registry_partitions', 'Registry partitions this checker holds.', () => fleet().partitions);
    polled('sitewatch_registry_assignments_total', 'Assignments received from the group of this location (one per rebalance).', () => fleet().assignments);
    polled('sitewatch_registry_invalid_records_total', 'Registry records skipped because they are not a valid target.', () => fleet().invalidRecords);
    polled('sitewatch_registry_lease_lapses_total', 'Times the lease on the registry partitions ran out (targets stopped at once, group joined again).', () => fleet().leaseLapses);
  }
  return {
    registry,
    observe(result) {
      checks.inc({ outcome: result.outcome, reason: result.reason ?? 'none' });
      duration.observe({ outcome: result.outcome }, result.responseTimeMs / 1000);
    },
    observeLateness(ms) {
      lateness.observe(Math.max(ms, 0) / 1000);
    },
  };
}
