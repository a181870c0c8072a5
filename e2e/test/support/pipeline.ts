// One pipeline under test: a fresh topic, consumer group and database, a config file for
// the built apps, and the processes started from it. Faults are played by the tests.
import { startTestKafka, type TestKafka } from '@sitewatch/kafka-transport/testing';
import { startTestPostgres, type TestPostgres } from '@sitewatch/pg-sink/testing';
import type postgres from 'postgres';
import { startTcpProxy, type TcpProxy } from '../../../tools/testing/tcp-proxy.js';
import { startApp, waitFor, writeConfig, type AppProcess } from './processes.js';
import { startSites, type Sites } from './sites.js';

export interface PipelineOptions {
  /** Checker targets; default `upTargets` sites that answer 200. */
  targets?: (sites: Sites) => Record<string, unknown>[];
  /** Number of default targets (each checked every second). Default 20. */
  upTargets?: number;
  /** Partitions of the topic. Default 3. */
  partitions?: number;
  /** Topic configs, e.g. `{ 'max.message.bytes': '6291456' }`. */
  topicConfig?: Record<string, string>;
  /** PLAINTEXT brokers of the test's own, instead of the test run's broker. */
  brokers?: string[];
  /** Connection settings replacing the PLAINTEXT ones of the test run's broker (e.g. mutual TLS). */
  kafka?: Record<string, unknown>;
  /** Another database: the consumer's `postgres` section, and a client the checks read it with. */
  postgres?: { section: Record<string, unknown>; sql: postgres.Sql };
  /** Replaces the database URL (e.g. through a TCP proxy); the default is the test database. */
  databaseUrl?: (pg: TestPostgres) => string;
  producer?: Record<string, unknown>;
  consumer?: Record<string, unknown>;
  /** The consumer's `alerts` section (none by default). */
  alerts?: Record<string, unknown>;
}

export interface Pipeline {
  kafka: TestKafka;
  pg: TestPostgres;
  /** A client of the database the consumer writes to. */
  sql: postgres.Sql;
  sites: Sites;
  topic: string;
  groupId: string;
  configFile: string;
  /** Starts a producer process and waits until it runs. */
  startProducer(): Promise<AppProcess>;
  /** Starts a consumer process and waits until it has joined the group. */
  startConsumer(): Promise<AppProcess>;
  /** Kills every process still running and drops what the pipeline made. */
  close(): Promise<void>;
}

export async function startPipeline(options: PipelineOptions = {}): Promise<Pipeline> {
  const [kafka, pg, sites] = await Promise.all([startTestKafka({ brokers: options.brokers }), startTestPostgres(), startSites()]);
  const topic = kafka.uniqueTopicName('e2e');
  const groupId = kafka.uniqueGroupId('e2e');
  const targets =
    options.targets?.(sites) ?? Array.from({ length: options.upTargets ?? 20 }, (_, i) => ({ id: `site-${i}`, url: `${sites.base}/ok`, mustMatch: 'operational' }));
  const configFile = writeConfig({
    log: { level: 'info' },
    kafka: {
      ...(options.kafka ?? (options.brokers ? { brokers: options.brokers } : kafka.connection())),
      topic,
      createTopic: { partitions: options.partitions ?? 3, replicationFactor: 1, ...(options.topicConfig ? { config: options.topicConfig } : {}) },
    },
    checker: { probeId: 'e2e-probe', defaults: { intervalMs: 1000, timeoutMs: 800 }, targets },
    producer: { lingerMs: 20, metrics: { port: 0, host: '127.0.0.1' }, ...options.producer },
    consumer: {
      groupId,
      fetchMaxWaitMs: 100,
      sessionTimeoutMs: 6000,
      heartbeatIntervalMs: 500,
      retry: { initialMs: 100, maxMs: 2000 },
      metrics: { port: 0, host: '127.0.0.1' },
      ...options.consumer,
    },
    postgres: options.postgres?.section ?? { url: options.databaseUrl?.(pg) ?? pg.url, maintenanceIntervalMs: 60_000 },
    ...(options.alerts ? { alerts: options.alerts } : {}),
  });
  const processes: AppProcess[] = [];
  const start = async (app: 'producer' | 'consumer', ready: string) => {
    const process = startApp(app, ['--config', configFile]);
    processes.push(process);
    await process.waitForLog(ready, {}, 60_000);
    return process;
  };
  return {
    kafka,
    pg,
    sql: options.postgres?.sql ?? pg.sql,
    sites,
    topic,
    groupId,
    configFile,
    startProducer: () => start('producer', 'producer started'),
    startConsumer: () => start('consumer', 'consumer started'),
    async close() {
      await Promise.all(processes.map((p) => p.stop('SIGKILL')));
      await Promise.all([kafka.close(), pg.close(), sites.close()]);
    },
  };
}

/** What an app serves on /metrics. */
export async function metricsText(app: AppProcess): Promise<string> {
  const port = app.logs().find((entry) => entry.msg === 'ops server listening')?.port;
  return (await fetch(`http://127.0.0.1:${String(port)}/metrics`)).text();
}

/** Scrapes one value of a metric from an app's /metrics (0 when absent). */
export async function metric(app: AppProcess, name: string): Promise<number> {
  const text = await metricsText(app);
  const line = text.split('\n').find((l) => l.startsWith(`${name} `) || l.startsWith(`${name}{`));
  return line ? Number(line.split(' ').pop()) : 0;
}

/** The readiness an app reports on /readyz. */
export async function readiness(app: AppProcess): Promise<{ ready: boolean; checks: Record<string, boolean> }> {
  const port = app.logs().find((entry) => entry.msg === 'ops server listening')?.port;
  return (await fetch(`http://127.0.0.1:${String(port)}/readyz`)).json() as Promise<{ ready: boolean; checks: Record<string, boolean> }>;
}

/** Waits until the producer has published at least `count` more results than now. */
export async function publishedMore(producer: AppProcess, count: number, timeoutMs = 30_000): Promise<void> {
  const start = await metric(producer, 'sitewatch_published_results_total');
  await waitFor(`${count} more published results`, async () => (await metric(producer, 'sitewatch_published_results_total')) >= start + count, timeoutMs);
}

/** A TCP proxy in front of the test run's PostgreSQL, and the `databaseUrl` option that sends the consumer through it. */
export async function databaseProxy(): Promise<{ proxy: TcpProxy; databaseUrl: (pg: TestPostgres) => string }> {
  const server = new URL(process.env.DATABASE_URL!);
  const proxy = await startTcpProxy({ targetHost: server.hostname, targetPort: Number(server.port || 5432) });
  const databaseUrl = (pg: TestPostgres) => {
    const url = new URL(pg.url);
    url.port = String(proxy.port);
    return url.toString();
  };
  return { proxy, databaseUrl };
}
