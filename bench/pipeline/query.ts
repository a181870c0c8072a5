// The 90-day uptime / p95 query on a large history: 10 million synthetic checks of 1,000
// targets over the last 92 days, written through sink.write() in large batches (so the
// rollups are exactly those of the rows), then sink.summary() over 90 days for random
// targets, its plan (EXPLAIN ANALYZE: it reads rollups only), and the same figures computed
// from the raw rows for comparison. Not a test: run it once by hand (about 15 minutes; about
// 3 GB of disk while it runs):
//   npx tsx --conditions=@sitewatch/source bench/pipeline/query.ts [rows=10000000] [targets=1000] [days=92] [--runs=50]
// The sink keeps raw rows for 120 days in this run (rawRetentionDays): with the default 30,
// write() would skip the older rows as expired and leave them out of the rollups too.
import { statfsSync } from 'node:fs';
import { createSink, type Sink } from '@sitewatch/pg-sink';
import postgres from 'postgres';
import { count, createDatabase, machineLine, quantile, table } from './environment.js';
import { seededRandom } from '../../tools/testing/random.js';
import { generateResults, type ResultSpec } from './results.js';
import { measureStorage, storageRows } from './storage.js';

const flags = new Map(process.argv.slice(2).filter((a) => a.startsWith('--')).map((a) => [a.slice(2, a.indexOf('=')), a.slice(a.indexOf('=') + 1)]));
const [rows = 10_000_000, targets = 1000, days = 92] = process.argv.slice(2).filter((a) => !a.startsWith('--')).map(Number);
const runs = Number(flags.get('runs') ?? 50);
const dayMs = 86_400_000;
const rawRetentionDays = 120;
const batchSize = 25_000;

/** Writes the history with two batches in flight, so generating the next overlaps the write of the last. */
async function fill(sink: Sink, spec: ResultSpec): Promise<{ seconds: number; inserted: number; expired: number }> {
  const began = performance.now();
  const inFlight = new Set<Promise<void>>();
  let inserted = 0;
  let expired = 0;
  let reported = 0;
  for (const batch of generateResults(spec, batchSize)) {
    const write: Promise<void> = sink.write(batch).then((r) => {
      inserted += r.inserted;
      expired += r.expired;
      inFlight.delete(write);
    });
    inFlight.add(write);
    if (inFlight.size >= 2) await Promise.race(inFlight);
    if (inserted - reported >= 1_000_000) {
      reported = inserted;
      console.log(`  ${count(inserted)} rows, ${count(inserted / ((performance.now() - began) / 1000))} rows/s`);
    }
  }
  await Promise.all(inFlight);
  return { seconds: (performance.now() - began) / 1000, inserted, expired };
}

/** sink.summary() over 90 days for `runs` random targets: sorted durations (ms), and the last query's SQL and parameters. */
async function timeSummaries(url: string, nowMs: number): Promise<{ ms: number[]; text: string; parameters: unknown[]; last: Awaited<ReturnType<Sink['summary']>> }> {
  let captured = { text: '', parameters: [] as unknown[] };
  const client = postgres(url, {
    max: 1,
    onnotice: () => undefined,
    debug: (_connection, text, parameters) => {
      if (text.includes('with parts as')) captured = { text, parameters };
    },
  });
  const sink = createSink({ sql: client, rawRetentionDays });
  try {
    const pick = seededRandom(7);
    const ms: number[] = [];
    let last!: Awaited<ReturnType<Sink['summary']>>;
    for (let i = 0; i < runs; i++) {
      const targetId = `target-${String(Math.floor(pick() * targets)).padStart(5, '0')}`;
      const began = performance.now();
      last = await sink.summary({ targetId, from: new Date(nowMs - 90 * dayMs), to: new Date(nowMs) });
      ms.push(performance.now() - began);
    }
    return { ms: ms.sort((a, b) => a - b), ...captured, last };
  } finally {
    await sink.close();
    await client.end();
  }
}

/** The same 90 days of one target from the raw rows (no index serves it: a scan of every partition in range). */
async function rawQuery(sql: postgres.Sql, targetId: string, nowMs: number): Promise<{ ms: number; row: postgres.Row }> {
  const began = performance.now();
  const [row] = await sql`
    select count(*)::integer as checks, count(*) filter (where reason is null)::integer as up,
      percentile_disc(0.95) within group (order by response_ms) filter (where reason is null) as p95_ms
    from sitewatch.check_results
    where settings_id in (select s.id from sitewatch.target_settings s join sitewatch.targets t on t.id = s.target_id where t.key = ${targetId})
      and checked_at >= ${new Date(nowMs - 90 * dayMs)} and checked_at < ${new Date(nowMs)}`;
  return { ms: performance.now() - began, row: row! };
}

async function main(): Promise<void> {
  const disk = statfsSync('/');
  console.log(`${machineLine()}; ${(Number(disk.bavail * disk.bsize) / 2 ** 30).toFixed(0)} GiB free on /`);
  const nowMs = Date.now();
  const spec: ResultSpec = { count: rows, targets, fromMs: nowMs - days * dayMs, toMs: nowMs, seed: 2 };
  console.log(`${count(rows)} results of ${count(targets)} targets over ${days} days (one check per target every ${((days * dayMs) / (rows / targets) / 60_000).toFixed(1)} min)`);
  const db = await createDatabase('bench_query');
  const sql = postgres(db.url, { max: 1, onnotice: () => undefined });
  try {
    const sink = createSink({ url: db.url, rawRetentionDays, poolSize: 2 });
    let loaded;
    try {
      await sink.migrate();
      loaded = await fill(sink, spec);
    } finally {
      await sink.close();
    }
    console.log(`written: ${count(loaded.inserted)} rows (${loaded.expired} expired) in ${loaded.seconds.toFixed(0)} s, ${count(loaded.inserted / loaded.seconds)} rows/s (batches of ${count(batchSize)}, 2 in flight)`);
    const storage = await measureStorage(db.url);
    console.log(`\n${table(['what', 'size', 'bytes per check'], storageRows(storage))}\n`);

    const summaries = await timeSummaries(db.url, nowMs);
    const raw = [];
    for (let i = 0; i < 3; i++) raw.push(await rawQuery(sql, summaries.last.targetId, nowMs));
    const rawMs = raw.map((r) => r.ms).sort((a, b) => a - b);
    const f = (ms: number) => `${ms.toFixed(1)} ms`;
    const s = summaries.ms;
    console.log(
      table(
        ['query (90 days, one target)', 'runs', 'median', 'p95', 'max'],
        [
          ['sink.summary(): rollups', String(runs), `**${f(quantile(s, 0.5))}**`, `**${f(quantile(s, 0.95))}**`, f(s.at(-1)!)],
          ['the same from raw rows (count, up, percentile_disc)', '3', f(quantile(rawMs, 0.5)), '', f(rawMs.at(-1)!)],
        ],
      ),
    );
    const { last } = summaries;
    console.log(`\nlast summary (${last.targetId}): ${last.checks} checks, uptime ${last.uptimePct?.toFixed(3)}%, p95 ${last.p95Ms?.toFixed(1)} ms;`);
    console.log(`raw rows of the same target: ${JSON.stringify(raw[0]!.row)}`);
    const plan = await sql.unsafe(`explain (analyze, buffers, costs off, timing off) ${summaries.text}`, summaries.parameters as postgres.ParameterOrJSON<never>[]);
    // The plan's nodes and buffer counts; the conditions (long timestamps) are left out.
    const lines = plan.map((row) => String(row['QUERY PLAN'])).filter((l) => !/^\s*(Index Cond|Recheck Cond|Filter|Heap Blocks|Sort Method):/.test(l));
    console.log(`\nEXPLAIN (ANALYZE, BUFFERS) of the summary query, conditions left out:\n${lines.map((l) => `    ${l}`).join('\n')}`);
    console.log(`\n${machineLine()}`);
  } finally {
    await sql.end();
    await db.drop();
  }
}

await main();
