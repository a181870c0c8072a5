// Bytes on disk of what the sink stored: the raw partitions (heap, indexes, TOAST), the
// rollups and the catalog, per stored check. Also checks that the load is complete: as
// many raw rows as expected, and rollups that count every one of them.
import postgres from 'postgres';

/** Sizes after a load, in bytes, and the counts they are divided by. */
export interface StorageReport {
  rawRows: number;
  /** sum(checks) of the hourly and of the daily rollups: both must equal rawRows. */
  hourlyChecks: number;
  dailyChecks: number;
  rawPartitions: number;
  /** Raw partitions: heap (main fork + free space and visibility maps), indexes, everything. */
  rawHeap: number;
  rawIndexes: number;
  rawTotal: number;
  hourlyRows: number;
  hourlyTotal: number;
  dailyRows: number;
  dailyTotal: number;
  /** targets, target_settings, probes, failure_reasons. */
  catalogTotal: number;
  /** The raw partitions' indexes and total once every day is over and its id index packed (`sink.packClosedPartitions()`). */
  packed?: { rawIndexes: number; rawTotal: number };
}

/** Total size of the partitions of a partitioned table: [heap, indexes, total]. */
async function partitionSizes(sql: postgres.Sql, parent: string): Promise<{ partitions: number; heap: number; indexes: number; total: number }> {
  const [row] = await sql<{ partitions: number; heap: number; indexes: number; total: number }[]>`
    select count(*)::integer as partitions,
      coalesce(sum(pg_table_size(c.oid)), 0)::float8 as heap,
      coalesce(sum(pg_indexes_size(c.oid)), 0)::float8 as indexes,
      coalesce(sum(pg_total_relation_size(c.oid)), 0)::float8 as total
    from pg_inherits i join pg_class c on c.oid = i.inhrelid
    where i.inhparent = ${parent}::regclass`;
  return row!;
}

/** Vacuums and analyzes the sink's schema (as autovacuum would in time), then measures it. */
export async function measureStorage(url: string, schema = 'sitewatch'): Promise<StorageReport> {
  const sql = postgres(url, { max: 1, onnotice: () => undefined });
  try {
    // Rollup rows are updated in place many times: vacuum marks the dead versions reusable
    // (it does not shrink the files), so the sizes below are what a running system keeps.
    await sql.unsafe(`vacuum analyze ${schema}.check_results, ${schema}.rollups_hourly, ${schema}.rollups_daily`);
    const [counts] = await sql<{ raw: number; hourly: number; daily: number; hourlyRows: number; dailyRows: number }[]>`
      select (select count(*) from ${sql(schema)}.check_results)::float8 as raw,
        (select coalesce(sum(checks), 0) from ${sql(schema)}.rollups_hourly)::float8 as hourly,
        (select coalesce(sum(checks), 0) from ${sql(schema)}.rollups_daily)::float8 as daily,
        (select count(*) from ${sql(schema)}.rollups_hourly)::float8 as "hourlyRows",
        (select count(*) from ${sql(schema)}.rollups_daily)::float8 as "dailyRows"`;
    const raw = await partitionSizes(sql, `${schema}.check_results`);
    const hourly = await partitionSizes(sql, `${schema}.rollups_hourly`);
    const daily = await partitionSizes(sql, `${schema}.rollups_daily`);
    const [catalog] = await sql<{ total: number }[]>`
      select sum(pg_total_relation_size(c.oid))::float8 as total
      from pg_class c join pg_namespace n on n.oid = c.relnamespace
      where n.nspname = ${schema} and c.relname in ('targets', 'target_settings', 'probes', 'failure_reasons')`;
    return {
      rawRows: counts!.raw,
      hourlyChecks: counts!.hourly,
      dailyChecks: counts!.daily,
      rawPartitions: raw.partitions,
      rawHeap: raw.heap,
      rawIndexes: raw.indexes,
      rawTotal: raw.total,
      hourlyRows: counts!.hourlyRows,
      hourlyTotal: hourly.total,
      dailyRows: counts!.dailyRows,
      dailyTotal: daily.total,
      catalogTotal: catalog!.total,
    };
  } finally {
    await sql.end();
  }
}

/** The report as table rows: what, size, bytes per stored check. */
export function storageRows(s: StorageReport): string[][] {
  const mb = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(1)} MiB`;
  const per = (bytes: number) => (bytes / s.rawRows).toFixed(1);
  return [
    [`raw partitions (${s.rawPartitions}): heap`, mb(s.rawHeap), per(s.rawHeap)],
    ['raw partitions: unique index on id', mb(s.rawIndexes), per(s.rawIndexes)],
    ['**raw total (table + indexes + TOAST)**', mb(s.rawTotal), `**${per(s.rawTotal)}**`],
    ...(s.packed
      ? [
          ['raw partitions: unique index on id, packed once the day is over', mb(s.packed.rawIndexes), per(s.packed.rawIndexes)],
          ['**raw total, the days over**', mb(s.packed.rawTotal), `**${per(s.packed.rawTotal)}**`],
        ]
      : []),
    [`hourly rollups (${s.hourlyRows.toLocaleString('en-US')} rows)`, mb(s.hourlyTotal), per(s.hourlyTotal)],
    [`daily rollups (${s.dailyRows.toLocaleString('en-US')} rows)`, mb(s.dailyTotal), per(s.dailyTotal)],
    ['catalog (targets, settings, probes)', mb(s.catalogTotal), per(s.catalogTotal)],
    ['everything', mb(s.rawTotal + s.hourlyTotal + s.dailyTotal + s.catalogTotal), per(s.rawTotal + s.hourlyTotal + s.dailyTotal + s.catalogTotal)],
  ];
}
