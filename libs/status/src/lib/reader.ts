// createStatusReader(): the read model a status page, an API or a report serves from. It
// needs SELECT only; every method is a few queries whatever the number of targets.
import type { IncidentRecord } from '@sitewatch/alerts';
import { noopLogger } from '@sitewatch/schema';
import { readAlertStates } from './alert-state.js';
import { addDegradedTime, readDegradedSpans } from './degraded.js';
import { StatusError, queryError } from './errors.js';
import { hasIncidentsTable, readIncidents, type IncidentQuery } from './incidents.js';
import { resolveReaderOptions, type StatusReaderOptions } from './options.js';
import { latestChecks, type LatestCheck } from './raw.js';
import { createFinishedCache } from './finished.js';
import { emptySummary, summaryOf, windowTotals, type Range, type WindowSummary } from '@sitewatch/pg-sink';
import { dailySeries, type DailyBar } from './rollups.js';
import { targetNow, type TargetNow } from './state.js';
import { tablesOf } from './tables.js';
import { readTargets, type KnownTarget } from './catalog.js';
import { checkDays, checkRange, lastUtcDays } from './windows.js';

// Up to this many targets, a call reads their rows directly rather than through the cache.
const directReadMax = 20;

/** The reader: see `createStatusReader()`. Every method rejects with a StatusError. */
export interface StatusReader {
  /** Every target the database knows, by id. */
  targets(): Promise<KnownTarget[]>;
  /**
   * The current state of the targets `ids` (default: every target with a recent check), from
   * the latest check of each location within `staleAfterMs` and, with the alerts' tables, the
   * degraded locations and open degraded incidents; with each target's certificate.
   */
  current(ids?: readonly string[]): Promise<Map<string, TargetNow>>;
  /** Uptime, quantiles and reasons over `range` of the targets `ids` (each present, empty when no rows), or of every target with rows. */
  summaries(range: Range, ids?: readonly string[]): Promise<Map<string, WindowSummary>>;
  /** One target's summary over `range` (empty when it has no rows there). */
  summary(id: string, range: Range): Promise<WindowSummary>;
  /** The last `days` UTC days (today's included), oldest first, of the targets `ids` (each present), or of every target with rows; with the time each day was degraded. */
  daily(days: number, ids?: readonly string[]): Promise<Map<string, DailyBar[]>>;
  /** Open incidents and those resolved since `query.since`, newest first; none when the alerts' tables are absent. */
  incidents(query?: IncidentQuery): Promise<IncidentRecord[]>;
  /** Whether the alerts' incidents table exists (checked again until it does). */
  hasIncidents(): Promise<boolean>;
  /** One trivial query: rejects when the database cannot be reached. */
  ping(): Promise<void>;
  /** Makes every later call reject with ERR_STATUS_CLOSED (the client passed in stays open). Idempotent. */
  close(): Promise<void>;
  [Symbol.asyncDispose](): Promise<void>;
}

/** Creates a reader over the schema of pg-sink's tables. Options are checked now (ERR_STATUS_INVALID_OPTIONS); nothing is queried until a call. */
export function createStatusReader(options: StatusReaderOptions): StatusReader {
  const settings = resolveReaderOptions(options);
  const { sql } = settings;
  const log = (settings.logger ?? noopLogger).child({ component: 'status-reader' });
  const tables = tablesOf(sql, settings.schema);
  let closed = false;
  let incidentsPresent = false;
  // Many targets: read from what is kept of finished buckets (see finished.ts). A few: read
  // directly, which costs their rows alone instead of the versions of every target's.
  const finished = createFinishedCache(sql, tables);
  const cachedFor = (ids?: readonly string[]) => ids === undefined || ids.length > directReadMax;
  // The bars with their time degraded, by the bar without: the same objects from read to read.
  const degradedCopies = new WeakMap<DailyBar, DailyBar>();

  function guarded<A extends unknown[], R>(what: string, fn: (...args: A) => Promise<R>): (...args: A) => Promise<R> {
    return async (...args) => {
      if (closed) throw new StatusError('ERR_STATUS_CLOSED', `${what}: the reader is closed`);
      try {
        return await fn(...args);
      } catch (error) {
        const wrapped = queryError(error, what);
        if (wrapped.code === 'ERR_STATUS_QUERY') log.warn({ err: wrapped, retriable: wrapped.retriable }, 'status query failed');
        throw wrapped;
      }
    };
  }

  const hasIncidents = guarded('checking for incidents', async () => {
    incidentsPresent ||= await hasIncidentsTable(sql, tables);
    return incidentsPresent;
  });

  async function current(ids?: readonly string[]): Promise<Map<string, TargetNow>> {
    const now = settings.now();
    const [checks, alerts] = await Promise.all([
      latestChecks(sql, tables, new Date(now.getTime() - settings.staleAfterMs), now, ids),
      hasIncidents().then((present) => (present ? readAlertStates(sql, tables, ids) : undefined)),
    ]);
    const byTarget = new Map<string, LatestCheck[]>((ids ?? []).map((id) => [id, []]));
    for (const check of checks) {
      const own = byTarget.get(check.target) ?? [];
      own.push(check);
      byTarget.set(check.target, own);
    }
    return new Map([...byTarget].map(([id, own]) => [id, targetNow(own, alerts?.get(id))]));
  }

  async function daily(days: number, ids?: readonly string[]): Promise<Map<string, DailyBar[]>> {
    checkDays(days);
    const now = settings.now();
    const first = lastUtcDays(days, now)[0]!;
    const [series, spans] = await Promise.all([
      cachedFor(ids) ? finished.daily(days, now, ids) : dailySeries(sql, tables, days, now, ids),
      hasIncidents().then((present) => (present ? readDegradedSpans(sql, tables, { from: first, to: now }, ids) : [])),
    ]);
    addDegradedTime(series, spans, now, degradedCopies);
    return series;
  }

  async function summaries(range: Range, ids?: readonly string[]): Promise<Map<string, WindowSummary>> {
    checkRange(range);
    const totals = cachedFor(ids) ? await finished.totals(range, settings.now(), ids) : await windowTotals(sql, tables, range, ids);
    const found = new Map([...totals].map(([id, t]) => [id, summaryOf(t)]));
    for (const id of ids ?? []) if (!found.has(id)) found.set(id, emptySummary());
    return found;
  }

  return {
    targets: guarded('reading targets', () => readTargets(sql, tables)),
    current: guarded('reading the latest checks', current),
    summaries: guarded('reading summaries', summaries),
    summary: guarded('reading a summary', async (id: string, range: Range) => (await summaries(range, [id])).get(id)!),
    daily: guarded('reading daily rollups', daily),
    incidents: guarded('reading incidents', async (query: IncidentQuery = {}) => ((await hasIncidents()) ? readIncidents(sql, tables, query) : [])),
    hasIncidents,
    ping: guarded('pinging the database', async () => {
      await sql`select 1`;
    }),
    async close() {
      closed = true;
    },
    async [Symbol.asyncDispose]() {
      closed = true;
    },
  };
}
