import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from '@jest/globals';
import { isSitewatchError } from '@sitewatch/schema';
import type postgres from 'postgres';
import { alertsErrorCodes } from './errors.js';
import { checkAlertsOptions, resolveAlertsOptions, type AlertsOptions } from './options.js';

const sql = (() => undefined) as unknown as postgres.Sql;
const problems = (options: AlertsOptions) => checkAlertsOptions(options);

describe('alerts options', () => {
  it('fills in the defaults: thresholds 3 and 2, majority quorum, no reminders, every channel, the notifier on', () => {
    const resolved = resolveAlertsOptions({ sql });
    expect(resolved).toMatchObject({
      enabled: true,
      defaults: { failureThreshold: 3, successThreshold: 2 },
      rules: [],
      maintenance: [],
      channels: {},
      notifier: { enabled: true, pollIntervalMs: 1000, sendTimeoutMs: 10_000, retry: { initialMs: 1000, maxMs: 300_000 }, giveUpAfterMs: 86_400_000 },
      schema: 'sitewatch',
    });
    expect(resolved.defaults.quorum).toBeUndefined();
    expect(resolved.defaults.remindEveryMs).toBeUndefined();
  });

  it('reports each mistake inside the channel kind it names, by JSON Pointer', () => {
    expect(problems({ channels: { ops: { type: 'webhook' } as never, chat: { type: 'slack', url: 'ftp://x' }, mail: { type: 'email', host: 'smtp', from: 'a@b', to: [], password: 'p' } as never } })).toEqual([
      { path: '/channels/mail/password', message: 'needs username' },
      { path: '/channels/ops/url', message: 'is required' },
      { path: '/channels/chat/url', message: 'must match pattern "^https?://"' },
      { path: '/channels/mail/to', message: 'must NOT have fewer than 1 items' },
    ]);
    expect(problems({ channels: { Bad: { type: 'slack', url: 'https://hooks.slack.test/x' } } })).toEqual([{ path: '/channels/Bad', message: expect.stringMatching(/^name must match pattern/) }]);
    expect(problems({ channels: { x: { type: 'pager', url: 'https://x' } as never } })).toEqual([{ path: '/channels/x/type', message: 'must be one of: webhook, slack, email' }]);
  });

  it('reports what the schema cannot say: unknown channels, windows that cannot be, an unknown time zone, an unreadable CA', () => {
    const slack = { type: 'slack', url: 'https://hooks.slack.test/x' } as const;
    expect(
      problems({
        channels: { chat: slack, mail: { type: 'email', host: 'smtp', from: 'a@b', to: ['c@d'], caFile: '/nonexistent/ca.pem' } },
        defaults: { channels: ['chat', 'pager'] },
        rules: [{ targets: ['api-*'], channels: ['nope'] }],
        maintenance: [
          { start: '2026-11-27T10:00:00Z', end: '2026-11-27T09:00:00Z' },
          { every: ['mon'], at: '02:00', durationMs: 3_600_000, timeZone: 'Mars/Olympus' },
          { targets: ['x'] },
        ],
      }),
    ).toEqual([
      { path: '/defaults/channels/1', message: 'names no channel of /channels (chat, mail)' },
      { path: '/rules/0/channels/0', message: 'names no channel of /channels (chat, mail)' },
      { path: '/maintenance/0/end', message: 'must be after start' },
      { path: '/maintenance/1/timeZone', message: 'is not a time zone this runtime knows (e.g. Europe/Paris)' },
      { path: '/maintenance/2', message: 'needs start and end, or every, at and durationMs' },
      { path: '/channels/mail/caFile', message: 'cannot read /nonexistent/ca.pem (ENOENT)' },
    ]);
    expect(problems({ maintenance: [{ start: '2026-11-27T10:00:00Z', every: ['mon'] }] })).toEqual([
      { path: '/maintenance/0/start', message: 'needs end, and no every, at or durationMs' },
      { path: '/maintenance/0/every', message: 'needs at and durationMs, and no end' },
    ]);
  });

  it("reads an email channel's CA file at once and refuses one that is not PEM, without its content", () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'alerts-options-'));
    const notPem = path.join(dir, 'ca.pem');
    fs.writeFileSync(notPem, 'smtp-password-by-mistake');
    try {
      expect(problems({ channels: { mail: { type: 'email', host: 'smtp', from: 'a@b', to: ['c@d'], caFile: notPem } } })).toEqual([
        { path: '/channels/mail/caFile', message: `${notPem} is not PEM (no "-----BEGIN" line)` },
      ]);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('throws a coded error listing every problem, and wants a client', () => {
    const refusal = (options: AlertsOptions) => {
      try {
        resolveAlertsOptions(options);
      } catch (error) {
        return error;
      }
      throw new Error('expected a refusal');
    };
    const error = refusal({ sql, defaults: { failureThreshold: 0 } });
    expect(isSitewatchError(error, alertsErrorCodes) && error.code).toBe('ERR_ALERTS_INVALID_OPTIONS');
    expect(error).toMatchObject({ problems: [{ path: '/defaults/failureThreshold', message: 'must be >= 1' }] });
    expect(refusal({})).toMatchObject({ problems: [{ path: '/sql', message: expect.stringContaining('is required') }] });
  });

  it('uses its own prefix for every error code', () => {
    for (const code of alertsErrorCodes) expect(code).toMatch(/^ERR_ALERTS_[A-Z_]+$/);
  });
});
