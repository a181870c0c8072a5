// Time to notify: from the moment a site changes (it goes down, comes back, turns slow, gets
// fast again) to the moment a signed webhook on loopback receives the notification. The
// built producer checks N targets every second; the built consumer (alerts on, the notifier
// at its defaults, `consumer.instance` set) stores and evaluates them. Each round moves K
// targets through every transition of `transitions`, one after the other, each once with the
// consumer running throughout (steady) and once with the consumer killed with SIGKILL at the
// change and started again at once (a supervisor's restart). Reports p50/p99/max per
// transition and scenario, against the bound (threshold x interval + 5 s), and the ratio of
// the restart's p50 to the steady one. Before each change the deliveries of the one before
// are recorded as sent, so no kill lands between a send and its record (that case, sent again
// after its lease and holding the target's next notification back, is measured apart).
//   npx nx run-many -t build && npx tsx bench/alerts/run.ts [targets=40] [flipped=10] [rounds=3]
// Needs the local stack (`npm run stack:up`, or KAFKA_BROKERS and DATABASE_URL).
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import path from 'node:path';
import { Kafka, logLevel } from 'kafkajs';
import postgres from 'postgres';
import { startHttpReceiver, type HttpReceiver } from '../../tools/testing/receivers.js';
import { percentile } from '../checker/local-server.js';
import { brokers, createDatabase, uniqueName } from '../pipeline/environment.js';
import { startModeSites, type ModeSites, type SiteMode } from './sites.js';

const [count = 40, flipped = 10, rounds = 3] = process.argv.slice(2).map(Number);
const root = path.resolve(import.meta.dirname, '../..');
const intervalMs = 1000;
const thresholds = { failureThreshold: 3, successThreshold: 2, slowThreshold: 3, slowMs: 300 };
const slowDelayMs = 600;

/**
 * The transitions of a round, in order: what the flipped targets' sites turn into, the
 * notification it must cause, and the checks that take (each a second apart).
 */
const transitions: { mode: SiteMode; event: string; checks: number }[] = [
  { mode: 'down', event: 'down', checks: thresholds.failureThreshold },
  { mode: 'up', event: 'resolved', checks: thresholds.successThreshold },
  { mode: 'slow', event: 'degraded', checks: thresholds.slowThreshold },
  { mode: 'up', event: 'recovered', checks: thresholds.successThreshold },
];
const scenarios = ['steady', 'writer kill -9 + restart'] as const;

function app(name: 'producer' | 'consumer', config: string): ChildProcess {
  return spawn(process.execPath, [path.join(root, 'apps', name, 'dist', 'main.js'), '--config', config], { stdio: ['ignore', 'pipe', 'inherit'] });
}

/** Resolves once the process printed a log line with this message. */
function logged(child: ChildProcess, msg: string): Promise<void> {
  return new Promise((resolve, reject) => {
    let buffered = '';
    child.once('exit', (code) => reject(new Error(`the process exited (${code}) before logging "${msg}"`)));
    child.stdout!.setEncoding('utf8').on('data', (chunk: string) => {
      buffered = (buffered + chunk).slice(-100_000);
      if (buffered.includes(`"msg":"${msg}"`)) resolve();
    });
  });
}

function writeConfig(dir: string, sites: ModeSites, hook: HttpReceiver, databaseUrl: string, topic: string): string {
  const file = path.join(dir, 'alerts.yaml');
  const targets = Array.from({ length: count }, (_, i) => ({ id: `site-${i}`, url: sites.url(`site-${i}`) }));
  fs.writeFileSync(
    file,
    JSON.stringify({
      log: { level: 'info' },
      kafka: { brokers, topic, createTopic: { partitions: 3, replicationFactor: 1 } },
      checker: { location: 'bench', defaults: { intervalMs, timeoutMs: 900 }, targets },
      producer: { lingerMs: 20 },
      consumer: { groupId: `${topic}-writer`, instance: { name: 'bench-writer', stateDirectory: path.join(dir, 'state') } },
      postgres: { url: databaseUrl },
      alerts: { defaults: thresholds, channels: { hook: { type: 'webhook', url: hook.url, secret: 'bench-alerts-secret' } } },
    }),
  );
  return file;
}

/** Waits until every delivery is recorded as sent (or abandoned). */
async function deliveriesRecorded(sql: postgres.Sql): Promise<void> {
  for (;;) {
    const [row] = await sql<{ n: number }[]>`select count(*)::int as n from sitewatch.deliveries where sent_at is null and abandoned_at is null`;
    if (row!.n === 0) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** Waits until the webhook got `event` for every id after `since`; returns each one's delay, ms. */
async function notified(hook: HttpReceiver, event: string, ids: readonly string[], since: number, timeoutMs = 120_000): Promise<number[]> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const seen = new Map(hook.received.filter((r) => r.json.event === event && r.at >= since).map((r) => [String(r.json.target), r.at - since]));
    if (ids.every((id) => seen.has(id))) return ids.map((id) => seen.get(id)!);
    if (Date.now() > deadline) throw new Error(`no "${event}" for ${ids.filter((id) => !seen.has(id)).join(', ')} within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

async function measure(sites: ModeSites, hook: HttpReceiver, config: string, sql: postgres.Sql, children: ChildProcess[]) {
  const samples = new Map<string, number[]>();
  let consumer = app('consumer', config);
  children.push(consumer);
  await logged(consumer, 'consumer started');
  const producer = app('producer', config);
  children.push(producer);
  producer.stdout!.resume();
  await logged(producer, 'producer started');
  // Every target reporting before the first change.
  await new Promise((resolve) => setTimeout(resolve, 5 * intervalMs));
  const ids = Array.from({ length: flipped }, (_, i) => `site-${i}`);
  for (let round = 0; round < rounds; round++) {
    for (const scenario of scenarios) {
      for (const { mode, event } of transitions) {
        await deliveriesRecorded(sql);
        if (scenario !== 'steady') {
          consumer.kill('SIGKILL');
          await new Promise((resolve) => consumer.once('exit', resolve));
        }
        const since = Date.now();
        sites.set(ids, mode);
        if (scenario !== 'steady') {
          consumer = app('consumer', config);
          children.push(consumer);
          consumer.stdout!.resume();
        }
        const key = `${scenario}|${event}`;
        samples.set(key, [...(samples.get(key) ?? []), ...(await notified(hook, event, ids, since))]);
      }
    }
  }
  return samples;
}

function report(samples: Map<string, number[]>): void {
  console.log('| scenario | notification | samples | p50 | p99 | max | bound (threshold × interval + 5 s) | p50 / steady p50 |');
  console.log('| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: |');
  for (const scenario of scenarios) {
    for (const { event, checks } of transitions) {
      const sorted = [...(samples.get(`${scenario}|${event}`) ?? [])].sort((a, b) => a - b);
      const steady = [...(samples.get(`steady|${event}`) ?? [])].sort((a, b) => a - b);
      const ratio = (percentile(sorted, 50) / percentile(steady, 50)).toFixed(2);
      const s = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
      console.log(`| ${scenario} | ${event} | ${sorted.length} | ${s(percentile(sorted, 50))} | ${s(percentile(sorted, 99))} | ${s(sorted.at(-1)!)} | ${s(checks * intervalMs + 5000)} | ${ratio} |`);
    }
  }
}

async function main(): Promise<void> {
  const dir = fs.mkdtempSync(path.join(tmpdir(), 'bench-alerts-'));
  const topic = uniqueName('bench_alerts');
  const [database, sites, hook] = await Promise.all([createDatabase('bench_alerts'), startModeSites(slowDelayMs), startHttpReceiver()]);
  const children: ChildProcess[] = [];
  const sql = postgres(database.url, { max: 1, onnotice: () => undefined });
  const loadBefore = loadavg()[0]!;
  try {
    const config = writeConfig(dir, sites, hook, database.url, topic);
    const samples = await measure(sites, hook, config, sql, children);
    console.log(`${count} targets every ${intervalMs} ms, ${flipped} of them changed per transition, ${rounds} round(s); thresholds ${JSON.stringify(thresholds)}, slow pages answer after ${slowDelayMs} ms`);
    report(samples);
    console.log(`machine load average (1 min) before / after: ${loadBefore.toFixed(2)} / ${loadavg()[0]!.toFixed(2)}`);
  } finally {
    for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    await Promise.all([sites.close(), hook.close(), sql.end()]);
    await database.drop();
    const admin = new Kafka({ clientId: 'bench-alerts', brokers, logLevel: logLevel.NOTHING }).admin();
    await admin.connect();
    await admin.deleteTopics({ topics: [topic, `${topic}.dlq`] }).catch(() => undefined);
    await admin.disconnect();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

await main();
