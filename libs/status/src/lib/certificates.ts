// A target's TLS certificate as a page shows it: whole days left, and whether that is inside
// the warning the alerts send (their `alerts.certificates.warnDays`, whose default this is).
import { certificateDefaults } from '@sitewatch/alerts';

/** `expired` from its notAfter on; `expiring` within the largest of the warn days (as the alerts' first notice); else `ok`. */
export type CertificateLevel = 'ok' | 'expiring' | 'expired';

/** The alerts' default warn days ([30, 14, 7, 1]): a page that colours certificates should use the alerts' own setting. */
export const certificateWarnDaysDefault: readonly number[] = certificateDefaults.warnDays;

const dayMs = 86_400_000;

/** Whole days from `now` to `notAfter`, rounded down (negative once expired), as the alerts count them. */
export function certificateDaysLeft(notAfter: Date, now: Date): number {
  return Math.floor((notAfter.getTime() - now.getTime()) / dayMs);
}

/** The level of a certificate expiring at `notAfter`, at `now`, against `warnDays` (none: never `expiring`). */
export function certificateLevel(notAfter: Date, now: Date, warnDays: readonly number[]): CertificateLevel {
  const left = notAfter.getTime() - now.getTime();
  if (left <= 0) return 'expired';
  return warnDays.some((days) => left <= days * dayMs) ? 'expiring' : 'ok';
}
