import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { afterAll, describe, expect, it } from '@jest/globals';
import { checkTarget, compileTarget } from '@sitewatch/checker';
import type { SitewatchError } from '@sitewatch/schema';
import { exampleConfigs } from '../../../tools/testing/example-configs.js';
import { checkProducerConfig, checkerGroupId, checkerLocation, loadProducerConfig, producerTargets, registryOptions, type ProducerConfig } from './config.js';

const examples = exampleConfigs();
afterAll(() => examples.remove());
/** The producer's own secrets only: the database password stays on the consumer's machine. */
const env = { SITEWATCH_API_TOKEN: 'api-token' };
const load = (file: string, environment: Record<string, string> = env) => loadProducerConfig(examples.file(file), environment);

describe('producer config', () => {
  it.each(['example.yaml', 'aiven.example.yaml'])('accepts config/%s, with defaults applied', (file) => {
    const { config } = load(file);
    expect(config.producer.shutdownTimeoutMs).toBe(25_000);
    expect(producerTargets(config).every((t) => t.timeoutMs <= t.intervalMs)).toBe(true);
  });

  it('takes secrets from the environment and reports them for scrubbing', () => {
    const { config, secrets } = load('aiven.example.yaml');
    expect(config.checker.targets![1]!.headers!.authorization).toBe('Bearer api-token');
    expect(secrets).toContain('api-token');
  });

  it("reads only its own sections: the consumer's are not resolved, nor returned", () => {
    const { config, secrets } = load('aiven.example.yaml');
    expect(Object.keys(config).sort()).toEqual(['checker', 'kafka', 'log', 'producer']);
    expect(secrets.join(' ')).not.toMatch(/pg/);
  });

  it('still needs its own secrets, and names the one missing', () => {
    const problems = [{ path: '/checker/targets/1/headers/authorization', message: 'environment variable SITEWATCH_API_TOKEN is not set' }];
    expect(() => load('aiven.example.yaml', {})).toThrow(expect.objectContaining({ code: 'ERR_SERVICE_CONFIG', problems }));
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

  it('passes the conditions on the answer to the checks: a local API that says DOWN is down with reason assertion', async () => {
    let status = 'UP';
    const server = http.createServer((_req, res) => res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ status, checks: { db: { latencyMs: 12 } } })));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/health`;
      const json = [{ pointer: '/status', equals: 'UP' }, { pointer: '/checks/db/latencyMs', below: 500 }];
      const checker = { defaults: { responseHeaders: [{ name: 'content-type', matches: '^application/json' }] }, targets: [{ id: 'api', url, json }] };
      fs.writeFileSync(path.join(examples.dir, 'checker.yaml'), JSON.stringify({ kafka: { brokers: ['b:1'], topic: 'results' }, checker }));
      const [target] = producerTargets(load('checker.yaml').config);
      expect(target).toMatchObject({ json, responseHeaders: [{ name: 'content-type', matches: '^application/json' }] });
      expect(await checkTarget(target!, { probeId: 'p' })).toMatchObject({ outcome: 'up' });
      status = 'DOWN';
      expect(await checkTarget(target!, { probeId: 'p' })).toMatchObject({ outcome: 'down', reason: 'assertion', error: { message: 'json /status equals "UP": found "DOWN"' } });
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });

  it('reports a checker.caFile it cannot read, or that is not PEM, as a config problem, not a failed start', () => {
    const config = (caFile: string) => ({ kafka: { brokers: ['b:1'], topic: 'results' }, checker: { caFile, targets: [{ id: 'a', url: 'https://a.test/' }] }, producer: {} }) as unknown as ProducerConfig;
    expect(checkProducerConfig(config(examples.file('none.pem')))).toEqual([{ path: '/checker/caFile', message: `cannot read ${examples.file('none.pem')} (ENOENT)` }]);
    expect(checkProducerConfig(config(examples.file('example.yaml')))).toEqual([{ path: '/checker/caFile', message: `${examples.file('example.yaml')} is not PEM (no "-----BEGIN" line)` }]);
    expect(checkProducerConfig(config(examples.file('ca.pem')))).toEqual([]);
  });

  it('is a config error when the file is missing', () => {
    expect(() => load('missing.yaml')).toThrow(
      expect.objectContaining({ code: 'ERR_SERVICE_CONFIG', problems: [{ path: '', message: 'cannot read the config file (ENOENT)' }] }),
    );
  });

  it('reads a fleet checker: no targets of its own, the registry of its location', () => {
    const { config } = load('fleet.example.yaml');
    expect(producerTargets(config)).toEqual([]);
    expect(config.checker.blockNetworks).toEqual(['private']);
    expect(checkerGroupId(checkerLocation(config))).toBe('sitewatch-checkers-local');
    expect(registryOptions(config)).toEqual({
      topic: 'sitewatch.targets',
      createTopic: { partitions: 12, replicationFactor: 1 },
      sessionTimeoutMs: 10_000,
      connection: { brokers: ['127.0.0.1:19092'], clientId: 'sitewatch', connectionTimeoutMs: 3000, requestTimeoutMs: 30_000 },
    });
  });

  it('refuses a blocked network that is none, with the problem checkTarget() reports for it', async () => {
    const blockNetworks = ['private', '10.0.0.0/8', '10.0.0.0/33'];
    const site = { id: 'a', url: 'https://a.test/' };
    const refusal = (await checkTarget(compileTarget(site), { probeId: 'p', blockNetworks }).catch((error: unknown) => error)) as SitewatchError;
    expect(refusal.problems).toEqual([{ path: '/blockNetworks/2', message: expect.stringMatching(/CIDR/) }]);
    const file = path.join(examples.dir, 'checker.yaml');
    fs.writeFileSync(file, JSON.stringify({ kafka: { brokers: ['b:1'], topic: 'results' }, checker: { targets: [site], blockNetworks } }));
    expect(() => load('checker.yaml')).toThrow(expect.objectContaining({ problems: [{ path: '/checker/blockNetworks/2', message: refusal.problems[0]!.message }] }));
    fs.writeFileSync(file, JSON.stringify({ kafka: { brokers: ['b:1'], topic: 'results' }, checker: { targets: [site], blockNetworks: 'private' } }));
    expect(() => load('checker.yaml')).toThrow(expect.objectContaining({ problems: [{ path: '/checker/blockNetworks', message: 'must be array' }] }));
  });

  it.each([
    ['targets and a registry', { targets: [{ id: 'a', url: 'https://a.test/' }], registry: {}, location: 'eu' }, '/checker/registry', /^and targets, defaults or targetsFile are both set/],
    ['defaults and a registry', { defaults: { intervalMs: 5000 }, registry: {}, location: 'eu' }, '/checker/registry', /^and targets, defaults or targetsFile are both set/],
    ['a targets file and a registry', { targetsFile: 'targets.yaml', registry: {}, location: 'eu' }, '/checker/registry', /^and targets, defaults or targetsFile are both set/],
    ['a targets file and targets', { targetsFile: 'targets.yaml', targets: [{ id: 'a', url: 'https://a.test/' }] }, '/checker/targetsFile', /^and targets or defaults are both set/],
    ['a registry without a location', { registry: {} }, '/checker/registry', /^needs location/],
    ['neither targets nor a registry', { location: 'eu' }, '/checker/targets', /^is required, unless checker.targetsFile or checker.registry is set/],
  ])('refuses %s', (_name, checker, pointer, message) => {
    const file = path.join(examples.dir, 'checker.yaml');
    fs.writeFileSync(file, JSON.stringify({ kafka: { brokers: ['b:1'], topic: 'results' }, checker }));
    expect(() => load('checker.yaml')).toThrow(expect.objectContaining({ problems: [{ path: pointer, message: expect.stringMatching(message) }] }));
  });

  it('takes the targets and their defaults from checker.targetsFile, relative to the config file, with its secrets', () => {
    fs.mkdirSync(path.join(examples.dir, 'sites'), { recursive: true });
    const targets = { defaults: { intervalMs: 15000 }, targets: [{ id: 'api', url: 'https://api.test/', headers: { authorization: 'Bearer ${env:SITEWATCH_API_TOKEN}' } }] };
    fs.writeFileSync(path.join(examples.dir, 'sites', 'targets.yaml'), JSON.stringify(targets));
    fs.writeFileSync(path.join(examples.dir, 'with-file.yaml'), JSON.stringify({ kafka: { brokers: ['b:1'], topic: 'results' }, checker: { targetsFile: 'sites/targets.yaml' } }));
    const { config, secrets } = load('with-file.yaml');
    expect(config.checker).toMatchObject({ targetsFile: path.join(examples.dir, 'sites', 'targets.yaml'), defaults: { intervalMs: 15000 } });
    expect(producerTargets(config).map((t) => [t.id, t.intervalMs, t.headers])).toEqual([['api', 15000, { authorization: 'Bearer api-token' }]]);
    expect(secrets).toContain('api-token');
  });

  it("reports a targets file's problems as the config's, at /checker/targetsFile, naming the place in the file", () => {
    const targetsFile = path.join(examples.dir, 'bad-targets.yaml');
    fs.writeFileSync(targetsFile, JSON.stringify({ targets: [{ id: 'a', url: 'ftp://a.test/' }, { id: 'a', url: 'https://b.test/', mustMatch: '(' }] }));
    fs.writeFileSync(path.join(examples.dir, 'bad.yaml'), JSON.stringify({ kafka: { brokers: ['b:1'], topic: 'results' }, checker: { targetsFile: 'bad-targets.yaml' } }));
    expect(() => load('bad.yaml')).toThrow(
      expect.objectContaining({ code: 'ERR_SERVICE_CONFIG', problems: [{ path: '/checker/targetsFile', message: `${targetsFile} /targets/0/url: must match pattern "^https?://"` }] }),
    );
    fs.writeFileSync(path.join(examples.dir, 'none.yaml'), JSON.stringify({ kafka: { brokers: ['b:1'], topic: 'results' }, checker: { targetsFile: 'no-such-file.yaml' } }));
    expect(() => load('none.yaml')).toThrow(
      expect.objectContaining({ problems: [{ path: '/checker/targetsFile', message: `${path.join(examples.dir, 'no-such-file.yaml')}: cannot read the config file (ENOENT)` }] }),
    );
  });
});
