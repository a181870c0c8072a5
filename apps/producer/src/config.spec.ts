import path from 'node:path';
import { describe, expect, it } from '@jest/globals';
import { ConfigError, loadConfig } from '@sitewatch/service';
import { checkProducerConfig, producerConfigSchema, producerTargets, type ProducerConfig } from './config.js';

const configDir = path.resolve(import.meta.dirname, '../../../config');
const env = { SITEWATCH_PG_PASSWORD: 'pg-secret', SITEWATCH_API_TOKEN: 'api-token' };
const load = (file: string) => loadConfig<ProducerConfig>(path.join(configDir, file), { schema: producerConfigSchema, env, check: checkProducerConfig });

describe('producer config', () => {
  it.each(['example.yaml', 'aiven.example.yaml'])('accepts config/%s, with defaults applied', (file) => {
    const { config } = load(file);
    expect(config.producer.shutdownTimeoutMs).toBe(25_000);
    expect(producerTargets(config).every((t) => t.timeoutMs <= t.intervalMs)).toBe(true);
  });

  it('takes secrets from the environment and reports them for scrubbing', () => {
    const { config, secrets } = load('aiven.example.yaml');
    expect(config.checker.targets[1]!.headers!.authorization).toBe('Bearer api-token');
    expect(secrets).toEqual(expect.arrayContaining(['api-token', 'pg-secret']));
  });

  it('reports what only compiling the targets can find, by path', () => {
    const config = {
      checker: {
        defaults: { intervalMs: 5000 },
        targets: [
          { id: 'a', url: 'https://a.test/', mustMatch: '(unclosed' },
          { id: 'a', url: 'https://b.test/', timeoutMs: 9000 },
        ],
      },
    } as unknown as ProducerConfig;
    expect(checkProducerConfig(config)).toEqual([
      { path: 'checker.targets[0].mustMatch', message: expect.stringContaining('missing closing )') },
      { path: 'checker.targets[1].timeoutMs', message: expect.stringMatching(/interval/) },
      { path: 'checker.targets[1].id', message: 'duplicates the id of /targets/0' },
    ]);
  });

  it('is a ConfigError when the file is wrong', () => {
    expect(() => loadConfig(path.join(configDir, 'missing.yaml'), { schema: producerConfigSchema, env })).toThrow(ConfigError);
  });
});
