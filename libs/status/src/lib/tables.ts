// Schema-qualified names of the tables and functions the read model uses (pg-sink's
// migrations 00001-00005, the alerts' 00001-00003), as postgres.js identifiers.
import type postgres from 'postgres';

/** The identifiers every query takes from here. */
export interface Tables {
  schema: string;
  targets: postgres.Helper<string>;
  settings: postgres.Helper<string>;
  probes: postgres.Helper<string>;
  reasons: postgres.Helper<string>;
  results: postgres.Helper<string>;
  certificates: postgres.Helper<string>;
  hourly: postgres.Helper<string>;
  daily: postgres.Helper<string>;
  incidents: postgres.Helper<string>;
  alertTargets: postgres.Helper<string>;
  alertLocations: postgres.Helper<string>;
  countsSum: postgres.Helper<string>;
}

/** The identifiers of `schema`. */
export function tablesOf(sql: postgres.Sql, schema: string): Tables {
  const q = (name: string) => sql(`${schema}.${name}`);
  return {
    schema,
    targets: q('targets'),
    settings: q('target_settings'),
    probes: q('probes'),
    reasons: q('failure_reasons'),
    results: q('check_results'),
    certificates: q('certificates'),
    hourly: q('rollups_hourly'),
    daily: q('rollups_daily'),
    incidents: q('incidents'),
    alertTargets: q('alert_targets'),
    alertLocations: q('alert_locations'),
    countsSum: q('counts_sum'),
  };
}
