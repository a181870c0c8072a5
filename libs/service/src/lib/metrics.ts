import { collectDefaultMetrics, Counter, Gauge, Registry } from 'prom-client';

/** A registry with the process metrics (CPU, memory, event loop lag, GC) of one service. */
export function createRegistry(service: string): Registry {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: `sitewatch_${service}_` });
  return registry;
}

/**
 * Registers a metric whose value is read at scrape time from a library's own counters:
 * a counter when the name ends in `_total`, else a gauge.
 */
export function pollMetric(registry: Registry, name: string, help: string, read: () => number): void {
  if (name.endsWith('_total')) {
    new Counter({
      name,
      help,
      registers: [registry],
      collect() {
        this.reset();
        this.inc(read());
      },
    });
  } else {
    new Gauge({
      name,
      help,
      registers: [registry],
      collect() {
        this.set(read());
      },
    });
  }
}
