// What the alerts hold of each target now (libs/alerts migration 00003), when their tables are
// in the schema: the kind of its open incident, which of its locations are degraded (up but
// slow), and the certificate of its latest https check as the alerts last saw it.
import type { IncidentRecord } from '@sitewatch/alerts';
import type postgres from 'postgres';
import type { Tables } from './tables.js';

/** The alerts' state of one target. */
export interface AlertState {
  /** The kind of its open incident (null: none open). */
  openKind: IncidentRecord['kind'] | null;
  /** Its locations the alerts hold degraded, sorted. */
  degradedLocations: string[];
  /** The certificate's expiry of its latest https check as the alerts saw it (null: none seen, or certificate notices off). */
  certificateNotAfter: Date | null;
}

/** The alerts' state of the targets `keys` (every target when undefined) that the alerts have seen. */
export async function readAlertStates(sql: postgres.Sql, tables: Tables, keys?: readonly string[]): Promise<Map<string, AlertState>> {
  // The open incident through the unique index on (target) where resolved_at is null: at most one per target.
  const rows = await sql<(AlertState & { target: string })[]>`
    select a.target, i.kind as "openKind", a.certificate_not_after as "certificateNotAfter",
      array(select l.location from ${tables.alertLocations} as l where l.target = a.target and l.degraded order by l.location) as "degradedLocations"
    from ${tables.alertTargets} as a
    left join ${tables.incidents} as i on i.target = a.target and i.resolved_at is null
    ${keys === undefined ? sql`` : sql`where a.target = any(${sql.array([...keys])}::text[])`}`;
  return new Map(rows.map(({ target, ...state }) => [target, state]));
}
