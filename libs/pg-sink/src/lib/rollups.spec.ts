// The pure parts of reading the rollups: which rows a range takes, and how totals add up and report.
import { describe, expect, it } from '@jest/globals';
import { addTotals, summaryOf, wholeDays, type Totals } from './rollups.js';
import { addCount, sketchBin, type Counts } from './sketch.js';

function totalsOf(upMs: number[], down: Record<string, number> = {}): Totals {
  const bins: Counts = new Map();
  for (const ms of upMs) addCount(bins, sketchBin(ms));
  const downs = Object.values(down).reduce((a, b) => a + b, 0);
  return { checks: upMs.length + downs, up: upMs.length, sumMs: upMs.reduce((a, b) => a + b, 0), maxMs: upMs.length ? Math.max(...upMs) : null, bins, reasons: down };
}

describe('reading the rollups', () => {
  it('takes the whole UTC days of a range from daily rows, none when there are none', () => {
    expect(wholeDays({ from: new Date('2026-11-01T05:00:00Z'), to: new Date('2026-11-04T01:00:00Z') })).toEqual({ from: new Date('2026-11-02T00:00:00Z'), to: new Date('2026-11-04T00:00:00Z') });
    expect(wholeDays({ from: new Date('2026-11-01T00:00:00Z'), to: new Date('2026-11-02T00:00:00Z') })).toEqual({ from: new Date('2026-11-01T00:00:00Z'), to: new Date('2026-11-02T00:00:00Z') });
    expect(wholeDays({ from: new Date('2026-11-01T05:00:00Z'), to: new Date('2026-11-01T09:00:00Z') }).from).toEqual(new Date('2026-11-01T09:00:00Z'));
  });

  it('adds the totals of two ranges as the totals of both, changing neither', () => {
    const a = totalsOf([10, 20, 30], { timeout: 1 });
    const b = totalsOf([40, 500], { timeout: 2, dns: 1 });
    const both = addTotals(a, b);
    expect(both).toEqual(totalsOf([10, 20, 30, 40, 500], { timeout: 3, dns: 1 }));
    expect(a).toEqual(totalsOf([10, 20, 30], { timeout: 1 }));
    expect(summaryOf(both)).toMatchObject({ checks: 9, up: 5, uptimePct: (100 * 5) / 9, meanMs: 120, maxMs: 500, reasons: { timeout: 3, dns: 1 } });
  });

  it('bounds a quantile by the slowest check and reports none without up checks', () => {
    const summary = summaryOf(totalsOf([100]));
    expect(summary.p99Ms).toBeLessThanOrEqual(100);
    expect(Math.abs(summary.p50Ms! - 100)).toBeLessThanOrEqual(1);
    expect(summaryOf(totalsOf([], { connect: 2 }))).toMatchObject({ uptimePct: 0, meanMs: null, p50Ms: null, p95Ms: null, p99Ms: null, maxMs: null });
  });
});
