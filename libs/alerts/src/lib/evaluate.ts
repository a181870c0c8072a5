// The state machine, as a pure function: a target's location states and open incident, plus
// its new checks, give the new states and the incidents opened, escalated and resolved.
//
// The target is *down* while at least `quorum` reporting locations are failing — by default a
// majority of the reporting ones (one location: one; two: both; three: two) — and *degraded*
// while it is not down but at least `quorum` reporting locations are degraded or failing;
// otherwise *up*. So with one location it goes down after `failureThreshold` failures and up
// after `successThreshold` successes; with several, it goes up once fewer than `quorum`
// locations are still failing, a location counting as recovered after `successThreshold`
// successes (or when it stops reporting). Down outranks degraded: a degraded incident that
// goes down is escalated (the same incident, now down); a down incident that ends while the
// target is still degraded is resolved, and a degraded one opens from that moment.
import { reportingLocations, stepLocation, type Check, type Failure, type LocationState, type Moment, type Slowness, type Thresholds } from './location-state.js';

export { reportingLocations, staleAfterIntervals, type Check, type Failure, type LocationState, type Phases, type Slowness, type Thresholds } from './location-state.js';

/** The kinds of incident: the target down, or up but slow. */
export type IncidentKind = 'down' | 'degraded';

/** An open incident. */
export interface IncidentDraft {
  kind: IncidentKind;
  /** First failing (or slow) check of the locations that opened it (the earliest). */
  openedAt: number;
  firstCheckId: string;
  /** Latest down check of its failing locations (degraded: latest slow check). */
  lastCheckId: string;
  /** Locations that were failing (degraded: or degraded) while it was open, sorted. */
  locations: string[];
  /** What the latest failing check said when it opened or went down (down only). */
  failure?: Failure;
  /** What the latest slow check measured (degraded only). */
  slow?: Slowness;
  /** When a degraded incident went down, ms (escalated incidents only). */
  escalatedAt?: number;
}

/** An incident opened, escalated (degraded → down) or resolved by a check (at `at`: the check's time), in check order. */
export type Transition =
  | { kind: 'open'; at: number; incident: IncidentDraft }
  | { kind: 'escalate'; at: number; incident: IncidentDraft }
  | { kind: 'resolve'; at: number; incident: IncidentDraft; resolvedAt: number };

/** A target's state: its locations and its open incident. */
export interface TargetState {
  locations: LocationState[];
  open: IncidentDraft | null;
}

/** The target's verdict at `now`, with the locations behind it. */
interface Verdict {
  kind: IncidentKind;
  locations: LocationState[];
}

/** Down when `quorum` reporting locations are failing; else degraded when `quorum` are degraded or failing; else null (up). */
export function verdictOf(locations: readonly LocationState[], now: number, thresholds: Thresholds): Verdict | null {
  const reporting = reportingLocations(locations, now);
  const quorum = thresholds.quorum ?? Math.floor(reporting.length / 2) + 1;
  const failing = reporting.filter((l) => l.failing);
  if (failing.length >= quorum) return { kind: 'down', locations: failing };
  const impaired = reporting.filter((l) => l.failing || l.degraded);
  return impaired.length >= quorum ? { kind: 'degraded', locations: impaired } : null;
}

const latest = <T extends Moment>(moments: readonly T[]): T => moments.reduce((a, b) => (b.at > a.at ? b : a));
const earliest = (moments: readonly Moment[]): Moment => moments.reduce((a, b) => (b.at < a.at ? b : a));
const names = (locations: readonly LocationState[]) => locations.map((l) => l.location);
const merged = (a: readonly string[], b: readonly string[]) => [...new Set([...a, ...b])].sort();

/** The evidence of a verdict: latest failure (down) or latest slow check (degraded), and its check. */
function evidence(verdict: Verdict): Pick<IncidentDraft, 'lastCheckId' | 'failure' | 'slow'> {
  if (verdict.kind === 'down') {
    const failure = latest(verdict.locations.map((l) => l.lastFailure!));
    return { lastCheckId: failure.checkId, failure: failure.failure };
  }
  const slow = verdict.locations.flatMap((l) => (l.lastSlow ? [l.lastSlow] : []));
  if (slow.length === 0) return evidence({ kind: 'down', locations: verdict.locations });
  const last = latest(slow);
  return { lastCheckId: last.checkId, slow: last.slow };
}

/** A new incident from a verdict; not before `notBefore` (the end of the incident it follows). */
function opened(verdict: Verdict, notBefore: Moment | null): IncidentDraft {
  const since = earliest(verdict.locations.map((l) => (l.failing ? l.failingSince! : l.degradedSince!)));
  const first = notBefore !== null && notBefore.at > since.at ? notBefore : since;
  return { kind: verdict.kind, openedAt: first.at, firstCheckId: first.checkId, locations: names(verdict.locations).sort(), ...evidence(verdict) };
}

/** The open incident, with the verdict's locations and latest evidence added (a degraded one escalated when the verdict is down). */
function extended(open: IncidentDraft, verdict: Verdict, at: number): IncidentDraft {
  if (open.kind === 'down' && verdict.kind === 'degraded') return open;
  const { slow: _slow, ...rest } = open;
  const escalating = open.kind === 'degraded' && verdict.kind === 'down';
  return {
    ...(verdict.kind === 'down' ? rest : open),
    ...evidence(verdict),
    kind: verdict.kind,
    locations: merged(open.locations, names(verdict.locations)),
    ...(escalating ? { escalatedAt: at } : {}),
  };
}

/** The check the target recovered with: the first up (or fast) check of the run of the location that ended it; else (a quorum that moved) this one. */
function recovery(open: IncidentDraft, previous: LocationState | undefined, next: LocationState, check: Check): Moment {
  const wasFailing = previous?.failing === true && !next.failing;
  const wasDegraded = open.kind === 'degraded' && previous?.degraded === true && !next.degraded && !next.failing;
  const since = wasFailing ? { at: next.streakStartedAt, checkId: next.streakFirstCheckId } : wasDegraded && next.paceSince ? next.paceSince : { at: check.at, checkId: check.id };
  return since.at >= open.openedAt ? since : { at: open.openedAt, checkId: open.firstCheckId };
}

/**
 * A target's new state after its new checks (any order: they are taken by start time; a
 * check no newer than its location's last one is ignored, so a redelivery changes nothing),
 * and the incidents opened, escalated and resolved on the way.
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
    const verdict = verdictOf([...locations.values()], check.at, thresholds);
    let ended: Moment | null = null;
    if (open !== null && (verdict === null || (open.kind === 'down' && verdict.kind === 'degraded'))) {
      ended = recovery(open, previous, next, check);
      transitions.push({ kind: 'resolve', at: check.at, incident: open, resolvedAt: ended.at });
      open = null;
    }
    if (verdict === null) continue;
    if (open === null) {
      open = opened(verdict, ended);
      transitions.push({ kind: 'open', at: check.at, incident: open });
    } else {
      const escalating = open.kind === 'degraded' && verdict.kind === 'down';
      open = extended(open, verdict, check.at);
      if (escalating) transitions.push({ kind: 'escalate', at: check.at, incident: open });
    }
  }
  return { locations: [...locations.values()], open, transitions };
}
