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
    expect(problems({ channels: { x: { type: 'pager', url: 'https://x' } as never } })).toEqual([{ path: '/channels/x/type', message: 'must be one of: webhook, slack, email, pagerduty, opsgenie, teams, discord, telegram, ntfy' }]);
  });

  it('checks the on-call and chat channels by the forms their services give: keys, tokens, chats, topics, timeouts', () => {
    const good = {
      pd: { type: 'pagerduty', routingKey: 'R0123456789abcdef0123456789ABCDE', timeoutMs: 5000 },
      og: { type: 'opsgenie', apiKey: '0b5d1c3e-7f2a-4e6b-9c8d-1a2b3c4d5e6f', region: 'eu', tags: ['web'] },
      teams: { type: 'teams', url: 'https://prod-01.westeurope.logic.azure.com/workflows/abc/triggers/manual/paths/invoke?sig=xyz' },
      discord: { type: 'discord', url: 'https://discord.com/api/webhooks/123/abc', username: 'sitewatch' },
      tg: { type: 'telegram', token: '123456:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw', chatId: -1001234567890, messageThreadId: 7 },
      'tg-channel': { type: 'telegram', token: '123456:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw', chatId: '@sitewatch_ops' },
      phone: { type: 'ntfy', url: 'https://ntfy.sh/sitewatch_alerts-7f3a', token: 'tk_abcdef', priority: 4 },
    } as const;
    expect(problems({ channels: good })).toEqual([]);
    expect(
      problems({
        channels: {
          pd: { type: 'pagerduty', routingKey: 'short', timeoutMs: 50 },
          og: { type: 'opsgenie', apiKey: '0b5d1c3e-7f2a-4e6b-9c8d-1a2b3c4d5e6f', region: 'asia' },
          tg: { type: 'telegram', token: 'not-a-token', chatId: 'ops' },
          phone: { type: 'ntfy', url: 'https://ntfy.sh/', priority: 6 },
          discord: { type: 'discord', url: 'https://discord.com/api/webhooks/123/abc', avatar: 'x' },
        } as never,
      }),
    ).toEqual([
      { path: '/channels/pd/routingKey', message: 'must match pattern "^[A-Za-z0-9]{32}$"' },
      { path: '/channels/pd/timeoutMs', message: 'must be >= 100' },
      { path: '/channels/og/region', message: 'must be one of: us, eu' },
      { path: '/channels/tg/token', message: 'must match pattern "^[0-9]+:[A-Za-z0-9_-]{20,}$"' },
      { path: '/channels/tg/chatId', message: 'must match pattern "^(-?[0-9]+|@[A-Za-z0-9_]{4,})$"' },
      { path: '/channels/phone/url', message: 'must match pattern "^https?://[^/]+/([^?#]*/)?[-_A-Za-z0-9]{1,64}$"' },
      { path: '/channels/phone/priority', message: 'must be <= 5' },
      { path: '/channels/discord/avatar', message: 'is not a known setting' },
    ]);
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
