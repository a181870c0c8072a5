// One pipeline under test: a fresh topic, consumer group and database, a config file for
// the built apps, and the processes started from it; optionally a broker of its own and a TCP
// proxy in front of PostgreSQL, for the faults the tests play.
import { afterAll, beforeAll } from '@jest/globals';
import { startTestKafka, type TestKafka } from '@sitewatch/kafka-transport/testing';
import { startTestPostgres, type TestPostgres } from '@sitewatch/pg-sink/testing';
import fs from 'node:fs';
import type postgres from 'postgres';
import { parse } from 'yaml';
import { startTcpProxy, type TcpProxy } from '../../../tools/testing/tcp-proxy.js';
import { startOwnBroker, type OwnBroker } from './broker.js';
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
  /** A broker of the test's own (`Pipeline.broker`, to stop and start), instead of the test run's. */
  ownBroker?: boolean;
  /** The consumer reaches PostgreSQL through a TCP proxy (`Pipeline.databaseProxy`, to cut or slow). */
  databaseProxy?: boolean;
  /** Connection settings replacing the PLAINTEXT ones of the test run's broker (e.g. mutual TLS). */
  kafka?: Record<string, unknown>;
  /** Another database: the consumer's `postgres` section, and a client the checks read it with. */
  postgres?: { section: Record<string, unknown>; sql: postgres.Sql };
  /** More `checker` settings (e.g. `dns`). */
  checker?: Record<string, unknown>;
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
  /** The broker of the test's own (option `ownBroker`). */
  broker?: OwnBroker;
  /** The proxy between the consumer and PostgreSQL (option `databaseProxy`). */
  databaseProxy?: TcpProxy;
  /** Starts a producer process and waits until it runs. */
  startProducer(): Promise<AppProcess>;
  /** Starts a consumer process and waits until it has joined the group. */
  startConsumer(): Promise<AppProcess>;
  /** Kills every process still running and drops what the pipeline made. */
  close(): Promise<void>;
}

type Closer = () => Promise<unknown>;

/** What a pipeline runs on, before its config and processes. */
type Services = Pick<Pipeline, 'broker' | 'databaseProxy' | 'kafka' | 'pg' | 'sites'> & { databaseUrl: string };

/** Starts the services one by one; each one's closer goes into `closers` once it is up. */
async function startServices(options: PipelineOptions, closers: Closer[]): Promise<Services> {
  const up = <T extends { close(): Promise<unknown> }>(made: T): T => (closers.push(() => made.close()), made);
  const broker = options.ownBroker ? up(await startOwnBroker()) : undefined;
  const databaseProxy = options.databaseProxy ? up(await startDatabaseProxy()) : undefined;
  const kafka = up(await startTestKafka({ brokers: broker?.brokers }));
  const pg = up(await startTestPostgres());
  const sites = up(await startSites());
  const databaseUrl = new URL(pg.url);
  if (databaseProxy) databaseUrl.port = String(databaseProxy.port);
  return { broker, databaseProxy, kafka, pg, sites, databaseUrl: databaseUrl.toString() };
}

/** Writes the apps' config for a pipeline. */
function pipelineConfig(options: PipelineOptions, services: Services, topic: string, groupId: string): string {
  const { broker, kafka, sites } = services;
  const targets =
    options.targets?.(sites) ?? Array.from({ length: options.upTargets ?? 20 }, (_, i) => ({ id: `site-${i}`, url: `${sites.base}/ok`, mustMatch: 'operational' }));
  return writeConfig({
    log: { level: 'info' },
    kafka: {
      ...(options.kafka ?? (broker ? { brokers: broker.brokers } : kafka.connection())),
      topic,
      createTopic: { partitions: options.partitions ?? 3, replicationFactor: 1, ...(options.topicConfig ? { config: options.topicConfig } : {}) },
    },
    checker: { location: 'e2e-probe', defaults: { intervalMs: 1000, timeoutMs: 800 }, targets, ...options.checker },
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
    postgres: options.postgres?.section ?? { url: services.databaseUrl, maintenanceIntervalMs: 60_000 },
    ...(options.alerts ? { alerts: options.alerts } : {}),
  });
}

/** Starts a pipeline; what it made is closed again if it cannot start. */
export async function startPipeline(options: PipelineOptions = {}): Promise<Pipeline> {
  const closers: Closer[] = [];
  // Every closer runs even when one before it fails (a client of a broker the test left
  // stopped), so the broker and its data directory go too; then the first failure is thrown.
  const closeAll = async () => {
    const failures: unknown[] = [];
    for (const close of closers.splice(0).reverse()) await close().catch((error: unknown) => failures.push(error));
    if (failures.length > 0) throw failures[0];
  };
  try {
    const services = await startServices(options, closers);
    const { kafka, pg } = services;
    const topic = kafka.uniqueTopicName('e2e');
    const groupId = kafka.uniqueGroupId('e2e');
    const configFile = pipelineConfig(options, services, topic, groupId);
    const processes: AppProcess[] = [];
    closers.push(() => Promise.all(processes.map((p) => p.stop('SIGKILL'))));
    const start = async (app: 'producer' | 'consumer', ready: string) => {
      const process = startApp(app, ['--config', configFile]);
      processes.push(process);
      await process.waitForLog(ready, {}, 60_000);
      return process;
    };
    const { broker, databaseProxy, sites } = services;
    return {
      kafka,
      pg,
      sites,
      topic,
      groupId,
      configFile,
      broker,
      databaseProxy,
      sql: options.postgres?.sql ?? pg.sql,
      startProducer: () => start('producer', 'producer started'),
      startConsumer: () => start('consumer', 'consumer started'),
      close: closeAll,
    };
  } catch (error) {
    await closeAll();
    throw error;
  }
}

/**
 * A pipeline for the tests of a file: started before them (with up to `setUpTimeoutMs` for
 * brokers and processes), closed after them; read `context.pipeline` inside the tests.
 */
export function usePipeline(options: PipelineOptions = {}, setUpTimeoutMs = 120_000): { pipeline: Pipeline } {
  const context = {} as { pipeline: Pipeline };
  beforeAll(async () => {
    context.pipeline = await startPipeline(options);
  }, setUpTimeoutMs);
  afterAll(() => context.pipeline?.close());
  return context;
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

/** Starts a consumer, then a producer, and waits until `results` results are published: the pipeline flows. */
export async function startFlowing(pipeline: Pipeline, results: number): Promise<{ consumer: AppProcess; producer: AppProcess }> {
  const consumer = await pipeline.startConsumer();
  const producer = await pipeline.startProducer();
  await publishedMore(producer, results);
  return { consumer, producer };
}

/** A TCP proxy in front of the test run's PostgreSQL. */
function startDatabaseProxy(): Promise<TcpProxy> {
  const server = new URL(process.env.DATABASE_URL!);
  return startTcpProxy({ targetHost: server.hostname, targetPort: Number(server.port || 5432) });
}

/** Starts a consumer of a new group on the pipeline's topic, so the whole topic is delivered again; waits until it has read some of it again (duplicates stored). */
export async function startRedeliveringConsumer(pipeline: Pipeline): Promise<AppProcess> {
  const config = parse(fs.readFileSync(pipeline.configFile, 'utf8')) as { consumer: Record<string, unknown> };
  config.consumer.groupId = pipeline.kafka.uniqueGroupId('e2e-redelivered');
  const consumer = startApp('consumer', ['--config', writeConfig(config)]);
  await consumer.waitForLog('consumer started', {}, 60_000);
  await waitFor('the topic read again', async () => consumer.logs().some((entry) => entry.msg === 'batch stored' && Number(entry.duplicates) > 0));
  return consumer;
}
