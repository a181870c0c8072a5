import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from '@jest/globals';
import { exampleConfigs } from '../../../../tools/testing/example-configs.js';
import { loadAllConfig } from './config.js';

const examples = exampleConfigs();
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sitewatch-all-config-'));
afterAll(() => {
  examples.remove();
  fs.rmSync(dir, { recursive: true, force: true });
});

describe('sitewatch all config', () => {
  it('reads config/example.yaml as the three services and the all section, defaults applied', () => {
    const { config } = loadAllConfig(examples.file('example.yaml'), {});
    expect(config.all).toEqual({ metrics: { port: 9465, host: '127.0.0.1' }, drainTimeoutMs: 15_000, shutdownTimeoutMs: 60_000 });
    expect(config.producer.checker.location).toBe('local');
    expect(config.consumer.postgres.url).toBe('postgres://postgres@127.0.0.1:5432/postgres');
    expect(config.status.status.listen).toEqual({ port: 8080, host: '127.0.0.1' });
  });

  it("lists the problems of every service's sections and of its own in one error, each once", () => {
    const file = path.join(dir, 'bad.yaml');
    const config = {
      log: { level: 'loud' },
      kafka: { brokers: ['127.0.0.1:19092'], topic: 't' },
      checker: { targets: [{ id: 'a', url: 'https://a.test/' }] },
      postgres: { url: 'postgres://postgres@127.0.0.1/postgres' },
      consumer: { groupId: '' },
      status: { publish: 'everything' },
      all: { drainTimeoutMs: -1 },
    };
    fs.writeFileSync(file, JSON.stringify(config));
    expect(() => loadAllConfig(file, {})).toThrow(
      expect.objectContaining({
        code: 'ERR_SERVICE_CONFIG',
        problems: [
          { path: '/log/level', message: 'must be one of: fatal, error, warn, info, debug, trace, silent' },
          { path: '/consumer/groupId', message: 'must NOT have fewer than 1 characters' },
          { path: '/status/publish', message: 'must be one of: listed, all' },
          { path: '/all/drainTimeoutMs', message: 'must be >= 0' },
        ],
      }),
    );
  });
});
