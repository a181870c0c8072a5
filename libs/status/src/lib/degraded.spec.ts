// The time each UTC day a target was degraded, from its degraded spans.
import { describe, expect, it } from '@jest/globals';
import { addDegradedTime } from './degraded.js';
import { emptyBars, type DailyBar } from './rollups.js';
import { lastUtcDays } from './windows.js';

const now = new Date('2026-03-10T12:00:00Z');
const hour = 3_600_000;
const days = lastUtcDays(4, now); // 03-07 .. 03-10 (today, until 12:00)
const series = () => new Map([['t', emptyBars(days)], ['other', emptyBars(days)]]);
const span = (from: string, to: string | null, target = 't') => ({ target, from: new Date(from), to: to === null ? null : new Date(to) });

describe('addDegradedTime', () => {
  it('splits a span at midnight and counts an open one up to now', () => {
    const bars = series();
    addDegradedTime(bars, [span('2026-03-07T22:00:00Z', '2026-03-08T02:30:00Z'), span('2026-03-10T09:00:00Z', null)], now);
    expect(bars.get('t')!.map((b) => [b.day, b.degradedMs])).toEqual([
      ['2026-03-07', 2 * hour],
      ['2026-03-08', 2.5 * hour],
      ['2026-03-09', 0],
      ['2026-03-10', 3 * hour],
    ]);
    expect(bars.get('other')!.every((b) => b.degradedMs === 0)).toBe(true);
  });

  it('adds up spans of one day, at most the whole day, and ignores what lies outside the series or of other targets', () => {
    const bars = series();
    addDegradedTime(
      bars,
      [span('2026-03-09T01:00:00Z', '2026-03-09T02:00:00Z'), span('2026-03-09T05:00:00Z', '2026-03-09T05:30:00Z'), span('2026-03-01T00:00:00Z', '2026-03-08T23:00:00Z'), span('2026-03-09T00:00:00Z', null, 'unknown')],
      now,
    );
    expect(bars.get('t')!.map((b) => b.degradedMs)).toEqual([24 * hour, 23 * hour, 1.5 * hour, 0]);
  });

  it('replaces the bars it changes by copies, leaving the others shared', () => {
    const bars = series();
    const before = [...bars.get('t')!];
    addDegradedTime(bars, [span('2026-03-09T01:00:00Z', '2026-03-09T02:00:00Z')], now);
    const after = bars.get('t')!;
    expect(after.map((bar, i) => bar === before[i])).toEqual([true, true, false, true]);
    expect(before[2]!.degradedMs).toBe(0);
  });
});

describe('addDegradedTime, kept copies', () => {
  it('gives the same copy of a bar from one call to the next while its time is the same, a new one when it changes', () => {
    const copies = new WeakMap<DailyBar, DailyBar>();
    const shared = emptyBars(days);
    const read = (spans: Parameters<typeof addDegradedTime>[1]) => {
      const bars = new Map([['t', [...shared]]]);
      addDegradedTime(bars, spans, now, copies);
      return bars.get('t')!;
    };
    const first = read([span('2026-03-09T01:00:00Z', '2026-03-09T02:00:00Z')]);
    const again = read([span('2026-03-09T01:00:00Z', '2026-03-09T02:00:00Z')]);
    const longer = read([span('2026-03-09T01:00:00Z', '2026-03-09T03:00:00Z')]);
    expect([again[2] === first[2], longer[2] === first[2], again[0] === shared[0]]).toEqual([true, false, true]);
    expect([first[2]!.degradedMs, longer[2]!.degradedMs]).toEqual([hour, 2 * hour]);
  });
});
