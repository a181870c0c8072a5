import { describe, expect, it } from '@jest/globals';
import { loadMigrations, nextMigration, outdatedChecksums, planMigrations } from './migrate.js';

const file = (name: string, sql = `-- ${name}`) => ({ file: name, sql });

describe('planMigrations', () => {
  it('orders files by number and ignores files that are not SQL', () => {
    const planned = planMigrations([file('00002_b.sql'), file('README.md'), file('00001_a.sql')]);
    expect(planned.map((m) => [m.version, m.name])).toEqual([
      [1, 'a'],
      [2, 'b'],
    ]);
    expect(planned[0]!.checksum).toMatch(/^[0-9a-f]{64}$/);
  });

  it('refuses gaps, repeats and badly named files', () => {
    expect(() => planMigrations([file('00001_a.sql'), file('00003_c.sql')])).toThrow('migration 00002 is missing or doubled (found 3 in its place)');
    expect(() => planMigrations([file('00001_a.sql'), file('00001_again.sql')])).toThrow(/migration 00002 is missing or doubled/);
    expect(() => planMigrations([file('1_a.sql')])).toThrow('migration file 1_a.sql is not named like 00001_name.sql');
  });
});

describe('nextMigration', () => {
  const migrations = planMigrations([file('00001_a.sql'), file('00002_b.sql')]);
  const applied = (version: number) => ({ version, name: migrations[version - 1]!.name, checksum: migrations[version - 1]!.checksum });

  it('is the first one not applied, or none', () => {
    expect(nextMigration([], migrations)?.version).toBe(1);
    expect(nextMigration([applied(1)], migrations)?.version).toBe(2);
    expect(nextMigration([applied(1), applied(2)], migrations)).toBeUndefined();
    expect(nextMigration([applied(1), applied(2), { version: 3, name: 'newer', checksum: 'x' }], migrations)).toBeUndefined();
  });

  it('refuses to go on when an applied file has changed', () => {
    expect(() => nextMigration([{ ...applied(1), checksum: 'edited' }], migrations)).toThrow(/migration 1 \(a\) was applied from a different file/);
  });

  it('accepts a checksum an earlier release recorded, and lists it to be rewritten', () => {
    const listed = planMigrations([file('00001_a.sql'), file('00002_b.sql')], { '00002_b.sql': ['recorded-before'] });
    const old = [{ ...applied(1), checksum: listed[0]!.earlier[0]! }, { ...applied(2), checksum: 'recorded-before' }];
    expect(nextMigration(old, listed)).toBeUndefined();
    expect(outdatedChecksums(old, listed)).toEqual([
      { version: 1, checksum: listed[0]!.checksum },
      { version: 2, checksum: listed[1]!.checksum },
    ]);
    expect(outdatedChecksums([applied(1), applied(2)], listed)).toEqual([]);
  });
});

describe('the migrations this package ships', () => {
  it('are numbered without gaps', async () => {
    const migrations = await loadMigrations();
    expect(migrations.map((m) => `${m.version}_${m.name}`)).toEqual(['1_create_targets', '2_create_check_results', '3_create_rollups', '4_create_results_view', '5_compact_check_results', '6_index_hourly_rollups_by_hour', '7_add_failure_reason_blocked', '8_add_failure_reasons_assertion']);
  });
});
