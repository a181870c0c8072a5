// The status service's config: the example loads with its status section, problems are named by place.
import { afterAll, describe, expect, it } from '@jest/globals';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { exampleConfigs } from '../../../tools/testing/example-configs.js';
import { connectionOptions, loadStatusConfig } from './config.js';

const examples = exampleConfigs();
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'status-config-'));
afterAll(() => {
  examples.remove();
  fs.rmSync(dir, { recursive: true, force: true });
});

function write(text: string): string {
  const file = path.join(dir, `${Math.random().toString(36).slice(2)}.yaml`);
  fs.writeFileSync(file, text);
  return file;
}

describe('status config', () => {
  it('accepts config/example.yaml, with defaults applied, reading only its sections', () => {
    const { config } = loadStatusConfig(examples.file('example.yaml'), {});
    expect(Object.keys(config).sort()).toEqual(['log', 'postgres', 'status']);
    expect(config.status).toMatchObject({ listen: { port: 8080, host: '127.0.0.1' }, publish: 'listed', showUrls: 'path', showErrors: false, refreshSeconds: 60 });
    expect(config.status.targets?.[0]).toEqual({ id: 'local-consumer', name: 'Consumer health (loopback)', group: 'Local demo' });
  });

  it('connects with status.database when set', () => {
    const file = write("postgres: { url: 'postgres://writer@db/x' }\nstatus: { publish: all, database: { url: 'postgres://reader:reader-pw@db/x' } }\n");
    const { config, secrets } = loadStatusConfig(file, {});
    expect(connectionOptions(config).url).toBe('postgres://reader:reader-pw@db/x');
    expect(secrets).toContain('reader-pw');
  });

  it("checks status.database's CA file as the postgres section's, by its own place", () => {
    const notPem = write('not a certificate');
    const file = write(`postgres: { url: 'postgres://db/x' }\nstatus: { publish: all, database: { url: 'postgres://reader@db/x', ssl: { mode: verify-full, caFile: '${notPem}' } } }\n`);
    expect(() => loadStatusConfig(file, {})).toThrow(expect.objectContaining({ problems: [{ path: '/status/database/ssl/caFile', message: `${notPem} is not PEM (no "-----BEGIN" line)` }] }));
  });

  it("takes the certificate warn days of the alerts' default, or as set, each a whole number of days once", () => {
    expect(loadStatusConfig(write("postgres: { url: 'postgres://db/x' }\nstatus: { publish: all }\n"), {}).config.status.certificateWarnDays).toEqual([30, 14, 7, 1]);
    expect(loadStatusConfig(write("postgres: { url: 'postgres://db/x' }\nstatus: { publish: all, certificateWarnDays: [21] }\n"), {}).config.status.certificateWarnDays).toEqual([21]);
    expect(() => loadStatusConfig(write("postgres: { url: 'postgres://db/x' }\nstatus: { publish: all, certificateWarnDays: [7, 7, 0] }\n"), {})).toThrow(
      /\/status\/certificateWarnDays\/2: must be >= 1\n\s*\/status\/certificateWarnDays: must NOT have duplicate items/,
    );
  });

  it('names every problem by its place', () => {
    const file = write("postgres: { url: 'postgres://db/x' }\nstatus: { publish: listed, showUrls: all, refreshSeconds: 1, targets: [{ id: a }, { id: a }] }\n");
    expect(() => loadStatusConfig(file, {})).toThrow(/\/status\/refreshSeconds: must be >= 10\n\s*\/status\/showUrls: must be one of/);
    const dup = write("postgres: { url: 'postgres://db/x' }\nstatus: { publish: listed, targets: [{ id: a }, { id: a }] }\n");
    expect(() => loadStatusConfig(dup, {})).toThrow(/\/status\/targets\/1\/id: names a again/);
  });

  it('makes what is published a choice: a config that leaves it out is told what to write', () => {
    for (const status of ['', 'status: { title: Shop }\n']) {
      expect(() => loadStatusConfig(write(`postgres: { url: 'postgres://db/x' }\n${status}`), {})).toThrow(
        /\/status\/publish: is required: write `publish: listed` and list the targets to publish under status.targets, or `publish: all` to publish every target in the database, by id/,
      );
    }
    expect(() => loadStatusConfig(write("postgres: { url: 'postgres://db/x' }\nstatus: { publish: listed }\n"), {})).toThrow(/\/status\/targets: is required with publish: listed/);
    expect(() => loadStatusConfig(write("postgres: { url: 'postgres://db/x' }\nstatus: { publish: listed, targets: [] }\n"), {})).toThrow(/\/status\/targets: must NOT have fewer than 1 items/);
    expect(() => loadStatusConfig(write("postgres: { url: 'postgres://db/x' }\nstatus: { publish: all, targets: [{ id: a }] }\n"), {})).toThrow(/\/status\/targets: lists targets, but publish: all/);
    expect(() => loadStatusConfig(write("postgres: { url: 'postgres://db/x' }\nstatus: { publish: some }\n"), {})).toThrow(/\/status\/publish: must be one of: listed, all/);
    expect(loadStatusConfig(write("postgres: { url: 'postgres://db/x' }\nstatus: { publish: all }\n"), {}).config.status.publish).toBe('all');
  });
});
