// An incident as the incidents table (migrations/00001_create_alerts.sql) holds it: one type
// and one select list for everything that reads the table (the evaluation, the notifier, the
// status read model), so every reader sees the same fields and the id is a number everywhere.
import type { IncidentKind } from './evaluate.js';
import type { Slowness } from './location-state.js';

/**
 * One incident: the target was down (or degraded: up but slow) from `openedAt` (its first
 * failing or slow check) to `resolvedAt` (the first up, or fast, check after).
 */
export interface IncidentRecord {
  /** The incident's id: a bigint column, read as a number (ids stay far below 2^53). */
  id: number;
  /** down, or degraded (up but slow); a degraded incident that went down is down, with `escalatedAt`. */
  kind: IncidentKind;
  target: string;
  /** The URL checked when it opened (a public page shows it as its display rules allow). */
  url: string;
  openedAt: Date;
  /** Null while open. */
  resolvedAt: Date | null;
  /** Failure reason of the latest failing check when it opened (or went down); `slow` for a degraded incident. */
  reason: string;
  statusCode: number | null;
  /** Error code and message of that check: texts a public page shows only when configured. */
  errorCode: string | null;
  errorMessage: string | null;
  /** Locations failing while it was open. */
  locations: string[];
  /** The first failing check (a CheckResult id). */
  firstCheckId: string;
  /** The latest check that kept it open, or the first up check that resolved it. */
  lastCheckId: string;
  /** Opened inside a maintenance window. */
  inMaintenance: boolean;
  /** When a degraded incident went down (null otherwise). */
  escalatedAt: Date | null;
  /** The latest slow check of a degraded incident (null for a down one). */
  slow: Slowness | null;
}

// How each column is read (ids as numbers and uuids as text, not bigint strings), and its field.
const columns: [string, keyof IncidentRecord][] = [
  ['id::float8', 'id'],
  ['kind', 'kind'],
  ['target', 'target'],
  ['url', 'url'],
  ['opened_at', 'openedAt'],
  ['resolved_at', 'resolvedAt'],
  ['reason', 'reason'],
  ['status_code', 'statusCode'],
  ['error_code', 'errorCode'],
  ['error_message', 'errorMessage'],
  ['locations', 'locations'],
  ['first_check_id::text', 'firstCheckId'],
  ['last_check_id::text', 'lastCheckId'],
  ['in_maintenance', 'inMaintenance'],
  ['escalated_at', 'escalatedAt'],
  ['slow', 'slow'],
];

/**
 * The incidents table's columns as the fields of an IncidentRecord, for a select or a
 * `returning` list: `sql\`select ${sql.unsafe(incidentColumns)} from ...\`` (a constant, never input).
 */
export const incidentColumns = columns.map(([read, field]) => `${read} as "${field}"`).join(', ');
