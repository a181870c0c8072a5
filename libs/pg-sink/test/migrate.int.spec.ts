import { createHash } from 'node:crypto';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { failureReasons, isSitewatchError } from '@sitewatch/schema';
import { makeCheckResult } from '@sitewatch/schema/testing';
import postgres from 'postgres';
import { createSchemaCheck, createSink, migrate, reasonIds, SinkError, sinkErrorCodes } from '../src/index.js';
import { loadMigrations } from '../src/lib/migrate.js';
import { migrationChecksum } from '../src/lib/migration-checksum.js';
import { startTestPostgres, type TestPostgres } from '../src/testing.js';

let pg: TestPostgres;

beforeAll(async () => {
  pg = await startTestPostgres();
});

afterAll(() => pg.close());

async function tables(schema: string): Promise<string[]> {
  const rows = await pg.sql<{ name: string }[]>`
    select c.relname as name from pg_class c join pg_namespace n on n.oid = c.relnamespace
    where n.nspname = ${schema} and c.relkind in ('r', 'p') order by 1`;
  return rows.map((r) => r.name);
}

async function versions(schema: string): Promise<number[]> {
  const rows = await pg.sql<{ version: number }[]>`select version from ${pg.sql(`${schema}.schema_migrations`)} order by version`;
  return rows.map((r) => r.version);
}

describe('migrate', () => {
  it('creates the schema from an empty database, then finds nothing to do', async () => {
    expect(await migrate(pg.sql)).toEqual({ applied: [1, 2, 3, 4, 5, 6, 7, 8], version: 8 });
    expect(await tables('sitewatch')).toEqual([
      'certificates',
      'check_results',
      'failure_reasons',
      'probes',
      'rollups_daily',
      'rollups_hourly',
      'schema_migrations',
      'target_settings',
      'targets',
    ]);
    expect(await migrate(pg.sql)).toEqual({ applied: [], version: 8 });
    expect(await versions('sitewatch')).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
  });

  it('applies each migration once when several processes start together', async () => {
    const clients = Array.from({ length: 4 }, () => postgres(pg.url, { max: 1, onnotice: () => undefined }));
    try {
      const results = await Promise.all(clients.map((sql) => migrate(sql, { schema: 'racing' })));
      expect(results.map((r) => r.version)).toEqual([8, 8, 8, 8]);
      expect(results.flatMap((r) => r.applied).sort()).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
      expect(await versions('racing')).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    } finally {
      await Promise.all(clients.map((sql) => sql.end()));
    }
  });

  it('stores failure reasons under the ids the writer uses, one for every reason of the schema', async () => {
    const rows = await pg.sql<{ id: number; name: string }[]>`select id, name from sitewatch.failure_reasons order by id`;
    expect(rows.map((r) => r.name).sort()).toEqual([...failureReasons].sort());
    for (const row of rows) expect(reasonIds[row.name as keyof typeof reasonIds]).toBe(row.id);
  });

  it('refuses to go on when an applied migration file has changed', async () => {
    await migrate(pg.sql, { schema: 'edited' });
    await pg.sql`update edited.schema_migrations set checksum = 'x' where version = 2`;
    const error = await migrate(pg.sql, { schema: 'edited' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SinkError);
    expect(error).toMatchObject({ code: 'ERR_SINK_MIGRATION', retriable: false, message: expect.stringMatching(/migration 2 \(create_check_results\)/) });
  });

  it('takes over a ledger written by releases that checksummed whole files, rewriting it', async () => {
    await migrate(pg.sql, { schema: 'before' });
    // What those releases recorded: the SHA-256 of each file as they shipped it (00005's comments changed since).
    const listed = JSON.parse(await fs.readFile(new URL('../migrations/previous-checksums.json', import.meta.url), 'utf8')) as Record<string, string[]>;
    for (const m of await loadMigrations()) {
      const file = `${String(m.version).padStart(5, '0')}_${m.name}.sql`;
      const whole = listed[file]?.[0] ?? createHash('sha256').update(m.sql).digest('hex');
      await pg.sql`update before.schema_migrations set checksum = ${whole} where version = ${m.version}`;
    }
    expect(await migrate(pg.sql, { schema: 'before' })).toEqual({ applied: [], version: 8 });
    const rows = await pg.sql<{ checksum: string }[]>`select checksum from before.schema_migrations order by version`;
    expect(rows.map((r) => r.checksum)).toEqual((await loadMigrations()).map((m) => m.checksum));
  });

  it('accepts a migration whose comments changed after it was applied, and refuses one whose SQL changed', async () => {
    const directory = await fs.mkdtemp(path.join(os.tmpdir(), 'pg-sink-documented-'));
    const file = path.join(directory, '00001_notes.sql');
    const shipped = '-- Notes (see the tracker).\ncreate table notes (id integer);\n';
    try {
      await fs.writeFile(file, shipped);
      await migrate(pg.sql, { schema: 'documented', directory });
      await pg.sql`update documented.schema_migrations set checksum = ${createHash('sha256').update(shipped).digest('hex')}`;
      const documented = '-- Notes: one row per note.\n-- Kept for ever.\ncreate table notes (\n  id integer -- the note\n);\n';
      await fs.writeFile(file, documented);
      await fs.writeFile(path.join(directory, 'previous-checksums.json'), JSON.stringify({ '00001_notes.sql': [createHash('sha256').update(shipped).digest('hex')] }));
      expect(await migrate(pg.sql, { schema: 'documented', directory })).toEqual({ applied: [], version: 1 });
      expect(await pg.sql`select checksum from documented.schema_migrations`).toEqual([{ checksum: migrationChecksum(documented) }]);
      await fs.writeFile(file, documented.replace('integer', 'bigint'));
      await expect(migrate(pg.sql, { schema: 'documented', directory })).rejects.toMatchObject({ code: 'ERR_SINK_MIGRATION', message: expect.stringMatching(/migration 1 \(notes\) was applied from a different file/) });
    } finally {
      await fs.rm(directory, { recursive: true, force: true });
    }
  });

  it("runs another package's set through the same runner, recorded in its own ledger", async () => {
    const directory = await fs.mkdtemp(path.join(os.tmpdir(), 'pg-sink-other-set-'));
    try {
      await fs.writeFile(path.join(directory, '00001_other.sql'), 'create table other_things (id integer);');
      await migrate(pg.sql, { schema: 'shared' });
      expect(await migrate(pg.sql, { schema: 'shared', directory, ledger: 'other_migrations' })).toEqual({ applied: [1], version: 1 });
      expect(await migrate(pg.sql, { schema: 'shared', directory, ledger: 'other_migrations' })).toEqual({ applied: [], version: 1 });
      expect(await versions('shared')).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
      expect(await tables('shared')).toEqual(expect.arrayContaining(['other_migrations', 'other_things', 'schema_migrations']));
      const check = createSchemaCheck(pg.sql, 'shared', { directory, ledger: 'other_migrations' });
      await expect(check.ready()).resolves.toBeUndefined();
      const missing = createSchemaCheck(pg.sql, 'elsewhere', { directory, ledger: 'other_migrations' });
      await expect(missing.ready()).rejects.toMatchObject({ code: 'ERR_SINK_NOT_MIGRATED', retriable: true, message: expect.stringContaining('(other_migrations)') });
      await expect(migrate(pg.sql, { ledger: 'Bad-Name' })).rejects.toMatchObject({ code: 'ERR_SINK_INVALID_OPTIONS', problems: [{ path: '/ledger', message: expect.any(String) }] });
    } finally {
      await fs.rm(directory, { recursive: true, force: true });
    }
  });

  it('rolls back a failing migration and keeps the earlier ones', async () => {
    const directory = await fs.mkdtemp(path.join(os.tmpdir(), 'pg-sink-migrations-'));
    try {
      await fs.writeFile(path.join(directory, '00001_first.sql'), 'create table first (id integer);');
      await fs.writeFile(path.join(directory, '00002_broken.sql'), 'create table second (id integer);\nselect * from missing_table;');
      const error = await migrate(pg.sql, { schema: 'broken', directory }).catch((e: unknown) => e);
      expect(isSitewatchError(error, sinkErrorCodes) && error.code).toBe('ERR_SINK_MIGRATION');
      expect((error as SinkError).sqlState).toBe('42P01');
      expect((error as SinkError).message).toMatch(/^migration 00002 failed: relation "missing_table" does not exist/);
      expect(await versions('broken')).toEqual([1]);
      expect(await tables('broken')).toEqual(['first', 'schema_migrations']);
    } finally {
      await fs.rm(directory, { recursive: true, force: true });
    }
  });
});

describe('a sink on a schema that is not migrated', () => {
  it('refuses to write with a retriable error until migrate() has run', async () => {
    const sink = createSink({ sql: pg.sql, schema: 'later' });
    const error = await sink.write([makeCheckResult()]).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'ERR_SINK_NOT_MIGRATED', retriable: true });
    expect(await sink.migrate()).toEqual({ applied: [1, 2, 3, 4, 5, 6, 7, 8], version: 8 });
    await sink.ensurePartitions();
    expect(await sink.write([makeCheckResult()])).toEqual({ inserted: 1, duplicates: 0, expired: 0 });
    await sink.close();
  });
});
