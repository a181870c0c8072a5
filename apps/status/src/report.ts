// sitewatch-status report: the page's figures in a terminal or a file. Without --target, a
// row per target over the last --days; with it, a row per UTC day of that target.
import { lastDays, type StatusReader } from '@sitewatch/status';
import { shownTargets } from './board.js';
import type { StatusSection } from './config.js';
import { duration, millis, percent, reasonList } from './format.js';

/** What the command was asked for. */
export interface ReportRequest {
  days: number;
  target?: string;
  format: 'table' | 'json' | 'csv';
}

type Row = Record<string, string | number | null>;

function csvCell(value: string | number | null): string {
  const text = value === null ? '' : String(value);
  return /[",\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

function table(rows: Row[], columns: string[]): string {
  const cells = rows.map((row) => columns.map((c) => (row[c] === null ? '–' : String(row[c]))));
  const widths = columns.map((c, i) => Math.max(c.length, ...cells.map((r) => r[i]!.length)));
  const line = (values: string[]) => values.map((v, i) => (i === 0 ? v.padEnd(widths[i]!) : v.padStart(widths[i]!))).join('  ').trimEnd();
  return [line(columns), ...cells.map(line)].join('\n');
}

/** The report as text; throws (ERR_STATUS_INVALID_QUERY, unknown target) for a request that is not one. */
export async function report(reader: StatusReader, settings: StatusSection, request: ReportRequest, now: Date): Promise<string> {
  let rows: Row[];
  let json: unknown;
  if (request.target === undefined) {
    const targets = await shownTargets(reader, settings);
    const summaries = await reader.summaries(lastDays(request.days, now), targets.map((t) => t.id));
    json = targets.map((t) => ({ target: t.id, name: t.name ?? t.id, days: request.days, ...summaries.get(t.id)! }));
    rows = targets.map((t) => {
      const s = summaries.get(t.id)!;
      return { target: t.id, checks: s.checks, up: s.up, uptime: percent(s.uptimePct), p50: millis(s.p50Ms), p95: millis(s.p95Ms), p99: millis(s.p99Ms), max: millis(s.maxMs), 'down by reason': reasonList(s.reasons) || null };
    });
    if (request.format === 'csv') rows = (json as Row[]).map((r) => ({ ...r, reasons: reasonList(r.reasons as unknown as Record<string, number>) }));
  } else {
    const target = request.target;
    if (!(await shownTargets(reader, settings)).some((t) => t.id === target)) throw new Error(`no target ${JSON.stringify(target)} is shown`);
    const days = (await reader.daily(request.days, [target])).get(target) ?? [];
    json = { target, days };
    const csv = request.format === 'csv';
    rows = days.map((d) => ({
      day: d.day,
      checks: d.checks,
      up: d.up,
      uptime: csv ? d.uptimePct : percent(d.uptimePct),
      p95: csv ? d.p95Ms : millis(d.p95Ms),
      'down by reason': reasonList(d.reasons) || null,
      degraded: csv ? d.degradedMs : d.degradedMs > 0 ? duration(d.degradedMs) : null,
    }));
  }
  if (request.format === 'json') return `${JSON.stringify(json, null, 2)}\n`;
  const columns = Object.keys(rows[0] ?? { target: '' });
  if (request.format === 'csv') return `${[columns.join(','), ...rows.map((r) => columns.map((c) => csvCell(r[c] ?? null)).join(','))].join('\n')}\n`;
  return `${table(rows, columns)}\n`;
}
