// What the pipeline benchmarks share: where the stack is (KAFKA_BROKERS, DATABASE_URL, with
// the local stack's defaults), a throwaway database or topic per run, and a plain-text table.
import { randomBytes } from 'node:crypto';
import { cpus, loadavg } from 'node:os';
import { Kafka, logLevel } from 'kafkajs';
import postgres from 'postgres';

/** PostgreSQL server of the run (each benchmark makes its own database on it). */
export const serverUrl = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

/** PLAINTEXT bootstrap servers of the run. */
export const brokers = (process.env.KAFKA_BROKERS ?? '127.0.0.1:19092').split(',');

/** A name no other run uses: `<prefix>_<8 hex>`. */
export function uniqueName(prefix: string): string {
  return `${prefix}_${randomBytes(4).toString('hex')}`;
}

/** A database of the run's own, and the URL to reach it; drop() removes it (idempotent). */
export interface BenchDatabase {
  name: string;
  url: string;
  drop(): Promise<void>;
}

/** Creates an empty database on `serverUrl`. */
export async function createDatabase(prefix = 'bench_pipeline'): Promise<BenchDatabase> {
  const name = uniqueName(prefix);
  const admin = postgres(serverUrl, { max: 1, onnotice: () => undefined });
  await admin.unsafe(`create database ${name}`);
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  let dropping: Promise<void> | undefined;
  return {
    name,
    url: url.toString(),
    drop() {
      dropping ??= admin.unsafe(`drop database if exists ${name} with (force)`).then(() => admin.end());
      return dropping;
    },
  };
}

/** A topic of the run's own; remove() deletes it (idempotent). */
export interface BenchTopic {
  name: string;
  remove(): Promise<void>;
}

/** Creates a topic with `partitions` partitions (names with '_' are fine in Kafka). */
export async function createTopic(prefix: string, partitions: number): Promise<BenchTopic> {
  const name = uniqueName(prefix);
  const admin = new Kafka({ clientId: 'sitewatch-bench', brokers, logLevel: logLevel.NOTHING }).admin();
  await admin.connect();
  await admin.createTopics({ topics: [{ topic: name, numPartitions: partitions, replicationFactor: 1 }], waitForLeaders: true });
  let removing: Promise<void> | undefined;
  return {
    name,
    remove() {
      removing ??= (async () => {
        const existing = new Set(await admin.listTopics());
        const topics = [name, `${name}.dlq`].filter((topic) => existing.has(topic));
        if (topics.length > 0) await admin.deleteTopics({ topics });
        await admin.disconnect();
      })();
      return removing;
    },
  };
}

/** One line about the machine: cores and load average. */
export function machineLine(): string {
  const [one, five] = loadavg();
  return `${cpus().length} cores, load average ${one!.toFixed(2)} (1 min) ${five!.toFixed(2)} (5 min)`;
}

/** A Markdown table (pipes), columns padded for reading in a terminal too. */
export function table(head: string[], rows: string[][]): string {
  const widths = head.map((h, c) => Math.max(h.length, ...rows.map((row) => (row[c] ?? '').length)));
  const line = (cells: string[]) => `| ${cells.map((cell, c) => cell.padEnd(widths[c]!)).join(' | ')} |`;
  return [line(head), `| ${widths.map((w) => '-'.repeat(w)).join(' | ')} |`, ...rows.map(line)].join('\n');
}

/** An integer with thousands separators. */
export function count(n: number): string {
  return Math.round(n).toLocaleString('en-US');
}

/** Nearest-rank quantile of sorted values. */
export function quantile(sorted: readonly number[], q: number): number {
  return sorted[Math.max(0, Math.ceil(q * sorted.length) - 1)]!;
}
