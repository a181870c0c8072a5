// A target's state and certificate from its locations' latest checks and the alerts' state.
import { describe, expect, it } from '@jest/globals';
import { certificateDaysLeft, certificateLevel } from './certificates.js';
import { stateColors } from './levels.js';
import type { LatestCheck } from './raw.js';
import { stateOf, targetNow } from './state.js';

const at = new Date('2026-03-10T12:00:00Z');
const check = (location: string, overrides: Partial<LatestCheck> = {}): LatestCheck => ({
  target: 't',
  location,
  checkedAt: at,
  outcome: 'up',
  reason: null,
  statusCode: 200,
  responseMs: 80,
  errorCode: null,
  errorMessage: null,
  tlsNotAfter: null,
  ...overrides,
});
const down = { outcome: 'down', reason: 'timeout' } as const;
const noAlerts = { openKind: null, degradedLocations: [], certificateNotAfter: null };

describe('stateOf', () => {
  it.each([
    [[], false, 'unknown'],
    [['up', 'up'], false, 'up'],
    [['up', 'degraded'], false, 'degraded'],
    [['up', 'up'], true, 'degraded'],
    [['down', 'degraded'], true, 'partial'],
    [['down', 'down'], true, 'down'],
  ] as const)('%j with a degraded incident open: %s is %s', (states, incident, state) => {
    expect(stateOf(states.map((s) => ({ state: s })), incident)).toBe(state);
  });
});

describe('targetNow', () => {
  it('takes a location as degraded only while its latest check is up: down outranks degraded', () => {
    const now = targetNow([check('us', down), check('eu'), check('ap')], { ...noAlerts, degradedLocations: ['eu', 'us'] });
    expect(now.locations.map((l) => [l.location, l.state])).toEqual([
      ['ap', 'up'],
      ['eu', 'degraded'],
      ['us', 'down'],
    ]);
    expect(now.state).toBe('partial');
  });

  it('is degraded with a degraded incident open, up with a down one open and every check up (recovering)', () => {
    expect(targetNow([check('eu')], { ...noAlerts, openKind: 'degraded' }).state).toBe('degraded');
    expect(targetNow([check('eu')], { ...noAlerts, openKind: 'down' }).state).toBe('up');
    expect(targetNow([check('eu')]).state).toBe('up');
  });

  it("takes the certificate of the latest https check, else the alerts' one, else none", () => {
    const older = new Date('2026-04-01T00:00:00Z');
    const newer = new Date('2026-06-01T00:00:00Z');
    const checks = [check('eu', { tlsNotAfter: older, checkedAt: new Date(at.getTime() - 1000) }), check('us', { tlsNotAfter: newer }), check('ap')];
    expect(targetNow(checks, { ...noAlerts, certificateNotAfter: older }).certificate).toEqual({ notAfter: newer, source: 'check' });
    expect(targetNow([check('ap')], { ...noAlerts, certificateNotAfter: older }).certificate).toEqual({ notAfter: older, source: 'alerts' });
    expect(targetNow([], { ...noAlerts, certificateNotAfter: older })).toEqual({ state: 'unknown', locations: [], certificate: { notAfter: older, source: 'alerts' } });
    expect(targetNow([check('ap')]).certificate).toBeNull();
  });
});

describe('certificates', () => {
  const day = 86_400_000;
  it.each([
    [40 * day, 40, 'ok'],
    [30 * day, 30, 'expiring'],
    [10 * day + 1, 10, 'expiring'],
    [day / 2, 0, 'expiring'],
    [0, 0, 'expired'],
    [-1, -1, 'expired'],
    [-day - 1, -2, 'expired'],
  ] as const)('expiring in %i ms: %i days left, %s', (left, days, level) => {
    const notAfter = new Date(at.getTime() + left);
    expect([certificateDaysLeft(notAfter, at), certificateLevel(notAfter, at, [30, 14, 7, 1])]).toEqual([days, level]);
  });

  it('is never expiring without warn days, but still expired', () => {
    expect([certificateLevel(new Date(at.getTime() + 1000), at, []), certificateLevel(at, at, [])]).toEqual(['ok', 'expired']);
  });
});

describe('state colours', () => {
  it('are a different colour for each state', () => {
    expect(new Set(Object.values(stateColors)).size).toBe(Object.keys(stateColors).length);
  });
});
