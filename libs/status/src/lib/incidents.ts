// Reads of the alerts' incidents table (libs/alerts migrations 00001-00003), when the alerts
// have been migrated into the schema: open incidents and those resolved recently, as the
// alerts' own IncidentRecord (its type and select list are the alerts', so both read the same row).
import { incidentColumns, type IncidentRecord } from '@sitewatch/alerts';
import type postgres from 'postgres';
import type { Tables } from './tables.js';

/** What `incidents()` reads. */
export interface IncidentQuery {
  /** Only these targets (default: all). */
  targets?: readonly string[];
  /** Open incidents, and those resolved at or after this time (default: open ones only). */
  since?: Date;
  /** At most this many, newest first (default 100). */
  limit?: number;
}

/**
 * Whether the alerts' tables are in the schema as this reader reads them: the incidents table
 * with its kind (migration 00003). A status service upgraded before the writers that migrate
 * the database shows no incidents until they have, rather than failing.
 */
export async function hasIncidentsTable(sql: postgres.Sql, tables: Tables): Promise<boolean> {
  const [row] = await sql<{ present: boolean }[]>`
    select exists (select 1 from pg_attribute where attrelid = to_regclass(${`${tables.schema}.incidents`}) and attname = 'kind' and not attisdropped) as present`;
  return row?.present ?? false;
}

/** The incidents asked for, newest first. */
export async function readIncidents(sql: postgres.Sql, tables: Tables, query: IncidentQuery): Promise<IncidentRecord[]> {
  const targets = query.targets === undefined ? sql`` : sql`and target = any(${sql.array([...query.targets])}::text[])`;
  const since = query.since === undefined ? sql`resolved_at is null` : sql`(resolved_at is null or resolved_at >= ${query.since})`;
  return sql<IncidentRecord[]>`
    select ${sql.unsafe(incidentColumns)}
    from ${tables.incidents}
    where ${since} ${targets}
    order by opened_at desc, id desc
    limit ${query.limit ?? 100}`;
}
