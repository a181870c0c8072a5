// A target's current state from the latest check of each location that reports and, when the
// alerts' tables are there, what the alerts hold: which locations are degraded (up but slow)
// and whether a degraded incident is open. Down outranks degraded, as in the alerts.
import type { AlertState } from './alert-state.js';
import type { LatestCheck } from './raw.js';

/**
 * `down`: every reporting location's latest check was down; `partial`: some were; `degraded`:
 * none was, but a location is degraded or the target has a degraded incident open; `up`: none
 * of these; `unknown`: no location reports.
 */
export type CurrentState = 'up' | 'degraded' | 'partial' | 'down' | 'unknown';

/** A location's state: its latest check down; else degraded when the alerts hold it so (up but slow); else up. */
export type LocationState = 'up' | 'degraded' | 'down';

/** The latest check of a location, with its state. */
export interface LocationNow extends LatestCheck {
  state: LocationState;
}

/** A target's certificate: the expiry of its latest https check among the reporting locations' latest checks (`check`), else as the alerts last saw it (`alerts`). */
export interface TargetCertificate {
  notAfter: Date;
  source: 'check' | 'alerts';
}

/** A target now: its state, the latest check of each reporting location (sorted by location), its certificate (null: none known). */
export interface TargetNow {
  state: CurrentState;
  locations: LocationNow[];
  certificate: TargetCertificate | null;
}

/** The state that a target's locations make, with whether it has a degraded incident open. */
export function stateOf(locations: readonly Pick<LocationNow, 'state'>[], degradedIncident = false): CurrentState {
  if (locations.length === 0) return 'unknown';
  const down = locations.filter((l) => l.state === 'down').length;
  if (down === locations.length) return 'down';
  if (down > 0) return 'partial';
  return degradedIncident || locations.some((l) => l.state === 'degraded') ? 'degraded' : 'up';
}

/** A target now, from the latest check of each of its reporting locations and the alerts' state of it (none: without the alerts' tables). */
export function targetNow(checks: readonly LatestCheck[], alerts?: AlertState): TargetNow {
  const degraded = new Set(alerts?.degradedLocations ?? []);
  const locations = [...checks]
    .sort((a, b) => a.location.localeCompare(b.location))
    .map((check): LocationNow => ({ ...check, state: check.outcome === 'down' ? 'down' : degraded.has(check.location) ? 'degraded' : 'up' }));
  const latestTls = checks.filter((c) => c.tlsNotAfter !== null).reduce<LatestCheck | null>((a, b) => (a === null || b.checkedAt > a.checkedAt ? b : a), null);
  const certificate: TargetCertificate | null =
    latestTls !== null ? { notAfter: latestTls.tlsNotAfter!, source: 'check' } : alerts?.certificateNotAfter ? { notAfter: alerts.certificateNotAfter, source: 'alerts' } : null;
  return { state: stateOf(locations, alerts?.openKind === 'degraded'), locations, certificate };
}
