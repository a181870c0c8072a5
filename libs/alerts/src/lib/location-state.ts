// What the state machine remembers of one location of a target, and how one more check moves
// it. A location (a checker's probeId) is *failing* once `failureThreshold` consecutive checks
// from it were down, and stays failing until `successThreshold` consecutive checks from it
// were up. It is *degraded* once `slowThreshold` consecutive checks from it were up but slow,
// and stays degraded until `successThreshold` consecutive checks from it were up and fast (a
// down check interrupts both runs). It is *reporting* while its last check is no older than
// three of its intervals (the gap between its last two checks).

/** What went wrong in a down check. */
export interface Failure {
  reason: string;
  statusCode?: number;
  error?: { code: string; message: string };
}

/** The phases of a check, as the CheckResult names them (ms). */
export type Phases = Partial<Record<'dnsMs' | 'tcpMs' | 'tlsMs' | 'ttfbMs' | 'downloadMs', number>>;

/** What made an up check slow. */
export interface Slowness {
  /** Its response time, ms. */
  responseTimeMs: number;
  /** The limit it is over, ms: `slowMs`, or for the relative rule `slowFactor` × the target's 7-day p95. */
  limitMs: number;
  /** Which rule: `absolute` (slowMs) or `relative` (the target's recent p95 against its own past). */
  rule: 'absolute' | 'relative';
  /** Its phases, ms. */
  phases: Phases;
  /** The relative rule's figures: the p95 of the target's current and previous hour, and of its 7 days before today, ms. */
  recentP95Ms?: number;
  baselineP95Ms?: number;
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
  /** Present when up and slow. */
  slow?: Slowness;
}

/** A check the state remembers: when, which, and what it said. */
export interface Moment {
  at: number;
  checkId: string;
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
  failingSince: Moment | null;
  /** Degraded: past slowThreshold slow checks, not yet back past successThreshold fast ones. */
  degraded: boolean;
  /** Consecutive slow up checks (0 after a fast or a down one). */
  slows: number;
  /** Consecutive fast up checks (0 after a slow or a down one). */
  fasts: number;
  /** First check of the current run of slow or fast checks (null after a down one). */
  paceSince: Moment | null;
  /** First check of the slow run that made it degraded (null while not degraded). */
  degradedSince: Moment | null;
  lastAt: number;
  lastCheckId: string;
  /** Gap between its last two checks, ms (null after one check). */
  intervalMs: number | null;
  /** Its latest down check. */
  lastFailure: (Moment & { failure: Failure }) | null;
  /** Its latest slow check. */
  lastSlow: (Moment & { slow: Slowness }) | null;
}

/** The thresholds of a target's rule. */
export interface Thresholds {
  failureThreshold: number;
  successThreshold: number;
  /** Consecutive slow checks after which a location is degraded (default 3). */
  slowThreshold?: number;
  /** Whether checks can be slow at all (a slow rule is set; default true): without, no slow or fast runs are counted and nothing is degraded. */
  paced?: boolean;
  quorum?: number;
}

/** A location stops counting after this many of its intervals without a check. */
export const staleAfterIntervals = 3;
const maxCount = 1_000_000_000;
const count = (previous: number | undefined, counts: boolean) => (counts ? Math.min(maxCount, (previous ?? 0) + 1) : 0);

/** A location's state after one more check (the check is newer than its last). */
export function stepLocation(previous: LocationState | undefined, check: Check, thresholds: Thresholds): LocationState {
  const here: Moment = { at: check.at, checkId: check.id };
  const paced = thresholds.paced ?? true;
  const slow = paced && check.up && check.slow !== undefined;
  const fast = paced && check.up && !slow;
  const failures = count(previous?.failures, !check.up);
  const successes = count(previous?.successes, check.up);
  const slows = count(previous?.slows, slow);
  const fasts = count(previous?.fasts, fast);
  const continues = previous !== undefined && (check.up ? previous.successes > 0 : previous.failures > 0);
  const streak = continues ? { at: previous.streakStartedAt, checkId: previous.streakFirstCheckId } : here;
  const paceContinues = previous !== undefined && ((slow && previous.slows > 0) || (fast && previous.fasts > 0));
  const paceSince = !slow && !fast ? null : paceContinues ? previous.paceSince : here;
  const wasFailing = previous?.failing ?? false;
  const failing = wasFailing ? successes < thresholds.successThreshold : failures >= thresholds.failureThreshold;
  const wasDegraded = previous?.degraded ?? false;
  const degraded = !paced ? false : wasDegraded ? fasts < thresholds.successThreshold : slows >= (thresholds.slowThreshold ?? 3);
  return {
    location: check.location,
    failing,
    failures,
    successes,
    streakStartedAt: streak.at,
    streakFirstCheckId: streak.checkId,
    failingSince: !failing ? null : wasFailing ? previous!.failingSince : streak,
    degraded,
    slows,
    fasts,
    paceSince,
    degradedSince: !degraded ? null : wasDegraded ? previous!.degradedSince : paceSince,
    lastAt: check.at,
    lastCheckId: check.id,
    intervalMs: previous === undefined ? null : check.at - previous.lastAt,
    lastFailure: check.up ? (previous?.lastFailure ?? null) : { ...here, failure: check.failure ?? { reason: 'other' } },
    lastSlow: !paced ? null : slow ? { ...here, slow: check.slow! } : (previous?.lastSlow ?? null),
  };
}

/** The locations reporting at `now`: last check within staleAfterIntervals of their interval (unknown: the longest known one; none known: reporting). */
export function reportingLocations(locations: readonly LocationState[], now: number): LocationState[] {
  const known = locations.map((l) => l.intervalMs).filter((ms): ms is number => ms !== null);
  const fallback = known.length > 0 ? Math.max(...known) : Number.POSITIVE_INFINITY;
  return locations.filter((l) => now - l.lastAt <= staleAfterIntervals * (l.intervalMs ?? fallback));
}
