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
  /** Where the bytes of a raw row go (`rawRowAnatomy`), when pageinspect could be used. */
  anatomy?: RowAnatomy;
}

/** The bytes of an average raw row, part by part (averages over every stored row). */
export interface RowAnatomy {
  /** Per column: average bytes of its value (0 when null) and the share of rows where it is not null. */
  columns: { name: string; bytes: number; notNull: number }[];
  /** The tuple header: 23 bytes, the null bitmap (a bit per column), padded to 8. */
  header: number;
  /** Padding between values for their alignment, and at the tuple's end to 8 bytes. */
  padding: number;
  /** The line pointer each tuple has in its page. */
  linePointer: number;
  /** Page headers, the space at the end of each page too small for one more row, the free space and visibility maps. */
  page: number;
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

/**
 * Where the heap bytes of a raw row go, from the tuples themselves (pageinspect: each
 * tuple's length and header size) and the size of each column's values. Needs the right to
 * create the extension (a superuser, as in the bench's own databases); undefined otherwise.
 */
export async function rawRowAnatomy(url: string, schema = 'sitewatch'): Promise<RowAnatomy | undefined> {
  const sql = postgres(url, { max: 1, onnotice: () => undefined });
  try {
    try {
      await sql`create extension if not exists pageinspect`;
    } catch {
      return undefined;
    }
    // Every live tuple of every raw partition: its length rounded up to the 8-byte alignment, and its header.
    const [pages] = await sql<{ tuples: number; aligned: number; header: number }[]>`
      select count(*)::float8 as tuples, coalesce(sum((t.lp_len + 7) / 8 * 8), 0)::float8 as aligned, coalesce(sum(t.t_hoff), 0)::float8 as header
      from pg_inherits i
        join pg_class c on c.oid = i.inhrelid
        cross join lateral generate_series(0, pg_relation_size(c.oid) / current_setting('block_size')::integer - 1) as page
        cross join lateral heap_page_items(get_raw_page(c.oid::regclass::text, page::integer)) as t
      where i.inhparent = ${`${schema}.check_results`}::regclass and t.lp_flags = 1`;
    const { tuples, aligned, header } = pages!;
    const heapBytes = (await partitionSizes(sql, `${schema}.check_results`)).heap;
    if (tuples === 0) return undefined;
    const names = await sql<{ name: string }[]>`
      select attname as name from pg_attribute
      where attrelid = ${`${schema}.check_results`}::regclass and attnum > 0 and not attisdropped order by attnum`;
    const sizes = await sql.unsafe<Record<string, number>[]>(
      `select ${names.map(({ name }, i) => `avg(coalesce(pg_column_size(${name}), 0))::float8 as b${i}, avg((${name} is not null)::integer)::float8 as n${i}`).join(', ')} from ${schema}.check_results`,
    );
    const columns = names.map(({ name }, i) => ({ name, bytes: sizes[0]![`b${i}`]!, notNull: sizes[0]![`n${i}`]! }));
    const values = columns.reduce((sum, column) => sum + column.bytes, 0);
    return {
      columns,
      header: header / tuples,
      padding: aligned / tuples - header / tuples - values,
      linePointer: 4,
      page: heapBytes / tuples - aligned / tuples - 4,
    };
  } finally {
    await sql.end();
  }
}

/** The anatomy as table rows: part, bytes per row, share of rows where the column is set. */
export function anatomyRows(a: RowAnatomy): string[][] {
  const b = (bytes: number) => bytes.toFixed(1);
  const total = a.header + a.padding + a.linePointer + a.page + a.columns.reduce((sum, column) => sum + column.bytes, 0);
  return [
    ['line pointer', b(a.linePointer), ''],
    ['tuple header (23 B, null bitmap, padded to 8)', b(a.header), ''],
    ...a.columns.map((column) => [`\`${column.name}\``, b(column.bytes), `${Math.round(column.notNull * 100)}%`]),
    ['alignment padding', b(a.padding), ''],
    ['page headers, unused page ends, free space and visibility maps', b(a.page), ''],
    ['**heap per row**', `**${b(total)}**`, ''],
  ];
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
