import { describe, expect, it } from '@jest/globals';
import { certificateNotices, type CertificateCheck, type CertificateState } from './certificates.js';

const day = 86_400_000;
const t0 = Date.parse('2026-12-01T00:00:00Z');
const warnDays = [30, 14, 7, 1];
const none: CertificateState = { notAfter: null, notice: null };

/** A check `daysBefore` days before a certificate expiring at `notAfter`. */
const check = (notAfter: number, daysBefore: number): CertificateCheck => ({ checkId: `c-${daysBefore}`, location: 'eu', at: notAfter - daysBefore * day, notAfter });

/** Runs the checks in order, returning the notices as `event threshold`. */
function run(checks: CertificateCheck[], state = none): { state: CertificateState; notices: string[] } {
  const notices: string[] = [];
  for (const c of checks) {
    const next = certificateNotices(state, c, warnDays);
    notices.push(...next.notices.map((n) => `${n.event} ${n.thresholdDays}`));
    state = next.state;
  }
  return { state, notices };
}

describe('certificate notices', () => {
  it('sends one notice per threshold as the certificate comes near, then one when it has expired', () => {
    const notAfter = t0 + 40 * day;
    const daily = Array.from({ length: 43 }, (_, i) => check(notAfter, 40 - i));
    expect(run(daily).notices).toEqual(['expiring 30', 'expiring 14', 'expiring 7', 'expiring 1', 'expired 0']);
  });

  it('sends only the tightest threshold crossed at once: 10 days left is the 14-day notice', () => {
    const notAfter = t0 + 10 * day;
    const result = certificateNotices(none, check(notAfter, 10), warnDays);
    expect(result.notices).toEqual([{ event: 'expiring', notAfter, thresholdDays: 14, daysLeft: 10, check: check(notAfter, 10) }]);
    expect(result.state).toEqual({ notAfter, notice: 14 });
    // Every later check of the same certificate inside the same threshold says nothing.
    expect(run([check(notAfter, 10), check(notAfter, 9.5), check(notAfter, 8)]).notices).toEqual(['expiring 14']);
  });

  it('starts over with a renewed certificate, and says it was renewed when the old one had a notice', () => {
    const old = t0 + 10 * day;
    const renewed = old + 90 * day;
    const { state } = run([check(old, 10)]);
    expect(run([{ ...check(renewed, 89), at: old - 9 * day }], state).notices).toEqual(['renewed 0']);
    // Later, the renewed one comes near: notices again, from the widest threshold.
    expect(run([check(renewed, 89), check(renewed, 29)], state).notices).toEqual(['renewed 0', 'expiring 30']);
  });

  it('says nothing of a renewal when the old certificate had no notice', () => {
    const old = t0 + 100 * day;
    const { state } = run([check(old, 100)]);
    expect(state).toEqual({ notAfter: old, notice: null });
    expect(run([check(old + 90 * day, 150)], state).notices).toEqual([]);
  });

  it('takes an older certificate seen again (a second server behind the name) as a certificate of its own', () => {
    const a = t0 + 5 * day;
    const b = t0 + 60 * day;
    const checks = [check(a, 5), { ...check(b, 55), at: t0 + 5 * day - 5 * day }, check(a, 4)];
    // a: the 7-day notice; b: renewed (a had one); a again: a new certificate for the state, its notice again
    // (the sink's key, target + notAfter + event + threshold, stops the repeat from being sent).
    expect(run(checks).notices).toEqual(['expiring 7', 'renewed 0', 'expiring 7']);
  });
});
