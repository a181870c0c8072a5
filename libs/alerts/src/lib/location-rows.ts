// A location's state as a row of alert_locations (tables.ts lists its columns) and back.
import type { Failure, LocationState, Moment, Slowness } from './location-state.js';

/** A row of alert_locations as read (tables.ts' `locationColumns`). */
export interface LocationRow {
  target: string;
  location: string;
  failing: boolean;
  failures: number;
  successes: number;
  streakStartedAt: Date;
  streakFirstCheckId: string;
  failingSince: Date | null;
  failingSinceCheckId: string | null;
  lastAt: Date;
  lastCheckId: string;
  intervalMs: number | null;
  lastFailure: (Moment & { failure: Failure }) | null;
  degraded: boolean;
  slows: number;
  fasts: number;
  paceSince: Date | null;
  paceSinceCheckId: string | null;
  degradedSince: Date | null;
  degradedSinceCheckId: string | null;
  lastSlow: (Moment & { slow: Slowness }) | null;
}

const moment = (at: Date | null, checkId: string | null): Moment | null => (at === null ? null : { at: at.getTime(), checkId: checkId! });
const iso = (ms: number | undefined) => (ms === undefined ? null : new Date(ms).toISOString());

/** A row as the state machine's location state. */
export function toState(row: LocationRow): LocationState {
  return {
    location: row.location,
    failing: row.failing,
    failures: row.failures,
    successes: row.successes,
    streakStartedAt: row.streakStartedAt.getTime(),
    streakFirstCheckId: row.streakFirstCheckId,
    failingSince: moment(row.failingSince, row.failingSinceCheckId),
    degraded: row.degraded,
    slows: row.slows,
    fasts: row.fasts,
    paceSince: moment(row.paceSince, row.paceSinceCheckId),
    degradedSince: moment(row.degradedSince, row.degradedSinceCheckId),
    lastAt: row.lastAt.getTime(),
    lastCheckId: row.lastCheckId,
    intervalMs: row.intervalMs,
    lastFailure: row.lastFailure,
    lastSlow: row.lastSlow,
  };
}

/** A location state as the JSON record its row is written from (columns by name). */
export function toRow(target: string, state: LocationState): Record<string, unknown> {
  return {
    target,
    location: state.location,
    failing: state.failing,
    failures: state.failures,
    successes: state.successes,
    streak_started_at: iso(state.streakStartedAt),
    streak_first_check_id: state.streakFirstCheckId,
    failing_since: iso(state.failingSince?.at),
    failing_since_check_id: state.failingSince?.checkId ?? null,
    last_at: iso(state.lastAt),
    last_check_id: state.lastCheckId,
    interval_ms: state.intervalMs,
    last_failure: state.lastFailure,
    degraded: state.degraded,
    slows: state.slows,
    fasts: state.fasts,
    pace_since: iso(state.paceSince?.at),
    pace_since_check_id: state.paceSince?.checkId ?? null,
    degraded_since: iso(state.degradedSince?.at),
    degraded_since_check_id: state.degradedSince?.checkId ?? null,
    last_slow: state.lastSlow,
  };
}
