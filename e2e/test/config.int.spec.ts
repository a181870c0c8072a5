// A bad config stops the built app before it starts anything: exit code 2, every problem
// listed by path on stderr, no stack trace, no log line of a started service.
import { describe, expect, it } from '@jest/globals';
import { startApp, writeConfig } from './support/processes.js';

const kafka = { brokers: ['127.0.0.1:1'], topic: 'never-created' };

async function run(app: 'producer' | 'consumer', args: string[]) {
  const process = startApp(app, args);
  const code = await process.exited;
  return { code, output: process.output() };
}

function expectNothingStarted(output: string) {
  expect(output).not.toMatch(/^\s+at /m);
  expect(output).not.toContain('"msg"');
}

describe('a bad config', () => {
  it('stops the producer with exit code 2 and every problem by path', async () => {
    const config = writeConfig({
      kafka,
      checker: {
        targets: [
          { id: 'ok', url: 'https://ok.test/' },
          { id: 'ok', url: 'https://dup.test/' },
          { id: 'regex', url: 'https://r.test/', mustMatch: '(unclosed' },
          { id: 'ftp', url: 'ftp://files.test/' },
          { id: 'slow', url: 'https://s.test/', intervalMs: 5000, timeoutMs: 6000 },
        ],
      },
      producer: { lingerMs: 'soon', colour: 'blue' },
    });
    const { code, output } = await run('producer', ['--config', config]);
    expect(code).toBe(2);
    expect(output).toContain(`invalid config ${config}:`);
    for (const line of [
      'checker.targets[3].url: must match pattern "^https?://"',
      'producer.lingerMs: must be integer',
      'producer.colour: is not a known setting',
    ]) {
      expect(output).toContain(`  ${line}\n`);
    }
    expectNothingStarted(output);
  });

  it('reports what the schema cannot see once the schema is satisfied: bad regex, duplicate id, timeout over interval', async () => {
    const config = writeConfig({
      kafka,
      checker: {
        targets: [
          { id: 'ok', url: 'https://ok.test/' },
          { id: 'ok', url: 'https://dup.test/' },
          { id: 'regex', url: 'https://r.test/', mustMatch: '(unclosed' },
          { id: 'slow', url: 'https://s.test/', intervalMs: 5000, timeoutMs: 6000 },
        ],
      },
    });
    const { code, output } = await run('producer', ['--config', config]);
    expect(code).toBe(2);
    expect(output).toMatch(/ {2}checker\.targets\[1\]\.id: duplicates the id of \/targets\/0\n/);
    expect(output).toMatch(/ {2}checker\.targets\[2\]\.mustMatch: .*missing closing \)/);
    expect(output).toMatch(/ {2}checker\.targets\[3\]\.timeoutMs: .*interval/);
    expectNothingStarted(output);
  });

  it('stops the consumer with exit code 2 and every problem by path', async () => {
    const config = writeConfig({ kafka: { ...kafka, brokers: [] }, consumer: { fetchMaxWaitMs: -1 }, postgres: { url: 'postgres://${env:SITEWATCH_E2E_UNSET}@db/x' } });
    const { code, output } = await run('consumer', ['--config', config]);
    expect(code).toBe(2);
    for (const line of [
      'kafka.brokers: must NOT have fewer than 1 items',
      'consumer.fetchMaxWaitMs: must be >= 1',
      'postgres.url: environment variable SITEWATCH_E2E_UNSET is not set',
    ]) {
      expect(output).toContain(`  ${line}\n`);
    }
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
});
