// An incident as the page and the API show it: the alerts' row with the privacy rules applied
// (error texts only when allowed) and its slow check, when it has one, read as the alerts' own
// notifications tell it (slowPayload: the slowest phase by the names they give it). What a
// database holds is not trusted to be what the alerts wrote: a `slow` whose figures are not
// numbers, or whose rule is not one of the two, is not shown; phases the alerts do not name are dropped.
import { phaseNames, slowPayload, type IncidentRecord, type SlowPayload } from '@sitewatch/status';
import type { StatusSection } from './config.js';

/** An incident as shown. */
export interface ShownIncident {
  /** The incident's id, a number as in the alerts' webhook body. */
  id: number;
  target: string;
  name: string;
  /** `down`, or `degraded` (up but slow); a degraded incident that went down is `down`, with `escalatedAt`. */
  kind: IncidentRecord['kind'];
  openedAt: string;
  resolvedAt: string | null;
  durationMs: number | null;
  /** When a degraded incident went down (null otherwise). */
  escalatedAt: string | null;
  /** The failure reason; `slow` for a degraded incident. */
  reason: string;
  statusCode: number | null;
  locations: string[];
  inMaintenance: boolean;
  /** The latest slow check of a degraded incident, with its slowest phase (null for a down one, or when not readable). */
  slow: SlowPayload | null;
  error?: { code: string | null; message: string | null };
}

const finite = (value: unknown): value is number => typeof value === 'number' && Number.isFinite(value);

/** The `slow` of an incident row, checked field by field: null unless its figures are numbers and its rule one of the alerts' two. */
export function shownSlowness(slow: unknown): SlowPayload | null {
  if (typeof slow !== 'object' || slow === null) return null;
  const { responseTimeMs, limitMs, rule, phases, recentP95Ms, baselineP95Ms } = slow as Record<string, unknown>;
  if (!finite(responseTimeMs) || !finite(limitMs) || (rule !== 'absolute' && rule !== 'relative')) return null;
  const measured = typeof phases === 'object' && phases !== null ? (phases as Record<string, unknown>) : {};
  const known = (Object.keys(phaseNames) as (keyof typeof phaseNames)[]).flatMap((phase) => {
    const ms = Object.hasOwn(measured, phase) ? measured[phase] : undefined;
    return finite(ms) ? [[phase, ms] as const] : [];
  });
  return slowPayload({
    responseTimeMs,
    limitMs,
    rule,
    phases: Object.fromEntries(known),
    ...(finite(recentP95Ms) ? { recentP95Ms } : {}),
    ...(finite(baselineP95Ms) ? { baselineP95Ms } : {}),
  });
}

/** An incident as the config allows it to be shown. */
export function shownIncident(incident: IncidentRecord, names: ReadonlyMap<string, string>, settings: Pick<StatusSection, 'showErrors'>, now: Date): ShownIncident {
  const end = incident.resolvedAt ?? now;
  return {
    id: incident.id,
    target: incident.target,
    name: names.get(incident.target) ?? incident.target,
    kind: incident.kind,
    openedAt: incident.openedAt.toISOString(),
    resolvedAt: incident.resolvedAt?.toISOString() ?? null,
    durationMs: end.getTime() - incident.openedAt.getTime(),
    escalatedAt: incident.escalatedAt?.toISOString() ?? null,
    reason: incident.reason,
    statusCode: incident.statusCode,
    locations: incident.locations,
    inMaintenance: incident.inMaintenance,
    slow: incident.kind === 'degraded' ? shownSlowness(incident.slow) : null,
    ...(settings.showErrors ? { error: { code: incident.errorCode, message: incident.errorMessage } } : {}),
  };
}
