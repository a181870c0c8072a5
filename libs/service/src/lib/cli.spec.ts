import { afterEach, describe, expect, it } from '@jest/globals';
import { parseCli, reportStartupError, runCommand } from './cli.js';
import { ServiceError } from './errors.js';

function sink() {
  let text = '';
  return { write: (chunk: string) => (text += chunk), text: () => text };
}

describe('parseCli', () => {
  it('takes --config, else SITEWATCH_CONFIG', () => {
    expect(parseCli(['--config', 'a.yaml'], { SITEWATCH_CONFIG: 'b.yaml' })).toEqual({ command: undefined, args: [], flags: {}, configPath: 'a.yaml', help: false });
    expect(parseCli(['migrate'], { SITEWATCH_CONFIG: 'b.yaml' })).toEqual({ command: 'migrate', args: [], flags: {}, configPath: 'b.yaml', help: false });
  });

  it('takes the arguments after the command and the boolean options asked for', () => {
    expect(parseCli(['apply', 'targets.yaml', '--dry-run', '-c', 'a.yaml'], {}, ['dry-run'])).toEqual({
      command: 'apply',
      args: ['targets.yaml'],
      flags: { 'dry-run': true },
      configPath: 'a.yaml',
      help: false,
    });
    expect(parseCli(['list'], {}, ['dry-run']).flags).toEqual({ 'dry-run': false });
    expect(() => parseCli(['list', '--dry-run'], {})).toThrow(/--dry-run/);
  });

  it('rejects unknown options by name', () => {
    expect(() => parseCli(['--confg', 'a.yaml'], {})).toThrow(/--confg/);
  });
});

describe('reportStartupError', () => {
  it('lists config problems by JSON Pointer and returns exit code 2', () => {
    const out = sink();
    const problems = [
      { path: '/checker/targets/3/url', message: 'must match pattern "^https?://"' },
      { path: '/kafka/sasl', message: 'needs tls: SASL without TLS would expose the credentials and the data' },
    ];
    const code = reportStartupError(new ServiceError('ERR_SERVICE_CONFIG', 'invalid config x.yaml', { problems }), [], out);
    expect(code).toBe(2);
    expect(out.text()).toBe(
      'invalid config x.yaml:\n  /checker/targets/3/url: must match pattern "^https?://"\n  /kafka/sasl: needs tls: SASL without TLS would expose the credentials and the data\n',
    );
  });

  it('returns 1 for anything else, with secrets scrubbed', () => {
    const out = sink();
    expect(reportStartupError(new Error('auth failed for pw-1234'), ['pw-1234'], out)).toBe(1);
    expect(out.text()).toBe('failed to start: Error: auth failed for ***\n');
  });
});

describe('runCommand', () => {
  afterEach(() => {
    process.exitCode = undefined;
  });
  const usage = 'usage: tool [go] --config <file>\n';
  async function outcome(argv: string[], run: (secret: (values: readonly string[]) => void) => Promise<void> = async () => undefined) {
    const stderr = sink();
    let ran = false;
    await runCommand(
      {
        usage,
        parse: parseCli,
        misused: (args) => args.command !== undefined && args.command !== 'go',
        run: async (_args, secret) => {
          ran = true;
          await run(secret);
        },
      },
      { argv, env: {}, stderr },
    );
    return { code: process.exitCode, text: stderr.text(), ran };
  }

  it('prints the usage for --help (0), a wrong use or no config (2), and runs nothing then', async () => {
    expect(await outcome(['--help'])).toEqual({ code: 0, text: usage, ran: false });
    expect(await outcome(['stop', '-c', 'a.yaml'])).toEqual({ code: 2, text: usage, ran: false });
    expect(await outcome(['go'])).toEqual({ code: 2, text: usage, ran: false });
    const unknown = await outcome(['--confg', 'a.yaml']);
    expect(unknown).toMatchObject({ code: 2, ran: false });
    expect(unknown.text).toMatch(/--confg[\s\S]*usage: tool/);
  });

  it('runs, and reports a failure to start with the secrets run named scrubbed', async () => {
    expect(await outcome(['go', '-c', 'a.yaml'])).toEqual({ code: undefined, text: '', ran: true });
    const failed = await outcome(['-c', 'a.yaml'], async (secret) => {
      secret(['pw-1234']);
      throw new Error('auth failed for pw-1234');
    });
    expect(failed).toEqual({ code: 1, text: 'failed to start: Error: auth failed for ***\n', ran: true });
    const config = await outcome(['-c', 'a.yaml'], async () => {
      throw new ServiceError('ERR_SERVICE_CONFIG', 'invalid config a.yaml', { problems: [{ path: '/log/level', message: 'must be one of info, debug' }] });
    });
    expect(config).toMatchObject({ code: 2, text: 'invalid config a.yaml:\n  /log/level: must be one of info, debug\n' });
  });
});
