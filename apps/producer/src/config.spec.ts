import { afterAll, describe, expect, it } from '@jest/globals';
import { loadConfig } from '@sitewatch/service';
import { exampleConfigs } from '../../../tools/testing/example-configs.js';
import { checkProducerConfig, producerConfigSchema, producerTargets, type ProducerConfig } from './config.js';

const examples = exampleConfigs();
afterAll(() => examples.remove());
const env = { SITEWATCH_PG_PASSWORD: 'pg-secret', SITEWATCH_API_TOKEN: 'api-token' };
const load = (file: string) => loadConfig<ProducerConfig>(examples.file(file), { schema: producerConfigSchema, env, check: checkProducerConfig });

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

  it('reports what only compiling the targets can find, by JSON Pointer', () => {
    const config = {
      kafka: { brokers: ['b:1'], topic: 'results' },
      checker: {
        defaults: { intervalMs: 5000 },
        targets: [
          { id: 'a', url: 'https://a.test/', mustMatch: '(unclosed' },
          { id: 'a', url: 'https://b.test/', timeoutMs: 9000 },
        ],
      },
      producer: {},
    } as unknown as ProducerConfig;
    expect(checkProducerConfig(config)).toEqual([
      { path: '/checker/targets/0/mustMatch', message: expect.stringContaining('missing closing )') },
      { path: '/checker/targets/1/timeoutMs', message: expect.stringMatching(/interval/) },
      { path: '/checker/targets/1/id', message: 'duplicates the id of target 0' },
    ]);
  });

  it('reports a checker.caFile it cannot read as a config problem, not a failed start', () => {
    const config = { kafka: { brokers: ['b:1'], topic: 'results' }, checker: { caFile: examples.file('none.pem'), targets: [{ id: 'a', url: 'https://a.test/' }] }, producer: {} };
    expect(checkProducerConfig(config as unknown as ProducerConfig)).toEqual([{ path: '/checker/caFile', message: `cannot read ${examples.file('none.pem')} (ENOENT)` }]);
  });

  it('is a config error when the file is missing', () => {
    expect(() => loadConfig(examples.file('missing.yaml'), { schema: producerConfigSchema, env })).toThrow(
      expect.objectContaining({ code: 'ERR_SERVICE_CONFIG', problems: [{ path: '', message: 'cannot read the config file (ENOENT)' }] }),
    );
  });
});
