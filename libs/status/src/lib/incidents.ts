// Reads of the alerts' incidents table (libs/alerts migration 00001), when the alerts have
// been migrated into the schema: open incidents and those resolved recently.
import type postgres from 'postgres';
import type { Tables } from './tables.js';

/** One incident: the target was down from `openedAt` (its first failing check) to `resolvedAt` (the first up check after). */
export interface Incident {
  /** The incident's id (a bigint, as text). */
  id: string;
  target: string;
  /** The URL checked when it opened (a page shows it as its display rules allow). */
  url: string;
  openedAt: Date;
  /** Null while open. */
  resolvedAt: Date | null;
  /** Failure reason of the latest failing check when it opened. */
  reason: string;
  statusCode: number | null;
  /** Error code and message of that check: texts a public page shows only when configured. */
  errorCode: string | null;
  errorMessage: string | null;
  /** Locations failing while it was open. */
  locations: string[];
  /** Opened inside a maintenance window. */
  inMaintenance: boolean;
}

/** What `incidents()` reads. */
export interface IncidentQuery {
  /** Only these targets (default: all). */
  targets?: readonly string[];
  /** Open incidents, and those resolved at or after this time (default: open ones only). */
  since?: Date;
  /** At most this many, newest first (default 100). */
  limit?: number;
}

/** Whether the alerts' incidents table exists in the schema. */
export async function hasIncidentsTable(sql: postgres.Sql, tables: Tables): Promise<boolean> {
  const [row] = await sql<{ present: boolean }[]>`select to_regclass(${`${tables.schema}.incidents`}) is not null as present`;
  return row?.present ?? false;
}

/** The incidents asked for, newest first. */
export async function readIncidents(sql: postgres.Sql, tables: Tables, query: IncidentQuery): Promise<Incident[]> {
  const targets = query.targets === undefined ? sql`` : sql`and target = any(${sql.array([...query.targets])}::text[])`;
  const since = query.since === undefined ? sql`resolved_at is null` : sql`(resolved_at is null or resolved_at >= ${query.since})`;
  return sql<Incident[]>`
    select id::text as id, target, url, opened_at as "openedAt", resolved_at as "resolvedAt", reason,
      status_code as "statusCode", error_code as "errorCode", error_message as "errorMessage", locations,
      in_maintenance as "inMaintenance"
    from ${tables.incidents}
    where ${since} ${targets}
    order by opened_at desc, id desc
    limit ${query.limit ?? 100}`;
}
