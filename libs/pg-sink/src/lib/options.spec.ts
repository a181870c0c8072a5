import { describe, expect, it } from '@jest/globals';
import postgres from 'postgres';
import { pgSinkOptionsSchema, resolveSinkOptions, sinkDefaults, type SinkOptions } from './options.js';

const url = 'postgres://writer:s3cret@db.example:5432/monitor';

function problem(options: SinkOptions): string {
  try {
    resolveSinkOptions(options);
  } catch (error) {
    expect(error).toMatchObject({ code: 'ERR_SINK_INVALID_OPTIONS', retriable: false });
    return (error as Error).message;
  }
  throw new Error('expected the options to be refused');
}

describe('resolveSinkOptions', () => {
  it('fills in the defaults', () => {
    expect(resolveSinkOptions({ url })).toMatchObject({ url, ...sinkDefaults });
  });

  it('names the option at fault, and never echoes the URL', () => {
    expect(problem({ url, rawRetentionDays: 0 })).toBe('rawRetentionDays must be an integer from 1 to 36500');
    expect(problem({ url, partitionsAhead: 1.5 })).toBe('partitionsAhead must be an integer from 1 to 366');
    expect(problem({ url, schema: 'Public; drop' })).toMatch(/^schema must be a lower-case SQL identifier/);
    expect(problem({ url, retention: 3 } as SinkOptions)).toBe('retention is not a known option');
    expect(problem({ url, ssl: { mode: 'prefer' } } as unknown as SinkOptions)).toBe('ssl.mode must be one of: disable, require, verify-ca, verify-full');
    expect(problem({ url, ssl: { ca: 'x', caFile: 'y' } })).toBe('ssl takes ca or caFile, not both');
    expect(problem({ url: 'mysql://writer:s3cret@db/x' })).toBe('url must be a postgres:// or postgresql:// URL');
    expect(problem({})).toMatch(/^url is required/);
  });

  it('takes either a URL or an existing client, not both', () => {
    const sql = postgres({ max: 1 });
    expect(problem({ url, sql })).toBe('sql and url exclude each other: pass one');
    expect(problem({ sql, ssl: { mode: 'verify-full' } })).toMatch(/^ssl applies to url only/);
    expect(resolveSinkOptions({ sql }).sql).toBe(sql);
  });

  it('keeps rollups at least as long as the rows they summarise', () => {
    expect(problem({ url, rawRetentionDays: 30, hourlyRetentionDays: 7 })).toBe('hourlyRetentionDays must be at least rawRetentionDays');
    expect(problem({ url, hourlyRetentionDays: 400, dailyRetentionDays: 90 })).toBe('dailyRetentionDays must be at least hourlyRetentionDays');
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
