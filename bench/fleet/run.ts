// A checker fleet at load: N targets at one interval applied with sitewatch-targets, three
// checker processes (the built producer) of one location sharing them against a local
// server, one of them killed with SIGKILL half-way. Reads every result back and reports
// checks per second, start lateness p50/p99 (startedAt - scheduledAt), slots checked twice
// (must be 0), and the gap and catch-up after the kill (the longest time between two checks
// of a target across it; how long until every target was checked again).
//   npx nx run-many -t build && npx tsx bench/fleet/run.ts [targets=30000] [intervalMs=10000] [seconds=90] [killAtSeconds=45]
// Needs the local stack (`npm run stack:up`) or KAFKA_BROKERS. Smoke: `npx tsx bench/fleet/run.ts 1500 10000 20 10`.
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import path from 'node:path';
import { createSubscriber } from '@sitewatch/kafka-transport';
import { Kafka, logLevel } from 'kafkajs';
import { percentile, startLocalServer } from '../checker/local-server.js';

const [count = 30_000, intervalMs = 10_000, seconds = 90, killAtSeconds = 45] = process.argv.slice(2).map(Number);
const root = path.resolve(import.meta.dirname, '../..');
const brokers = (process.env.KAFKA_BROKERS ?? '127.0.0.1:19092').split(',');
const run = `bench-fleet-${Date.now()}`;
const checkers = 3;
const sessionTimeoutMs = 10_000;

/** One result, as little as the figures need. */
interface Seen {
  targetId: string;
  scheduledAt: number;
  lateMs: number;
}

function app(name: 'producer' | 'targets', args: string[]): ChildProcess {
  return spawn(process.execPath, [path.join(root, 'apps', name, 'dist', 'main.js'), ...args], { stdio: ['ignore', 'pipe', 'inherit'] });
}

async function exited(child: ChildProcess): Promise<number | null> {
  if (child.exitCode !== null || child.signalCode !== null) return child.exitCode;
  return new Promise((resolve) => child.once('exit', (code) => resolve(code)));
}

/** Resolves once the process printed a log line with this message. */
function logged(child: ChildProcess, msg: string): Promise<void> {
  return new Promise((resolve) => {
    let buffered = '';
    child.stdout!.setEncoding('utf8').on('data', (chunk: string) => {
      buffered = (buffered + chunk).slice(-100_000);
      if (buffered.includes(`"msg":"${msg}"`)) resolve();
    });
  });
}

function writeFiles(dir: string, serverUrl: string): { config: string; targets: string } {
  const config = path.join(dir, 'fleet.yaml');
  fs.writeFileSync(
    config,
    JSON.stringify({
      log: { level: 'info' },
      kafka: { brokers, topic: `${run}-results`, createTopic: { partitions: 6, replicationFactor: 1 } },
      checker: { location: run, concurrency: 200, registry: { topic: `${run}-targets`, createTopic: { partitions: 12, replicationFactor: 1 }, sessionTimeoutMs } },
      producer: {},
    }),
  );
  const targets = path.join(dir, 'targets.yaml');
  const list = Array.from({ length: count }, (_, i) => ({ id: `site-${i}`, url: `${serverUrl}/site/${i}` }));
  fs.writeFileSync(targets, JSON.stringify({ defaults: { intervalMs, timeoutMs: Math.min(5000, intervalMs) }, targets: list }));
  return { config, targets };
}

function figures(seen: Seen[], startedAt: number, killedAt: number): Record<string, string> {
  const slots = new Map<string, number>();
  for (const r of seen) slots.set(`${r.targetId} ${r.scheduledAt}`, (slots.get(`${r.targetId} ${r.scheduledAt}`) ?? 0) + 1);
  const duplicates = [...slots.values()].filter((n) => n > 1).length;
  // Steady state: from the second interval after the start to the kill.
  const steady = seen.filter((r) => r.scheduledAt >= startedAt + intervalMs && r.scheduledAt < killedAt);
  const late = seen.map((r) => r.lateMs).sort((a, b) => a - b);
  const byTarget = new Map<string, number[]>();
  for (const r of seen) {
    const times = byTarget.get(r.targetId) ?? [];
    if (times.length === 0) byTarget.set(r.targetId, times);
    times.push(r.scheduledAt);
  }
  let gap = 0;
  let caughtUp = 0;
  for (const times of byTarget.values()) {
    times.sort((a, b) => a - b);
    const after = times.findIndex((t) => t > killedAt);
    if (after > 0) gap = Math.max(gap, times[after]! - times[after - 1]!);
    caughtUp = Math.max(caughtUp, after < 0 ? Infinity : times[after]! - killedAt);
  }
  const checked = new Set(seen.map((r) => r.targetId)).size;
  return {
    'targets checked': `${checked} of ${count}`,
    'checks/s before the kill': ((steady.length / Math.max(1, killedAt - startedAt - intervalMs)) * 1000).toFixed(0),
    'start lateness p50 / p99 / max': `${percentile(late, 50)} / ${percentile(late, 99)} / ${late.at(-1)} ms`,
    'slots checked twice': String(duplicates),
    'longest gap across the kill': `${gap} ms`,
    'every target checked again after the kill': `${caughtUp} ms`,
  };
}

async function main(): Promise<void> {
  const dir = fs.mkdtempSync(path.join(tmpdir(), 'bench-fleet-'));
  const server = await startLocalServer();
  const children: ChildProcess[] = [];
  try {
    await measure(dir, server.url, children);
  } finally {
    for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    await server.close();
    fs.rmSync(dir, { recursive: true, force: true });
    const admin = new Kafka({ clientId: 'bench-fleet', brokers, logLevel: logLevel.NOTHING }).admin();
    await admin.connect();
    await admin.deleteTopics({ topics: [`${run}-results`, `${run}-results.dlq`, `${run}-targets`] }).catch(() => undefined);
    await admin.disconnect();
  }
}

async function measure(dir: string, serverUrl: string, children: ChildProcess[]): Promise<void> {
  const files = writeFiles(dir, serverUrl);
  const loadBefore = loadavg()[0]!;
  const applying = performance.now();
  const apply = app('targets', ['apply', files.targets, '--config', files.config]);
  children.push(apply);
  apply.stdout!.resume();
  if ((await exited(apply)) !== 0) throw new Error('sitewatch-targets apply failed');
  const applyMs = performance.now() - applying;

  const seen: Seen[] = [];
  const reader = createSubscriber({
    connection: { brokers },
    topic: `${run}-results`,
    groupId: `${run}-reader`,
    createTopic: { partitions: 6, replicationFactor: 1 },
    handleBatch: async (batch) => {
      for (const r of batch) seen.push({ targetId: r.targetId, scheduledAt: Date.parse(r.scheduledAt), lateMs: Date.parse(r.startedAt) - Date.parse(r.scheduledAt) });
    },
  });
  await reader.start();
  const fleet = Array.from({ length: checkers }, () => app('producer', ['--config', files.config]));
  children.push(...fleet);
  await Promise.all(fleet.map((child) => logged(child, 'producer started')));
  const startedAt = Date.now();
  await new Promise((resolve) => setTimeout(resolve, killAtSeconds * 1000));
  fleet[0]!.kill('SIGKILL');
  const killedAt = Date.now();
  await new Promise((resolve) => setTimeout(resolve, (seconds - killAtSeconds) * 1000));
  for (const child of fleet.slice(1)) child.kill('SIGTERM');
  await Promise.all(fleet.map(exited));
  // Let the reader catch up with what the checkers flushed on their way out.
  await new Promise((resolve) => setTimeout(resolve, 3000));
  await reader.close();

  console.log(
    `${count} targets every ${intervalMs} ms, ${checkers} checker processes (session timeout ${sessionTimeoutMs} ms), ${seconds} s, one killed (SIGKILL) at ${killAtSeconds} s; apply took ${(applyMs / 1000).toFixed(1)} s`,
  );
  console.log('| figure | value |\n| --- | ---: |');
  for (const [name, value] of Object.entries(figures(seen, startedAt, killedAt))) console.log(`| ${name} | ${value} |`);
  console.log(`| machine load average (1 min) before / after | ${loadBefore.toFixed(2)} / ${loadavg()[0]!.toFixed(2)} |`);
}

await main();
