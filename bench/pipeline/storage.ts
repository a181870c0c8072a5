// Measures write() throughput, bytes per stored check and summary() latency on the local
// PostgreSQL. Not a test: run it by hand (a few minutes):
//   npx tsx --conditions=@sitewatch/source bench/pipeline/storage.ts [rows=1000000] [targets=1000]
// It creates a database of its own on DATABASE_URL's server (default the local one) and
// drops it at the end.
import { randomBytes } from 'node:crypto';
import { newCheckId, type CheckResult } from '@sitewatch/schema';
import { makeCheckResult } from '@sitewatch/schema/testing';
import postgres from 'postgres';
import { createSink, type Sink } from '@sitewatch/pg-sink';

const serverUrl = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const totalRows = Number(process.argv[2] ?? 1_000_000);
const targets = Number(process.argv[3] ?? 1000);
const hourMs = 3_600_000;

// Checks of `targets` sites spread over the hour after `at`, 2% down, a slow tail.
function batchOf(size: number, at: number): CheckResult[] {
  return Array.from({ length: size }, (_, i) => {
    const startedAt = new Date(at + ((i * 7919) % hourMs)).toISOString();
    return makeCheckResult({
      id: newCheckId(),
      targetId: `target-${i % targets}`,
      url: `https://site-${i % targets}.test/`,
      scheduledAt: startedAt,
      startedAt,
      responseTimeMs: 20 + ((i * 7919) % 500) + (i % 1000 === 0 ? 5000 : 0),
      ...(i % 50 === 0 ? { outcome: 'down', reason: 'timeout', error: { code: 'ETIMEDOUT', message: 'timeout after 10000 ms' } } : {}),
    } as Partial<CheckResult>);
  });
}

async function rate(label: string, writers: Sink[], batches: CheckResult[][]): Promise<void> {
  const began = performance.now();
  let next = 0;
  await Promise.all(writers.map(async (sink) => {
    while (next < batches.length) await sink.write(batches[next++]!);
  }));
  const seconds = (performance.now() - began) / 1000;
  const rows = batches.reduce((sum, b) => sum + b.length, 0);
  console.log(`${label}: ${Math.round(rows / seconds)} rows/s (${rows} rows in ${seconds.toFixed(2)} s)`);
}

async function main(): Promise<void> {
  const admin = postgres(serverUrl, { max: 1, onnotice: () => undefined });
  const name = `bench_${randomBytes(4).toString('hex')}`;
  await admin.unsafe(`create database ${name}`);
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  const sink = createSink({ url: url.toString() });
  const second = createSink({ url: url.toString() });
  const db = postgres(url.toString(), { max: 1, onnotice: () => undefined });
  try {
    await sink.migrate();
    await sink.ensurePartitions();
    let at = Date.now() - 20 * hourMs;
    const take = (count: number, size: number) => Array.from({ length: count }, () => batchOf(size, (at += hourMs / 20)));
    await sink.write(batchOf(1000, at)); // warm-up: catalog, partitions, prepared statements
    await second.write(batchOf(1000, at));
    for (const size of [1000, 5000, 10_000]) await rate(`batch ${size}, 1 writer`, [sink], take(Math.round(100_000 / size), size));
    await rate('batch 5000, 2 writers', [sink, second], take(20, 5000));
    let [row] = await db<{ n: number }[]>`select count(*)::integer as n from sitewatch.check_results`;
    if (row!.n < totalRows) await rate(`fill to ${totalRows}, 2 writers`, [sink, second], take(Math.ceil((totalRows - row!.n) / 5000), 5000));
    await db`vacuum analyze sitewatch.check_results`;
    [row] = await db<{ n: number }[]>`select count(*)::integer as n from sitewatch.check_results`;
    const [size] = await db<{ total: number; heap: number }[]>`
      select sum(pg_total_relation_size(c.oid))::float8 as total, sum(pg_relation_size(c.oid))::float8 as heap
      from pg_inherits i join pg_class c on c.oid = i.inhrelid where i.inhparent = 'sitewatch.check_results'::regclass`;
    console.log(`raw rows: ${row!.n}; ${(size!.total / row!.n).toFixed(1)} bytes/row with indexes (${(size!.heap / row!.n).toFixed(1)} heap)`);
    const times: number[] = [];
    for (let i = 0; i < 50; i++) {
      const began = performance.now();
      await sink.summary({ targetId: `target-${i % targets}`, from: new Date(Date.now() - 90 * 24 * hourMs), to: new Date() });
      times.push(performance.now() - began);
    }
    times.sort((a, b) => a - b);
    console.log(`summary over 90 days: median ${times[25]!.toFixed(2)} ms, max ${times[49]!.toFixed(2)} ms`);
  } finally {
    await Promise.all([sink.close(), second.close(), db.end()]);
    await admin.unsafe(`drop database if exists ${name} with (force)`);
    await admin.end();
  }
}

await main();
