import path from 'node:path';
import { describe, expect, it } from '@jest/globals';
import { loadConfig } from '@sitewatch/service';
import { consumerConfigSchema, type ConsumerConfig } from './config.js';

const configDir = path.resolve(import.meta.dirname, '../../../config');
const env = { SITEWATCH_PG_PASSWORD: 'pg-secret', SITEWATCH_API_TOKEN: 'api-token' };
const load = (file: string) => loadConfig<ConsumerConfig>(path.join(configDir, file), { schema: consumerConfigSchema, env });

describe('consumer config', () => {
  it.each(['example.yaml', 'aiven.example.yaml'])('accepts config/%s, with defaults applied', (file) => {
    const { config } = load(file);
    expect(config.consumer).toMatchObject({ migrateOnStart: true, shutdownTimeoutMs: 45_000 });
    expect(config.consumer.groupId).toBe('sitewatch-writer');
  });

  it('resolves the Aiven files next to the config and keeps the database password secret', () => {
    const { config, secrets } = load('aiven.example.yaml');
    expect(config.postgres.ssl).toEqual({ mode: 'verify-full', caFile: path.join(configDir, 'pg-ca.pem') });
    expect(config.kafka.tls).toMatchObject({ caFile: path.join(configDir, 'ca.pem'), keyFile: path.join(configDir, 'service.key') });
    expect(config.postgres.url).toContain(':pg-secret@');
    expect(secrets).toContain('pg-secret');
  });
});
