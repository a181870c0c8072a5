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
});
