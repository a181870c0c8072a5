import { describe, expect, it } from '@jest/globals';
import { makeCheckResult } from '@sitewatch/schema/testing';
import { deltaColumns, rollupDeltas } from './deltas.js';
import { sketchBin } from './sketch.js';

const at = (iso: string) => Date.parse(iso);

describe('rollupDeltas', () => {
  const results = [
    makeCheckResult({ responseTimeMs: 100 }),
    makeCheckResult({ responseTimeMs: 300 }),
    makeCheckResult({ outcome: 'down', reason: 'timeout', responseTimeMs: 10_000 }),
    makeCheckResult({ responseTimeMs: 50 }),
    makeCheckResult({ outcome: 'down', reason: 'dns', responseTimeMs: 3 }),
  ];
  const times = [at('2026-11-27T10:05:00Z'), at('2026-11-27T10:55:00Z'), at('2026-11-27T10:30:00Z'), at('2026-11-27T11:00:00Z'), at('2026-11-26T23:59:59Z')];
  const targets = [7, 7, 7, 7, 3];
  const { hourly, daily } = rollupDeltas(results, targets, times);

  it('sums per target and UTC hour, sorted by target then bucket (the lock order)', () => {
    expect(hourly.map((d) => [d.targetId, new Date(d.bucket).toISOString(), d.checks, d.up])).toEqual([
      [3, '2026-11-26T23:00:00.000Z', 1, 0],
      [7, '2026-11-27T10:00:00.000Z', 3, 2],
      [7, '2026-11-27T11:00:00.000Z', 1, 1],
    ]);
    const tenOClock = hourly[1]!;
    expect(tenOClock).toMatchObject({ sumMs: 400, maxMs: 300 });
    expect(tenOClock.bins).toEqual(new Map([[sketchBin(100), 1], [sketchBin(300), 1]]));
    expect(tenOClock.reasons).toEqual(new Map([[4, 1]]));
    expect(hourly[0]).toMatchObject({ maxMs: null, sumMs: 0, reasons: new Map([[1, 1]]) });
  });

  it('folds the hours into UTC days', () => {
    expect(daily.map((d) => [d.targetId, new Date(d.bucket).toISOString(), d.checks, d.up, d.sumMs, d.maxMs])).toEqual([
      [3, '2026-11-26T00:00:00.000Z', 1, 0, 0, null],
      [7, '2026-11-27T00:00:00.000Z', 4, 3, 450, 300],
    ]);
    expect([...daily[1]!.bins.values()].reduce((a, b) => a + b, 0)).toBe(3);
  });

  it('sends one array literal per column', () => {
    const columns = deltaColumns(daily);
    expect(columns.slice(0, 6)).toEqual(['{3,7}', '{"2026-11-26T00:00:00.000Z","2026-11-27T00:00:00.000Z"}', '{1,4}', '{0,3}', '{0,450}', '{NULL,300}']);
    expect(columns[7]).toBe('{"[1:1]={1}","[4:4]={1}"}');
  });
});
