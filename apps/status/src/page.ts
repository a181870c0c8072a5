// The status page: server-rendered HTML and CSS, no JavaScript, refreshing itself. A card per
// target with its state per location and its certificate, 90 daily bars coloured by uptime and
// hatched on days it was slow (a tooltip each with the uptime, p95, reasons of failures and time
// degraded), and 24 h / 7 d figures; open incidents on top, down and degraded apart.
import { uptimeLevel, type DailyBar } from '@sitewatch/status';
import type { Board, BoardTarget, ShownCertificate, ShownCheck } from './board.js';
import { duration, escapeHtml as e, millis, percent, reasonList } from './format.js';
import { incident, openIncidents, utc } from './page-incidents.js';
import { pageStyle } from './page-style.js';

const stateWords = { up: 'Up', degraded: 'Degraded', partial: 'Partly down', down: 'Down', unknown: 'No recent checks' } as const;

// Bars of 1,000 targets × 90 days are most of the page. The reader gives a board of many
// targets the same bar objects for finished days from one read to the next, so the HTML of a
// target's run of bars is kept under its first bar and used again while every bar is the same.
const barsHtml = new WeakMap<DailyBar, { days: readonly DailyBar[]; html: string }>();

function bars(days: readonly DailyBar[]): string {
  const kept = days.length > 0 ? barsHtml.get(days[0]!) : undefined;
  if (kept !== undefined && kept.days.length === days.length && kept.days.every((day, i) => day === days[i])) return kept.html;
  const html = days.map(bar).join('');
  if (days.length > 0) barsHtml.set(days[0]!, { days, html });
  return html;
}

function bar(day: DailyBar): string {
  const level = uptimeLevel(day.uptimePct);
  const slow = day.degradedMs > 0 ? `; slow: degraded for ${duration(day.degradedMs)}` : '';
  const tip =
    day.checks === 0
      ? `${day.day}: no checks${slow}`
      : `${day.day}: ${percent(day.uptimePct)} up of ${day.checks} checks, p95 ${millis(day.p95Ms)}${Object.keys(day.reasons).length > 0 ? `; down: ${reasonList(day.reasons)}` : ''}${slow}`;
  return `<span class="l-${level}${day.degradedMs > 0 ? ' slow' : ''}" title="${e(tip)}"></span>`;
}

function location(l: ShownCheck): string {
  const what = l.state === 'down' ? `down: ${l.reason ?? 'other'}${l.statusCode === null ? '' : ` (${l.statusCode})`}${l.error?.message ? ` — ${l.error.message}` : ''}` : `${l.state}, ${millis(l.responseMs)}`;
  return `<li class="${l.state}" title="${e(l.checkedAt)}">${e(l.location)}: ${e(what)}</li>`;
}

function certificate(c: ShownCertificate | null): string {
  if (c === null) return '';
  const text = c.level === 'expired' ? `certificate expired ${utc(c.notAfter)}` : c.daysLeft === 0 ? 'certificate: less than a day left' : `certificate: ${c.daysLeft} day${c.daysLeft === 1 ? '' : 's'} left`;
  return `<span class="cert ${c.level}" title="${e(`valid until ${utc(c.notAfter)}`)}">${e(text)}</span>`;
}

function target(t: BoardTarget): string {
  const locations = t.locations.map(location).join('');
  const slowDays = t.days.filter((day) => day.degradedMs > 0).length;
  const label = `${t.name}: uptime per day over ${t.days.length} days${slowDays > 0 ? `, slow on ${slowDays} (hatched)` : ''}`;
  return `<article class="card target" id="target-${e(t.id)}" data-target="${e(t.id)}" data-state="${t.state}">
<div class="head"><h3>${e(t.name)}</h3><span class="state ${t.state}">${stateWords[t.state]}</span></div>
${t.url === undefined ? '' : `<p class="url">${e(t.url)}</p>`}${locations ? `<ul class="locs">${locations}</ul>` : ''}
<div class="bars" role="img" aria-label="${e(label)}">${bars(t.days.slice(0, -1))}${t.days.length > 0 ? bar(t.days.at(-1)!) : ''}</div>
<div class="axis"><span>${t.days.length} days ago</span><span>${e(`${percent(t.uptime90dPct)} uptime`)}</span><span>today</span></div>
<div class="stats"><span>${e(`24 h: ${percent(t.day24h.uptimePct)} up, p50 ${millis(t.day24h.p50Ms)}, p95 ${millis(t.day24h.p95Ms)}`)}</span><span>${e(`7 d: ${percent(t.days7.uptimePct)} up, p50 ${millis(t.days7.p50Ms)}, p95 ${millis(t.days7.p95Ms)}`)}</span>${certificate(t.certificate)}</div>
</article>`;
}

function overall(board: Board): { state: keyof typeof stateWords; text: string } {
  const states = board.targets.map((t) => t.state);
  if (states.length === 0) return { state: 'unknown', text: 'No targets yet' };
  const down = states.filter((s) => s === 'down' || s === 'partial').length;
  const degraded = states.filter((s) => s === 'degraded').length;
  const slow = degraded > 0 ? `, ${degraded} degraded` : '';
  if (down > 0) return { state: down === states.length ? 'down' : 'partial', text: `${down} of ${states.length} down${slow}` };
  if (degraded > 0) return { state: 'degraded', text: `${degraded} of ${states.length} degraded (up but slow)` };
  if (states.every((s) => s === 'unknown')) return { state: 'unknown', text: 'No recent checks' };
  return { state: 'up', text: 'All systems operational' };
}

/** The whole page. */
export function renderPage(board: Board, options: { title: string; refreshSeconds: number }): string {
  const groups = new Map<string, BoardTarget[]>();
  for (const t of board.targets) groups.set(t.group ?? '', [...(groups.get(t.group ?? '') ?? []), t]);
  const sections = [...groups].map(([group, list]) => `<section class="group">${group ? `<h2>${e(group)}</h2>` : ''}${list.map(target).join('\n')}</section>`).join('\n');
  const recent = board.incidents.filter((i) => i.resolvedAt !== null);
  const summary = overall(board);
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><link rel="icon" href="data:,"><meta name="viewport" content="width=device-width,initial-scale=1">
<meta http-equiv="refresh" content="${options.refreshSeconds}"><title>${e(options.title)}</title>${pageStyle}</head>
<body><header><h1>${e(options.title)}</h1><p class="summary ${summary.state}">${e(summary.text)}</p>
<p class="muted">Updated ${e(board.generatedAt.replace('T', ' ').slice(0, 19))} UTC · refreshes every ${options.refreshSeconds} s · days are UTC</p></header>
<main>${openIncidents(board.incidents)}
${sections || '<p>No results stored yet: the page fills in as checks arrive.</p>'}
${recent.length ? `<h2>Recent incidents</h2><ul class="incidents">${recent.map(incident).join('')}</ul>` : ''}</main>
<footer class="muted">Bars: <span class="key l-ok"></span> &ge; 99.9% <span class="key l-minor"></span> &ge; 99% <span class="key l-major"></span> &ge; 95% <span class="key l-outage"></span> below <span class="key l-none"></span> no checks <span class="key l-ok slow"></span> slow (degraded that day) ·
<a href="api/v1/targets">JSON API</a> (<a href="api/v1/openapi.json">OpenAPI</a>) · sitewatch</footer></body></html>`;
}
