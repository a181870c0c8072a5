// A location's state as a row of alert_locations (tables.ts lists its columns) and back.
import type { Failure, LocationState, Moment, Slowness } from './location-state.js';

/** A row of alert_locations as read (tables.ts' `locationColumns`): times as epoch ms. */
export interface LocationRow {
  target: string;
  location: string;
  failing: boolean;
  failures: number;
  successes: number;
  streakStartedAt: number;
  streakFirstCheckId: string;
  failingSince: number | null;
  failingSinceCheckId: string | null;
  lastAt: number;
  lastCheckId: string;
  intervalMs: number | null;
  lastFailure: (Moment & { failure: Failure }) | null;
  degraded: boolean;
  slows: number;
  fasts: number;
  paceSince: number | null;
  paceSinceCheckId: string | null;
  degradedSince: number | null;
  degradedSinceCheckId: string | null;
  lastSlow: (Moment & { slow: Slowness }) | null;
}

const moment = (at: number | null, checkId: string | null): Moment | null => (at === null ? null : { at, checkId: checkId! });

/** A row as the state machine's location state. */
export function toState(row: LocationRow): LocationState {
  return {
    location: row.location,
    failing: row.failing,
    failures: row.failures,
    successes: row.successes,
    streakStartedAt: row.streakStartedAt,
    streakFirstCheckId: row.streakFirstCheckId,
    failingSince: moment(row.failingSince, row.failingSinceCheckId),
    degraded: row.degraded,
    slows: row.slows,
    fasts: row.fasts,
    paceSince: moment(row.paceSince, row.paceSinceCheckId),
    degradedSince: moment(row.degradedSince, row.degradedSinceCheckId),
    lastAt: row.lastAt,
    lastCheckId: row.lastCheckId,
    intervalMs: row.intervalMs,
    lastFailure: row.lastFailure,
    lastSlow: row.lastSlow,
  };
}

/** Whether a location has no degraded state: nothing slow or fast counted, as without a slow rule (the columns' defaults). */
export function unpaced(state: LocationState | undefined): boolean {
  return state === undefined || (!state.degraded && state.slows === 0 && state.fasts === 0 && state.paceSince === null && state.degradedSince === null && state.lastSlow === null);
}

/**
 * A location state as the JSON record its row is written from (columns by name, times as epoch
 * ms); `paced` false leaves out the degraded state's columns, for a row that has none before and
 * after (tables.ts' `unpaced` write): most rows, where no slow rule is set.
 */
export function toRow(target: string, state: LocationState, paced = true): Record<string, unknown> {
  const row: Record<string, unknown> = {
    target,
    location: state.location,
    failing: state.failing,
    failures: state.failures,
    successes: state.successes,
    streak_started_at: state.streakStartedAt,
    streak_first_check_id: state.streakFirstCheckId,
    failing_since: state.failingSince?.at ?? null,
    failing_since_check_id: state.failingSince?.checkId ?? null,
    last_at: state.lastAt,
    last_check_id: state.lastCheckId,
    interval_ms: state.intervalMs,
    last_failure: state.lastFailure,
  };
  if (!paced) return row;
  row['degraded'] = state.degraded;
  row['slows'] = state.slows;
  row['fasts'] = state.fasts;
  row['pace_since'] = state.paceSince?.at ?? null;
  row['pace_since_check_id'] = state.paceSince?.checkId ?? null;
  row['degraded_since'] = state.degradedSince?.at ?? null;
  row['degraded_since_check_id'] = state.degradedSince?.checkId ?? null;
  row['last_slow'] = state.lastSlow;
  return row;
}
