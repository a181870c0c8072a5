// Certificate notices, as a pure function: what a target's latest https check says of its
// certificate, against what was last seen and noticed, gives the notices due and what to
// remember. One notice as the certificate comes within each warnDays threshold (only the
// tightest when several are crossed at once: a certificate first seen 10 days from expiry
// gets the 14-day notice, not the 30-day one too), one when it has expired, and one when a
// renewed certificate replaces one that had a notice. A new certificate starts over.

/** What is remembered of a target's certificate. */
export interface CertificateState {
  /** The notAfter of the certificate of its latest https check, ms (null: none seen). */
  notAfter: number | null;
  /** The tightest notice sent about that certificate: its threshold in days, 0 once expired, null for none. */
  notice: number | null;
}

/** The latest https check of a target in a batch. */
export interface CertificateCheck {
  checkId: string;
  location: string;
  /** When it started, ms. */
  at: number;
  /** Its certificate's notAfter, ms. */
  notAfter: number;
}

/** A notice to send (once: the caller keys it by target, notAfter, event and threshold). */
export interface CertificateNotice {
  event: 'expiring' | 'expired' | 'renewed';
  /** The certificate it is about, ms. */
  notAfter: number;
  /** The threshold crossed (expiring), else 0. */
  thresholdDays: number;
  /** Days from the check to expiry (negative once expired), whole days rounded down. */
  daysLeft: number;
  /** The certificate it replaces (renewed only), ms. */
  previousNotAfter?: number;
  check: CertificateCheck;
}

const dayMs = 86_400_000;

/** The tightest notice level a certificate is at: 0 expired, else the smallest threshold it is within, else null. */
function levelOf(check: CertificateCheck, warnDays: readonly number[]): number | null {
  const left = check.notAfter - check.at;
  if (left <= 0) return 0;
  const within = warnDays.filter((days) => left <= days * dayMs);
  return within.length === 0 ? null : Math.min(...within);
}

/** The notices `check` calls for against `state`, and the state to remember. */
export function certificateNotices(state: CertificateState, check: CertificateCheck, warnDays: readonly number[]): { state: CertificateState; notices: CertificateNotice[] } {
  const notices: CertificateNotice[] = [];
  const daysLeft = Math.floor((check.notAfter - check.at) / dayMs);
  const renewed = state.notAfter !== null && check.notAfter > state.notAfter;
  if (renewed && state.notice !== null) notices.push({ event: 'renewed', notAfter: check.notAfter, thresholdDays: 0, daysLeft, previousNotAfter: state.notAfter!, check });
  const known = state.notAfter === check.notAfter ? state.notice : null;
  const level = levelOf(check, warnDays);
  if (level !== null && (known === null || level < known)) {
    notices.push(level === 0 ? { event: 'expired', notAfter: check.notAfter, thresholdDays: 0, daysLeft, check } : { event: 'expiring', notAfter: check.notAfter, thresholdDays: level, daysLeft, check });
  }
  const notice = level !== null && (known === null || level < known) ? level : known;
  return { state: { notAfter: check.notAfter, notice }, notices };
}
