import { afterEach, describe, expect, it } from '@jest/globals';
import { runSitewatch, sitewatchUsage } from './sitewatch.js';

afterEach(() => {
  process.exitCode = undefined;
});

/** Runs `sitewatch ...argv`; its exit code and what it wrote. */
async function run(...argv: string[]): Promise<{ code: number | string | undefined; out: string; err: string }> {
  let out = '';
  let err = '';
  await runSitewatch(argv, { env: {}, stdout: { write: (text: string) => (out += text) }, stderr: { write: (text: string) => (err += text) } });
  const code = process.exitCode;
  process.exitCode = undefined;
  return { code, out, err };
}

describe('sitewatch', () => {
  it('lists its commands for --help (0), and for no command or an unknown one (2)', async () => {
    expect(await run('--help')).toEqual({ code: 0, out: '', err: sitewatchUsage });
    expect(sitewatchUsage.split('\n').slice(1, -1).map((line) => line.trim().split(' ')[0])).toEqual(['all', 'init', 'producer', 'consumer', 'status', 'targets', 'alerts', 'migrate']);
    expect(await run()).toEqual({ code: 2, out: '', err: sitewatchUsage });
    expect(await run('checker')).toEqual({ code: 2, out: '', err: `unknown command checker\n${sitewatchUsage}` });
  });

  it.each([
    ['producer', /^usage: sitewatch producer --config/],
    ['consumer', /^usage: sitewatch consumer \[migrate\] --config/],
    ['status', /^usage: sitewatch status \[serve\] --config[\s\S]*sitewatch status report/],
    ['targets', /^usage: sitewatch targets apply[\s\S]*sitewatch targets delete/],
    ['alerts', /^usage: sitewatch alerts test <channel>[\s\S]*sitewatch alerts list/],
    ['migrate', /^usage: sitewatch migrate --config/],
    ['all', /^usage: sitewatch all --config/],
    ['init', /^usage: sitewatch init \[dir\]/],
  ])('runs %s with --help: its own usage under the sitewatch name, exit 0', async (name, usage) => {
    const { code, err } = await run(name, '--help');
    expect({ code, err }).toEqual({ code: 0, err: expect.stringMatching(usage) });
    expect(err).not.toMatch(/sitewatch-/);
  });

  it("exits 2 for a command's wrong use, as its own bin does, and for a config that cannot be read", async () => {
    expect((await run('producer', 'extra', '--config', 'x.yaml')).code).toBe(2);
    expect((await run('migrate', 'extra', '--config', 'x.yaml')).code).toBe(2);
    expect((await run('all'))).toMatchObject({ code: 2, err: expect.stringMatching(/^usage: sitewatch all/) });
    expect(await run('all', '--config', '/nonexistent/sitewatch.yaml')).toMatchObject({ code: 2, err: 'invalid config /nonexistent/sitewatch.yaml:\n  (root): cannot read the config file (ENOENT)\n' });
  });
});
