// The page's incidents: down ones (an escalated one says when it was slow and when it went
// down), degraded ones (how slow, against which limit, and the slowest phase), each open or recent.
import { phaseNames, type SlowPayload } from '@sitewatch/status';
import { duration, escapeHtml as e, millis } from './format.js';
import type { ShownIncident } from './shown-incident.js';

/** A time as the page shows it: `2026-03-10 14:05 UTC`. */
export const utc = (iso: string) => `${iso.replace('T', ' ').slice(0, 16)} UTC`;

/** How slow: `2.31 s, over its limit of 1.00 s; slowest phase: first byte (1.90 s)`. */
export function slowText(slow: SlowPayload): string {
  const baseline = slow.rule === 'relative' && slow.baselineP95Ms !== undefined ? ` (relative: its p95 over 7 days was ${millis(slow.baselineP95Ms)})` : '';
  const phase = (Object.keys(phaseNames) as (keyof typeof phaseNames)[]).find((key) => phaseNames[key] === slow.slowestPhase);
  const slowest = phase === undefined ? '' : `; slowest phase: ${slow.slowestPhase} (${millis(slow.phases[phase] ?? null)})`;
  return `${millis(slow.responseTimeMs)}, over its limit of ${millis(slow.limitMs)}${baseline}${slowest}`;
}

/** When: since X (how long) while open, X and how long it lasted once resolved; an escalated incident says when it was slow and when it went down. */
function when(i: ShownIncident): string {
  const lasted = duration(i.durationMs ?? 0);
  if (i.escalatedAt !== null) {
    return i.resolvedAt === null ? `slow since ${utc(i.openedAt)}, down since ${utc(i.escalatedAt)} (${lasted})` : `slow from ${utc(i.openedAt)}, down from ${utc(i.escalatedAt)}, lasted ${lasted}`;
  }
  return i.resolvedAt === null ? `since ${utc(i.openedAt)} (${lasted})` : `${utc(i.openedAt)}, lasted ${lasted}`;
}

/** One incident, as a list item. */
export function incident(i: ShownIncident): string {
  const open = i.resolvedAt === null;
  const degraded = i.kind === 'degraded';
  const what = degraded
    ? `${open ? 'is slow' : 'was slow'}${i.slow === null ? '' : `: ${slowText(i.slow)}`}`
    : `${open ? 'is down' : 'was down'}: ${[i.reason, i.statusCode === null ? '' : String(i.statusCode), i.error?.message ?? ''].filter(Boolean).join(' · ')}`;
  const classes = `card incident${degraded ? ' degraded' : ''}${open ? '' : ' resolved'}`;
  return `<li class="${classes}"><strong>${e(i.name)}</strong> ${e(what)}<br><span class="muted">${e(when(i))}${i.locations.length ? ` · from ${e(i.locations.join(', '))}` : ''}${i.inMaintenance ? ' · maintenance' : ''}</span></li>`;
}

/** The open incidents, down ones and degraded ones apart, as the page's sections (empty when none). */
export function openIncidents(incidents: readonly ShownIncident[]): string {
  const open = incidents.filter((i) => i.resolvedAt === null);
  const section = (title: string, list: readonly ShownIncident[]) => (list.length ? `<h2>${title}</h2><ul class="incidents">${list.map(incident).join('')}</ul>` : '');
  return section('Open incidents', open.filter((i) => i.kind === 'down')) + section('Degraded: up but slow', open.filter((i) => i.kind === 'degraded'));
}
