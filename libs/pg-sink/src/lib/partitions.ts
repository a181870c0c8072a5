// Partitions: raw results by UTC day (check_results_YYYYMMDD), rollups by UTC month
// (rollups_hourly_YYYYMM, rollups_daily_YYYYMM). Created ahead and on demand, dropped
// whole when past their retention age (never DELETE). Partition DDL cannot take bind
// parameters, so it is the one place that builds SQL text: from names and bounds this
// file generates and checks against strict patterns, never from input.
import type { Logger } from '@sitewatch/schema';
import type postgres from 'postgres';
import { SinkError } from './errors.js';
import { isSqlIdentifier } from './identifier.js';
import { transaction } from './transaction.js';

/** The partitioned tables. */
export const partitionedTables = ['check_results', 'rollups_hourly', 'rollups_daily'] as const;

/** One of `partitionedTables`. */
export type PartitionedTable = (typeof partitionedTables)[number];

/** One partition: its name and the range of its parent's key it holds, [from, to). */
export interface PartitionSpec {
  table: PartitionedTable;
  name: string;
  from: Date;
  to: Date;
}

/** Retention ages in days per table. */
export type RetentionDays = Record<PartitionedTable, number>;

const dayMs = 86_400_000;
const namePattern = /^(check_results)_(\d{4})(\d{2})(\d{2})$|^(rollups_hourly|rollups_daily)_(\d{4})(\d{2})$/;
const boundPattern = /^\d{4}-\d{2}-\d{2}T00:00:00\.000Z$/;

/** Midnight UTC of the day holding `date`. */
export function startOfUtcDay(date: Date): Date {
  return new Date(Math.floor(date.getTime() / dayMs) * dayMs);
}

/** `date` plus `days` days (negative: minus). */
export function addDays(date: Date, days: number): Date {
  return new Date(date.getTime() + days * dayMs);
}

function startOfUtcMonth(date: Date, addMonths = 0): Date {
  return new Date(Date.UTC(date.getUTCFullYear(), date.getUTCMonth() + addMonths, 1));
}

const pad = (n: number, width = 2) => String(n).padStart(width, '0');

/** The raw partition holding results checked at `date`. */
export function rawPartition(date: Date): PartitionSpec {
  const from = startOfUtcDay(date);
  const name = `check_results_${pad(from.getUTCFullYear(), 4)}${pad(from.getUTCMonth() + 1)}${pad(from.getUTCDate())}`;
  return { table: 'check_results', name, from, to: addDays(from, 1) };
}

/** The monthly partition of a rollup table holding buckets at `date`. */
export function rollupPartition(table: 'rollups_hourly' | 'rollups_daily', date: Date): PartitionSpec {
  const from = startOfUtcMonth(date);
  return { table, name: `${table}_${pad(from.getUTCFullYear(), 4)}${pad(from.getUTCMonth() + 1)}`, from, to: startOfUtcMonth(date, 1) };
}

/** Every partition a row checked at `date` needs: its raw day and its rollup months. */
export function partitionsForDate(date: Date): PartitionSpec[] {
  return [rawPartition(date), rollupPartition('rollups_hourly', date), rollupPartition('rollups_daily', date)];
}

/** Partitions to have in place at `now`: raw days from yesterday to today + `ahead`, and their rollup months. */
export function partitionsAhead(now: Date, ahead: number): PartitionSpec[] {
  const today = startOfUtcDay(now);
  const specs = new Map<string, PartitionSpec>();
  for (let day = -1; day <= ahead; day++) for (const spec of partitionsForDate(addDays(today, day))) specs.set(spec.name, spec);
  return [...specs.values()];
}

/** The spec a partition name stands for, or undefined for a name this sink did not generate. */
export function parsePartitionName(name: string): PartitionSpec | undefined {
  const m = namePattern.exec(name);
  if (!m) return undefined;
  if (m[1] !== undefined) {
    const from = new Date(Date.UTC(Number(m[2]), Number(m[3]) - 1, Number(m[4])));
    return rawPartition(from).name === name ? rawPartition(from) : undefined;
  }
  const spec = rollupPartition(m[5] as 'rollups_hourly' | 'rollups_daily', new Date(Date.UTC(Number(m[6]), Number(m[7]) - 1, 1)));
  return spec.name === name ? spec : undefined;
}

/** The oldest time each table keeps at `now`: midnight UTC, retention days ago. Rows before it are gone. */
export function retentionHorizon(now: Date, days: number): Date {
  return addDays(startOfUtcDay(now), -days);
}

/** Names among `names` whose whole range is older than their table's retention horizon. */
export function expiredPartitions(names: Iterable<string>, now: Date, retention: RetentionDays): string[] {
  const expired: string[] = [];
  for (const name of names) {
    const spec = parsePartitionName(name);
    if (spec && spec.to.getTime() <= retentionHorizon(now, retention[spec.table]).getTime()) expired.push(name);
  }
  return expired.sort();
}

function checked(schema: string, spec: PartitionSpec): { schema: string; name: string; from: string; to: string } {
  const from = spec.from.toISOString();
  const to = spec.to.toISOString();
  const named = parsePartitionName(spec.name);
  // The name must be one this file generates, for exactly these bounds.
  const consistent = named?.table === spec.table && named.from.getTime() === spec.from.getTime() && named.to.getTime() === spec.to.getTime();
  if (!isSqlIdentifier(schema) || !consistent || !boundPattern.test(from) || !boundPattern.test(to)) {
    throw new SinkError('ERR_SINK_QUERY', `refusing to build DDL for partition ${JSON.stringify(spec.name)}`);
  }
  return { schema, name: spec.name, from, to };
}

/**
 * The columns of a raw partition in the order they are laid out on disk: 8-byte values
 * first, the uuid, then 4-, 2- and 1-byte values, text last, so no byte of a row is padding
 * (the parent's order, grown by migrations, would pad). Columns are matched by name when
 * the partition is attached, so this list must hold the parent's columns exactly
 * (migrations 00002 and 00005): a partition that does not is refused at attach time.
 * tls_not_after is null in rows written since migration 00005 (a null takes no space).
 */
export const rawPartitionColumns = [
  'checked_at timestamptz not null',
  'id uuid not null',
  'settings_id integer not null',
  'certificate_id integer',
  'response_ms real not null',
  'dns_ms real',
  'tcp_ms real',
  'tls_ms real',
  'ttfb_ms real',
  'download_ms real',
  'bytes_read integer not null',
  'schedule_lag_ms integer not null',
  'probe_id smallint not null',
  'status smallint',
  'reason smallint',
  'redirects smallint not null',
  'must_match_hit boolean',
  'must_not_match_hit boolean',
  'tls_not_after timestamptz',
  'error_code text',
  'error_message text',
] as const;

/** The name of a raw partition's unique index on id. */
const idKeyName = (partition: string) => `${partition}_id_key`;

/**
 * The statements that create a partition, run in one transaction. A raw partition is made
 * with its own column layout (rawPartitionColumns), attached, and given its unique index on
 * `id`: the idempotency key (migration 00005; PostgreSQL takes a unique index on the parent
 * only with the partition key in it). Rollup partitions leave room for in-page (HOT) updates.
 */
export function createPartitionDdl(schema: string, spec: PartitionSpec): string[] {
  const p = checked(schema, spec);
  const table = `"${p.schema}"."${p.name}"`;
  const bounds = `for values from ('${p.from}') to ('${p.to}')`;
  if (spec.table !== 'check_results') return [`create table if not exists ${table} partition of "${p.schema}"."${spec.table}" ${bounds} with (fillfactor = 80)`];
  return [
    `create table ${table} (${rawPartitionColumns.join(', ')})`,
    `alter table "${p.schema}"."${spec.table}" attach partition ${table} ${bounds}`,
    `create unique index "${idKeyName(p.name)}" on ${table} (id)`,
  ];
}

/** `drop table if exists` for a partition name this sink generated. */
export function dropPartitionDdl(schema: string, name: string): string {
  const spec = parsePartitionName(name);
  if (!spec) throw new SinkError('ERR_SINK_QUERY', `refusing to drop ${JSON.stringify(name)}: not a partition name of this sink`);
  const p = checked(schema, spec);
  return `drop table if exists "${p.schema}"."${p.name}"`;
}

/** Names of the existing partitions of the sink's partitioned tables. */
export async function listPartitions(sql: postgres.Sql | postgres.TransactionSql, schema: string): Promise<string[]> {
  const rows = await sql<{ name: string }[]>`
    select c.relname as name
    from pg_inherits i
      join pg_class c on c.oid = i.inhrelid
      join pg_class p on p.oid = i.inhparent
      join pg_namespace n on n.oid = p.relnamespace
    where n.nspname = ${schema} and p.relname in ${sql(partitionedTables)}
    order by 1`;
  return rows.map((row) => row.name);
}

async function underLock<T>(sql: postgres.Sql, schema: string, work: (tx: postgres.TransactionSql) => Promise<T>): Promise<T> {
  return transaction(sql, async (tx) => {
    // DDL on a partitioned table waits for the writers holding it; a few seconds at
    // most, then give up (retriable) rather than stall every write queued behind it.
    await tx`set local lock_timeout = '5s'`;
    await tx`select pg_advisory_xact_lock(hashtextextended(${`sitewatch:partitions:${schema}`}, 0))`;
    return work(tx);
  });
}

/** Creates the partitions among `specs` that do not exist yet; returns the names created. */
export async function createPartitions(sql: postgres.Sql, schema: string, specs: PartitionSpec[]): Promise<string[]> {
  return underLock(sql, schema, async (tx) => {
    const existing = new Set(await listPartitions(tx, schema));
    const missing = specs.filter((spec) => !existing.has(spec.name)).sort((a, b) => a.name.localeCompare(b.name));
    for (const spec of missing) for (const statement of createPartitionDdl(schema, spec)) await tx.unsafe(statement);
    return missing.map((spec) => spec.name);
  });
}

/** Drops the partitions past their retention age at `now`; returns the names dropped. */
export async function dropExpiredPartitions(sql: postgres.Sql, schema: string, now: Date, retention: RetentionDays): Promise<string[]> {
  return underLock(sql, schema, async (tx) => {
    const expired = expiredPartitions(await listPartitions(tx, schema), now, retention);
    for (const name of expired) await tx.unsafe(dropPartitionDdl(schema, name));
    return expired;
  });
}

// A raw partition's unique index on id (its idempotency key) fills its leaf pages to about
// 70% while its day is written: concurrent writers insert into the same range of ids and
// split pages in the middle. Once the day is over (and an hour more for late results), the
// index is built again full (fillfactor 100): 40 bytes a check become about 29
// (bench/README.md). The new index is built beside the old one without blocking writes (like
// any concurrent build, it waits for older transactions to end) and swapped in by one short
// transaction, so the partition always has its unique index; one built by an interrupted
// attempt is dropped and built again.
// Rows that arrive after the pack (late results, a backlog) go into the packed index as they
// come; it is not packed again.

/** How long after its day ends a raw partition's index is packed. */
export const packAfterMs = 3_600_000;

/**
 * Raw partitions whose day ended at least packAfterMs before `now`, that hold rows, and whose
 * id index is not packed yet, oldest first. (An empty one is left for later: a consumer that
 * starts on a backlog would otherwise pack it before filling it.)
 */
export async function unpackedPartitions(sql: postgres.Sql, schema: string, now: Date): Promise<string[]> {
  const closed = (await listPartitions(sql, schema)).filter((name) => {
    const spec = parsePartitionName(name);
    return spec?.table === 'check_results' && spec.to.getTime() + packAfterMs <= now.getTime();
  });
  if (closed.length === 0) return [];
  const indexes = await sql<{ name: string; options: string[] | null }[]>`
    select c.relname as name, c.reloptions as options
    from pg_class c join pg_namespace n on n.oid = c.relnamespace
    where n.nspname = ${schema} and c.relname in ${sql(closed.map(idKeyName))}`;
  const options = new Map(indexes.map((index) => [index.name, index.options ?? []]));
  const unpacked: string[] = [];
  for (const partition of closed) {
    const indexOptions = options.get(idKeyName(partition));
    // Without the index there is nothing to pack; with fillfactor 100 it is packed already.
    if (indexOptions === undefined || indexOptions.includes('fillfactor=100')) continue;
    const [held] = await sql<{ rows: boolean }[]>`select exists (select from ${sql(`${schema}.${partition}`)}) as rows`;
    if (held!.rows) unpacked.push(partition);
  }
  return unpacked;
}

/** Runs `query`, cancelling it on the server when `signal` aborts. */
async function cancellable(query: PromiseLike<unknown> & { cancel(): unknown }, signal?: AbortSignal): Promise<void> {
  const cancel = () => void query.cancel();
  signal?.addEventListener('abort', cancel, { once: true });
  try {
    await query;
  } finally {
    signal?.removeEventListener('abort', cancel);
  }
}

/**
 * Packs a closed raw partition's id index (see above). Resolves false without doing anything
 * when another process is packing it (a session advisory lock), or `signal` aborted first.
 */
export async function packIdIndex(sql: postgres.Sql, schema: string, name: string, signal?: AbortSignal): Promise<boolean> {
  const spec = parsePartitionName(name);
  if (spec?.table !== 'check_results') throw new SinkError('ERR_SINK_QUERY', `refusing to pack ${JSON.stringify(name)}: not a raw partition of this sink`);
  const p = checked(schema, spec);
  const key = idKeyName(p.name);
  const packed = `${p.name}_id_packed`;
  // Concurrent index builds cannot run in a transaction: a connection of its own, which also
  // holds the lock.
  const connection = await sql.reserve();
  const lockKey = `sitewatch:pack:${p.schema}.${p.name}`;
  try {
    const [lock] = await connection<{ locked: boolean }[]>`select pg_try_advisory_lock(hashtextextended(${lockKey}, 0)) as locked`;
    if (!lock!.locked) return false;
    try {
      await connection.unsafe(`drop index concurrently if exists "${p.schema}"."${packed}"`);
      if (signal?.aborted) return false;
      await cancellable(connection.unsafe(`create unique index concurrently "${packed}" on "${p.schema}"."${p.name}" (id) with (fillfactor = 100)`), signal);
      // The swap, on the same connection (a pool of one has no other): a writer of the
      // partition waits for it a moment; give up after a few seconds rather than stall writes.
      try {
        await connection.unsafe(`begin; set local lock_timeout = '5s'; drop index "${p.schema}"."${key}"; alter index "${p.schema}"."${packed}" rename to "${key}"; commit`).simple();
      } catch (error) {
        await connection.unsafe('rollback').catch(() => undefined);
        throw error;
      }
      return true;
    } finally {
      // A lost connection took its session lock with it.
      await connection`select pg_advisory_unlock(hashtextextended(${lockKey}, 0))`.catch(() => undefined);
    }
  } finally {
    connection.release();
  }
}

/** The partitions of one sink: created ahead and on demand (remembered), dropped when expired. */
export interface PartitionManager {
  /** Creates the partitions from yesterday to today + ahead; returns the names created. */
  ensureAhead(now: Date): Promise<string[]>;
  /** Makes sure the partitions for rows checked at these times (ms) exist. */
  ensureFor(times: readonly number[]): Promise<void>;
  /** Drops the expired partitions; returns their names. */
  dropExpired(now: Date): Promise<string[]>;
  /** Packs the id index of each raw partition closed at `now` (see packIdIndex), one at a time, until `signal` aborts; returns the names packed. */
  packClosed(now: Date, signal?: AbortSignal): Promise<string[]>;
  /** Forgets which partitions exist (after one went missing). */
  forget(): void;
}

/** Creates the partition manager of a sink. */
export function createPartitionManager(sql: postgres.Sql, schema: string, settings: { ahead: number; retention: RetentionDays }, log: Logger): PartitionManager {
  const known = new Set<string>();

  async function ensure(specs: PartitionSpec[]): Promise<string[]> {
    const created = await createPartitions(sql, schema, specs);
    for (const spec of specs) known.add(spec.name);
    if (created.length > 0) log.info({ partitions: created }, 'partitions created');
    return created;
  }

  async function ensureFor(times: readonly number[]): Promise<void> {
    const missing = new Map<string, PartitionSpec>();
    for (const day of new Set(times.map((t) => startOfUtcDay(new Date(t)).getTime()))) {
      for (const spec of partitionsForDate(new Date(day))) if (!known.has(spec.name)) missing.set(spec.name, spec);
    }
    if (missing.size > 0) await ensure([...missing.values()]);
  }

  async function dropExpired(now: Date): Promise<string[]> {
    const dropped = await dropExpiredPartitions(sql, schema, now, settings.retention);
    for (const name of dropped) known.delete(name);
    if (dropped.length > 0) log.info({ partitions: dropped }, 'expired partitions dropped');
    return dropped;
  }

  async function packClosed(now: Date, signal?: AbortSignal): Promise<string[]> {
    const packed: string[] = [];
    for (const name of await unpackedPartitions(sql, schema, now)) {
      if (signal?.aborted) break;
      const started = performance.now();
      if (!(await packIdIndex(sql, schema, name, signal))) continue;
      packed.push(name);
      log.info({ partition: name, durationMs: Math.round(performance.now() - started) }, 'idempotency index of a closed day packed');
    }
    return packed;
  }

  return { ensureAhead: (now) => ensure(partitionsAhead(now, settings.ahead)), ensureFor, dropExpired, packClosed, forget: () => known.clear() };
}
