// Accepted HTTP status codes, written the way operators think of them: `200`, `200-299`.
import { statusRangePattern } from '@sitewatch/schema';

/** An inclusive range of status codes. */
export interface StatusRange {
  from: number;
  to: number;
}

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
