// The whole pipeline as users run it: the built producer and consumer as processes, local
// sites with known behaviours, the real Kafka broker and PostgreSQL. Every check the
// producer publishes lands in PostgreSQL once, with the right outcome and reason, the
// rollups agree with the raw rows, and SIGTERM stops both cleanly.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { startTestKafka, type TestKafka } from '@sitewatch/kafka-transport/testing';
import { startTestPostgres, type TestPostgres } from '@sitewatch/pg-sink/testing';
import { decode } from '@sitewatch/schema';
import { startApp, waitFor, writeConfig, type AppProcess } from './support/processes.js';
import { startSites, type Sites } from './support/sites.js';

let kafka: TestKafka;
let pg: TestPostgres;
let sites: Sites;
let producer: AppProcess;
let consumer: AppProcess;
let topic: string;

/** What each site must be recorded as. */
const expected = [
  { target: 'up', outcome: 'up', reason: null, status: 200 },
  { target: 'server-error', outcome: 'down', reason: 'status', status: 500 },
  { target: 'slow', outcome: 'down', reason: 'timeout', status: null },
  { target: 'wrong-content', outcome: 'down', reason: 'body_mismatch', status: 200 },
  { target: 'refused', outcome: 'down', reason: 'connect', status: null },
];

beforeAll(async () => {
  [kafka, pg, sites] = await Promise.all([startTestKafka(), startTestPostgres(), startSites()]);
  topic = kafka.uniqueTopicName('e2e');
  const config = writeConfig({
    log: { level: 'info' },
    kafka: { ...kafka.connection(), topic, createTopic: { partitions: 3, replicationFactor: 1 } },
    checker: {
      probeId: 'e2e-probe',
      defaults: { intervalMs: 1000, timeoutMs: 800 },
      targets: [
        { id: 'up', url: `${sites.base}/ok`, mustMatch: 'operational' },
        { id: 'server-error', url: `${sites.base}/error` },
        { id: 'slow', url: `${sites.base}/slow` },
        { id: 'wrong-content', url: `${sites.base}/ok`, mustMatch: 'Maintenance window' },
        { id: 'refused', url: sites.refused },
      ],
    },
    producer: { lingerMs: 20, metrics: { port: 0, host: '127.0.0.1' } },
    consumer: { groupId: kafka.uniqueGroupId('e2e'), fetchMaxWaitMs: 100, metrics: { port: 0, host: '127.0.0.1' } },
    postgres: { url: pg.url },
  });
  consumer = startApp('consumer', ['--config', config]);
  producer = startApp('producer', ['--config', config]);
  await Promise.all([consumer.waitForLog('consumer started'), producer.waitForLog('producer started')]);
}, 60_000);

afterAll(async () => {
  await Promise.all([producer?.stop('SIGKILL'), consumer?.stop('SIGKILL')]);
  await Promise.all([kafka?.close(), pg?.close(), sites?.close()]);
});

async function rowsPerTarget(): Promise<Map<string, number>> {
  const rows = await pg.sql<{ target: string; n: number }[]>`select target, count(*)::int as n from sitewatch.results group by target`;
  return new Map(rows.map((r) => [r.target, r.n]));
}

describe('producer and consumer processes', () => {
  it('store every site with the right outcome and reason', async () => {
    await waitFor('two results of every site in PostgreSQL', async () => {
      const counts = await rowsPerTarget();
      return expected.every((e) => (counts.get(e.target) ?? 0) >= 2);
    });
    const rows = await pg.sql<{ target: string; outcome: string; reason: string | null; status: number | null }[]>`
      select distinct target, outcome, reason, status from sitewatch.results order by target`;
    expect(rows).toEqual(expect.arrayContaining(expected));
    expect(rows).toHaveLength(expected.length);
  });

  it('record plausible phase timings', async () => {
    const [up] = await pg.sql`
      select min(tcp_ms) as tcp, min(ttfb_ms) as ttfb, max(dns_ms) as dns, min(response_ms) as total, max(tls_ms) as tls, bool_and(must_match_hit) as matched
      from sitewatch.results where target = 'up'`;
    expect(up).toMatchObject({ dns: null, tls: null, matched: true });
    expect(up!.tcp).toBeGreaterThan(0);
    expect(up!.ttfb).toBeGreaterThan(0);
    expect(up!.total).toBeGreaterThanOrEqual(up!.ttfb);
    const [slow] = await pg.sql`select min(response_ms) as total from sitewatch.results where target = 'slow'`;
    expect(slow!.total).toBeGreaterThanOrEqual(790);
  });

  it('serve metrics and readiness while running', async () => {
    const port = (app: AppProcess) => app.logs().find((entry) => entry.msg === 'ops server listening')!.port as number;
    const producerMetrics = await (await fetch(`http://127.0.0.1:${port(producer)}/metrics`)).text();
    expect(producerMetrics).toMatch(/sitewatch_checks_total\{outcome="down",reason="timeout"\} [1-9]/);
    expect(producerMetrics).toMatch(/sitewatch_published_results_total [1-9]/);
    const consumerMetrics = await (await fetch(`http://127.0.0.1:${port(consumer)}/metrics`)).text();
    expect(consumerMetrics).toMatch(/sitewatch_sink_rows_total\{result="inserted"\} [1-9]/);
    expect((await fetch(`http://127.0.0.1:${port(producer)}/readyz`)).status).toBe(200);
    expect((await fetch(`http://127.0.0.1:${port(consumer)}/readyz`)).status).toBe(200);
  });

  it('stop on SIGTERM with exit code 0, losing no published check', async () => {
    expect(await producer.stop('SIGTERM', 20_000)).toBe(0);
    const stopped = producer.logs().find((entry) => entry.msg === 'producer stopped')!;
    expect(stopped.dropped).toBe(0);

    const messages = await kafka.readMessages(topic, { atLeast: stopped.published as number });
    const published = messages.map((m) => {
      const result = decode(m.value);
      if (!result.ok) throw result.error;
      return result.value.id;
    });
    expect(new Set(published).size).toBe(stopped.published);

    await waitFor('every published check in PostgreSQL', async () => {
      const [row] = await pg.sql`select count(*)::int as n from sitewatch.check_results`;
      return row!.n >= published.length;
    });
    const stored = await pg.sql<{ id: string; copies: number }[]>`select id::text, count(*)::int as copies from sitewatch.check_results group by id`;
    expect(stored.every((r) => r.copies === 1)).toBe(true);
    expect(stored.map((r) => r.id).sort()).toEqual([...published].sort());

    expect(await consumer.stop('SIGTERM', 20_000)).toBe(0);
    expect(consumer.logs().some((entry) => entry.msg === 'shutdown complete')).toBe(true);
  });

  it('keep rollups that agree with the raw rows', async () => {
    const raw = await pg.sql<{ target: string; checks: number; up: number; max: number | null }[]>`
      select target, count(*)::int as checks, count(*) filter (where outcome = 'up')::int as up,
        max(response_ms) filter (where outcome = 'up') as max
      from sitewatch.results group by target order by target`;
    const rollups = await pg.sql`
      select target, sum(checks)::int as checks, sum(up)::int as up, max(max_ms) as max
      from sitewatch.hourly_stats group by target order by target`;
    expect(rollups).toEqual(raw);
  });
});
