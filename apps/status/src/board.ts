// What the page and the API show: the targets the config publishes, each with its
// current state per location, certificate, 90 daily bars, 24 h and 7 d figures, and incidents,
// with the privacy rules applied here once (URLs as configured, error texts only when allowed).
import {
  certificateDaysLeft,
  certificateLevel,
  displayUrl,
  lastDays,
  type CertificateLevel,
  type DailyBar,
  type LocationNow,
  type LocationState,
  type StatusReader,
  type TargetCertificate,
  type TargetNow,
  type WindowSummary,
} from '@sitewatch/status';
import type { ShownTarget, StatusSection } from './config.js';
import { shownIncident, type ShownIncident } from './shown-incident.js';

/** Days of bars on the page. */
export const barDays = 90;

/** A location's latest check as shown. */
export interface ShownCheck {
  location: string;
  /** down (its latest check), degraded (the alerts hold it up but slow), or up. */
  state: LocationState;
  checkedAt: string;
  outcome: 'up' | 'down';
  reason: string | null;
  statusCode: number | null;
  responseMs: number;
  error?: { code: string | null; message: string | null };
}

/** A target's certificate as shown: its expiry, whole days left (negative once expired), and its level against `status.certificateWarnDays`. */
export interface ShownCertificate {
  notAfter: string;
  daysLeft: number;
  level: CertificateLevel;
}

/** One target on the board. */
export interface BoardTarget {
  id: string;
  name: string;
  group: string | null;
  url?: string;
  state: TargetNow['state'];
  locations: ShownCheck[];
  certificate: ShownCertificate | null;
  days: DailyBar[];
  day24h: WindowSummary;
  days7: WindowSummary;
  uptime90dPct: number | null;
}

/** The whole page's data. */
export interface Board {
  generatedAt: string;
  targets: BoardTarget[];
  incidents: ShownIncident[];
  incidentsKept: boolean;
}

/** The privacy rules of the config, applied to what the read model returns. */
export function shownCheck(check: LocationNow, settings: Pick<StatusSection, 'showErrors'>): ShownCheck {
  return {
    location: check.location,
    state: check.state,
    checkedAt: check.checkedAt.toISOString(),
    outcome: check.outcome,
    reason: check.reason,
    statusCode: check.statusCode,
    responseMs: check.responseMs,
    ...(settings.showErrors && check.outcome === 'down' ? { error: { code: check.errorCode, message: check.errorMessage } } : {}),
  };
}

/** A certificate as shown at `now`. */
export function shownCertificate(certificate: TargetCertificate, now: Date, settings: Pick<StatusSection, 'certificateWarnDays'>): ShownCertificate {
  const { notAfter } = certificate;
  return { notAfter: notAfter.toISOString(), daysLeft: certificateDaysLeft(notAfter, now), level: certificateLevel(notAfter, now, settings.certificateWarnDays) };
}

/** The targets published: those the config lists (`publish: listed`), or every target of the database, by id (`publish: all`). */
export async function shownTargets(reader: StatusReader, settings: Pick<StatusSection, 'publish' | 'targets'>): Promise<(ShownTarget & { url: string | null })[]> {
  const known = await reader.targets();
  if (settings.publish === 'all') return known.map((t) => ({ id: t.id, url: t.url }));
  const urls = new Map(known.map((t) => [t.id, t.url]));
  return (settings.targets ?? []).map((t) => ({ ...t, url: urls.get(t.id) ?? null }));
}

function uptimeOf(days: readonly DailyBar[]): number | null {
  const checks = days.reduce((n, d) => n + d.checks, 0);
  return checks === 0 ? null : (100 * days.reduce((n, d) => n + d.up, 0)) / checks;
}

/** Reads the board: the same few queries whatever the number of targets. */
export async function loadBoard(reader: StatusReader, settings: StatusSection, now: Date): Promise<Board> {
  const targets = await shownTargets(reader, settings);
  const ids = targets.map((t) => t.id);
  const names = new Map(targets.map((t) => [t.id, t.name ?? t.id]));
  const [daily, day, week, current, incidents, incidentsKept] = await Promise.all([
    reader.daily(barDays, ids),
    reader.summaries(lastDays(1, now), ids),
    reader.summaries(lastDays(7, now), ids),
    reader.current(ids),
    reader.incidents({ targets: ids, since: new Date(now.getTime() - settings.incidentDays * 86_400_000), limit: 50 }),
    reader.hasIncidents(),
  ]);
  return {
    generatedAt: now.toISOString(),
    incidentsKept,
    incidents: incidents.map((incident) => shownIncident(incident, names, settings, now)),
    targets: targets.map((target) => {
      const days = daily.get(target.id) ?? [];
      const url = displayUrl(target.url, settings.showUrls);
      const state: TargetNow | undefined = current.get(target.id);
      return {
        id: target.id,
        name: target.name ?? target.id,
        group: target.group ?? null,
        ...(url === undefined ? {} : { url }),
        state: state?.state ?? 'unknown',
        locations: (state?.locations ?? []).map((check) => shownCheck(check, settings)),
        certificate: state?.certificate ? shownCertificate(state.certificate, now, settings) : null,
        days,
        day24h: day.get(target.id)!,
        days7: week.get(target.id)!,
        uptime90dPct: uptimeOf(days),
      };
    }),
  };
}
