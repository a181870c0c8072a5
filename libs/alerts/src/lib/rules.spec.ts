import { describe, expect, it } from '@jest/globals';
import type postgres from 'postgres';
import { resolveAlertsOptions, type AlertsOptions } from './options.js';
import { createRules, globToRegExp, windowEnd } from './rules.js';

const rulesOf = (options: AlertsOptions) => createRules(resolveAlertsOptions({ sql: (() => undefined) as unknown as postgres.Sql, ...options }));
const slack = { type: 'slack', url: 'https://hooks.slack.test/x' } as const;

describe('rules', () => {
  it('matches target ids with globs: * any run of characters, ? one, nothing else special', () => {
    expect(['api-eu', 'api-', 'api/x', 'xapi-1'].map((id) => globToRegExp('api-*').test(id) || globToRegExp('api/?').test(id))).toEqual([true, true, true, false]);
    expect(globToRegExp('a.b+(c)').test('a.b+(c)')).toBe(true);
    expect(globToRegExp('a.b').test('axb')).toBe(false);
  });

  it('takes the first matching rule over the defaults, and every channel when none are named', () => {
    const rules = rulesOf({
      channels: { chat: slack, ops: { type: 'webhook', url: 'https://ops.test/' } },
      defaults: { failureThreshold: 4, remindEveryMs: 3_600_000 },
      rules: [
        { targets: ['api-*'], quorum: 2, channels: ['ops'] },
        { targets: ['api-eu', 'shop'], failureThreshold: 9 },
      ],
    });
    const base = { successThreshold: 2, slowThreshold: 3, paced: false, remindEveryMs: 3_600_000, certificateWarnDays: [30, 14, 7, 1] };
    expect(rules.ruleFor('api-eu')).toEqual({ ...base, failureThreshold: 4, quorum: 2, channels: ['ops'] });
    expect(rules.ruleFor('shop')).toEqual({ ...base, failureThreshold: 9, channels: ['chat', 'ops'] });
    expect(rules.ruleFor('blog')).toEqual({ ...base, failureThreshold: 4, channels: ['chat', 'ops'] });
  });

  it('takes the slow rules from the defaults or a rule, and certificate notices from alerts.certificates or a rule', () => {
    const rules = rulesOf({
      defaults: { slowMs: 2000 },
      certificates: { warnDays: [21, 7] },
      rules: [
        { targets: ['api-*'], slowFactor: 3, slowThreshold: 5, certificates: { warnDays: [60] } },
        { targets: ['legacy'], certificates: { enabled: false } },
      ],
    });
    expect(rules.ruleFor('api-eu')).toMatchObject({ slowMs: 2000, slowFactor: 3, slowThreshold: 5, certificateWarnDays: [60] });
    expect(rules.ruleFor('legacy')).toMatchObject({ slowMs: 2000, slowThreshold: 3, certificateWarnDays: [] });
    expect(rules.ruleFor('blog')).toMatchObject({ slowMs: 2000, certificateWarnDays: [21, 7] });
    expect(rules.ruleFor('blog').slowFactor).toBeUndefined();
  });
});

describe('maintenance windows', () => {
  const at = (iso: string) => Date.parse(iso);

  it('a one-off window holds from start (included) to end (excluded)', () => {
    const window = { start: '2026-11-27T10:00:00Z', end: '2026-11-27T11:00:00Z' };
    expect(windowEnd(window, at('2026-11-27T09:59:59Z'))).toBeUndefined();
    expect(windowEnd(window, at('2026-11-27T10:00:00Z'))).toBe(at('2026-11-27T11:00:00Z'));
    expect(windowEnd(window, at('2026-11-27T11:00:00Z'))).toBeUndefined();
  });

  it('a weekly window starts on its days at its local time, and may run past midnight', () => {
    // Sundays 23:30 in Paris (UTC+1 in November) for two hours: 22:30Z Sunday to 00:30Z Monday.
    const window = { every: ['sun'] as const, at: '23:30', durationMs: 7_200_000, timeZone: 'Europe/Paris' };
    expect(windowEnd(window, at('2026-11-29T22:29:00Z'))).toBeUndefined();
    expect(windowEnd(window, at('2026-11-29T22:30:00Z'))).toBe(at('2026-11-30T00:30:00Z'));
    expect(windowEnd(window, at('2026-11-30T00:15:00Z'))).toBe(at('2026-11-30T00:30:00Z'));
    expect(windowEnd(window, at('2026-11-30T00:30:00Z'))).toBeUndefined();
    expect(windowEnd(window, at('2026-11-28T22:45:00Z'))).toBeUndefined(); // a Saturday
  });

  it('lasts its length in elapsed time on the night the clock springs forward, in Paris and New York', () => {
    // Paris, 2026-03-29: 01:00 CET is 00:00Z; three hours later it is 05:00 CEST (03:00Z).
    const paris = { every: ['sun'] as const, at: '01:00', durationMs: 3 * 3_600_000, timeZone: 'Europe/Paris' };
    expect(windowEnd(paris, at('2026-03-28T23:59:59Z'))).toBeUndefined();
    expect([at('2026-03-29T00:00:00Z'), at('2026-03-29T01:30:00Z'), at('2026-03-29T02:30:00Z')].map((t) => windowEnd(paris, t))).toEqual(Array(3).fill(at('2026-03-29T03:00:00Z')));
    expect(windowEnd(paris, at('2026-03-29T03:00:00Z'))).toBeUndefined();
    // New York, 2026-03-08: 01:00 EST is 06:00Z; three hours later it is 05:00 EDT (09:00Z).
    const newYork = { ...paris, timeZone: 'America/New_York' };
    expect(windowEnd(newYork, at('2026-03-08T05:59:59Z'))).toBeUndefined();
    expect([at('2026-03-08T06:00:00Z'), at('2026-03-08T07:30:00Z'), at('2026-03-08T08:59:59Z')].map((t) => windowEnd(newYork, t))).toEqual(Array(3).fill(at('2026-03-08T09:00:00Z')));
    expect(windowEnd(newYork, at('2026-03-08T09:00:00Z'))).toBeUndefined();
  });

  it('lasts its length in elapsed time on the night the clock falls back, in Paris and New York', () => {
    // Paris, 2026-10-25: 01:00 CEST is 23:00Z the day before; three hours later it is 03:00 CET (02:00Z).
    const paris = { every: ['sun'] as const, at: '01:00', durationMs: 3 * 3_600_000, timeZone: 'Europe/Paris' };
    expect(windowEnd(paris, at('2026-10-24T22:59:59Z'))).toBeUndefined();
    expect([at('2026-10-24T23:00:00Z'), at('2026-10-25T01:30:00Z')].map((t) => windowEnd(paris, t))).toEqual(Array(2).fill(at('2026-10-25T02:00:00Z')));
    expect(windowEnd(paris, at('2026-10-25T02:00:00Z'))).toBeUndefined(); // 03:00 CET: by the clock, two hours in
    // New York, 2026-11-01: 00:30 EDT is 04:30Z; three hours later it is 02:30 EST (07:30Z).
    const newYork = { ...paris, at: '00:30', timeZone: 'America/New_York' };
    expect(windowEnd(newYork, at('2026-11-01T04:29:59Z'))).toBeUndefined();
    expect([at('2026-11-01T04:30:00Z'), at('2026-11-01T06:30:00Z'), at('2026-11-01T07:29:59Z')].map((t) => windowEnd(newYork, t))).toEqual(Array(3).fill(at('2026-11-01T07:30:00Z')));
    expect(windowEnd(newYork, at('2026-11-01T07:30:00Z'))).toBeUndefined();
  });

  it('starts a window set in the skipped hour when the clock shows it moved forward by the gap', () => {
    // 02:30 does not exist in Paris on 2026-03-29: the window starts at 03:30 CEST (01:30Z).
    const window = { every: ['sun'] as const, at: '02:30', durationMs: 3_600_000, timeZone: 'Europe/Paris' };
    expect(windowEnd(window, at('2026-03-29T01:29:59Z'))).toBeUndefined();
    expect(windowEnd(window, at('2026-03-29T01:30:00Z'))).toBe(at('2026-03-29T02:30:00Z'));
    expect(windowEnd(window, at('2026-03-29T02:30:00Z'))).toBeUndefined();
    // A week later, 02:30 CEST as usual.
    expect(windowEnd(window, at('2026-04-05T00:30:00Z'))).toBe(at('2026-04-05T01:30:00Z'));
  });

  it('starts a window set in the repeated hour at the first of the two, once', () => {
    // 02:30 comes twice in Paris on 2026-10-25: 00:30Z (CEST), then 01:30Z (CET).
    const window = { every: ['sun'] as const, at: '02:30', durationMs: 3_600_000, timeZone: 'Europe/Paris' };
    expect(windowEnd(window, at('2026-10-25T00:29:59Z'))).toBeUndefined();
    expect(windowEnd(window, at('2026-10-25T00:30:00Z'))).toBe(at('2026-10-25T01:30:00Z'));
    expect(windowEnd(window, at('2026-10-25T01:30:00Z'))).toBeUndefined();
    // 01:30 comes twice in New York on 2026-11-01: 05:30Z (EDT), then 06:30Z (EST).
    const newYork = { ...window, at: '01:30', timeZone: 'America/New_York' };
    expect(windowEnd(newYork, at('2026-11-01T05:30:00Z'))).toBe(at('2026-11-01T06:30:00Z'));
    expect(windowEnd(newYork, at('2026-11-01T06:30:00Z'))).toBeUndefined();
  });

  it('runs past midnight into a changed clock, and a day long from two calendar days back', () => {
    // Saturday 23:00 CET (22:00Z) for four hours: to 02:00Z, which Sunday's clock shows as 04:00 CEST.
    const night = { every: ['sat'] as const, at: '23:00', durationMs: 4 * 3_600_000, timeZone: 'Europe/Paris' };
    expect(windowEnd(night, at('2026-03-29T01:30:00Z'))).toBe(at('2026-03-29T02:00:00Z'));
    expect(windowEnd(night, at('2026-03-29T02:00:00Z'))).toBeUndefined();
    // Saturday 23:30 CET for a day: Sunday has 23 hours, so it ends on Monday at 00:30 CEST.
    const day = { ...night, at: '23:30', durationMs: 86_400_000 };
    expect(windowEnd(day, at('2026-03-29T22:15:00Z'))).toBe(at('2026-03-29T22:30:00Z'));
    expect(windowEnd(day, at('2026-03-29T22:30:00Z'))).toBeUndefined();
  });

  it('runs weekly windows that touch into one: on the night the clock springs forward, and not on others', () => {
    // Sundays 01:00 for three hours, then 05:00 for one. Elapsed time makes the first end at
    // 05:00 CEST on 2026-03-29, when the second starts; on other Sundays it ends at 04:00.
    const rules = rulesOf({
      maintenance: [
        { every: ['sun'], at: '01:00', durationMs: 3 * 3_600_000, timeZone: 'Europe/Paris' },
        { every: ['sun'], at: '05:00', durationMs: 3_600_000, timeZone: 'Europe/Paris' },
      ],
    });
    expect([at('2026-03-29T00:30:00Z'), at('2026-03-29T01:30:00Z')].map((t) => rules.maintenanceEnd('web', t))).toEqual(Array(2).fill(at('2026-03-29T04:00:00Z')));
    expect(rules.maintenanceEnd('web', at('2026-04-05T00:30:00Z'))).toBe(at('2026-04-05T02:00:00Z'));
    expect(rules.maintenanceEnd('web', at('2026-04-05T02:30:00Z'))).toBeUndefined();
  });

  it('applies only to the targets it names, and runs windows that touch into one', () => {
    const rules = rulesOf({
      maintenance: [
        { targets: ['db-*'], start: '2026-11-27T10:00:00Z', end: '2026-11-27T11:00:00Z' },
        { start: '2026-11-27T11:00:00Z', end: '2026-11-27T12:00:00Z' },
      ],
    });
    expect(rules.maintenanceEnd('db-main', at('2026-11-27T10:30:00Z'))).toBe(at('2026-11-27T12:00:00Z'));
    expect(rules.maintenanceEnd('web', at('2026-11-27T10:30:00Z'))).toBeUndefined();
    expect(rules.maintenanceEnd('web', at('2026-11-27T11:30:00Z'))).toBe(at('2026-11-27T12:00:00Z'));
  });
});
