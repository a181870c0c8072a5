// The measured side of the throughput benchmark, in a process of its own (so its RSS and CPU
// are its own): started by throughput.ts with fork() and told over IPC which path to run.
//   subscriber: createSubscriber + createSink().write, with the alerts evaluated in each
//               write, wired as apps/consumer wires them.
//   naive:      baseline (a), the seed's path: kafkajs eachMessage, auto-commit, one INSERT each.
//   write:      baseline (b), sink.write() of the generated rows from memory (alerts as above).
import { createAlertingSink, type AlertingSink } from '@sitewatch/alerts';
import { createSubscriber } from '@sitewatch/kafka-transport';
import { createLogger } from '@sitewatch/service';
import type { CheckResult } from '@sitewatch/schema';
import { Kafka, logLevel } from 'kafkajs';
import postgres from 'postgres';
import { partitionedBatches, type ResultSpec } from './results.js';

/** Subscriber and sink settings the consumer app takes from its config file. */
export interface ConsumerSettings {
  maxBytesPerPartition: number;
  fetchMaxWaitMs: number;
  partitionsConcurrently: number;
  poolSize: number;
  maxBufferedResults: number;
  /** Evaluate alerts in the sink's writes (the app's default, `alerts.enabled`). */
  alerts: boolean;
  /** Both slow rules for every target (`slowMs` 2000, `slowFactor` 3); off as shipped. */
  slowRules: boolean;
}

/** What the parent asks for. */
export type Job =
  | { kind: 'subscriber'; brokers: string[]; topic: string; groupId: string; databaseUrl: string; expected: number; settings: ConsumerSettings }
  | { kind: 'naive'; brokers: string[]; topic: string; groupId: string; databaseUrl: string; expected: number }
  | { kind: 'write'; databaseUrl: string; spec: ResultSpec; partitions: number; batchSize: number; writers: number; poolSize: number; alerts: boolean; slowRules: boolean };

/** What the worker reports when the job is done. */
export interface WorkerReport {
  /** Rows stored. */
  rows: number;
  /** From the start of the path (subscriber.start(), consumer.run(), first write) until the last row was committed, s. */
  seconds: number;
  /** From the first stored batch to the last, s (excludes joining the group). */
  steadySeconds: number;
  /** CPU time of this process over `seconds`, s. */
  cpuSeconds: number;
  /** RSS when the path started, and the process's peak RSS, MiB. */
  rssStartMiB: number;
  rssPeakMiB: number;
  /** Sizes of the batches handed to write(), sorted. */
  batchSizes: number[];
  /** Messages the subscriber sent to the dead-letter topic (subscriber path only). */
  deadLettered?: number;
  /** Time after the first batch during which no handleBatch call was running (fetching between rounds), s. */
  gapSeconds?: number;
}

/** Measures the time during which no batch is being handled (subscriber path). */
function gaps() {
  let running = 0;
  let idleSince = 0;
  let idle = 0;
  return {
    enter() {
      if (running++ === 0 && idleSince > 0) idle += performance.now() - idleSince;
    },
    leave() {
      if (--running === 0) idleSince = performance.now();
    },
    seconds: () => idle / 1000,
  };
}

// The consumer app's logger at its default level, writing nowhere: what the sink and the
// alerts log costs what it costs in the app.
const benchLogger = createLogger({ name: 'consumer', level: 'info', destination: { write: () => undefined } });

const mib = (bytes: number) => bytes / 1024 / 1024;

/** Counts stored rows and notes when the first and the expected last arrived. */
function progress(expected: number) {
  const cpu = process.cpuUsage();
  const state = { began: performance.now(), first: 0, last: 0, rows: 0, rssStart: mib(process.memoryUsage().rss), batchSizes: [] as number[] };
  let resolveDone!: () => void;
  const done = new Promise<void>((resolve) => (resolveDone = resolve));
  return {
    done,
    get rows() {
      return state.rows;
    },
    stored(rows: number, batchSize: number) {
      state.first ||= performance.now();
      state.rows += rows;
      state.batchSizes.push(batchSize);
      if (state.rows >= expected && state.last === 0) {
        state.last = performance.now();
        resolveDone();
      }
    },
    report(): WorkerReport {
      const used = process.cpuUsage(cpu);
      return {
        rows: state.rows,
        seconds: (state.last - state.began) / 1000,
        steadySeconds: (state.last - state.first) / 1000,
        cpuSeconds: (used.user + used.system) / 1e6,
        rssStartMiB: state.rssStart,
        rssPeakMiB: process.resourceUsage().maxRSS / 1024,
        batchSizes: state.batchSizes.sort((a, b) => a - b),
      };
    },
  };
}

/**
 * The sink with the alerts evaluated in its writes (or not: `alerts.enabled`), made as the
 * consumer app makes it, migrated and its maintenance and notifier started as the app starts them.
 */
async function consumerStorage(url: string, poolSize: number, alerts: boolean, slowRules: boolean): Promise<AlertingSink> {
  const slow = slowRules ? { defaults: { slowMs: 2000, slowFactor: 3 } } : {};
  const storage = createAlertingSink({ sink: { url, poolSize }, alerts: { enabled: alerts, ...slow }, logger: benchLogger });
  await storage.migrate();
  await storage.sink.startMaintenance();
  storage.alerts.startNotifier();
  return storage;
}

async function runSubscriber(job: Extract<Job, { kind: 'subscriber' }>): Promise<WorkerReport> {
  const { sink, close } = await consumerStorage(job.databaseUrl, job.settings.poolSize, job.settings.alerts, job.settings.slowRules);
  const meter = progress(job.expected);
  const between = gaps();
  const subscriber = createSubscriber({
    connection: { brokers: job.brokers },
    topic: job.topic,
    groupId: job.groupId,
    fromBeginning: true,
    // The topic exists (pre-filled); this creates the dead-letter topic, as the app's config does.
    createTopic: { partitions: 1, replicationFactor: 1 },
    maxBytesPerPartition: job.settings.maxBytesPerPartition,
    fetchMaxWaitMs: job.settings.fetchMaxWaitMs,
    partitionsConcurrently: job.settings.partitionsConcurrently,
    maxBufferedResults: job.settings.maxBufferedResults,
    handleBatch: async (results) => {
      between.enter();
      try {
        const written = await sink.write(results);
        meter.stored(written.inserted, results.length);
      } finally {
        between.leave();
      }
    },
  });
  try {
    await subscriber.start();
    await meter.done;
    return { ...meter.report(), deadLettered: subscriber.stats().deadLettered, gapSeconds: between.seconds() };
  } finally {
    await subscriber.close();
    await close();
  }
}

// The seed's consumer: decode, one INSERT, next message; kafkajs commits offsets on its timer.
async function runNaive(job: Extract<Job, { kind: 'naive' }>): Promise<WorkerReport> {
  const sql = postgres(job.databaseUrl, { max: 1, onnotice: () => undefined });
  await sql`create table naive_results (
    id uuid primary key, target_id text not null, url text not null, probe_id text not null,
    scheduled_at timestamptz not null, started_at timestamptz not null, outcome text not null, reason text,
    status_code integer, response_ms double precision not null, dns_ms double precision, tcp_ms double precision,
    tls_ms double precision, ttfb_ms double precision, download_ms double precision, bytes_read integer not null,
    redirects integer not null, must_match text, must_match_hit boolean, tls_not_after timestamptz, error_code text, error_message text)`;
  const consumer = new Kafka({ clientId: 'bench-naive', brokers: job.brokers, logLevel: logLevel.NOTHING }).consumer({ groupId: job.groupId });
  const meter = progress(job.expected);
  try {
    await consumer.connect();
    await consumer.subscribe({ topics: [job.topic], fromBeginning: true });
    await consumer.run({
      eachMessage: async ({ message }) => {
        if (meter.rows >= job.expected) return;
        const r = JSON.parse(message.value!.toString()) as CheckResult;
        const p = r.phases;
        await sql`insert into naive_results values (
          ${r.id}, ${r.targetId}, ${r.url}, ${r.probeId}, ${r.scheduledAt}, ${r.startedAt}, ${r.outcome}, ${r.reason ?? null},
          ${r.statusCode ?? null}, ${r.responseTimeMs}, ${p.dnsMs ?? null}, ${p.tcpMs ?? null}, ${p.tlsMs ?? null}, ${p.ttfbMs ?? null},
          ${p.downloadMs ?? null}, ${r.bytesRead}, ${r.redirects}, ${r.regex?.mustMatch?.pattern ?? null}, ${r.regex?.mustMatch?.matched ?? null},
          ${r.tlsNotAfter ?? null}, ${r.error?.code ?? null}, ${r.error?.message ?? null})`;
        meter.stored(1, 1);
      },
    });
    await meter.done;
    return meter.report();
  } finally {
    await consumer.disconnect();
    await sql.end();
  }
}

async function runWrite(job: Extract<Job, { kind: 'write' }>): Promise<WorkerReport> {
  const { sink, close } = await consumerStorage(job.databaseUrl, job.poolSize, job.alerts, job.slowRules);
  // All rows in memory first, in the batches a subscriber would get: the timed part is write() alone.
  const batches = partitionedBatches(job.spec, job.partitions, job.batchSize);
  const meter = progress(job.spec.count);
  let next = 0;
  try {
    await Promise.all(
      Array.from({ length: job.writers }, async () => {
        for (let batch = batches[next++]; batch !== undefined; batch = batches[next++]) {
          const written = await sink.write(batch);
          meter.stored(written.inserted, batch.length);
        }
      }),
    );
    return meter.report();
  } finally {
    await close();
  }
}

const runners = { subscriber: runSubscriber, naive: runNaive, write: runWrite } as const;

process.once('message', (job: Job) => {
  (runners[job.kind] as (job: Job) => Promise<WorkerReport>)(job).then(
    (report) => process.send!({ ok: true, report }, () => process.exit(0)),
    (error: unknown) => process.send!({ ok: false, error: String((error as Error)?.stack ?? error) }, () => process.exit(1)),
  );
});
