// Accepted HTTP status codes, written the way operators think of them: `200`, `200-299`.

/** An inclusive range of status codes. */
export interface StatusRange {
  from: number;
  to: number;
}

/** The syntax of one entry: a code, or two codes joined by a dash. */
export const statusRangePattern = '^[1-9][0-9]{2}(-[1-9][0-9]{2})?$';

const syntax = new RegExp(statusRangePattern);
const lowest = 100;
const highest = 599;

/** Parses one entry; returns a problem message instead when it is malformed. */
export function parseStatusRange(spec: string): StatusRange | string {
  if (!syntax.test(spec)) return `"${spec}" is neither a status code nor a range like 200-299`;
  const [from, to = from] = spec.split('-').map(Number) as [number, number?];
  if (from < lowest || to > highest) return `"${spec}" is outside ${lowest}-${highest}`;
  if (from > to) return `"${spec}" starts after it ends`;
  return { from, to };
}

/** True when `status` falls in one of the ranges. */
export function isStatusAccepted(ranges: readonly StatusRange[], status: number): boolean {
  return ranges.some((range) => status >= range.from && status <= range.to);
}
