// The ONLY queries of the read model that touch raw results (check_results): keep it so, so
// a change of the raw storage's columns is a change of this file alone. Everything else
// reads the rollups, the catalog and the incidents.
//
// The latest check of each target and location. check_results has no index on checked_at
// (each daily partition's one index is its unique index on id), but ids are UUIDv7, whose
// first 48 bits are the Unix time in ms when the checker made the result: `id >= <the
// smallest UUIDv7 of a time>` is a range scan of that index, so reading the last minutes
// costs the rows of the last minutes, not a scan of today's partition.
import type postgres from 'postgres';
import type { Tables } from './tables.js';

/** The latest check of one target from one location. */
export interface LatestCheck {
  /** The target id (CheckResult.targetId). */
  target: string;
  /** The location (CheckResult.probeId). */
  location: string;
  checkedAt: Date;
  outcome: 'up' | 'down';
  /** Why it was down (a FailureReason); null when up. */
  reason: string | null;
  statusCode: number | null;
  responseMs: number;
  /** The check's error code and message (null when none): texts a public page shows only when configured. */
  errorCode: string | null;
  errorMessage: string | null;
  /** The expiry of the server's certificate (https checks; null for http). */
  tlsNotAfter: Date | null;
}

// Result ids may come from a checker whose clock is a little behind the one that wrote
// checked_at: look this much further back in ids than in time.
const clockSkewMarginMs = 300_000;

/** The smallest UUIDv7 made at or after `time`: its 48-bit millisecond timestamp, then zeros. */
export function uuidv7Floor(time: Date): string {
  const hex = Math.max(0, Math.floor(time.getTime())).toString(16).padStart(12, '0');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-0000-0000-000000000000`;
}

interface LatestRow {
  target: string;
  location: string;
  checkedAt: Date;
  reason: string | null;
  statusCode: number | null;
  responseMs: number;
  errorCode: string | null;
  errorMessage: string | null;
  tlsNotAfter: Date | null;
}

/** The latest check of each target and location checked in [since, now], optionally of the targets `keys` only. */
export async function latestChecks(sql: postgres.Sql, tables: Tables, since: Date, now: Date, keys?: readonly string[]): Promise<LatestCheck[]> {
  const minId = uuidv7Floor(new Date(since.getTime() - clockSkewMarginMs));
  const rows = await sql<LatestRow[]>`
    select distinct on (s.target_id, r.probe_id)
      t.key as target, p.key as location, r.checked_at as "checkedAt", case when r.reason is null then null else coalesce(f.name, 'other') end as reason,
      r.status::integer as "statusCode", r.response_ms::double precision as "responseMs",
      r.error_code as "errorCode", r.error_message as "errorMessage",
      coalesce(c.not_after, r.tls_not_after) as "tlsNotAfter"
    from ${tables.results} as r
    join ${tables.settings} as s on s.id = r.settings_id
    join ${tables.targets} as t on t.id = s.target_id
    join ${tables.probes} as p on p.id = r.probe_id
    left join ${tables.reasons} as f on f.id = r.reason
    left join ${tables.certificates} as c on c.id = r.certificate_id
    where r.id >= ${minId}::uuid and r.checked_at >= ${since} and r.checked_at <= ${now}
      ${keys === undefined ? sql`` : sql`and t.key = any(${sql.array([...keys])}::text[])`}
    order by s.target_id, r.probe_id, r.checked_at desc`;
  return rows.map((row) => ({ ...row, outcome: row.reason === null ? 'up' : 'down' }));
}
