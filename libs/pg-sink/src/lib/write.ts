// A batch in one transaction: the rows as one array literal per column (a fixed number
// of parameters for any batch size), unnested into the raw table, and only the rows it
// inserted added to the hourly and daily rollups. The insert first expects every row to be
// new; when one is stored already it goes again with `on conflict do nothing`, which
// reports the rows it skipped. So a batch is stored whole or not at all, and a redelivered
// batch inserts nothing and adds nothing to the rollups.
import type { CheckResult, Logger } from '@sitewatch/schema';
import type postgres from 'postgres';
import { parseTime, resultColumns, toColumns } from './batch.js';
import type { Catalog, ResolvedIds } from './catalog.js';
import { deltaColumns, rollupDeltas } from './deltas.js';
import { SinkError, toSinkError } from './errors.js';
import { retentionHorizon, type PartitionManager } from './partitions.js';
import { transaction } from './transaction.js';

/** What `write()` did with a batch. */
export interface WriteResult {
  /** Results stored now. */
  inserted: number;
  /** Results already stored (a redelivery), or repeated within the batch: skipped. */
  duplicates: number;
  /** Results older than the raw retention (their partition is gone): skipped, and not counted in the rollups. */
  expired: number;
}

/** Schema-qualified identifiers of the tables and functions the writer uses. */
export interface WriteTargets {
  results: postgres.Helper<string>;
  hourly: postgres.Helper<string>;
  daily: postgres.Helper<string>;
  countsAdd: postgres.Helper<string>;
}

// The raw table's columns in `toColumns` order: a constant, so it can go into the text as it is.
const columnList = resultColumns.map(([name]) => name).join(', ');

/** The rows of a batch, from one array literal per column (`toColumns`). */
function unnestResults(tx: postgres.TransactionSql, c: string[]): postgres.PendingQuery<postgres.Row[]> {
  return tx`
    select * from unnest(
      ${c[0]!}::uuid[], ${c[1]!}::timestamptz[], ${c[2]!}::timestamptz[], ${c[3]!}::integer[],
      ${c[4]!}::real[], ${c[5]!}::real[], ${c[6]!}::real[], ${c[7]!}::real[], ${c[8]!}::real[], ${c[9]!}::real[],
      ${c[10]!}::integer[], ${c[11]!}::integer[], ${c[12]!}::smallint[], ${c[13]!}::smallint[], ${c[14]!}::smallint[],
      ${c[15]!}::smallint[], ${c[16]!}::boolean[], ${c[17]!}::boolean[], ${c[18]!}::text[], ${c[19]!}::text[]
    ) as i (${tx.unsafe(columnList)})`;
}

/** Inserts the rows (ids unique within the batch), skipping those already stored; returns the ids skipped. */
export function insertResults(tx: postgres.TransactionSql, t: WriteTargets, c: string[]): postgres.PendingQuery<{ id: string }[]> {
  return tx<{ id: string }[]>`
    with input as (${unnestResults(tx, c)}),
    inserted as (
      insert into ${t.results} (${tx.unsafe(columnList)})
      select * from input
      on conflict do nothing
      returning id
    )
    select i.id::text as id from input as i where not exists (select 1 from inserted as n where n.id = i.id)`;
}

/** Inserts the rows expecting none of them to be stored: one that is fails the statement with a unique violation (23505). */
export function insertNewResults(tx: postgres.TransactionSql, t: WriteTargets, c: string[]): postgres.PendingQuery<postgres.Row[]> {
  return tx`insert into ${t.results} (${tx.unsafe(columnList)}) ${unnestResults(tx, c)}`;
}

/** Adds deltas (sorted by target and bucket: the lock order) to a rollup table. */
export function upsertRollups(tx: postgres.TransactionSql, table: postgres.Helper<string>, countsAdd: postgres.Helper<string>, c: string[]): postgres.PendingQuery<postgres.Row[]> {
  return tx`
    insert into ${table} as r (target_id, bucket, checks, up, sum_ms, max_ms, bins, reasons)
    select target_id, bucket, checks, up, sum_ms, max_ms, bins::integer[], reasons::integer[]
    from unnest(
      ${c[0]!}::integer[], ${c[1]!}::timestamptz[], ${c[2]!}::integer[], ${c[3]!}::integer[],
      ${c[4]!}::double precision[], ${c[5]!}::real[], ${c[6]!}::text[], ${c[7]!}::text[]
    ) with ordinality as d (target_id, bucket, checks, up, sum_ms, max_ms, bins, reasons, n)
    order by n
    on conflict (target_id, bucket) do update set
      checks = r.checks + excluded.checks,
      up = r.up + excluded.up,
      sum_ms = r.sum_ms + excluded.sum_ms,
      max_ms = greatest(r.max_ms, excluded.max_ms),
      bins = ${countsAdd}(r.bins, excluded.bins),
      reasons = ${countsAdd}(r.reasons, excluded.reasons)`;
}

/** What the writer needs from the sink. */
export interface WriterContext {
  sql: postgres.Sql;
  targets: WriteTargets;
  catalog: Catalog;
  partitions: PartitionManager;
  rawRetentionDays: number;
  now: () => Date;
  /** Resolves once the schema is known to be migrated. */
  ready: () => Promise<void>;
  log: Logger;
}

function writeError(error: unknown, partitions: PartitionManager): SinkError {
  const cause = error as { code?: unknown; routine?: unknown } | undefined;
  // A partition dropped behind this sink's back (by hand, or by another process's
  // retention with a different clock): forget what is cached, recreate, try again.
  if (cause?.code === '23514' && cause.routine === 'ExecFindPartition') {
    partitions.forget();
    return new SinkError('ERR_SINK_WRITE', 'write failed: a partition is missing; it is recreated on the next attempt', { cause: error, retriable: true, sqlState: '23514' });
  }
  return toSinkError(error, 'ERR_SINK_WRITE', 'write');
}

/** The part of a batch to store: unexpired results, each id once (its first occurrence). */
interface Pending {
  rows: CheckResult[];
  /** startedAt of each row, ms. */
  times: number[];
  /** Index of each row in the batch, for error messages. */
  indices: number[];
  expired: number;
}

function pending(batch: readonly CheckResult[], horizon: number): Pending {
  const p: Pending = { rows: [], times: [], indices: [], expired: 0 };
  const seen = new Set<string>();
  batch.forEach((r, i) => {
    const time = parseTime(r.startedAt, i, 'startedAt');
    if (time < horizon) {
      p.expired += 1;
      return;
    }
    const id = String(r.id).toLowerCase();
    if (seen.has(id)) return;
    seen.add(id);
    p.rows.push(r);
    p.times.push(time);
    p.indices.push(i);
  });
  return p;
}

/** The sink's `write()`. */
export function createWriter(c: WriterContext): (batch: readonly CheckResult[]) => Promise<WriteResult> {
  // In the write transaction: insert, learn which rows were new, add those to the rollups.
  async function store(tx: postgres.TransactionSql, p: Pending, ids: ResolvedIds, columns: string[], optimistic: boolean): Promise<number> {
    let fresh: number[];
    if (optimistic) {
      await insertNewResults(tx, c.targets, columns);
      fresh = p.rows.map((_, i) => i);
    } else {
      const skipped = new Set((await insertResults(tx, c.targets, columns)).map((row) => row.id));
      fresh = p.rows.flatMap((r, i) => (skipped.has(String(r.id).toLowerCase()) ? [] : [i]));
    }
    if (fresh.length === 0) return 0;
    const rows = fresh.map((i) => p.rows[i]!);
    const targetIds = fresh.map((i) => ids.settings[i]!.targetId);
    const times = fresh.map((i) => p.times[i]!);
    const deltas = rollupDeltas(rows, targetIds, times);
    await upsertRollups(tx, c.targets.hourly, c.targets.countsAdd, deltaColumns(deltas.hourly));
    await upsertRollups(tx, c.targets.daily, c.targets.countsAdd, deltaColumns(deltas.daily));
    return fresh.length;
  }

  // Redeliveries are rare and come in runs (after a crash or a rebalance). So a batch is
  // first inserted as all new, which costs the server about a third less than `on conflict
  // do nothing`; a unique violation (a stored id, or one a concurrent writer just stored)
  // rolls that back, and the batch goes again with `on conflict`, as do the next ones until
  // one turns out all new. Either way the rollups only count the rows this write inserted.
  let expectDuplicates = false;

  async function storeBatch(p: Pending, ids: ResolvedIds, columns: string[]): Promise<number> {
    if (!expectDuplicates) {
      try {
        return await transaction(c.sql, (tx) => store(tx, p, ids, columns, true));
      } catch (error) {
        if ((error as { code?: unknown } | undefined)?.code !== '23505') throw error;
        expectDuplicates = true;
        c.log.debug({ results: p.rows.length }, 'batch holds stored results; writing it again, skipping them');
      }
    }
    const inserted = await transaction(c.sql, (tx) => store(tx, p, ids, columns, false));
    expectDuplicates = inserted < p.rows.length;
    return inserted;
  }

  return async function write(batch) {
    if (batch.length === 0) return { inserted: 0, duplicates: 0, expired: 0 };
    const started = performance.now();
    // Rows older than this would belong to dropped partitions; without their raw row a
    // redelivery could not be recognised, so they are not counted into rollups either.
    const p = pending(batch, retentionHorizon(c.now(), c.rawRetentionDays).getTime());
    if (p.expired > 0) c.log.warn({ expired: p.expired, rawRetentionDays: c.rawRetentionDays }, 'results older than the raw retention skipped');
    if (p.rows.length === 0) return { inserted: 0, duplicates: batch.length - p.expired, expired: p.expired };
    try {
      await c.ready();
      const ids = await c.catalog.resolve(p.rows);
      const columns = toColumns(p.rows, ids, p.indices);
      await c.partitions.ensureFor(p.times);
      const inserted = await storeBatch(p, ids, columns);
      const duplicates = batch.length - p.expired - inserted;
      c.log.debug({ inserted, duplicates, durationMs: Math.round(performance.now() - started) }, 'batch written');
      return { inserted, duplicates, expired: p.expired };
    } catch (error) {
      throw writeError(error, c.partitions);
    }
  };
}
