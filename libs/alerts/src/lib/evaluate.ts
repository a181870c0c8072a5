// The state machine, as a pure function: a target's location states and open incident, plus
// its new checks, give the new states and the incidents opened and resolved.
//
// A location (a checker's probeId) is *failing* once `failureThreshold` consecutive checks
// from it were down, and stays failing until `successThreshold` consecutive checks from it
// were up. A location is *reporting* while its last check is no older than three of its
// intervals (the gap between its last two checks). The target is *down* while at least
// `quorum` reporting locations are failing — by default a majority of the reporting ones
// (one location: one; two: both; three: two) — and *up* otherwise. So with one location it
// goes down after `failureThreshold` failures and up after `successThreshold` successes; with
// several, it goes up once fewer than `quorum` locations are still failing, a location
// counting as recovered after `successThreshold` successes (or when it stops reporting).
// Each change of the target's verdict opens or resolves exactly one incident.

/** What went wrong in a down check. */
export interface Failure {
  reason: string;
  statusCode?: number;
  error?: { code: string; message: string };
}

/** One check, as the state machine sees it. */
export interface Check {
  id: string;
  location: string;
  /** When it started, ms since the epoch. */
  at: number;
  up: boolean;
  /** Present when down. */
  failure?: Failure;
}

/** What is remembered of one location of a target. */
export interface LocationState {
  location: string;
  /** Failing: past failureThreshold, not yet back past successThreshold. */
  failing: boolean;
  /** Consecutive down checks (0 after an up one). */
  failures: number;
  /** Consecutive up checks (0 after a down one). */
  successes: number;
  /** First check of the current run of downs or ups. */
  streakStartedAt: number;
  streakFirstCheckId: string;
  /** First check of the failure run that made it failing (null while not failing). */
  failingSince: { at: number; checkId: string } | null;
  lastAt: number;
  lastCheckId: string;
  /** Gap between its last two checks, ms (null after one check). */
  intervalMs: number | null;
  /** Its latest down check. */
  lastFailure: { at: number; checkId: string; failure: Failure } | null;
}

/** An open incident. */
export interface IncidentDraft {
  /** First failing check of the locations that opened it (the earliest). */
  openedAt: number;
  firstCheckId: string;
  /** Latest down check of its failing locations. */
  lastCheckId: string;
  /** Locations that were failing while it was open, sorted. */
  locations: string[];
  /** What the latest failing check said when it opened. */
  failure: Failure;
}

/** An incident opened or resolved by a check (at `at`: the check's time), in check order. */
export type Transition = { kind: 'open'; at: number; incident: IncidentDraft } | { kind: 'resolve'; at: number; incident: IncidentDraft; resolvedAt: number };

/** The thresholds of a target's rule. */
export interface Thresholds {
  failureThreshold: number;
  successThreshold: number;
  quorum?: number;
}

/** A target's state: its locations and its open incident. */
export interface TargetState {
  locations: LocationState[];
  open: IncidentDraft | null;
}

/** A location stops counting after this many of its intervals without a check. */
export const staleAfterIntervals = 3;
const maxCount = 1_000_000_000;

/** A location's state after one more check (the check is newer than its last). */
export function stepLocation(previous: LocationState | undefined, check: Check, thresholds: Thresholds): LocationState {
  const continues = previous !== undefined && (check.up ? previous.successes > 0 : previous.failures > 0);
  const failures = check.up ? 0 : Math.min(maxCount, (previous?.failures ?? 0) + 1);
  const successes = check.up ? Math.min(maxCount, (previous?.successes ?? 0) + 1) : 0;
  const streakStartedAt = continues ? previous.streakStartedAt : check.at;
  const streakFirstCheckId = continues ? previous.streakFirstCheckId : check.id;
  const wasFailing = previous?.failing ?? false;
  const failing = wasFailing ? successes < thresholds.successThreshold : failures >= thresholds.failureThreshold;
  const failingSince = !failing ? null : wasFailing ? previous!.failingSince : { at: streakStartedAt, checkId: streakFirstCheckId };
  return {
    location: check.location,
    failing,
    failures,
    successes,
    streakStartedAt,
    streakFirstCheckId,
    failingSince,
    lastAt: check.at,
    lastCheckId: check.id,
    intervalMs: previous === undefined ? null : check.at - previous.lastAt,
    lastFailure: check.up ? (previous?.lastFailure ?? null) : { at: check.at, checkId: check.id, failure: check.failure ?? { reason: 'other' } },
  };
}

/** The locations reporting at `now`: last check within staleAfterIntervals of their interval (unknown: the longest known one; none known: reporting). */
export function reportingLocations(locations: readonly LocationState[], now: number): LocationState[] {
  const known = locations.map((l) => l.intervalMs).filter((ms): ms is number => ms !== null);
  const fallback = known.length > 0 ? Math.max(...known) : Number.POSITIVE_INFINITY;
  return locations.filter((l) => now - l.lastAt <= staleAfterIntervals * (l.intervalMs ?? fallback));
}

/** The failing locations that make the target down at `now`, or none when fewer than the quorum are failing. */
export function downLocations(locations: readonly LocationState[], now: number, thresholds: Thresholds): LocationState[] {
  const reporting = reportingLocations(locations, now);
  const failing = reporting.filter((l) => l.failing);
  const quorum = thresholds.quorum ?? Math.floor(reporting.length / 2) + 1;
  return failing.length >= quorum ? failing : [];
}

/** The latest down check among locations. */
function latestFailure(locations: readonly LocationState[]): NonNullable<LocationState['lastFailure']> {
  return locations.map((l) => l.lastFailure!).reduce((a, b) => (b.at > a.at ? b : a));
}

function opened(down: readonly LocationState[]): IncidentDraft {
  const first = down.map((l) => l.failingSince!).reduce((a, b) => (b.at < a.at ? b : a));
  const latest = latestFailure(down);
  return { openedAt: first.at, firstCheckId: first.checkId, lastCheckId: latest.checkId, locations: down.map((l) => l.location).sort(), failure: latest.failure };
}

/** The open incident, with the failing locations and the latest failing check added. */
function extended(open: IncidentDraft, down: readonly LocationState[]): IncidentDraft {
  if (down.length === 0) return open;
  const locations = [...new Set([...open.locations, ...down.map((l) => l.location)])].sort();
  return { ...open, locations, lastCheckId: latestFailure(down).checkId };
}

/**
 * A target's new state after its new checks (any order: they are taken by start time; a
 * check no newer than its location's last one is ignored, so a redelivery changes nothing),
 * and the incidents opened and resolved on the way.
 */
export function evaluateTarget(thresholds: Thresholds, state: TargetState, checks: readonly Check[]): TargetState & { transitions: Transition[] } {
  const locations = new Map(state.locations.map((l) => [l.location, l]));
  let open = state.open;
  const transitions: Transition[] = [];
  const ordered = [...checks].sort((a, b) => a.at - b.at || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  for (const check of ordered) {
    const previous = locations.get(check.location);
    if (previous !== undefined && check.at <= previous.lastAt) continue;
    const next = stepLocation(previous, check, thresholds);
    locations.set(check.location, next);
    const down = downLocations([...locations.values()], check.at, thresholds);
    if (open === null && down.length > 0) {
      open = opened(down);
      transitions.push({ kind: 'open', at: check.at, incident: open });
    } else if (open !== null && down.length === 0) {
      // Recovered by this location: since the first up check of its run; else (a quorum that moved) now.
      const recovered = previous?.failing === true && !next.failing;
      transitions.push({ kind: 'resolve', at: check.at, incident: open, resolvedAt: Math.max(open.openedAt, recovered ? next.streakStartedAt : check.at) });
      open = null;
    } else if (open !== null) {
      open = extended(open, down);
    }
  }
  return { locations: [...locations.values()], open, transitions };
}
