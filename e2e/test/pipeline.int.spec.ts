// The whole pipeline as users run it: the built producer and consumer as processes, local
// sites with known behaviours, the real Kafka broker and PostgreSQL. Every check the
// producer publishes lands in PostgreSQL once, with the right outcome and reason, the
// rollups agree with the raw rows, and SIGTERM stops both cleanly.
import { beforeAll, describe, expect, it } from '@jest/globals';
import { metric, readiness, usePipeline, type Pipeline } from './support/pipeline.js';
import { waitFor, type AppProcess } from './support/processes.js';
import { expectReconciled, reconcile } from './support/reconcile.js';

let pipeline: Pipeline;
let producer: AppProcess;
let consumer: AppProcess;

/** What each site must be recorded as. */
const expected = [
  { target: 'up', outcome: 'up', reason: null, status: 200 },
  { target: 'server-error', outcome: 'down', reason: 'status', status: 500 },
  { target: 'slow', outcome: 'down', reason: 'timeout', status: null },
  { target: 'wrong-content', outcome: 'down', reason: 'body_mismatch', status: 200 },
  { target: 'refused', outcome: 'down', reason: 'connect', status: null },
];

const context = usePipeline({
  targets: (sites) => [
    { id: 'up', url: `${sites.base}/ok`, mustMatch: 'operational' },
    { id: 'server-error', url: `${sites.base}/error` },
    { id: 'slow', url: `${sites.base}/slow` },
    { id: 'wrong-content', url: `${sites.base}/ok`, mustMatch: 'Maintenance window' },
    { id: 'refused', url: sites.refused },
  ],
});

beforeAll(async () => {
  pipeline = context.pipeline;
  consumer = await pipeline.startConsumer();
  producer = await pipeline.startProducer();
}, 60_000);

async function rowsPerTarget(): Promise<Map<string, number>> {
  const rows = await pipeline.sql<{ target: string; n: number }[]>`select target, count(*)::int as n from sitewatch.results group by target`;
  return new Map(rows.map((r) => [r.target, r.n]));
}

describe('producer and consumer processes', () => {
  it('store every site with the right outcome and reason', async () => {
    await waitFor('two results of every site in PostgreSQL', async () => {
      const counts = await rowsPerTarget();
      return expected.every((e) => (counts.get(e.target) ?? 0) >= 2);
    });
    const rows = await pipeline.sql<{ target: string; outcome: string; reason: string | null; status: number | null }[]>`
      select distinct target, outcome, reason, status from sitewatch.results order by target`;
    expect(rows).toEqual(expect.arrayContaining(expected));
    expect(rows).toHaveLength(expected.length);
  });

  it('record plausible phase timings', async () => {
    const [up] = await pipeline.sql<{ tcp: number; ttfb: number; dns: number | null; total: number; tls: number | null; matched: boolean }[]>`
      select min(tcp_ms) as tcp, min(ttfb_ms) as ttfb, max(dns_ms) as dns, min(response_ms) as total, max(tls_ms) as tls, bool_and(must_match_hit) as matched
      from sitewatch.results where target = 'up'`;
    expect(up).toMatchObject({ dns: null, tls: null, matched: true });
    expect(up!.tcp).toBeGreaterThan(0);
    expect(up!.ttfb).toBeGreaterThan(0);
    expect(up!.total).toBeGreaterThanOrEqual(up!.ttfb);
    const [slow] = await pipeline.sql`select min(response_ms) as total from sitewatch.results where target = 'slow'`;
    expect(slow!.total).toBeGreaterThanOrEqual(790);
  });

  it('serve metrics and readiness while running', async () => {
    expect(await metric(producer, 'sitewatch_checks_total{outcome="down",reason="timeout"}')).toBeGreaterThan(0);
    expect(await metric(producer, 'sitewatch_published_results_total')).toBeGreaterThan(0);
    expect(await metric(consumer, 'sitewatch_sink_rows_total{result="inserted"}')).toBeGreaterThan(0);
    expect(await readiness(producer)).toEqual({ ready: true, checks: { kafka: true } });
    expect(await readiness(consumer)).toEqual({ ready: true, checks: { kafka: true, postgres: true } });
  });

  it('stop on SIGTERM with exit code 0, losing no published check', async () => {
    expect(await producer.stop('SIGTERM', 20_000)).toBe(0);
    const stopped = producer.logs().find((entry) => entry.msg === 'producer stopped')!;
    expect(stopped.dropped).toBe(0);
    const result = await reconcile(pipeline);
    expectReconciled(result);
    expect(result.published).toBe(stopped.published);
    expect(await consumer.stop('SIGTERM', 20_000)).toBe(0);
    expect(consumer.logs().some((entry) => entry.msg === 'shutdown complete')).toBe(true);
  });

  it('keep rollups that agree with the raw rows', async () => {
    const raw = await pipeline.sql<{ target: string; checks: number; up: number; max: number | null }[]>`
      select target, count(*)::int as checks, count(*) filter (where outcome = 'up')::int as up,
        max(response_ms) filter (where outcome = 'up') as max
      from sitewatch.results group by target order by target`;
    const rollups = await pipeline.sql`
      select target, sum(checks)::int as checks, sum(up)::int as up, max(max_ms) as max
      from sitewatch.hourly_stats group by target order by target`;
    expect(rollups).toEqual(raw);
  });
});
