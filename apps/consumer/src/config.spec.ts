import { afterAll, describe, expect, it } from '@jest/globals';
import { loadConfig } from '@sitewatch/service';
import { exampleConfigs } from '../../../tools/testing/example-configs.js';
import { checkConsumerConfig, consumerConfigSchema, type ConsumerConfig } from './config.js';

const examples = exampleConfigs();
afterAll(() => examples.remove());
const env = { SITEWATCH_PG_PASSWORD: 'pg-secret', SITEWATCH_API_TOKEN: 'api-token' };
const load = (file: string) => loadConfig<ConsumerConfig>(examples.file(file), { schema: consumerConfigSchema, env, check: checkConsumerConfig });

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
});
