// Time ranges of the read model: the windows a status page and its badges report on, the
// UTC days of the daily bars, and the check of a range asked for through an API.
import type { Range } from '@sitewatch/pg-sink';
import { StatusError } from './errors.js';

const hourMs = 3_600_000;
const dayMs = 86_400_000;

/** The windows of uptime badges and summaries, by name, in days. */
export const windows = { '24h': 1, '7d': 7, '30d': 30, '90d': 90 } as const;

/** One of the keys of `windows`. */
export type WindowName = keyof typeof windows;

/** Whether `name` is a window this package reports on. */
export function isWindowName(name: string): name is WindowName {
  return Object.hasOwn(windows, name);
}

/** Start of the UTC hour of `date`. */
export function startOfHour(date: Date): Date {
  return new Date(Math.floor(date.getTime() / hourMs) * hourMs);
}

/** Start of the UTC day of `date`. */
export function startOfDay(date: Date): Date {
  return new Date(Math.floor(date.getTime() / dayMs) * dayMs);
}

/**
 * The last `days` days before `now` by whole hours: from the start of the hour `days` × 24
 * hours ago to `now` (the rollups count a bucket when it starts in the range, so the hour in
 * progress and the one `days` ago are both in).
 */
export function lastDays(days: number, now: Date): Range {
  return { from: startOfHour(new Date(now.getTime() - days * dayMs)), to: now };
}

/** The `count` UTC days ending with today's (in progress), oldest first. */
export function lastUtcDays(count: number, now: Date): Date[] {
  const today = startOfDay(now).getTime();
  return Array.from({ length: count }, (_, i) => new Date(today - (count - 1 - i) * dayMs));
}

/** The day as `YYYY-MM-DD`. */
export function dayKey(day: Date): string {
  return day.toISOString().slice(0, 10);
}

/** Longest range or series this package reads in one call, in days (ten years of daily rollups). */
export const maxDays = 3660;

/** Throws ERR_STATUS_INVALID_QUERY unless [from, to) is a non-empty range of valid dates of at most maxDays. */
export function checkRange(range: Range): void {
  const problems = [];
  if (!(range.from instanceof Date) || Number.isNaN(range.from.getTime())) problems.push({ path: '/from', message: 'must be a valid date' });
  if (!(range.to instanceof Date) || Number.isNaN(range.to.getTime())) problems.push({ path: '/to', message: 'must be a valid date' });
  if (problems.length === 0 && range.to <= range.from) problems.push({ path: '/to', message: 'must be after from' });
  if (problems.length === 0 && range.to.getTime() - range.from.getTime() > maxDays * dayMs) problems.push({ path: '/from', message: `must be at most ${maxDays} days before to` });
  if (problems.length > 0) throw new StatusError('ERR_STATUS_INVALID_QUERY', 'invalid range', { problems });
}

/** Throws ERR_STATUS_INVALID_QUERY unless `days` is an integer from 1 to maxDays. */
export function checkDays(days: number): void {
  if (!Number.isInteger(days) || days < 1 || days > maxDays) {
    throw new StatusError('ERR_STATUS_INVALID_QUERY', 'invalid number of days', { problems: [{ path: '/days', message: `must be an integer from 1 to ${maxDays}` }] });
  }
}
