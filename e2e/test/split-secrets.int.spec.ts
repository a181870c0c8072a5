// config/aiven.example.yaml as two machines use it: the producer started with only its own
// secret (a target's token), the consumer with only its own (the database password), each
// from the same file whose other sections hold references it cannot resolve. Pointed at the
// test run's Kafka and PostgreSQL and at a local site; both run, and the checks land.
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { startTestKafka, type TestKafka } from '@sitewatch/kafka-transport/testing';
import { startTestPostgres, type TestPostgres } from '@sitewatch/pg-sink/testing';
import { parse } from 'yaml';
import { startApp, waitFor, writeConfig, type AppProcess } from './support/processes.js';

interface ExampleTarget {
  id: string;
  url: string;
  headers?: Record<string, string>;
  intervalMs?: number;
  timeoutMs?: number;
}

const example = parse(fs.readFileSync(path.resolve(import.meta.dirname, '../../config/aiven.example.yaml'), 'utf8')) as {
  checker: { defaults: Record<string, unknown>; targets: ExampleTarget[] };
  postgres: { url: string; ssl?: unknown };
} & Record<string, Record<string, unknown>>;

const token = `token-${Math.random().toString(36).slice(2)}`;
const authorizations: (string | undefined)[] = [];
let site: http.Server;
let kafka: TestKafka;
let pg: TestPostgres;
const apps: AppProcess[] = [];

/** The example's homepage and API health check, answered the way the example expects. */
function startSite(): Promise<string> {
  site = http.createServer((request, response) => {
    authorizations.push(request.headers.authorization);
    response.end(request.url === '/healthz' ? '{"status": "ok"}' : '<h1>Example Domain</h1>');
  });
  return new Promise((resolve) => site.listen(0, '127.0.0.1', () => resolve(`http://127.0.0.1:${(site.address() as AddressInfo).port}`)));
}

beforeAll(async () => {
  let base: string;
  [kafka, pg, base] = await Promise.all([startTestKafka(), startTestPostgres(), startSite()]);
  const database = new URL(pg.url);
  const { ssl: _ssl, ...postgres } = example.postgres;
  const passwordReference = /:(\$\{env:\w+\})@/.exec(postgres.url)![1];
  const config = writeConfig(
    {
      ...example,
      kafka: { ...kafka.connection(), topic: kafka.uniqueTopicName('split'), createTopic: { partitions: 1, replicationFactor: 1 } },
      checker: {
        ...example.checker,
        defaults: { ...example.checker.defaults, intervalMs: 1000, timeoutMs: 800 },
        targets: example.checker.targets.map(({ intervalMs: _interval, timeoutMs: _timeout, ...target }) => ({ ...target, url: `${base}${new URL(target.url).pathname}` })),
      },
      producer: { ...example.producer, metrics: { port: 0, host: '127.0.0.1' } },
      consumer: { ...example.consumer, groupId: kafka.uniqueGroupId('split'), metrics: { port: 0, host: '127.0.0.1' } },
      // The test database (no TLS), the password still the example's reference.
      postgres: { ...postgres, url: `postgres://${database.username}:${passwordReference}@${database.host}${database.pathname}` },
    },
    'aiven.yaml',
  );
  for (const name of ['SITEWATCH_API_TOKEN', 'SITEWATCH_PG_PASSWORD']) expect(process.env[name]).toBeUndefined();
  const consumer = startApp('consumer', ['--config', config], { SITEWATCH_PG_PASSWORD: decodeURIComponent(database.password) || 'trust-ignores-it' });
  apps.push(consumer);
  await consumer.waitForLog('consumer started', {}, 60_000);
  const producer = startApp('producer', ['--config', config], { SITEWATCH_API_TOKEN: token });
  apps.push(producer);
  await producer.waitForLog('producer started', {}, 60_000);
}, 90_000);

afterAll(async () => {
  await Promise.all(apps.map((app) => app.stop('SIGKILL')));
  await Promise.all([kafka?.close(), pg?.close(), new Promise((resolve) => site?.close(resolve))]);
});

describe('one config file, each machine with only its own secrets', () => {
  it('runs both services, and the checks of both targets land with the token sent', async () => {
    await waitFor('an up check of each example target in PostgreSQL', async () => {
      const rows = await pg.sql<{ target: string }[]>`select distinct target from sitewatch.results where outcome = 'up'`;
      return rows.length === example.checker.targets.length;
    });
    expect(authorizations).toContain(`Bearer ${token}`);
    const [consumer, producer] = apps;
    expect(await producer!.stop('SIGTERM')).toBe(0);
    expect(await consumer!.stop('SIGTERM')).toBe(0);
  });
});
