// The alerts tables of a schema (migrations/00001_create_alerts.sql), and the column lists
// of location rows the statements use, made once from one table of columns (an incident's:
// incident.ts).
import type postgres from 'postgres';

/** Schema-qualified tables and the column lists built from them. */
export interface Tables {
  targets: postgres.Helper<string>;
  locations: postgres.Helper<string>;
  incidents: postgres.Helper<string>;
  notifications: postgres.Helper<string>;
  deliveries: postgres.Helper<string>;
  certificateNotices: postgres.Helper<string>;
  /** The upsert of location rows with every column; `unpaced`: without the degraded ones (see toRow). */
  locationWrites: { all: LocationWrite; unpaced: LocationWrite };
  /** alert_locations columns as the camelCase fields of a LocationRow. */
  locationColumns: string;
}

/** The column lists of an upsert of location rows from JSON records. */
export interface LocationWrite {
  /** `target, location, ...` of alert_locations. */
  list: string;
  /** `target text, location text, ...`: the record type of a location row in JSON (times as epoch ms). */
  types: string;
  /** The JSON record's fields as the columns' values (`to_timestamp(last_at / 1000)`...), in list's order. */
  values: string;
  /** `failing = excluded.failing, ...`. */
  updates: string;
}

// name, type, and how it is read (ids and intervals as numbers, not bigint strings). Times
// travel as epoch milliseconds both ways: no Date or ISO string is made for them in JavaScript,
// and PostgreSQL parses no timestamp text (each check rewrites its location's row). They are
// read rounded to the millisecond: date_part's float8 is off by a little for some times
// (...023 s as ...022.9998 ms), and extract's exact numeric costs more.
const locationColumns: [string, string, string?][] = [
  ['target', 'text'],
  ['location', 'text'],
  ['failing', 'boolean'],
  ['failures', 'integer'],
  ['successes', 'integer'],
  ['streak_started_at', 'timestamptz'],
  ['streak_first_check_id', 'uuid', 'streak_first_check_id::text'],
  ['failing_since', 'timestamptz'],
  ['failing_since_check_id', 'uuid', 'failing_since_check_id::text'],
  ['last_at', 'timestamptz'],
  ['last_check_id', 'uuid', 'last_check_id::text'],
  ['interval_ms', 'bigint', 'interval_ms::float8'],
  ['last_failure', 'jsonb'],
  // The degraded state: left as they are by an unpaced write.
  ['degraded', 'boolean'],
  ['slows', 'integer'],
  ['fasts', 'integer'],
  ['pace_since', 'timestamptz'],
  ['pace_since_check_id', 'uuid', 'pace_since_check_id::text'],
  ['degraded_since', 'timestamptz'],
  ['degraded_since_check_id', 'uuid', 'degraded_since_check_id::text'],
  ['last_slow', 'jsonb'],
];

const isTime = (type: string) => type === 'timestamptz';
const unpacedColumns = locationColumns.slice(0, locationColumns.findIndex(([name]) => name === 'degraded'));

function locationWrite(columns: typeof locationColumns): LocationWrite {
  return {
    list: columns.map(([name]) => name).join(', '),
    types: columns.map(([name, type]) => `${name} ${isTime(type) ? 'float8' : type}`).join(', '),
    values: columns.map(([name, type]) => (isTime(type) ? `to_timestamp(${name} / 1000)` : name)).join(', '),
    updates: columns
      .slice(2)
      .map(([name]) => `${name} = excluded.${name}`)
      .join(', '),
  };
}
const camel = (name: string) => name.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase());

/** The tables of `schema` (a checked SQL identifier). */
export function createTables(sql: postgres.Sql, schema: string): Tables {
  const qualified = (name: string) => sql(`${schema}.${name}`);
  return {
    targets: qualified('alert_targets'),
    locations: qualified('alert_locations'),
    incidents: qualified('incidents'),
    notifications: qualified('notifications'),
    deliveries: qualified('deliveries'),
    certificateNotices: qualified('certificate_notices'),
    locationWrites: { all: locationWrite(locationColumns), unpaced: locationWrite(unpacedColumns) },
    locationColumns: locationColumns.map(([name, type, read]) => `${isTime(type) ? `round(date_part('epoch', ${name}) * 1000)` : (read ?? name)} as "${camel(name)}"`).join(', '),
  };
}
