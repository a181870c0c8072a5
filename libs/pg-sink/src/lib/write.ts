// A batch in one transaction: the rows as one array literal per column (a fixed number
// of parameters for any batch size), unnested into the raw table, and only the rows it
// inserted added to the hourly and daily rollups. The insert first expects every row to be
// new; when one is stored already it goes again with `on conflict do nothing`, which
// reports the rows it skipped. So a batch is stored whole or not at all, and a redelivered
// batch inserts nothing and adds nothing to the rollups.
import type { CheckResult, Logger } from '@sitewatch/schema';
import type postgres from 'postgres';
import { parseTime, rawColumns, toColumns } from './batch.js';
import type { Catalog, ResolvedIds } from './catalog.js';
import { deltaColumns, rollupColumns, rollupDeltas } from './deltas.js';
import { SinkError, toSinkError } from './errors.js';
import type { InsertedHook } from './options.js';
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
export interface WriteTables {
  results: postgres.Helper<string>;
  hourly: postgres.Helper<string>;
  daily: postgres.Helper<string>;
  countsAdd: postgres.Helper<string>;
}

/**
 * The template of `$1::uuid[], $2::timestamptz[], ...`: each column's array literal cast to an
 * array of the column's type. Made once from a column table; postgres.js takes it as it takes
 * a tagged template literal.
 */
function castsTemplate(columns: readonly { type: string }[]): TemplateStringsArray {
  const strings = ['', ...columns.map((column, index) => `::${column.type}[]${index < columns.length - 1 ? ', ' : ''}`)];
  return Object.freeze(Object.assign(strings, { raw: [...strings] }));
}

// Constants made from the column tables, so they can go into the statement text as they are.
const rawColumnList = rawColumns.map((column) => column.name).join(', ');
const rawCasts = castsTemplate(rawColumns);
const rollupColumnList = rollupColumns.map((column) => column.name).join(', ');
const rollupSelectList = rollupColumns.map((column) => column.select ?? column.name).join(', ');
const rollupCasts = castsTemplate(rollupColumns);

/** The rows of a batch, from one array literal per raw column (`toColumns`). */
function unnestResults(tx: postgres.TransactionSql, literals: string[]): postgres.PendingQuery<postgres.Row[]> {
  return tx`select * from unnest(${tx(rawCasts, ...literals)}) as given (${tx.unsafe(rawColumnList)})`;
}

/** Inserts the rows (ids unique within the batch), skipping those already stored; returns the ids skipped. */
export function insertResults(tx: postgres.TransactionSql, tables: WriteTables, literals: string[]): postgres.PendingQuery<{ id: string }[]> {
  return tx<{ id: string }[]>`
    with input as (${unnestResults(tx, literals)}),
    inserted as (
      insert into ${tables.results} (${tx.unsafe(rawColumnList)})
      select * from input
      on conflict do nothing
      returning id
    )
    select input.id::text as id from input where not exists (select 1 from inserted where inserted.id = input.id)`;
}

/** Inserts the rows expecting none of them to be stored: one that is fails the statement with a unique violation (23505). */
export function insertNewResults(tx: postgres.TransactionSql, tables: WriteTables, literals: string[]): postgres.PendingQuery<postgres.Row[]> {
  return tx`insert into ${tables.results} (${tx.unsafe(rawColumnList)}) ${unnestResults(tx, literals)}`;
}

/** Adds deltas (one array literal per rollup column, sorted by target and bucket: the lock order) to a rollup table. */
export function upsertRollups(tx: postgres.TransactionSql, table: postgres.Helper<string>, countsAdd: postgres.Helper<string>, literals: string[]): postgres.PendingQuery<postgres.Row[]> {
  return tx`
    insert into ${table} as stored (${tx.unsafe(rollupColumnList)})
    select ${tx.unsafe(rollupSelectList)}
    from unnest(${tx(rollupCasts, ...literals)}) with ordinality as delta (${tx.unsafe(rollupColumnList)}, position)
    order by position
    on conflict (target_id, bucket) do update set
      checks = stored.checks + excluded.checks,
      up = stored.up + excluded.up,
      sum_ms = stored.sum_ms + excluded.sum_ms,
      max_ms = greatest(stored.max_ms, excluded.max_ms),
      bins = ${countsAdd}(stored.bins, excluded.bins),
      reasons = ${countsAdd}(stored.reasons, excluded.reasons)`;
}

/** What the writer needs from the sink. */
export interface WriterContext {
  sql: postgres.Sql;
  tables: WriteTables;
  catalog: Catalog;
  partitions: PartitionManager;
  rawRetentionDays: number;
  now: () => Date;
  /** Resolves once the schema is known to be migrated. */
  ready: () => Promise<void>;
  log: Logger;
  /** Called in the transaction with the rows it inserted (see `SinkOptions.onInserted`). */
  onInserted?: InsertedHook;
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

function pendingRows(batch: readonly CheckResult[], horizon: number): Pending {
  const pending: Pending = { rows: [], times: [], indices: [], expired: 0 };
  const seen = new Set<string>();
  batch.forEach((result, index) => {
    const time = parseTime(result.startedAt, index, 'startedAt');
    if (time < horizon) {
      pending.expired += 1;
      return;
    }
    const id = String(result.id).toLowerCase();
    if (seen.has(id)) return;
    seen.add(id);
    pending.rows.push(result);
    pending.times.push(time);
    pending.indices.push(index);
  });
  return pending;
}

/** The sink's `write()`. */
export function createWriter(context: WriterContext): (batch: readonly CheckResult[]) => Promise<WriteResult> {
  const { sql, tables, log } = context;

  // In the write transaction: insert, learn which rows were new, add those to the rollups.
  async function store(tx: postgres.TransactionSql, pending: Pending, ids: ResolvedIds, literals: string[], optimistic: boolean): Promise<number> {
    let fresh: number[];
    if (optimistic) {
      await insertNewResults(tx, tables, literals);
      fresh = pending.rows.map((_, index) => index);
    } else {
      const skipped = new Set((await insertResults(tx, tables, literals)).map((row) => row.id));
      fresh = pending.rows.flatMap((result, index) => (skipped.has(String(result.id).toLowerCase()) ? [] : [index]));
    }
    if (fresh.length === 0) return 0;
    const rows = fresh.map((index) => pending.rows[index]!);
    const targetIds = fresh.map((index) => ids.settings[index]!.targetId);
    const times = fresh.map((index) => pending.times[index]!);
    const deltas = rollupDeltas(rows, targetIds, times);
    await upsertRollups(tx, tables.hourly, tables.countsAdd, deltaColumns(deltas.hourly));
    await upsertRollups(tx, tables.daily, tables.countsAdd, deltaColumns(deltas.daily));
    await context.onInserted?.(tx, rows);
    return fresh.length;
  }

  // Redeliveries are rare and come in runs (after a crash or a rebalance). So a batch is
  // first inserted as all new, which costs the server about a third less than `on conflict
  // do nothing`; a unique violation (a stored id, or one a concurrent writer just stored)
  // rolls that back, and the batch goes again with `on conflict`, as do the next ones until
  // one turns out all new. Either way the rollups only count the rows this write inserted.
  let expectDuplicates = false;

  async function storeBatch(pending: Pending, ids: ResolvedIds, literals: string[]): Promise<number> {
    if (!expectDuplicates) {
      try {
        return await transaction(sql, (tx) => store(tx, pending, ids, literals, true));
      } catch (error) {
        if ((error as { code?: unknown } | undefined)?.code !== '23505') throw error;
        expectDuplicates = true;
        log.debug({ results: pending.rows.length }, 'batch holds stored results; writing it again, skipping them');
      }
    }
    const inserted = await transaction(sql, (tx) => store(tx, pending, ids, literals, false));
    expectDuplicates = inserted < pending.rows.length;
    return inserted;
  }

  return async function write(batch) {
    if (batch.length === 0) return { inserted: 0, duplicates: 0, expired: 0 };
    const started = performance.now();
    // Rows older than this would belong to dropped partitions; without their raw row a
    // redelivery could not be recognised, so they are not counted into rollups either.
    const pending = pendingRows(batch, retentionHorizon(context.now(), context.rawRetentionDays).getTime());
    if (pending.expired > 0) log.warn({ expired: pending.expired, rawRetentionDays: context.rawRetentionDays }, 'results older than the raw retention skipped');
    if (pending.rows.length === 0) return { inserted: 0, duplicates: batch.length - pending.expired, expired: pending.expired };
    try {
      await context.ready();
      const ids = await context.catalog.resolve(pending.rows);
      const literals = toColumns(pending.rows, ids, pending.indices);
      await context.partitions.ensureFor(pending.times);
      const inserted = await storeBatch(pending, ids, literals);
      const duplicates = batch.length - pending.expired - inserted;
      log.debug({ inserted, duplicates, durationMs: Math.round(performance.now() - started) }, 'batch written');
      return { inserted, duplicates, expired: pending.expired };
    } catch (error) {
      throw writeError(error, context.partitions);
    }
  };
}
