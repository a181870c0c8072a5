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
    expect(rules.ruleFor('api-eu')).toEqual({ failureThreshold: 4, successThreshold: 2, quorum: 2, remindEveryMs: 3_600_000, channels: ['ops'] });
    expect(rules.ruleFor('shop')).toEqual({ failureThreshold: 9, successThreshold: 2, remindEveryMs: 3_600_000, channels: ['chat', 'ops'] });
    expect(rules.ruleFor('blog')).toEqual({ failureThreshold: 4, successThreshold: 2, remindEveryMs: 3_600_000, channels: ['chat', 'ops'] });
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
