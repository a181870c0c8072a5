// A target's current state from the latest check of each location that reports.
import type { LatestCheck } from './raw.js';

/** `up`: every reporting location's latest check was up; `down`: every one was down; `partial`: some were; `unknown`: none reports. */
export type CurrentState = 'up' | 'down' | 'partial' | 'unknown';

/** A target now: its state and the latest check of each reporting location (sorted by location). */
export interface TargetNow {
  state: CurrentState;
  locations: LatestCheck[];
}

/** The state that the latest checks of a target's locations make. */
export function stateOf(locations: readonly LatestCheck[]): CurrentState {
  if (locations.length === 0) return 'unknown';
  const down = locations.filter((check) => check.outcome === 'down').length;
  if (down === 0) return 'up';
  return down === locations.length ? 'down' : 'partial';
}
