// The JSON Schema `date-time` format (RFC 3339 with a time zone) in one regular expression
// and a few comparisons: the same answers as ajv-formats' full-mode `date-time`, which
// splits the string and runs two expressions (about 1 µs a timestamp; a CheckResult holds
// three, and the consumer checks every one). The equivalence is tested on random strings
// against ajv-formats itself (date-time-format.spec.ts).

const dateTime = /^(\d\d\d\d)-(\d\d)-(\d\d)[t\s](\d\d):(\d\d):(\d\d(?:\.\d+)?)(?:z|([+-])(\d\d)(?::?(\d\d))?)$/i;
const daysIn = [0, 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

const isLeapYear = (year: number) => year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);

/** Whether `text` is an RFC 3339 date-time with a time zone (a leap second only at 23:59:60 UTC). */
export function isDateTime(text: string): boolean {
  const m = dateTime.exec(text);
  if (m === null) return false;
  const year = +m[1]!;
  const month = +m[2]!;
  const day = +m[3]!;
  if (month < 1 || month > 12 || day < 1 || day > (month === 2 && isLeapYear(year) ? 29 : daysIn[month]!)) return false;
  const hour = +m[4]!;
  const minute = +m[5]!;
  // With its fraction, as ajv-formats reads it (a long fraction can round up to 60).
  const second = +m[6]!;
  const zoneHours = +(m[8] ?? 0);
  const zoneMinutes = +(m[9] ?? 0);
  if (zoneHours > 23 || zoneMinutes > 59) return false;
  if (hour <= 23 && minute <= 59 && second < 60) return true;
  // A leap second: 23:59:60 in UTC, whatever the offset says locally.
  const sign = m[7] === '-' ? -1 : 1;
  const utcMinute = minute - zoneMinutes * sign;
  const utcHour = hour - zoneHours * sign - (utcMinute < 0 ? 1 : 0);
  return (utcHour === 23 || utcHour === -1) && (utcMinute === 59 || utcMinute === -1) && second < 61;
}
