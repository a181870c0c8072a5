// Migration 00005 (fewer bytes per stored check): the idempotency key is a unique index on id in each raw
// partition, and the certificate expiry is catalogued. A redelivered batch still changes
// nothing, rows stored before the migration read the same through the results view, and a
// result stored before it is still recognised when it comes again after.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { makeCheckResult } from '@sitewatch/schema/testing';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { createSink, migrate } from '../src/index.js';
import { migrationsDirectory } from '../src/lib/migrate.js';
import { startTestPostgres, type TestPostgres } from '../src/testing.js';
import { rollupSnapshot } from './helpers.js';

let pg: TestPostgres;

beforeAll(async () => {
  pg = await startTestPostgres();
});

afterAll(async () => {
  await pg.close();
});

const minutesAgo = (minutes: number) => new Date(Date.now() - minutes * 60_000).toISOString();

describe('compact raw rows (migration 00005)', () => {
  it('ignores a redelivered batch, and a result repeated within one, through the per-partition index', async () => {
    const sink = createSink({ sql: pg.sql, schema: 'compact' });
    try {
      await sink.migrate();
      const batch = Array.from({ length: 20 }, (_, i) => makeCheckResult({ targetId: `t${i % 3}`, startedAt: minutesAgo(i), tlsNotAfter: i % 2 ? '2027-01-01T00:00:00.000Z' : undefined }));
      expect(await sink.write(batch)).toEqual({ inserted: 20, duplicates: 0, expired: 0 });
      const rollups = await rollupSnapshot(pg.sql, 'compact');
      expect(await sink.write(batch)).toEqual({ inserted: 0, duplicates: 20, expired: 0 });
      expect(await rollupSnapshot(pg.sql, 'compact')).toEqual(rollups);
      expect(await sink.write([...batch.slice(0, 5), batch[0]!, makeCheckResult({ startedAt: minutesAgo(1) })])).toEqual({ inserted: 1, duplicates: 6, expired: 0 });
      const [counts] = await pg.sql<{ rows: number; certificates: number; withExpiry: number }[]>`
        select (select count(*) from compact.check_results)::integer as rows,
          (select count(*) from compact.certificates)::integer as certificates,
          (select count(*) from compact.results where tls_not_after = '2027-01-01T00:00:00Z')::integer as "withExpiry"`;
      expect(counts).toEqual({ rows: 21, certificates: 1, withExpiry: 10 });
      const indexes = await pg.sql<{ name: string }[]>`select indexname as name from pg_indexes where schemaname = 'compact' and tablename like 'check_results_%' order by 1`;
      expect(indexes.length).toBeGreaterThan(0);
      expect(indexes.every((index) => index.name.endsWith('_id_key'))).toBe(true);
    } finally {
      await sink.close();
    }
  });

  it('keeps rows stored before it readable as they were, and recognises them when they come again', async () => {
    // The schema as of migration 00004, with a row stored by the writer of then.
    const directory = await fs.mkdtemp(path.join(os.tmpdir(), 'pg-sink-v4-'));
    const sink = createSink({ sql: pg.sql, schema: 'upgraded' });
    try {
      for (const file of (await fs.readdir(migrationsDirectory)).filter((name) => name < '00005')) {
        await fs.copyFile(new URL(file, migrationsDirectory), path.join(directory, file));
      }
      expect(await migrate(pg.sql, { schema: 'upgraded', directory })).toMatchObject({ version: 4 });
      const old = makeCheckResult({ targetId: 'old', url: 'https://old.test/', probeId: 'p1', startedAt: minutesAgo(5), tlsNotAfter: '2027-02-03T04:05:06.000Z' });
      const day = old.startedAt.slice(0, 10);
      const next = new Date(Date.parse(day) + 86_400_000).toISOString().slice(0, 10);
      await pg.sql.unsafe(`create table upgraded.check_results_${day.replaceAll('-', '')} partition of upgraded.check_results for values from ('${day}') to ('${next}')`);
      await pg.sql`insert into upgraded.targets (key) values ('old')`;
      await pg.sql`insert into upgraded.probes (key) values ('p1')`;
      const [settings] = await pg.sql<{ id: number }[]>`
        insert into upgraded.target_settings (target_id, fingerprint, url) select id, gen_random_uuid(), 'https://old.test/' from upgraded.targets returning id`;
      await pg.sql`
        insert into upgraded.check_results (checked_at, tls_not_after, id, settings_id, response_ms, bytes_read, schedule_lag_ms, probe_id, redirects)
        values (${old.startedAt}, ${old.tlsNotAfter!}, ${old.id}, ${settings!.id}, 42.5, 100, 0, 1, 0)`;

      expect(await sink.migrate()).toEqual({ applied: [5, 6, 7, 8], version: 8 });
      const [row] = await pg.sql<{ tls_not_after: Date; target: string }[]>`select tls_not_after, target from upgraded.results where id = ${old.id}`;
      expect(row).toEqual({ tls_not_after: new Date('2027-02-03T04:05:06.000Z'), target: 'old' });
      // The same result again, and a new one with the same certificate: only the new one is stored.
      const fresh = makeCheckResult({ targetId: 'old', url: 'https://old.test/', probeId: 'p1', startedAt: minutesAgo(4), tlsNotAfter: old.tlsNotAfter });
      expect(await sink.write([old, fresh])).toEqual({ inserted: 1, duplicates: 1, expired: 0 });
      const expiries = await pg.sql<{ tls_not_after: Date }[]>`select tls_not_after from upgraded.results order by checked_at`;
      expect(expiries).toEqual([{ tls_not_after: new Date('2027-02-03T04:05:06.000Z') }, { tls_not_after: new Date('2027-02-03T04:05:06.000Z') }]);
    } finally {
      await sink.close();
      await fs.rm(directory, { recursive: true, force: true });
    }
  });
});
