// The alerts' migrations on a database that earlier releases migrated: their ledger held the
// SHA-256 of each whole file, before the comments of 00002 were reworded; the runner now
// records the SQL without comments, and takes the old rows over.
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { startTestPostgres, type TestPostgres } from '@sitewatch/pg-sink/testing';
import { alertingSink } from './helpers.js';

const migrations = new URL('../migrations/', import.meta.url);
const files = fs.readdirSync(migrations).filter((file) => file.endsWith('.sql')).sort();
const listed = JSON.parse(fs.readFileSync(new URL('previous-checksums.json', migrations), 'utf8')) as Record<string, string[]>;
const whole = (file: string) => createHash('sha256').update(fs.readFileSync(new URL(file, migrations))).digest('hex');

let pg: TestPostgres;

beforeAll(async () => {
  pg = await startTestPostgres();
});

afterAll(() => pg?.close());

describe('alerts migrations', () => {
  it('take over a ledger of whole-file checksums, as releases before wrote it, and rewrite it', async () => {
    const setup = await alertingSink(pg.url);
    try {
      // As shipped: 00002 with its first comments (listed), 00001 as it is now.
      const old = files.map((file) => (file === '00002_alert_locations_fillfactor.sql' ? listed[file]![0]! : whole(file)));
      for (const [i, checksum] of old.entries()) await pg.sql`update sitewatch.alerts_migrations set checksum = ${checksum} where version = ${i + 1}`;
      expect(await setup.alerts.migrate()).toEqual({ applied: [], version: files.length });
      const rewritten = (await pg.sql<{ checksum: string }[]>`select checksum from sitewatch.alerts_migrations order by version`).map((row) => row.checksum);
      expect(rewritten.every((checksum, i) => /^[0-9a-f]{64}$/.test(checksum) && checksum !== old[i])).toBe(true);
      expect(await setup.alerts.migrate()).toEqual({ applied: [], version: files.length });
      await pg.sql`update sitewatch.alerts_migrations set checksum = ${'0'.repeat(64)} where version = 1`;
      await expect(setup.alerts.migrate()).rejects.toMatchObject({ code: 'ERR_SINK_MIGRATION' });
    } finally {
      await setup.close();
    }
  });
});
