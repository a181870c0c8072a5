// What the page and the API show: the targets the config publishes, each with its
// current state per location, 90 daily bars, 24 h and 7 d figures, and incidents, with the
// privacy rules applied here once (URLs as configured, error texts only when allowed).
import { displayUrl, lastDays, type DailyBar, type IncidentRecord, type LatestCheck, type StatusReader, type TargetNow, type WindowSummary } from '@sitewatch/status';
import type { ShownTarget, StatusSection } from './config.js';

/** Days of bars on the page. */
export const barDays = 90;

/** A location's latest check as shown. */
export interface ShownCheck {
  location: string;
  checkedAt: string;
  outcome: 'up' | 'down';
  reason: string | null;
  statusCode: number | null;
  responseMs: number;
  error?: { code: string | null; message: string | null };
}

/** An incident as shown. */
export interface ShownIncident {
  /** The incident's id, a number as in the alerts' webhook body. */
  id: number;
  target: string;
  name: string;
  openedAt: string;
  resolvedAt: string | null;
  durationMs: number | null;
  reason: string;
  statusCode: number | null;
  locations: string[];
  inMaintenance: boolean;
  error?: { code: string | null; message: string | null };
}

/** One target on the board. */
export interface BoardTarget {
  id: string;
  name: string;
  group: string | null;
  url?: string;
  state: TargetNow['state'];
  locations: ShownCheck[];
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
export function shownCheck(check: LatestCheck, settings: Pick<StatusSection, 'showErrors'>): ShownCheck {
  return {
    location: check.location,
    checkedAt: check.checkedAt.toISOString(),
    outcome: check.outcome,
    reason: check.reason,
    statusCode: check.statusCode,
    responseMs: check.responseMs,
    ...(settings.showErrors && check.outcome === 'down' ? { error: { code: check.errorCode, message: check.errorMessage } } : {}),
  };
}

/** An incident as the config allows it to be shown. */
export function shownIncident(incident: IncidentRecord, names: ReadonlyMap<string, string>, settings: Pick<StatusSection, 'showErrors'>, now: Date): ShownIncident {
  const end = incident.resolvedAt ?? now;
  return {
    id: incident.id,
    target: incident.target,
    name: names.get(incident.target) ?? incident.target,
    openedAt: incident.openedAt.toISOString(),
    resolvedAt: incident.resolvedAt?.toISOString() ?? null,
    durationMs: end.getTime() - incident.openedAt.getTime(),
    reason: incident.reason,
    statusCode: incident.statusCode,
    locations: incident.locations,
    inMaintenance: incident.inMaintenance,
    ...(settings.showErrors ? { error: { code: incident.errorCode, message: incident.errorMessage } } : {}),
  };
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

/** Reads the board: five queries whatever the number of targets. */
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
      return {
        id: target.id,
        name: target.name ?? target.id,
        group: target.group ?? null,
        ...(url === undefined ? {} : { url }),
        state: current.get(target.id)?.state ?? 'unknown',
        locations: (current.get(target.id)?.locations ?? []).map((check) => shownCheck(check, settings)),
        days,
        day24h: day.get(target.id)!,
        days7: week.get(target.id)!,
        uptime90dPct: uptimeOf(days),
      };
    }),
  };
}
