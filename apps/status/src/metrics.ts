// The status service's Prometheus metrics: requests by route and status, and their latency.
import { createRegistry } from '@sitewatch/service';
import { Counter, Histogram, type Registry } from 'prom-client';

export interface StatusMetrics {
  registry: Registry;
  /** Records one answered request. */
  answered(route: string, statusCode: number, seconds: number): void;
}

export function createStatusMetrics(): StatusMetrics {
  const registry = createRegistry('status');
  const requests = new Counter({ name: 'sitewatch_status_requests_total', help: 'Requests answered, by route and status code.', labelNames: ['route', 'code'], registers: [registry] });
  const latency = new Histogram({
    name: 'sitewatch_status_request_duration_seconds',
    help: 'Time to answer a request, by route.',
    labelNames: ['route'],
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
    registers: [registry],
  });
  return {
    registry,
    answered(route, statusCode, seconds) {
      requests.inc({ route, code: String(statusCode) });
      latency.observe({ route }, seconds);
    },
  };
}
