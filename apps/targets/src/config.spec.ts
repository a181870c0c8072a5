import fs from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from '@jest/globals';
import { compileTarget } from '@sitewatch/checker';
import { decodeTarget, encodeTarget, type Target } from '@sitewatch/schema';
import { exampleConfigs } from '../../../tools/testing/example-configs.js';
import { loadTargetsConfig, loadTargetsFile, registryOptions } from './config.js';

const examples = exampleConfigs();
afterAll(() => examples.remove());
const write = (name: string, content: unknown) => {
  const file = path.join(examples.dir, name);
  fs.writeFileSync(file, typeof content === 'string' ? content : JSON.stringify(content));
  return file;
};

describe('the config file', () => {
  it("reads the connection and the registry from a fleet's config (config/fleet.example.yaml)", () => {
    const { config } = loadTargetsConfig(examples.file('fleet.example.yaml'), {});
    expect(registryOptions(config)).toMatchObject({ topic: 'sitewatch.targets', createTopic: { partitions: 12, replicationFactor: 1 }, connection: { brokers: ['127.0.0.1:19092'] } });
  });

  it('needs checker.registry, and checks it by the registry rules', () => {
    expect(() => loadTargetsConfig(examples.file('example.yaml'), {})).toThrow(expect.objectContaining({ problems: [{ path: '/checker/registry', message: 'is required' }] }));
    const file = write('bad-registry.yaml', { kafka: { brokers: ['b:1'], topic: 'results' }, checker: { registry: { sessionTimeoutMs: 6000, heartbeatIntervalMs: 3000 } } });
    expect(() => loadTargetsConfig(file, {})).toThrow(expect.objectContaining({ problems: [{ path: '/checker/registry/heartbeatIntervalMs', message: expect.stringMatching(/third/) }] }));
  });
});

describe('the targets file', () => {
  it('gives every target with its settings in full, defaults applied, and the secrets it resolved', () => {
    const { targets, secrets } = loadTargetsFile(examples.file('targets.example.yaml'), {});
    expect(targets.map((t) => [t.id, t.intervalMs, t.timeoutMs, t.method])).toEqual([
      ['example-com', 30_000, 10_000, 'GET'],
      ['iana-org', 30_000, 10_000, 'GET'],
      ['wikipedia', 30_000, 10_000, 'GET'],
    ]);
    expect(secrets).toEqual([]);
    const withSecret = write('secret.yaml', { targets: [{ id: 'api', url: 'https://api.test/', headers: { authorization: 'Bearer ${env:API_TOKEN}' } }] });
    expect(loadTargetsFile(withSecret, { API_TOKEN: 'token-1234' })).toMatchObject({ targets: [{ headers: { authorization: 'Bearer token-1234' } }], secrets: expect.arrayContaining(['token-1234', 'Bearer token-1234']) });
  });

  it('lists every problem by JSON Pointer into the file, the compile rules too', () => {
    const file = write('bad-targets.yaml', {
      defaults: { timeoutMs: 5 },
      targets: [{ id: 'a', url: 'ftp://a.test/' }, { id: 'b', url: 'https://b.test/', mustMatch: '(unclosed' }, { id: 'b', url: 'https://c.test/' }],
      extra: true,
    });
    expect(() => loadTargetsFile(file, {})).toThrow(
      expect.objectContaining({
        code: 'ERR_SERVICE_CONFIG',
        message: expect.stringMatching(/^invalid targets file /),
        problems: [
          { path: '/extra', message: 'is not a known setting' },
          { path: '/defaults/timeoutMs', message: 'must be >= 10' },
          { path: '/targets/0/url', message: 'must match pattern "^https?://"' },
        ],
      }),
    );
    const compileOnly = write('compile.yaml', { targets: [{ id: 'b', url: 'https://b.test/', mustMatch: '(unclosed' }, { id: 'b', url: 'https://c.test/' }] });
    expect(() => loadTargetsFile(compileOnly, {})).toThrow(
      expect.objectContaining({
        problems: [
          { path: '/targets/0/mustMatch', message: expect.stringMatching(/RE2/) },
          { path: '/targets/1/id', message: 'duplicates the id of target 0' },
        ],
      }),
    );
  });

  it('takes conditions on the answer, and writes records a checker reads back as the same targets', () => {
    const json = [
      { pointer: '/status', equals: 'UP' },
      { pointer: '/checks/db/latencyMs', below: 500 },
      { pointer: '/region', oneOf: ['eu', 'us'] },
    ];
    const file = write('conditions.yaml', {
      defaults: { responseHeaders: [{ name: 'content-type', matches: '^application/json' }] },
      targets: [{ id: 'api', url: 'https://api.test/health', json }, { id: 'site', url: 'https://site.test/' }],
    });
    const { targets } = loadTargetsFile(file, {});
    expect(targets.map((t) => [t.id, t.json, t.responseHeaders])).toEqual([
      ['api', json, [{ name: 'content-type', matches: '^application/json' }]],
      ['site', undefined, [{ name: 'content-type', matches: '^application/json' }]],
    ]);
    // What apply writes (every setting, as JSON), and what a checker makes of the record.
    for (const target of targets) {
      const decoded = decodeTarget(encodeTarget(JSON.parse(JSON.stringify(target)) as Target), target.id);
      expect(decoded.ok && compileTarget(decoded.value)).toEqual(target);
    }
  });

  it('refuses conditions on the answer that are wrong, each problem by JSON Pointer into the file', () => {
    const refusal = (name: string, content: object) => {
      try {
        loadTargetsFile(write(name, content), {});
      } catch (error) {
        return error;
      }
      throw new Error('expected a refusal');
    };
    // The schema's problems first, as for any setting...
    const typed = { id: 'a', url: 'https://a.test/', json: [{ pointer: '/ms', below: 'fast' }, { pointer: '/ok', exists: false }] };
    expect(refusal('typed.yaml', { targets: [typed] })).toMatchObject({
      code: 'ERR_SERVICE_CONFIG',
      problems: [
        { path: '/targets/0/json/0/below', message: 'must be number' },
        { path: '/targets/0/json/1/exists', message: 'must be equal to constant' },
      ],
    });
    // ...then the compile rules', every one of them.
    const ruled = refusal('ruled.yaml', {
      defaults: { responseHeaders: [{ name: 'x-cache' }] },
      targets: [
        { id: 'a', url: 'https://a.test/', json: [{ pointer: 'status', equals: 'UP' }] },
        { id: 'b', url: 'https://b.test/', json: [{ pointer: '/v', matches: '(?<=v)2', exists: true }] },
        { id: 'c', url: 'https://c.test/', method: 'HEAD', json: [{ pointer: '/status', equals: 'UP' }] },
      ],
    });
    expect(ruled).toMatchObject({
      problems: [
        { path: '/defaults/responseHeaders/0', message: 'needs an operator: present, absent, equals or matches' },
        { path: '/targets/0/json/0/pointer', message: 'is not a JSON Pointer: it must be empty (the whole body) or start with /' },
        { path: '/targets/1/json/0', message: 'has 2 operators (matches, exists): give each its own condition' },
        { path: '/targets/1/json/0/matches', message: expect.stringMatching(/^does not compile as an RE2 pattern/) },
      ],
    });
  });

  it('may be empty: the registry is then emptied', () => {
    expect(loadTargetsFile(write('empty.yaml', 'targets: []\n'), {}).targets).toEqual([]);
  });
});
