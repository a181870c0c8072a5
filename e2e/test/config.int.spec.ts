// A bad config stops the built app before it starts anything: exit code 2, every problem
// listed by JSON Pointer on stderr, no stack trace, no log line of a started service.
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from '@jest/globals';
import { renamedSettings } from '@sitewatch/service';
import fc from 'fast-check';
import { parse } from 'yaml';
import { mutatedConfigs } from '../../tools/testing/config-fuzz.js';
import { startApp, waitFor, writeConfig } from './support/processes.js';

const kafka = { brokers: ['127.0.0.1:1'], topic: 'never-created' };
/** Valid for the schema; only compiling the targets finds a duplicate id, a bad regex, a timeout over the interval. */
const targetsOnlyCompilingCatches = [
  { id: 'ok', url: 'https://ok.test/' },
  { id: 'ok', url: 'https://dup.test/' },
  { id: 'regex', url: 'https://r.test/', mustMatch: '(unclosed' },
  { id: 'slow', url: 'https://s.test/', intervalMs: 5000, timeoutMs: 6000 },
];

async function run(app: 'producer' | 'consumer' | 'status', args: string[]) {
  const process = startApp(app, args);
  const code = await process.exited;
  return { code, output: process.output() };
}

function expectNothingStarted(output: string) {
  expect(output).not.toMatch(/^\s+at /m);
  expect(output).not.toContain('"msg"');
}

describe('a bad config', () => {
  it('stops the producer with exit code 2 and every problem by JSON Pointer', async () => {
    const config = writeConfig({
      kafka,
      checker: { targets: [...targetsOnlyCompilingCatches, { id: 'ftp', url: 'ftp://files.test/' }] },
      producer: { lingerMs: 'soon', colour: 'blue' },
    });
    const { code, output } = await run('producer', ['--config', config]);
    expect(code).toBe(2);
    expect(output).toContain(`invalid config ${config}:`);
    for (const line of [
      '/checker/targets/4/url: must match pattern "^https?://"',
      '/producer/lingerMs: must be integer',
      '/producer/colour: is not a known setting',
    ]) {
      expect(output).toContain(`  ${line}\n`);
    }
    expectNothingStarted(output);
  });

  it('reports what the schema cannot see once the schema is satisfied: bad regex, duplicate id, timeout over interval', async () => {
    const config = writeConfig({ kafka, checker: { targets: targetsOnlyCompilingCatches } });
    const { code, output } = await run('producer', ['--config', config]);
    expect(code).toBe(2);
    expect(output).toContain('  /checker/targets/1/id: duplicates the id of target 0\n');
    expect(output).toMatch(/ {2}\/checker\/targets\/2\/mustMatch: .*missing closing \)/);
    expect(output).toMatch(/ {2}\/checker\/targets\/3\/timeoutMs: .*interval/);
    expectNothingStarted(output);
  });

  it('stops the consumer with exit code 2 and every problem by JSON Pointer', async () => {
    const config = writeConfig({ kafka: { ...kafka, brokers: [] }, consumer: { fetchMaxWaitMs: -1 }, postgres: { url: 'postgres://${env:SITEWATCH_E2E_UNSET}@db/x' } });
    const { code, output } = await run('consumer', ['--config', config]);
    expect(code).toBe(2);
    for (const line of [
      '/kafka/brokers: must NOT have fewer than 1 items',
      '/consumer/fetchMaxWaitMs: must be >= 1',
      '/postgres/url: environment variable SITEWATCH_E2E_UNSET is not set',
    ]) {
      expect(output).toContain(`  ${line}\n`);
    }
    expectNothingStarted(output);
  });

  it('stops the status service with exit code 2 when the config does not say what it publishes, saying what to write', async () => {
    const config = writeConfig({ postgres: { url: 'postgres://postgres@127.0.0.1:1/none' }, status: { title: 'Shop' } });
    const { code, output } = await run('status', ['--config', config]);
    expect(code).toBe(2);
    expect(output).toContain(
      '  /status/publish: is required: write `publish: listed` and list the targets to publish under status.targets, or `publish: all` to publish every target in the database, by id\n',
    );
    expectNothingStarted(output);
  });

  // The libraries' own rules run on the config file too: a config error (exit 2), not a failed start (exit 1).
  it.each(['producer', 'consumer'] as const)('stops the %s with exit code 2 for SASL without TLS, naming /kafka/sasl', async (app) => {
    const sasl = { mechanism: 'scram-sha-256', username: 'sitewatch', password: 'never-shown' };
    const config = writeConfig({ kafka: { ...kafka, tls: false, sasl }, checker: { targets: [{ id: 'a', url: 'https://a.test/' }] }, postgres: { url: 'postgres://u@db/x' } });
    const { code, output } = await run(app, ['--config', config]);
    expect(code).toBe(2);
    expect(output).toContain('  /kafka/sasl: needs tls: SASL without TLS would expose the credentials and the data\n');
    expect(output).not.toContain('never-shown');
    expectNothingStarted(output);
  });

  it('stops with exit code 2 when the file is missing, or no file is given', async () => {
    const missing = await run('consumer', ['--config', '/nonexistent/sitewatch.yaml']);
    expect(missing.code).toBe(2);
    expect(missing.output).toContain('cannot read the config file (ENOENT)');
    const none = await run('producer', []);
    expect(none.code).toBe(2);
    expect(none.output).toContain('usage: sitewatch-producer --config <file.yaml>');
  });

  // The apps' unit tests run a few hundred such configs through the config loader; a sample
  // goes through the real processes here: exit 2 with a message, or (a mutation that left the
  // config valid) a running service, never a crash or a stack trace.
  it.each(['producer', 'consumer'] as const)('fuzzed configs stop the %s with exit 2 and a message, never a crash', async (app) => {
    const base = {
      log: { level: 'info' },
      kafka: { brokers: ['127.0.0.1:1'], topic: 'never-created', connectionTimeoutMs: 500 },
      checker: { location: 'fuzz', defaults: { intervalMs: 5000, timeoutMs: 1000 }, targets: [{ id: 'a', url: 'http://127.0.0.1:1/', mustMatch: 'ok' }] },
      consumer: { groupId: 'fuzz' },
      postgres: { url: 'postgres://postgres@127.0.0.1:1/none' },
    };
    const outcomes = { refused: 0, started: 0 };
    for (const config of fc.sample(mutatedConfigs(base), { numRuns: 12, seed: app === 'producer' ? 1 : 2 })) {
      const process = startApp(app, ['--config', writeConfig(config)]);
      // A refused config exits before the first log line; an accepted one logs (then runs,
      // or stops on the unreachable broker or database). No guess at how long a start takes.
      let code: number | string | undefined;
      void process.exited.then((exitCode) => (code = exitCode));
      await waitFor(() => `an exit or a first log line of the ${app}:\n${process.output()}`, () => code !== undefined || process.output().includes('"msg"'));
      const output = process.output();
      expect(output).not.toMatch(/^\s+at /m);
      if (output.includes('"msg"')) {
        outcomes.started += 1;
        await process.stop('SIGKILL');
        continue;
      }
      outcomes.refused += 1;
      expect({ code, output }).toEqual({ code: 2, output: expect.stringContaining('invalid config') });
      expect(output).not.toContain('"msg"');
    }
    expect(outcomes.refused).toBeGreaterThan(outcomes.started);
  }, 120_000);
});

describe('a renamed setting', () => {
  /** The service that checks each section strictly (its owner). */
  const owners: Record<string, 'producer' | 'consumer'> = { log: 'producer', kafka: 'producer', checker: 'producer', producer: 'producer', consumer: 'consumer', postgres: 'consumer', alerts: 'consumer' };
  const example = fs.readFileSync(path.resolve(import.meta.dirname, '../../config/example.yaml'), 'utf8');
  const keys = (pointer: string) => pointer.split('/').slice(1).map((key) => key.replaceAll('~1', '/').replaceAll('~0', '~'));

  /** config/example.yaml as it was written before: the setting at its old place, with the value it has at the new one. */
  function writtenBefore(from: string, to: string): object {
    const config = parse(example) as Record<string, Record<string, unknown>>;
    const [section, ...rest] = to.split('.');
    const holder = rest.slice(0, -1).reduce<Record<string, unknown>>((node, key) => node[key] as Record<string, unknown>, config[section!]!);
    const value = holder[rest.at(-1)!] ?? 'renamed';
    delete holder[rest.at(-1)!];
    const path = keys(from);
    const parent = path.slice(0, -1).reduce<Record<string, unknown>>((node, key) => (node[key] ??= {}) as Record<string, unknown>, config);
    parent[path.at(-1)!] = value;
    return config;
  }

  // Every row of the one table of renames (libs/service), through the service that reads it.
  it.each(Object.entries(renamedSettings))('%s: exit 2, reported as renamed to %s and as nothing else', async (from, to) => {
    const owner = owners[keys(from)[0]!];
    expect(owner).toBeDefined();
    const { code, output } = await run(owner!, ['--config', writeConfig(writtenBefore(from, to))]);
    expect(code).toBe(2);
    expect(output.split('\n').filter((line) => line.startsWith('  /'))).toEqual([`  ${from}: renamed to ${to}`]);
    expectNothingStarted(output);
  });
});
