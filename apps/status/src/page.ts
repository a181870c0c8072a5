// The status page: server-rendered HTML and CSS, no JavaScript, refreshing itself. A card per
// target with its state per location, 90 daily bars coloured by uptime (a tooltip each with
// the uptime, p95 and reasons of failures), and 24 h / 7 d figures; incidents on top.
import { createHash } from 'node:crypto';
import { levelColors, uptimeLevel, type DailyBar, type UptimeLevel } from '@sitewatch/status';
import type { Board, BoardTarget, ShownIncident } from './board.js';
import { duration, escapeHtml as e, millis, percent, reasonList } from './format.js';

const stateWords = { up: 'Up', down: 'Down', partial: 'Partly down', unknown: 'No recent checks' } as const;

const css = `
*{box-sizing:border-box}body{margin:0;font:15px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:#1f2328;background:#f6f8fa}
header,main,footer{max-width:960px;margin:0 auto;padding:12px 16px}h1{font-size:1.5rem;margin:8px 0}h2{font-size:1.1rem;margin:20px 0 8px}
.summary{padding:12px 16px;border-radius:8px;color:#fff;font-weight:600}.summary.up{background:${levelColors.ok}}.summary.down{background:${levelColors.outage}}.summary.partial{background:${levelColors.major}}.summary.unknown{background:#57606a}
.muted{color:#57606a;font-size:.85rem}.card{background:#fff;border:1px solid #d0d7de;border-radius:8px;padding:12px 14px;margin:10px 0}
.head{display:flex;flex-wrap:wrap;justify-content:space-between;align-items:baseline;gap:6px}.head h3{margin:0;font-size:1rem;overflow-wrap:anywhere}
.state{font-weight:600;font-size:.85rem;padding:1px 8px;border-radius:10px;color:#fff}.state.up{background:${levelColors.ok}}.state.down{background:${levelColors.outage}}.state.partial{background:${levelColors.major}}.state.unknown{background:#57606a}
.url{margin:2px 0;font-size:.8rem;color:#57606a;overflow-wrap:anywhere}.locs{list-style:none;padding:0;margin:6px 0;display:flex;flex-wrap:wrap;gap:4px 12px;font-size:.85rem}
.locs .down{color:${levelColors.outage}}.bars{display:flex;gap:1px;height:32px;margin:8px 0 2px}.bars span{flex:1 1 0;min-width:1px;border-radius:1px}
${(Object.keys(levelColors) as UptimeLevel[]).map((level) => `.l-${level}{background:${levelColors[level]}}`).join('')}
.axis{display:flex;justify-content:space-between;font-size:.75rem;color:#57606a}.stats{display:flex;flex-wrap:wrap;gap:4px 16px;font-size:.85rem;margin-top:6px}
.incident{border-left:4px solid ${levelColors.outage}}.incident.resolved{border-left-color:${levelColors.ok}}a{color:#0969da}
.incidents{list-style:none;padding:0}.key{padding:0 6px}
@media (max-width:480px){body{font-size:14px}header,main,footer{padding:8px 10px}.bars{height:26px}}
`;

/** The page's one stylesheet as a CSP source (`'sha256-…'`): the only style the page may apply. */
export const pageStyleSource = `'sha256-${createHash('sha256').update(css).digest('base64')}'`;

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
  const tip =
    day.checks === 0
      ? `${day.day}: no checks`
      : `${day.day}: ${percent(day.uptimePct)} up of ${day.checks} checks, p95 ${millis(day.p95Ms)}${Object.keys(day.reasons).length > 0 ? `; down: ${reasonList(day.reasons)}` : ''}`;
  return `<span class="l-${level}" title="${e(tip)}"></span>`;
}

function target(t: BoardTarget): string {
  const locations = t.locations
    .map((l) => {
      const what = l.outcome === 'up' ? `up, ${millis(l.responseMs)}` : `down: ${l.reason ?? 'other'}${l.statusCode === null ? '' : ` (${l.statusCode})`}${l.error?.message ? ` — ${l.error.message}` : ''}`;
      return `<li class="${l.outcome}" title="${e(l.checkedAt)}">${e(l.location)}: ${e(what)}</li>`;
    })
    .join('');
  return `<article class="card target" id="target-${e(t.id)}" data-target="${e(t.id)}" data-state="${t.state}">
<div class="head"><h3>${e(t.name)}</h3><span class="state ${t.state}">${stateWords[t.state]}</span></div>
${t.url === undefined ? '' : `<p class="url">${e(t.url)}</p>`}${locations ? `<ul class="locs">${locations}</ul>` : ''}
<div class="bars" role="img" aria-label="${e(`${t.name}: uptime per day over ${t.days.length} days`)}">${bars(t.days.slice(0, -1))}${t.days.length > 0 ? bar(t.days.at(-1)!) : ''}</div>
<div class="axis"><span>${t.days.length} days ago</span><span>${e(`${percent(t.uptime90dPct)} uptime`)}</span><span>today</span></div>
<div class="stats"><span>${e(`24 h: ${percent(t.day24h.uptimePct)} up, p50 ${millis(t.day24h.p50Ms)}, p95 ${millis(t.day24h.p95Ms)}`)}</span><span>${e(`7 d: ${percent(t.days7.uptimePct)} up, p50 ${millis(t.days7.p50Ms)}, p95 ${millis(t.days7.p95Ms)}`)}</span></div>
</article>`;
}

function incident(i: ShownIncident): string {
  const when = i.resolvedAt === null ? `since ${i.openedAt.replace('T', ' ').slice(0, 16)} UTC (${duration(i.durationMs ?? 0)})` : `${i.openedAt.replace('T', ' ').slice(0, 16)} UTC, lasted ${duration(i.durationMs ?? 0)}`;
  const detail = [i.reason, i.statusCode === null ? '' : String(i.statusCode), i.error?.message ?? ''].filter(Boolean).join(' · ');
  return `<li class="card incident${i.resolvedAt === null ? '' : ' resolved'}"><strong>${e(i.name)}</strong> ${i.resolvedAt === null ? 'is down' : 'was down'}: ${e(detail)}<br><span class="muted">${e(when)}${i.locations.length ? ` · from ${e(i.locations.join(', '))}` : ''}${i.inMaintenance ? ' · maintenance' : ''}</span></li>`;
}

function overall(board: Board): { state: keyof typeof stateWords; text: string } {
  const states = board.targets.map((t) => t.state);
  if (states.length === 0) return { state: 'unknown', text: 'No targets yet' };
  const down = states.filter((s) => s === 'down' || s === 'partial').length;
  if (down > 0) return { state: down === states.length ? 'down' : 'partial', text: `${down} of ${states.length} down` };
  if (states.every((s) => s === 'unknown')) return { state: 'unknown', text: 'No recent checks' };
  return { state: 'up', text: 'All systems operational' };
}

/** The whole page. */
export function renderPage(board: Board, options: { title: string; refreshSeconds: number }): string {
  const groups = new Map<string, BoardTarget[]>();
  for (const t of board.targets) groups.set(t.group ?? '', [...(groups.get(t.group ?? '') ?? []), t]);
  const sections = [...groups].map(([group, list]) => `<section class="group">${group ? `<h2>${e(group)}</h2>` : ''}${list.map(target).join('\n')}</section>`).join('\n');
  const open = board.incidents.filter((i) => i.resolvedAt === null);
  const recent = board.incidents.filter((i) => i.resolvedAt !== null);
  const summary = overall(board);
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><link rel="icon" href="data:,"><meta name="viewport" content="width=device-width,initial-scale=1">
<meta http-equiv="refresh" content="${options.refreshSeconds}"><title>${e(options.title)}</title><style>${css}</style></head>
<body><header><h1>${e(options.title)}</h1><p class="summary ${summary.state}">${e(summary.text)}</p>
<p class="muted">Updated ${e(board.generatedAt.replace('T', ' ').slice(0, 19))} UTC · refreshes every ${options.refreshSeconds} s · days are UTC</p></header>
<main>${open.length ? `<h2>Open incidents</h2><ul class="incidents">${open.map(incident).join('')}</ul>` : ''}
${sections || '<p>No results stored yet: the page fills in as checks arrive.</p>'}
${recent.length ? `<h2>Recent incidents</h2><ul class="incidents">${recent.map(incident).join('')}</ul>` : ''}</main>
<footer class="muted">Bars: <span class="key l-ok"></span> &ge; 99.9% <span class="key l-minor"></span> &ge; 99% <span class="key l-major"></span> &ge; 95% <span class="key l-outage"></span> below <span class="key l-none"></span> no checks ·
<a href="api/v1/targets">JSON API</a> (<a href="api/v1/openapi.json">OpenAPI</a>) · sitewatch</footer></body></html>`;
}
