import { describe, expect, it } from '@jest/globals';
import { instantAt, offsetAt, wallClock } from './zoned-time.js';

const at = (iso: string) => Date.parse(iso);
/** A wall time written as an ISO string without offset. */
const wall = (local: string) => Date.parse(`${local}Z`);
const hour = 3_600_000;

describe('zoned time', () => {
  it('reads the clock of a zone, and its offset, either side of a change', () => {
    // Paris springs forward on 2026-03-29 at 01:00Z (02:00 CET becomes 03:00 CEST).
    expect(wallClock(at('2026-03-29T00:59:59.250Z'), 'Europe/Paris')).toBe(wall('2026-03-29T01:59:59.250'));
    expect(wallClock(at('2026-03-29T01:00:00Z'), 'Europe/Paris')).toBe(wall('2026-03-29T03:00:00'));
    expect([offsetAt(at('2026-03-29T00:59:59Z'), 'Europe/Paris'), offsetAt(at('2026-03-29T01:00:00Z'), 'Europe/Paris')]).toEqual([hour, 2 * hour]);
    // New York falls back on 2026-11-01 at 06:00Z (02:00 EDT becomes 01:00 EST).
    expect([offsetAt(at('2026-11-01T05:59:59Z'), 'America/New_York'), offsetAt(at('2026-11-01T06:00:00Z'), 'America/New_York')]).toEqual([-4 * hour, -5 * hour]);
    expect(wallClock(at('2026-11-01T00:00:00Z'), 'UTC')).toBe(at('2026-11-01T00:00:00Z'));
  });

  it('finds the instant of a wall time that exists once', () => {
    expect(instantAt(wall('2026-03-29T01:59:00'), 'Europe/Paris')).toBe(at('2026-03-29T00:59:00Z'));
    expect(instantAt(wall('2026-03-29T03:00:00'), 'Europe/Paris')).toBe(at('2026-03-29T01:00:00Z'));
    expect(instantAt(wall('2026-10-25T03:00:00'), 'Europe/Paris')).toBe(at('2026-10-25T02:00:00Z'));
    expect(instantAt(wall('2026-03-08T12:00:00'), 'America/New_York')).toBe(at('2026-03-08T16:00:00Z'));
    expect(instantAt(wall('2026-07-01T12:00:00'), 'Asia/Kolkata')).toBe(at('2026-07-01T06:30:00Z'));
  });

  it('moves a skipped wall time forward by the length of the gap', () => {
    expect(instantAt(wall('2026-03-29T02:00:00'), 'Europe/Paris')).toBe(at('2026-03-29T01:00:00Z')); // 03:00 CEST
    expect(instantAt(wall('2026-03-29T02:30:00'), 'Europe/Paris')).toBe(at('2026-03-29T01:30:00Z')); // 03:30 CEST
    expect(instantAt(wall('2026-03-08T02:15:00'), 'America/New_York')).toBe(at('2026-03-08T07:15:00Z')); // 03:15 EDT
  });

  it('takes the first of the two instants of a wall time shown twice', () => {
    expect(instantAt(wall('2026-10-25T02:00:00'), 'Europe/Paris')).toBe(at('2026-10-25T00:00:00Z')); // 02:00 CEST, not CET
    expect(instantAt(wall('2026-10-25T02:30:00'), 'Europe/Paris')).toBe(at('2026-10-25T00:30:00Z'));
    expect(instantAt(wall('2026-11-01T01:30:00'), 'America/New_York')).toBe(at('2026-11-01T05:30:00Z')); // 01:30 EDT, not EST
  });
});
