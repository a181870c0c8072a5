import fs from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from '@jest/globals';
import { exampleConfigs } from '../../../tools/testing/example-configs.js';
import { loadConsumerConfig } from './config.js';

const examples = exampleConfigs();
afterAll(() => examples.remove());
/** The consumer's own secrets only: a target's token stays on the checker's machine. */
const env = { SITEWATCH_PG_PASSWORD: 'pg-secret' };
const load = (file: string, environment: Record<string, string> = env) => loadConsumerConfig(examples.file(file), environment);

describe('consumer config', () => {
  it.each(['example.yaml', 'aiven.example.yaml'])('accepts config/%s, with defaults applied', (file) => {
    const { config } = load(file);
    expect(config.consumer).toMatchObject({ migrateOnStart: true, shutdownTimeoutMs: 45_000 });
    expect(config.consumer.groupId).toBe('sitewatch-writer');
  });

  it('resolves the Aiven files next to the config and keeps the database password secret', () => {
    const { config, secrets } = load('aiven.example.yaml');
    expect(config.postgres.ssl).toEqual({ mode: 'verify-full', caFile: examples.file('pg-ca.pem') });
    expect(config.kafka.tls).toMatchObject({ caFile: examples.file('ca.pem'), keyFile: examples.file('service.key') });
    expect(config.postgres.url).toContain(':pg-secret@');
    expect(secrets).toContain('pg-secret');
  });

  it("reads only its own sections: the producer's are not resolved, nor returned", () => {
    const { config } = load('aiven.example.yaml');
    expect(Object.keys(config).sort()).toEqual(['alerts', 'consumer', 'kafka', 'log', 'postgres']);
  });

  it('still needs its own secrets, and names the one missing', () => {
    const problems = [{ path: '/postgres/url', message: 'environment variable SITEWATCH_PG_PASSWORD is not set' }];
    expect(() => load('aiven.example.yaml', {})).toThrow(expect.objectContaining({ code: 'ERR_SERVICE_CONFIG', problems }));
  });

  it("scrubs a channel's credentials written inline: a Slack URL, a webhook's URL, secret and header values, an SMTP password", () => {
    const file = path.join(examples.dir, 'inline-channels.yaml');
    const channels = {
      chat: { type: 'slack', url: 'https://hooks.slack.test/services/T0/B0/slack-path-token' },
      ops: { type: 'webhook', url: 'https://ops.test/hook?token=query-token', secret: 'a-signing-secret-of-length', headers: { Authorization: 'Bearer header-token' } },
      mail: { type: 'email', host: 'smtp.test', username: 'alerts', password: 'smtp-password', from: 'a@b.test', to: ['c@d.test'] },
    };
    fs.writeFileSync(file, JSON.stringify({ kafka: { brokers: ['127.0.0.1:9092'], topic: 'checks' }, postgres: { url: 'postgres://u@127.0.0.1/db' }, alerts: { channels } }));
    expect(loadConsumerConfig(file, {}).secrets.sort()).toEqual(
      ['https://hooks.slack.test/services/T0/B0/slack-path-token', 'https://ops.test/hook?token=query-token', 'a-signing-secret-of-length', 'Bearer header-token', 'smtp-password'].sort(),
    );
  });

  it("scrubs the on-call and chat channels' credentials written inline: routing key, API key, webhook URLs, bot and access tokens", () => {
    const file = path.join(examples.dir, 'inline-oncall.yaml');
    const channels = {
      pd: { type: 'pagerduty', routingKey: 'R0123456789abcdef0123456789ABCDE' },
      og: { type: 'opsgenie', apiKey: '0b5d1c3e-7f2a-4e6b-9c8d-1a2b3c4d5e6f' },
      teams: { type: 'teams', url: 'https://prod-01.logic.azure.test/workflows/abc/triggers/manual/paths/invoke?sig=teams-sig' },
      discord: { type: 'discord', url: 'https://discord.test/api/webhooks/123/discord-token' },
      tg: { type: 'telegram', token: '123456:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw', chatId: -100123 },
      phone: { type: 'ntfy', url: 'https://ntfy.test/alerts_7f3a9c', token: 'tk_ntfy-token' },
    };
    fs.writeFileSync(file, JSON.stringify({ kafka: { brokers: ['127.0.0.1:9092'], topic: 'checks' }, postgres: { url: 'postgres://u@127.0.0.1/db' }, alerts: { channels } }));
    expect(loadConsumerConfig(file, {}).secrets.sort()).toEqual(
      [
        'R0123456789abcdef0123456789ABCDE',
        '0b5d1c3e-7f2a-4e6b-9c8d-1a2b3c4d5e6f',
        channels.teams.url,
        channels.discord.url,
        '123456:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw',
        channels.phone.url,
        'tk_ntfy-token',
      ].sort(),
    );
  });
});
