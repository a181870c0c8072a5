// `sitewatch all` from the built apps: the producer, the consumer and the status page in one
// process against the test run's Kafka and PostgreSQL, with a demo of two loopback targets
// (one up, one down): results stored, an incident opened for the down one, the page showing
// it, one ops port for all three, one log stream naming the service of each line; SIGTERM
// stops the checker, then the writer once it has stored what was published, then the page,
// and exits 0 with nothing lost (the topic reconciled against the database).
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { startTestKafka, type TestKafka } from '@sitewatch/kafka-transport/testing';
import { startTestPostgres, type TestPostgres } from '@sitewatch/pg-sink/testing';
import { freePort } from '../../tools/testing/ports.js';
import { untilPasses } from '../../tools/testing/wait-for.js';
import { startApp, waitFor, writeConfig, type AppProcess } from './support/processes.js';
import { expectReconciled, reconcile } from './support/reconcile.js';
import { startSites, type Sites } from './support/sites.js';

let kafka: TestKafka;
let pg: TestPostgres;
let sites: Sites;
let topic: string;
let app: AppProcess;

beforeAll(async () => {
  [kafka, pg, sites] = await Promise.all([startTestKafka(), startTestPostgres(), startSites()]);
  topic = kafka.uniqueTopicName('all');
  const closedPort = await freePort();
  const config = writeConfig({
    log: { level: 'info' },
    kafka: { ...kafka.connection(), topic, createTopic: { partitions: 3, replicationFactor: 1 } },
    checker: {
      location: 'e2e-all',
      defaults: { intervalMs: 1000, timeoutMs: 800 },
      targets: [
        { id: 'demo-up', url: `${sites.base}/ok`, mustMatch: 'operational' },
        { id: 'demo-down', url: `http://127.0.0.1:${closedPort}/` },
      ],
    },
    producer: { lingerMs: 20 },
    consumer: { groupId: kafka.uniqueGroupId('all'), fetchMaxWaitMs: 100, sessionTimeoutMs: 6000, heartbeatIntervalMs: 500 },
    postgres: { url: pg.url, maintenanceIntervalMs: 60_000 },
    alerts: { defaults: { failureThreshold: 2, successThreshold: 2 } },
    status: { listen: { port: 0, host: '127.0.0.1' }, title: 'e2e all', publish: 'all' },
    all: { metrics: { port: 0, host: '127.0.0.1' } },
  });
  app = startApp('cli', ['all', '--config', config]);
}, 120_000);

afterAll(async () => {
  await app?.stop('SIGKILL');
  await Promise.all([kafka?.close(), pg?.close(), sites?.close()]);
});

describe('sitewatch all', () => {
  it('stores results, opens an incident for the down target and shows both on the page', async () => {
    // Start-up (the broker's topic, the group, the migrations) and two failed checks.
    const listening = await app.waitForLog('status page listening', { service: 'status' }, 60_000);
    await app.waitForLog('consumer started', { service: 'consumer' }, 60_000);
    let seen = { open: [] as string[], targets: [] as string[] };
    await waitFor(
      () => `an open incident for demo-down, and results of both targets (seen: ${JSON.stringify(seen)})\n${app.output().slice(-3000)}`,
      async () => {
        const open = await pg.sql<{ target: string }[]>`select target from sitewatch.incidents where resolved_at is null`.catch(() => []);
        const targets = await pg.sql<{ target: string }[]>`select distinct target from sitewatch.results order by target`.catch(() => []);
        seen = { open: open.map((r) => r.target), targets: targets.map((r) => r.target) };
        return seen.open.join() === 'demo-down' && seen.targets.join() === 'demo-down,demo-up';
      },
      60_000,
      250,
    );
    const page = await (await fetch(String(listening.url))).text();
    expect(page).toMatch(/<h2>Open incidents<\/h2><ul class="incidents"><li class="card incident"><strong>demo-down<\/strong> is down: connect/);
    expect(page).toMatch(/data-target="demo-up" data-state="up"/);
    expect(page).toMatch(/data-target="demo-down" data-state="down"/);
  }, 150_000);

  it('serves one ops port: the metrics of the three services, the readiness of all their checks', async () => {
    const { port } = await app.waitForLog('ops server listening', { service: 'all' });
    await untilPasses(async () =>
      expect(await (await fetch(`http://127.0.0.1:${String(port)}/readyz`)).json()).toEqual({
        ready: true,
        checks: { 'producer.kafka': true, 'consumer.kafka': true, 'consumer.postgres': true, 'status.postgres': true },
      }),
    );
    const metrics = await (await fetch(`http://127.0.0.1:${String(port)}/metrics`)).text();
    for (const name of ['sitewatch_checks_total', 'sitewatch_published_results_total', 'sitewatch_sink_rows_total', 'sitewatch_status_requests_total', 'sitewatch_producer_process_cpu_seconds_total']) {
      expect({ name, served: metrics.includes(`\n${name}`) }).toEqual({ name, served: true });
    }
  });

  it('writes one log stream, each line naming its service', () => {
    const services = new Set(app.logs().map((line) => line.service));
    expect([...services].sort()).toEqual(['all', 'consumer', 'producer', 'status']);
  });

  it('stops on SIGTERM in order (checker, writer once drained, page) and exits 0 with every published result stored', async () => {
    expect(await app.stop('SIGTERM')).toBe(0);
    const stops = ['producer stopped', 'writer drained', 'consumer stopped', 'status page stopped', 'shutdown complete'];
    expect(app.logs().flatMap((line) => (stops.includes(String(line.msg)) ? [`${String(line.service)}: ${String(line.msg)}`] : []))).toEqual([
      'producer: producer stopped',
      'all: writer drained',
      'consumer: consumer stopped',
      'status: status page stopped',
      'all: shutdown complete',
    ]);
    // Nothing runs any more to store what would be left: the topic must be in the database already.
    const reconciliation = await reconcile({ kafka, topic, sql: pg.sql }, 5000);
    expectReconciled(reconciliation);
    const stopped = app.logs().find((line) => line.msg === 'producer stopped');
    expect(reconciliation.published).toBe(stopped?.published);
  });
});
