// A batch of CheckResults as one PostgreSQL array literal per column of the raw table,
// with the values checked and clamped into the compact column types.
import type { CheckResult, FailureReason } from '@sitewatch/schema';
import type { ResolvedIds } from './catalog.js';
import { SinkError } from './errors.js';
import { arrayLiteral, bareArrayLiteral, type ArrayElement } from './pg-array.js';

/** failure_reasons.id of each reason (migration 00001): stored ids never change. */
export const reasonIds: Readonly<Record<FailureReason, number>> = {
  dns: 1,
  connect: 2,
  tls: 3,
  timeout: 4,
  status: 5,
  body_mismatch: 6,
  body_too_large: 7,
  redirects: 8,
  other: 9,
};

/** The raw table's columns in the order the statement sends them (and casts them, in `writeStatement`). */
export const resultColumns = [
  ['id', 'uuid'],
  ['checked_at', 'timestamptz'],
  ['tls_not_after', 'timestamptz'],
  ['settings_id', 'integer'],
  ['response_ms', 'real'],
  ['dns_ms', 'real'],
  ['tcp_ms', 'real'],
  ['tls_ms', 'real'],
  ['ttfb_ms', 'real'],
  ['download_ms', 'real'],
  ['bytes_read', 'integer'],
  ['schedule_lag_ms', 'integer'],
  ['probe_id', 'smallint'],
  ['status', 'smallint'],
  ['reason', 'smallint'],
  ['redirects', 'smallint'],
  ['must_match_hit', 'boolean'],
  ['must_not_match_hit', 'boolean'],
  ['error_code', 'text'],
  ['error_message', 'text'],
] as const;

const uuidPattern = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const maxTime = Date.UTC(10_000, 0, 1);
const int32 = 2_147_483_647;
const int16 = 32_767;

const clamp = (value: number, min: number, max: number) => Math.min(max, Math.max(min, Math.round(value)));
// PostgreSQL text cannot hold NUL characters.
const text = (value: string | undefined) => (value === undefined ? null : value.replaceAll('\u0000', '\uFFFD'));

function invalid(index: number, message: string): never {
  throw new SinkError('ERR_SINK_INVALID_BATCH', `result ${index}: ${message}`);
}

/** Milliseconds since the epoch of an ISO timestamp, checked. */
export function parseTime(value: string | undefined, index: number, field: string): number {
  const ms = value === undefined ? Number.NaN : Date.parse(value);
  if (!Number.isFinite(ms) || ms >= maxTime) invalid(index, `${field} is not a timestamp before the year 10000`);
  return ms;
}

// RFC 3339, which PostgreSQL reads as it is; anything else Date.parse accepted is rewritten
// (toISOString is slow enough to matter at a hundred thousand rows a second).
const rfc3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,6})?(Z|[+-]\d{2}:\d{2})$/;
const timestamp = (value: string, ms: number) => (rfc3339.test(value) ? value : new Date(ms).toISOString());

const ms = (value: number | undefined) => (value === undefined || !Number.isFinite(value) ? null : value);

/** One row's values, in `resultColumns` order. Clamps counts into their column types. */
export function toRow(r: CheckResult, index: number, settingsId: number, probeId: number): ArrayElement[] {
  if (typeof r.id !== 'string' || !uuidPattern.test(r.id)) invalid(index, 'id is not a UUID');
  if (typeof r.responseTimeMs !== 'number' || !Number.isFinite(r.responseTimeMs)) invalid(index, 'responseTimeMs is not a number');
  const startedAt = parseTime(r.startedAt, index, 'startedAt');
  const lag = startedAt - parseTime(r.scheduledAt, index, 'scheduledAt');
  const reason = r.outcome === 'up' ? null : reasonIds[r.reason ?? 'other'];
  if (reason === undefined) invalid(index, `reason ${JSON.stringify(r.reason)} is not one this sink knows: upgrade it`);
  const status = r.statusCode === undefined ? null : clamp(r.statusCode, -int16, int16);
  const tlsNotAfter = r.tlsNotAfter === undefined ? null : timestamp(r.tlsNotAfter, parseTime(r.tlsNotAfter, index, 'tlsNotAfter'));
  const p = r.phases ?? {};
  return [
    r.id.toLowerCase(),
    timestamp(r.startedAt, startedAt),
    tlsNotAfter,
    settingsId,
    r.responseTimeMs,
    ms(p.dnsMs),
    ms(p.tcpMs),
    ms(p.tlsMs),
    ms(p.ttfbMs),
    ms(p.downloadMs),
    clamp(r.bytesRead ?? 0, 0, int32),
    clamp(lag, -int32, int32),
    probeId,
    status,
    reason,
    clamp(r.redirects ?? 0, 0, int16),
    r.regex?.mustMatch?.matched ?? null,
    r.regex?.mustNotMatch?.matched ?? null,
    text(r.error?.code),
    text(r.error?.message),
  ];
}

/** The batch as one array literal per column (`indices`: each result's index in the caller's batch, for messages). */
export function toColumns(results: readonly CheckResult[], ids: ResolvedIds, indices?: readonly number[]): string[] {
  const columns: ArrayElement[][] = resultColumns.map(() => new Array<ArrayElement>(results.length));
  results.forEach((r, i) => {
    const row = toRow(r, indices?.[i] ?? i, ids.settings[i]!.settingsId, ids.probes[i]!);
    for (let c = 0; c < row.length; c++) columns[c]![i] = row[c]!;
  });
  // id, checked_at, tls_not_after: canonical UUIDs and ISO timestamps, safe unquoted.
  return columns.map((values, c) => (c <= 2 ? bareArrayLiteral(values as (string | null)[]) : arrayLiteral(values)));
}
