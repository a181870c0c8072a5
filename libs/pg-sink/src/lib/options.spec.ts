import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from '@jest/globals';
import postgres from 'postgres';
import { checkSinkOptions, pgSinkOptionsSchema, resolveSinkOptions, sinkDefaults, type SinkOptions } from './options.js';

const url = 'postgres://writer:s3cret@db.example:5432/monitor';

/** The problems, as createSink() would throw them: never with the URL in them. */
function problems(options: SinkOptions) {
  const found = checkSinkOptions(options);
  expect(() => resolveSinkOptions(options)).toThrow(expect.objectContaining({ code: 'ERR_SINK_INVALID_OPTIONS', retriable: false, problems: found }));
  expect(JSON.stringify(found)).not.toContain('s3cret');
  return found;
}

describe('resolveSinkOptions', () => {
  it('fills in the defaults', () => {
    expect(resolveSinkOptions({ url }).settings).toMatchObject({ url, ...sinkDefaults });
  });

  it('names each option at fault by JSON Pointer, and never echoes the URL', () => {
    expect(problems({ url, rawRetentionDays: 0 })).toEqual([{ path: '/rawRetentionDays', message: 'must be >= 1' }]);
    expect(problems({ url, partitionsAhead: 1.5 })).toEqual([{ path: '/partitionsAhead', message: 'must be integer' }]);
    expect(problems({ url, schema: 'Public; drop' })).toEqual([{ path: '/schema', message: expect.stringMatching(/^must match pattern/) }]);
    expect(problems({ url, retention: 3 } as SinkOptions)).toEqual([{ path: '/retention', message: 'is not a known setting' }]);
    expect(problems({ url, ssl: { mode: 'prefer' } } as unknown as SinkOptions)).toEqual([{ path: '/ssl/mode', message: 'must be one of: disable, require, verify-ca, verify-full' }]);
    expect(problems({ url, ssl: { ca: 'x', caFile: 'y' } })).toEqual([{ path: '/ssl/caFile', message: 'and ca are both set: use one' }]);
    expect(problems({ url: 'mysql://writer:s3cret@db/x' })).toEqual([{ path: '/url', message: 'must match pattern "^postgres(ql)?://"' }]);
    expect(problems({})).toEqual([{ path: '/url', message: 'is required (or pass an existing client as sql)' }]);
    expect(problems({ url, ssl: { caFile: '/nonexistent/ca.pem' } })).toEqual([{ path: '/ssl/caFile', message: 'cannot read /nonexistent/ca.pem (ENOENT)' }]);
  });

  it('reads the CA file at once: one that is not PEM, or that require would not use, is refused', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pg-sink-options-'));
    const notPem = path.join(dir, 'ca.pem');
    fs.writeFileSync(notPem, 'not a certificate');
    try {
      expect(problems({ url, ssl: { caFile: notPem } })).toEqual([{ path: '/ssl/caFile', message: `${notPem} is not PEM (no "-----BEGIN" line)` }]);
      expect(problems({ url, ssl: { mode: 'require', caFile: notPem } })).toEqual([
        { path: '/ssl/caFile', message: 'is not used with sslmode require, which does not verify the server: set mode verify-full (or verify-ca), or remove it' },
      ]);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('reports every problem at once', () => {
    expect(problems({ url, rawRetentionDays: 0, poolSize: 500, logger: 'console' } as unknown as SinkOptions).map((p) => p.path)).toEqual([
      '/poolSize',
      '/rawRetentionDays',
      '/logger',
    ]);
  });

  it('takes either a URL or an existing client, not both', () => {
    const sql = postgres({ max: 1 });
    expect(problems({ url, sql })).toEqual([{ path: '/sql', message: 'and url exclude each other: pass one' }]);
    expect(problems({ sql, ssl: { mode: 'verify-full' } })).toEqual([{ path: '/ssl', message: 'applies to url only: configure TLS on the client passed as sql' }]);
    expect(resolveSinkOptions({ sql }).settings.sql).toBe(sql);
  });

  it('keeps rollups at least as long as the rows they summarise', () => {
    expect(problems({ url, rawRetentionDays: 30, hourlyRetentionDays: 7 })).toEqual([{ path: '/hourlyRetentionDays', message: 'must be at least rawRetentionDays (30)' }]);
    expect(problems({ url, hourlyRetentionDays: 400, dailyRetentionDays: 90 })).toEqual([{ path: '/dailyRetentionDays', message: 'must be at least hourlyRetentionDays (400)' }]);
  });
});

describe('pgSinkOptionsSchema', () => {
  it('has the same defaults as the code, and no unknown properties', () => {
    expect(pgSinkOptionsSchema.additionalProperties).toBe(false);
    for (const [key, value] of Object.entries(sinkDefaults)) {
      expect((pgSinkOptionsSchema.properties as Record<string, { default?: unknown }>)[key]?.default).toBe(value);
    }
  });
});
