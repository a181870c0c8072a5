import fs from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from '@jest/globals';
import { exampleConfigs } from '../../../tools/testing/example-configs.js';
import { formatReport } from './commands.js';
import { loadAlertsCommandConfig } from './config.js';

const examples = exampleConfigs();
afterAll(() => examples.remove());
const write = (name: string, content: unknown) => {
  const file = path.join(examples.dir, name);
  fs.writeFileSync(file, JSON.stringify(content));
  return file;
};

const kafka = { brokers: ['127.0.0.1:9092'], topic: 'checks' };
const channels = { pd: { type: 'pagerduty', routingKey: '${env:PD_KEY}' }, chat: { type: 'discord', url: 'https://discord.test/api/webhooks/1/discord-token-of-some-length' } };

describe('the config file', () => {
  it('test reads the channels, not the database: its references need not resolve here', () => {
    const file = write('test.yaml', { kafka, postgres: { url: 'postgres://writer:${env:PG_PASSWORD}@db.test/monitor' }, alerts: { channels } });
    const { config, secrets } = loadAlertsCommandConfig(file, 'test', { PD_KEY: 'R0123456789abcdef0123456789ABCDE' });
    expect(config.alerts.channels?.pd).toEqual({ type: 'pagerduty', routingKey: 'R0123456789abcdef0123456789ABCDE' });
    expect(config.postgres).toBeUndefined();
    expect(secrets.sort()).toEqual(['R0123456789abcdef0123456789ABCDE', channels.chat.url].sort());
  });

  it('list needs the postgres section, and checks the channels by the same rules as the consumer', () => {
    const file = write('list.yaml', { kafka, alerts: { channels: { pd: { type: 'pagerduty', routingKey: 'short' } }, defaults: { channels: ['pager'] } } });
    expect(() => loadAlertsCommandConfig(file, 'list', {})).toThrow(expect.objectContaining({ code: 'ERR_SERVICE_CONFIG', problems: [{ path: '/postgres', message: 'is required' }, { path: '/alerts/channels/pd/routingKey', message: 'must match pattern "^[A-Za-z0-9]{32}$"' }] }));
    const { config } = loadAlertsCommandConfig(write('list-ok.yaml', { kafka, postgres: { url: 'postgres://u@db.test/monitor', schema: 'watch' } }), 'list', {});
    expect(config.postgres).toMatchObject({ url: 'postgres://u@db.test/monitor', schema: 'watch' });
  });
});

describe('the list', () => {
  it('says each part with its count, and each item on a line', () => {
    const at = new Date('2026-11-27T10:03:00Z');
    const text = formatReport({
      openIncidents: [{ id: 42, target: 'shop', kind: 'down', openedAt: at, reason: 'timeout', locations: ['eu-west', 'us-east'], notified: true }],
      pending: [{ channel: 'pd', kind: 'down', target: 'shop', incident: 42, attempts: 3, createdAt: at, nextAttemptAt: new Date('2026-11-27T10:05:00Z'), failedAt: null, refused: false, lastError: 'pagerduty pd: answered HTTP 503' }],
      failed: [{ channel: 'chat', kind: 'certificate_expiring', target: 'shop', incident: null, attempts: 1, createdAt: at, nextAttemptAt: at, failedAt: new Date('2026-11-27T10:04:00Z'), refused: true, lastError: 'discord chat: answered HTTP 401: Invalid Webhook Token' }],
      lastErrors: [{ channel: 'chat', at: new Date('2026-11-27T10:04:00Z'), error: 'discord chat: answered HTTP 401: Invalid Webhook Token' }],
    });
    expect(text).toBe(
      [
        'open incidents: 1',
        '  42 shop down since 2026-11-27 10:03:00 UTC: timeout (eu-west, us-east)',
        'pending deliveries: 1',
        '  pd down shop incident 42, 3 attempt(s), next 2026-11-27 10:05:00 UTC: pagerduty pd: answered HTTP 503',
        'failed deliveries: 1',
        '  chat certificate_expiring shop, 1 attempt(s), refused 2026-11-27 10:04:00 UTC: discord chat: answered HTTP 401: Invalid Webhook Token',
        'last error per channel: 1',
        '  chat 2026-11-27 10:04:00 UTC: discord chat: answered HTTP 401: Invalid Webhook Token',
      ].join('\n'),
    );
  });
});
