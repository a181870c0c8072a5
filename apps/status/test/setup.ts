// Shared by the app's integration tests: a database with known data (tools/testing/status-data),
// a read-only role, and the server over it with the config's defaults.
import { startTestPostgres, type TestPostgres } from '@sitewatch/pg-sink/testing';
import type { CheckResult } from '@sitewatch/schema';
import { createStatusReader, type StatusReader } from '@sitewatch/status';
import type { FastifyInstance } from 'fastify';
import { knownData, readOnlyRole, store, storeIncidents } from '../../../tools/testing/status-data.js';
import type { StatusSection } from '../src/config.js';
import { createStatusServer } from '../src/server.js';

/** The status section with its defaults, publishing every target (`publish: listed` with `targets` in `overrides`), and `overrides`. */
export function settings(overrides: Partial<StatusSection> = {}): StatusSection {
  return {
    listen: { port: 0, host: '127.0.0.1' },
    title: 'Status',
    refreshSeconds: 60,
    cacheMs: 0,
    showUrls: 'path',
    showErrors: false,
    incidentDays: 14,
    staleAfterMs: 900_000,
    certificateWarnDays: [30, 14, 7, 1],
    shutdownTimeoutMs: 10_000,
    publish: overrides.targets ? 'listed' : 'all',
    ...overrides,
  };
}

export interface Fixture {
  db: TestPostgres;
  results: CheckResult[];
  reader: StatusReader;
  now: Date;
  server(overrides?: Partial<StatusSection>): Promise<FastifyInstance>;
  close(): Promise<void>;
}

/** Known data stored through the sink (alerts migrated, one open and one resolved incident), read as a read-only role. */
export async function fixture(): Promise<Fixture> {
  const now = new Date();
  const db = await startTestPostgres();
  const results = knownData(now);
  await store(db.url, results, { alerts: true });
  await storeIncidents(db.sql, now);
  const ro = await readOnlyRole(db.sql, db.url);
  const reader = createStatusReader({ sql: ro.sql, now: () => now });
  const servers: FastifyInstance[] = [];
  return {
    db,
    results,
    reader,
    now,
    async server(overrides = {}) {
      const app = await createStatusServer({ reader, settings: settings(overrides), now: () => now });
      servers.push(app);
      return app;
    },
    async close() {
      for (const app of servers) await app.close();
      await reader.close();
      await ro.close();
      await db.close();
    },
  };
}
