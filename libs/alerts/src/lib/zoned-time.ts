// Wall-clock time in an IANA time zone, on the offsets Intl.DateTimeFormat knows: what a
// zone's clock shows at an instant, and the instant at which it shows a given time. A wall
// time is written as milliseconds since the epoch as if the zone were UTC (so a calendar day
// is a multiple of 86 400 000). A time the clock skips (the hour lost when it springs
// forward) or shows twice (the hour repeated when it falls back) is resolved as Temporal's
// `disambiguation: 'compatible'` and RFC 5545 (iCalendar) do.

const dayMs = 86_400_000;
const formats = new Map<string, Intl.DateTimeFormat>();

function format(timeZone: string): Intl.DateTimeFormat {
  let zoneFormat = formats.get(timeZone);
  if (zoneFormat === undefined) {
    const fields = { year: 'numeric', month: 'numeric', day: 'numeric', hour: 'numeric', minute: 'numeric', second: 'numeric' } as const;
    zoneFormat = new Intl.DateTimeFormat('en-US', { timeZone, hourCycle: 'h23', ...fields });
    formats.set(timeZone, zoneFormat);
  }
  return zoneFormat;
}

/** What the clock of `timeZone` shows at the instant `at` (ms), as a wall time. */
export function wallClock(at: number, timeZone: string): number {
  const parts = Object.fromEntries(format(timeZone).formatToParts(at).map((part) => [part.type, Number(part.value)]));
  const { year, month, day, hour, minute, second } = parts as Record<'year' | 'month' | 'day' | 'hour' | 'minute' | 'second', number>;
  return Date.UTC(year, month - 1, day, hour, minute, second) + (((at % 1000) + 1000) % 1000);
}

/** The offset of `timeZone` from UTC at the instant `at`, ms (e.g. 3 600 000 for UTC+1). */
export function offsetAt(at: number, timeZone: string): number {
  return wallClock(at, timeZone) - at;
}

/**
 * The instant (ms) at which the clock of `timeZone` shows `wall`. A wall time shown twice
 * gives the first of the two instants; a wall time skipped gives the instant the offset of
 * before the gap names, which the clock shows as `wall` moved forward by the length of the gap
 * (02:30 on a night that skips from 02:00 to 03:00 is 03:30).
 */
export function instantAt(wall: number, timeZone: string): number {
  // A zone changes its offset at most once in two days: the offsets a day either side are
  // the only candidates.
  const before = offsetAt(wall - dayMs, timeZone);
  const after = offsetAt(wall + dayMs, timeZone);
  if (offsetAt(wall - before, timeZone) === before) return wall - before;
  if (offsetAt(wall - after, timeZone) === after) return wall - after;
  return wall - before;
}
