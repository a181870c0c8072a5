// How a day's uptime is judged and coloured: one scale for the page's bars, the badges and
// the report, so a test can say which colour a known day must have; and the colours of the
// current states, for the page and the status badge.
import type { CurrentState } from './state.js';

/** The judgement of an uptime percentage; `none` when nothing was checked. */
export type UptimeLevel = 'none' | 'ok' | 'minor' | 'major' | 'outage';

/** Lower bounds of each level, in percent: ok from 99.9, minor from 99, major from 95, outage below. */
export const uptimeThresholds = { ok: 99.9, minor: 99, major: 95 } as const;

/** Colours of the levels (GitHub Primer-like greens to red, grey for no data), as CSS hex. */
export const levelColors: Readonly<Record<UptimeLevel, string>> = {
  none: '#d0d7de',
  ok: '#2da44e',
  minor: '#9bbf30',
  major: '#e3a008',
  outage: '#cf222e',
};

/** The level of an uptime percentage (null: no checks). */
export function uptimeLevel(uptimePct: number | null): UptimeLevel {
  if (uptimePct === null) return 'none';
  if (uptimePct >= uptimeThresholds.ok) return 'ok';
  if (uptimePct >= uptimeThresholds.minor) return 'minor';
  if (uptimePct >= uptimeThresholds.major) return 'major';
  return 'outage';
}

/**
 * Colours of the current states, as CSS hex: up green, degraded amber (the colour of a 95–99 %
 * day), partly down orange (between amber and red, so it is not taken for degraded), down red,
 * unknown grey.
 */
export const stateColors: Readonly<Record<CurrentState, string>> = {
  up: levelColors.ok,
  degraded: levelColors.major,
  partial: '#bc4c00',
  down: levelColors.outage,
  unknown: '#9f9f9f',
};
