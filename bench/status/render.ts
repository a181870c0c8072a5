// The status page and API for many targets × 90 days of rollups: server time per request
// (fastify's inject; the app's board cache off, cacheMs 0, so every request reads the
// database), against a baseline in the same run: fetching the same 90 days of daily rollup
// rows with one plain select (the data the page needs, without percentiles, state or HTML).
// Before each round a check of every target is stored, as a running consumer would: today's
// rows and this hour's change, finished days do not. "a new reader" is the first page of a
// freshly started app (nothing of the finished days kept yet). The history is written through
// the consumer's storage with the alerts evaluated (failureThreshold 1, slowMs 400,
// slowThreshold 2: about 7,000 down and 2,500 degraded incidents over 1,000 targets × 90 days;
// a certificate per target), so the alerts' tables hold what a running consumer leaves there.
// Not a test; the lead runs it on a quiet machine:
//   npx tsx --conditions=@sitewatch/source bench/status/render.ts [targets=1000] [days=90] [--rounds=9] [--checks-per-day=4]
// Smoke run (seconds): npx tsx --conditions=@sitewatch/source bench/status/render.ts 20 10 --rounds=2 --checks-per-day=2
import { createAlertingSink } from '@sitewatch/alerts';
import postgres from 'postgres';
import { makeCheckResult } from '@sitewatch/schema/testing';
import { createStatusReader } from '@sitewatch/status';
import { seededRandom } from '../../tools/testing/random.js';
import { createStatusServer } from '../../apps/status/src/server.js';
import { createDatabase, machineLine, quantile, table } from '../pipeline/environment.js';

const flags = new Map(process.argv.slice(2).filter((a) => a.startsWith('--')).map((a) => [a.slice(2, a.indexOf('=')), a.slice(a.indexOf('=') + 1)]));
const [targets = 1000, days = 90] = process.argv.slice(2).filter((a) => !a.startsWith('--')).map(Number);
const rounds = Number(flags.get('rounds') ?? 9);
const checksPerDay = Number(flags.get('checks-per-day') ?? 4);
const dayMs = 86_400_000;
// The alerts as the history is written: every down check opens an incident, two slow checks in a row a degraded one.
const alerts = { defaults: { failureThreshold: 1, slowMs: 400, slowThreshold: 2 } };
const targetId = (t: number) => `target-${String(t).padStart(4, '0')}`;
// Each target's certificate: expiring within 0–119 days of the start.
const tlsNotAfter = (t: number, now: Date) => new Date(now.getTime() + ((t % 120) - 1) * dayMs).toISOString();

async function main(): Promise<void> {
  console.log(machineLine());
  const db = await createDatabase('bench_status');
  const sql = postgres(db.url, { max: 4, onnotice: () => undefined });
  try {
    const now = new Date();
    const storage = () => createAlertingSink({ sink: { url: db.url, rawRetentionDays: Math.max(120, days + 10) }, alerts });
    const history = storage();
    await history.migrate();
    const next = seededRandom(13);
    const filled = performance.now();
    for (let d = days - 1; d >= 0; d--) {
      const batch = [];
      for (let t = 0; t < targets; t++) {
        for (let c = 0; c < checksPerDay; c++) {
          const at = new Date(Math.min(now.getTime() - 60_000, Math.floor(now.getTime() / dayMs) * dayMs - d * dayMs + ((c + next()) * dayMs) / checksPerDay)).toISOString();
          const down = next() < 0.02;
          batch.push(makeCheckResult({ targetId: targetId(t), startedAt: at, scheduledAt: at, responseTimeMs: 20 + 500 * next() ** 3, tlsNotAfter: tlsNotAfter(t, now), ...(down ? { outcome: 'down', reason: 'timeout', statusCode: undefined } : {}) }));
        }
      }
      for (let i = 0; i < batch.length; i += 20_000) await history.sink.write(batch.slice(i, i + 20_000));
    }
    await history.close();
    await sql`vacuum analyze`;
    const [incidents] = await sql<{ down: number; degraded: number }[]>`select count(*) filter (where kind = 'down')::int as down, count(*) filter (where kind = 'degraded')::int as degraded from sitewatch.incidents`;
    console.log(`filled ${targets} targets × ${days} days × ${checksPerDay} checks in ${((performance.now() - filled) / 1000).toFixed(1)} s; incidents: ${incidents!.down} down, ${incidents!.degraded} degraded`);

    const reader = createStatusReader({ sql });
    const settings = { listen: { port: 0, host: '127.0.0.1' }, title: 'bench', refreshSeconds: 60, cacheMs: 0, showUrls: 'path' as const, showErrors: false, incidentDays: 14, staleAfterMs: 900_000, certificateWarnDays: [30, 14, 7, 1], shutdownTimeoutMs: 10_000, publish: 'all' as const };
    const app = await createStatusServer({ reader, settings });
    const firstPage = async () => {
      const fresh = await createStatusServer({ reader: createStatusReader({ sql }), settings });
      const size = (await fresh.inject('/')).body.length;
      await fresh.close();
      return size;
    };
    const from = new Date(Math.floor(now.getTime() / dayMs) * dayMs - 89 * dayMs);
    const paths: [string, () => Promise<number>][] = [
      ['baseline: select the daily rows', async () => (await sql`select target_id, bucket, checks, up, bins, reasons from sitewatch.rollups_daily where bucket >= ${from}`).length],
      ['page /', async () => (await app.inject('/')).body.length],
      ['page / (a new reader)', firstPage],
      ['page /, brotli (what browsers ask for)', async () => (await app.inject({ url: '/', headers: { 'accept-encoding': 'br, gzip' } })).rawPayload.length],
      ['API /api/v1/targets', async () => (await app.inject('/api/v1/targets')).body.length],
      ['API /api/v1/targets/:id/daily', async () => (await app.inject('/api/v1/targets/target-0000/daily')).body.length],
      ['badge uptime-90d.svg', async () => (await app.inject('/badge/target-0000/uptime-90d.svg')).body.length],
    ];
    const times = new Map<string, number[]>(paths.map(([name]) => [name, []]));
    const sizes = new Map<string, number>();
    for (const [, run] of paths) await run(); // warm-up
    // Alternating rounds: each path sees the same machine within a round.
    const live = storage();
    for (let r = 0; r < rounds; r++) {
      const at = new Date().toISOString();
      await live.sink.write(Array.from({ length: targets }, (_, t) => makeCheckResult({ targetId: targetId(t), startedAt: at, scheduledAt: at, responseTimeMs: 20 + 500 * next() ** 3, tlsNotAfter: tlsNotAfter(t, now) })));
      for (const [name, run] of paths) {
        const began = performance.now();
        sizes.set(name, await run());
        times.get(name)!.push(performance.now() - began);
      }
    }
    for (const list of times.values()) list.sort((a, b) => a - b);
    const base = quantile(times.get(paths[0]![0])!, 0.5);
    console.log(
      table(
        ['what', 'median ms', 'max ms', 'ratio to baseline', 'size'],
        paths.map(([name]) => {
          const list = times.get(name)!;
          return [name, quantile(list, 0.5).toFixed(1), Math.max(...list).toFixed(1), (quantile(list, 0.5) / base).toFixed(2), String(sizes.get(name))];
        }),
      ),
    );
    await app.close();
    await live.close();
  } finally {
    await sql.end({ timeout: 5 });
    await db.drop();
  }
}

await main();
