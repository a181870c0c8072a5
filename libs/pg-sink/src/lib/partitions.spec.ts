import { describe, expect, it } from '@jest/globals';
import { createPartitionDdl, dropPartitionDdl, expiredPartitions, parsePartitionName, partitionsAhead, rawPartition, retentionHorizon, rollupPartition } from './partitions.js';

const at = (iso: string) => new Date(iso);

describe('partition names and ranges', () => {
  it('gives raw results a UTC day and rollups a UTC month', () => {
    expect(rawPartition(at('2026-11-27T23:59:59.999Z'))).toEqual({ table: 'check_results', name: 'check_results_20261127', from: at('2026-11-27T00:00:00Z'), to: at('2026-11-28T00:00:00Z') });
    expect(rollupPartition('rollups_hourly', at('2026-12-31T23:00:00Z'))).toEqual({ table: 'rollups_hourly', name: 'rollups_hourly_202612', from: at('2026-12-01T00:00:00Z'), to: at('2027-01-01T00:00:00Z') });
  });

  it('reads back only the names it generates', () => {
    expect(parsePartitionName('check_results_20240229')?.to).toEqual(at('2024-03-01T00:00:00Z'));
    expect(parsePartitionName('rollups_daily_202702')?.from).toEqual(at('2027-02-01T00:00:00Z'));
    for (const name of ['check_results_20261332', 'check_results_20230229', 'rollups_daily_202613', 'check_results_archive', 'check_results_2026112', 'x; drop table y']) {
      expect(parsePartitionName(name)).toBeUndefined();
    }
  });

  it('covers yesterday to today + ahead, and the months of those days', () => {
    const names = partitionsAhead(at('2026-11-30T10:00:00Z'), 2).map((p) => p.name).sort();
    expect(names).toEqual(['check_results_20261129', 'check_results_20261130', 'check_results_20261201', 'check_results_20261202', 'rollups_daily_202611', 'rollups_daily_202612', 'rollups_hourly_202611', 'rollups_hourly_202612']);
  });
});

describe('retention', () => {
  const retention = { check_results: 30, rollups_hourly: 400, rollups_daily: 3650 };

  it('expires a partition once all of it is older than midnight UTC, retention days ago', () => {
    const now = at('2026-11-27T10:00:00Z');
    expect(retentionHorizon(now, 30)).toEqual(at('2026-10-28T00:00:00Z'));
    const names = ['check_results_20261026', 'check_results_20261027', 'check_results_20261028', 'rollups_hourly_202509', 'rollups_hourly_202510', 'rollups_daily_201611', 'check_results_archive'];
    expect(expiredPartitions(names, now, retention)).toEqual(['check_results_20261026', 'check_results_20261027', 'rollups_hourly_202509']);
  });
});

describe('partition DDL', () => {
  it('is built from checked names and bounds only', () => {
    const raw = createPartitionDdl('sitewatch', rawPartition(at('2026-11-27T12:00:00Z')));
    expect(raw[0]).toMatch(/^create table "sitewatch"."check_results_20261127" \(checked_at timestamptz not null, id uuid not null, .*, error_message text\)$/);
    expect(raw.slice(1)).toEqual([
      `alter table "sitewatch"."check_results" attach partition "sitewatch"."check_results_20261127" for values from ('2026-11-27T00:00:00.000Z') to ('2026-11-28T00:00:00.000Z')`,
      'create unique index "check_results_20261127_id_key" on "sitewatch"."check_results_20261127" (id)',
    ]);
    expect(createPartitionDdl('s', rollupPartition('rollups_daily', at('2026-11-27T12:00:00Z')))).toEqual([
      `create table if not exists "s"."rollups_daily_202611" partition of "s"."rollups_daily" for values from ('2026-11-01T00:00:00.000Z') to ('2026-12-01T00:00:00.000Z') with (fillfactor = 80)`,
    ]);
    expect(dropPartitionDdl('sitewatch', 'rollups_hourly_202501')).toBe('drop table if exists "sitewatch"."rollups_hourly_202501"');
  });

  it('refuses anything else', () => {
    expect(() => dropPartitionDdl('sitewatch', 'check_results')).toThrow(/not a partition name of this sink/);
    expect(() => createPartitionDdl('bad"schema', rawPartition(at('2026-11-27T12:00:00Z')))).toThrow(/refusing to build DDL/);
    expect(() => createPartitionDdl('s', { ...rawPartition(at('2026-11-27T12:00:00Z')), name: 'check_results_20261128' })).toThrow(/refusing/);
    expect(() => createPartitionDdl('s', { ...rawPartition(at('2026-11-27T12:00:00Z')), from: at('2026-11-27T01:00:00Z') })).toThrow(/refusing/);
  });
});
