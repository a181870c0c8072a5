// Rows per second from Kafka into PostgreSQL through the real subscriber and sink, against
// two baselines on the same rows in the same run: (a) the seed's naive consumer (one
// INSERT and one commit per message) and (b) sink.write() of the rows from memory (the
// ceiling). Then bytes on disk per stored check. Not a test: run it by hand (minutes):
//   npx tsx --conditions=@sitewatch/source bench/pipeline/throughput.ts [rows=1000000] [targets=10000]
//     [--partitions=6] [--concurrency=2] [--pool=4] [--max-bytes=196608] [--fetch-wait=1000] [--naive=20000] [--max-buffered=12000]
//     [--node-flags="--max-old-space-size=160"] [--keep-topic | --topic=<name> --now=<ms>] [--only-real] [--no-alerts | --slow-rules]
// The consumer's settings default to its own defaults (the flags above show them); alerts are
// evaluated in every write, as the consumer app does by default (--no-alerts: the sink alone;
// --slow-rules: every target also has both slow rules, slowMs 2000 and slowFactor 3).
// Each measured path runs in a child process of its own (worker.ts), so the consumer's RSS
// and CPU are its own. A topic and databases of the run's own are dropped at the end.
import { fork } from 'node:child_process';
import { statfsSync } from 'node:fs';
import { cpus } from 'node:os';
import { subscriberDefaults } from '@sitewatch/kafka-transport';
import { createSink, sinkDefaults } from '@sitewatch/pg-sink';
import { measureCpu, type CpuGroup, type CpuReport } from './cpu.js';
import { brokers, count, createDatabase, createTopic, machineLine, table, uniqueName, type BenchTopic } from './environment.js';
import { fillTopic } from './fill.js';
import type { ResultSpec } from './results.js';
import { anatomyRows, measureStorage, rawRowAnatomy, storageRows, type StorageReport } from './storage.js';
import type { ConsumerSettings, Job, WorkerReport } from './worker.js';

const flags = new Map(
  process.argv
    .slice(2)
    .filter((a) => a.startsWith('--'))
    .map((a) => (a.includes('=') ? [a.slice(2, a.indexOf('=')), a.slice(a.indexOf('=') + 1)] : [a.slice(2), 'true'])),
);
// Extra node flags for the measured processes, e.g. --node-flags=--max-semi-space-size=64
const nodeFlags = (flags.get('node-flags') ?? '').split(' ').filter(Boolean);
const [rows = 1_000_000, targets = 10_000] = process.argv.slice(2).filter((a) => !a.startsWith('--')).map(Number);
const flag = (name: string, fallback: number) => Number(flags.get(name) ?? fallback);
const partitions = flag('partitions', 6);
const naiveRows = Math.min(rows, flag('naive', 20_000));
// The consumer's defaults unless told otherwise.
const settings: ConsumerSettings = {
  maxBytesPerPartition: flag('max-bytes', subscriberDefaults.maxBytesPerPartition),
  fetchMaxWaitMs: flag('fetch-wait', subscriberDefaults.fetchMaxWaitMs),
  partitionsConcurrently: flag('concurrency', subscriberDefaults.partitionsConcurrently),
  poolSize: flag('pool', sinkDefaults.poolSize),
  maxBufferedResults: flag('max-buffered', subscriberDefaults.maxBufferedResults),
  alerts: !flags.has('no-alerts'),
  slowRules: flags.has('slow-rules'),
};
const nowMs = flag('now', Date.now());
// The last day, well inside the sink's 30-day raw retention: nothing is skipped as expired.
const spec: ResultSpec = { count: rows, targets, fromMs: nowMs - 86_400_000, toMs: nowMs };

/** A measured run of one path, with where the machine's CPU went meanwhile. */
interface Measured extends WorkerReport {
  cpu: CpuReport;
}

async function inWorker(job: Job): Promise<Measured> {
  const cpu = measureCpu(new URL(job.databaseUrl).pathname.slice(1), brokers[0]!);
  const child = fork(new URL('./worker.ts', import.meta.url).pathname, [], { execArgv: ['--import', 'tsx', '--conditions=@sitewatch/source', ...(job.kind === 'subscriber' ? nodeFlags : [])] });
  const report = await new Promise<WorkerReport>((resolve, reject) => {
    child.once('message', (m: { ok: boolean; report?: WorkerReport; error?: string }) => (m.ok ? resolve(m.report!) : reject(new Error(m.error))));
    child.once('exit', (code) => reject(new Error(`worker exited with ${code} before reporting`)));
    child.send(job);
  });
  return { ...report, cpu: cpu.stop() };
}

/** A fresh database with the sink's schema; `run` gets its URL; dropped afterwards. */
async function withDatabase<T>(run: (url: string) => Promise<T>, migrate = true): Promise<T> {
  const db = await createDatabase();
  try {
    if (migrate) {
      const sink = createSink({ url: db.url });
      await sink.migrate().finally(() => sink.close());
    }
    return await run(db.url);
  } finally {
    await db.drop();
  }
}

async function realPath(topic: string): Promise<{ run: Measured; storage: StorageReport }> {
  return withDatabase(async (url) => {
    const run = await inWorker({ kind: 'subscriber', brokers, topic, groupId: uniqueName('bench-real'), databaseUrl: url, expected: rows, settings });
    const storage = await measureStorage(url);
    // As the sink's maintenance leaves each day once it is over (an hour later): its id index packed.
    const sink = createSink({ url });
    await sink.packClosedPartitions(new Date(nowMs + 2 * 86_400_000)).finally(() => sink.close());
    const { rawIndexes, rawTotal } = await measureStorage(url);
    return { run, storage: { ...storage, packed: { rawIndexes, rawTotal }, anatomy: await rawRowAnatomy(url) } };
  });
}

const rate = (r: WorkerReport) => r.rows / r.seconds;
const median = (sorted: number[]) => sorted[Math.floor(sorted.length / 2)] ?? 0;
const mib = (n: number) => `${Math.round(n)} MiB`;

const perRow = (seconds: number, r: WorkerReport) => `${((seconds / r.rows) * 1e6).toFixed(0)} µs`;

function line(name: string, r: Measured, ratio: string): string[] {
  const cpu = `${perRow(r.cpuSeconds, r)} / ${perRow(r.cpu.seconds.postgres, r)}`;
  return [name, count(r.rows), r.seconds.toFixed(1), `**${count(rate(r))}**`, ratio, cpu, `${Math.round(r.cpu.machineBusy * 100)}%`, `${mib(r.rssStartMiB)} / ${mib(r.rssPeakMiB)}`];
}

const groupNames: Record<CpuGroup, string> = {
  worker: 'consumer process (decode, validate, sink, kafkajs, GC)',
  postgres: "PostgreSQL backends of the run's database",
  postgresServer: 'PostgreSQL WAL writer, checkpointer, background writer',
  kafka: 'Kafka broker',
  other: 'everything else on the machine (other work included)',
};

function cpuRows(r: Measured): string[][] {
  return (Object.keys(groupNames) as CpuGroup[]).map((group) => [groupNames[group], r.cpu.seconds[group].toFixed(1), perRow(r.cpu.seconds[group], r)]);
}

function report(real: Measured, naive: Measured | undefined, memory: Measured | undefined, storage: StorageReport): void {
  const sizes = real.batchSizes;
  console.log(`\nsettings: ${JSON.stringify(settings)}; consumer node flags: ${nodeFlags.join(" ") || "none"}; ${partitions} partitions; batches: ${sizes.length}, median ${median(sizes)}, max ${sizes.at(-1)} results`);
  console.log(`real path: ${real.steadySeconds.toFixed(1)} s from the first stored batch (${count(real.rows / real.steadySeconds)} rows/s); dead-lettered: ${real.deadLettered}; no batch in the sink for ${real.gapSeconds?.toFixed(1)} s of it (fetching)\n`);
  const head = ['path', 'rows', 'seconds', 'rows/s', 'real ÷ this', 'CPU per row: process / PG backends', 'machine CPU', 'RSS start / peak'];
  const lines = [line('Kafka → subscriber → sink.write()', real, '')];
  if (naive) lines.push(line('(a) naive: eachMessage, 1 INSERT + commit each', naive, `**${(rate(real) / rate(naive)).toFixed(1)}×**`));
  if (memory) lines.push(line(`(b) sink.write() from memory, ${memory.batchSizes.length} batches`, memory, `**${(rate(real) / rate(memory)).toFixed(2)}**`));
  console.log(table(head, lines));
  console.log(`\nwhere the CPU went on the real path (${cpus().length} cores × ${real.seconds.toFixed(0)} s = ${(cpus().length * real.seconds).toFixed(0)} CPU s)\n`);
  console.log(table(['processes', 'CPU s', 'per row'], cpuRows(real)));
  console.log(`busiest other processes: ${real.cpu.busiestOthers.map((o) => `${o.command} (${o.seconds.toFixed(1)} s)`).join('; ')}`);
  console.log(`\nbytes on disk per stored check (${count(storage.rawRows)} rows; rollups hold ${count(storage.hourlyChecks)} / ${count(storage.dailyChecks)} checks)\n`);
  console.log(table(['what', 'size', 'bytes per check'], storageRows(storage)));
  if (storage.anatomy) {
    console.log(`\nwhere the heap bytes of a raw row go (averages over the ${count(storage.rawRows)} rows)\n`);
    console.log(table(['part', 'bytes per row', 'rows where set'], anatomyRows(storage.anatomy)));
  }
}

async function main(): Promise<void> {
  const disk = statfsSync('/');
  console.log(`${machineLine()}; ${(Number(disk.bavail * disk.bsize) / 2 ** 30).toFixed(0)} GiB free on /`);
  console.log(`${count(rows)} results of ${count(targets)} targets over the last 24 h`);
  const reuse = flags.get('topic');
  const topic: BenchTopic = reuse ? { name: reuse, remove: async () => undefined } : await createTopic('bench-pipeline', partitions);
  try {
    if (!reuse) {
      const fill = await fillTopic(topic.name, spec);
      console.log(`pre-filled ${topic.name}: ${count(fill.published)} published, ${fill.dropped} dropped, ${fill.seconds.toFixed(0)} s (now=${nowMs})`);
    }
    const { run: real, storage } = await realPath(topic.name);
    // A reused topic may hold more than `rows`: more can land while the worker stops.
    if (real.rows < rows || storage.rawRows < rows || storage.hourlyChecks !== storage.rawRows || storage.dailyChecks !== storage.rawRows) {
      throw new Error(`incomplete load: ${real.rows} written, ${storage.rawRows} raw rows, rollups ${storage.hourlyChecks}/${storage.dailyChecks}`);
    }
    const only = flags.has('only-real');
    const naive = only ? undefined : await withDatabase((url) => inWorker({ kind: 'naive', brokers, topic: topic.name, groupId: uniqueName('bench-naive'), databaseUrl: url, expected: naiveRows }), false);
    const batchSize = Math.max(1, median(real.batchSizes));
    const memoryJob = (url: string): Job => ({ kind: 'write', databaseUrl: url, spec, partitions, batchSize, writers: settings.partitionsConcurrently, poolSize: settings.poolSize, alerts: settings.alerts, slowRules: settings.slowRules });
    const memory = only ? undefined : await withDatabase((url) => inWorker(memoryJob(url)));
    report(real, naive, memory, storage);
    console.log(`\n${machineLine()}`);
  } finally {
    if (flags.has('keep-topic')) console.log(`kept topic ${topic.name}: --topic=${topic.name} --now=${nowMs}`);
    else await topic.remove();
  }
}

await main();
