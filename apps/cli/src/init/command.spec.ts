import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from '@jest/globals';
import { producerTargets } from '@sitewatch/producer';
import { loadAllConfig } from '../all/config.js';
import { runInit } from './command.js';

const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'sitewatch-init-'));
afterAll(() => fs.rmSync(scratch, { recursive: true, force: true }));

async function init(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await runInit(argv, { stdout: { write: (text: string) => (out += text) }, stderr: { write: (text: string) => (err += text) } });
  return { code, out, err };
}

describe('sitewatch init', () => {
  const dir = path.join(scratch, 'new', 'site');

  it('writes the starter config and targets file into a new folder and names the next command', async () => {
    const { code, out, err } = await init(dir);
    expect({ code, err }).toEqual({ code: 0, err: '' });
    expect(fs.readdirSync(dir).sort()).toEqual(['sitewatch.yaml', 'targets.yaml']);
    expect(out).toContain(`  sitewatch all --config ${path.relative(process.cwd(), path.join(dir, 'sitewatch.yaml'))}\n`);
  });

  it('writes a config that passes the checks of sitewatch all: a loopback demo target and one public site, no secrets, the channels commented out', () => {
    const { config, secrets } = loadAllConfig(path.join(dir, 'sitewatch.yaml'), {});
    expect(producerTargets(config.producer).map((t) => [t.id, t.url])).toEqual([
      ['sitewatch-health', 'http://127.0.0.1:9464/healthz'],
      ['example-com', 'https://example.com/'],
    ]);
    expect(config.all.metrics).toEqual({ port: 9464, host: '127.0.0.1' });
    expect(config.consumer.alerts.channels ?? {}).toEqual({});
    expect(secrets).toEqual([]);
  });

  it('has channels that pass the checks too, once uncommented and their secrets given', () => {
    const file = path.join(dir, 'sitewatch.yaml');
    const text = fs.readFileSync(file, 'utf8').replace(/^ {2}# (channels:|rules:|\s{2}\S)/gm, '  $1');
    const uncommented = path.join(dir, 'channels.yaml');
    fs.writeFileSync(uncommented, text);
    const env = { SITEWATCH_WEBHOOK_SECRET: 'webhook-secret-of-32-characters', SLACK_WEBHOOK_URL: 'https://hooks.slack.test/T0/B0/x', SMTP_PASSWORD: 'smtp-password' };
    const { config } = loadAllConfig(uncommented, env);
    fs.rmSync(uncommented);
    expect(Object.keys(config.consumer.alerts.channels ?? {}).sort()).toEqual(['chat', 'mail', 'ops']);
    expect(config.consumer.alerts.rules).toEqual([expect.objectContaining({ targets: ['example-*'], channels: ['chat'] })]);
  });

  it('refuses to overwrite: writes nothing when either file is there, and says which', async () => {
    const before = fs.readFileSync(path.join(dir, 'sitewatch.yaml'), 'utf8');
    fs.writeFileSync(path.join(dir, 'sitewatch.yaml'), `${before}# mine\n`);
    expect(await init(dir)).toEqual({ code: 1, out: '', err: expect.stringContaining(`${path.join(dir, 'sitewatch.yaml')} and ${path.join(dir, 'targets.yaml')} already there`) });
    expect(fs.readFileSync(path.join(dir, 'sitewatch.yaml'), 'utf8')).toBe(`${before}# mine\n`);
    const other = path.join(scratch, 'half');
    fs.mkdirSync(other);
    fs.writeFileSync(path.join(other, 'targets.yaml'), 'targets: []\n');
    expect(await init(other)).toMatchObject({ code: 1, err: expect.stringContaining(`${path.join(other, 'targets.yaml')} already there`) });
    expect(fs.readdirSync(other)).toEqual(['targets.yaml']);
  });

  it('takes at most one folder (2 otherwise)', async () => {
    expect(await init('a', 'b')).toMatchObject({ code: 2, err: expect.stringMatching(/^usage: sitewatch init/) });
    expect(await init('--force')).toMatchObject({ code: 2, err: expect.stringMatching(/Unknown option '--force'/) });
  });
});
