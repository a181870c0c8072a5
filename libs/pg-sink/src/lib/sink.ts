// createSink(): the PostgreSQL end of the pipeline. write() stores a batch idempotently in
// one transaction; partitions are created ahead (and on demand) and dropped by retention;
// summary() reads the rollups.
import { noopLogger, type CheckResult } from '@sitewatch/schema';
import type postgres from 'postgres';
import { createCatalog } from './catalog.js';
import { openClient, type ConnectionPlan } from './connection.js';
import { SinkError, toSinkError } from './errors.js';
import { createSchemaCheck, migrate, type MigrateResult } from './migrate.js';
import { resolveSinkOptions, type ResolvedSinkOptions, type SinkOptions } from './options.js';
import { createPartitionManager } from './partitions.js';
import { querySummary, type Summary, type SummaryQuery } from './rollups.js';
import { createWriter, type WriteResult } from './write.js';

/** The sink: see `createSink()`. */
export interface Sink {
  /** Applies the pending migrations to the sink's schema (see `migrate()`). */
  migrate(): Promise<MigrateResult>;
  /**
   * Stores a batch in one transaction: all of it or nothing. Idempotent on the result id:
   * a redelivered batch inserts nothing and changes no rollup. Throws a SinkError:
   * retry the same batch when `retriable`, dead-letter it otherwise.
   */
  write(batch: readonly CheckResult[]): Promise<WriteResult>;
  /** Creates the daily raw partitions from yesterday to today + partitionsAhead, and their rollup months; returns the names created. */
  ensurePartitions(now?: Date): Promise<string[]>;
  /** Drops the partitions past their retention age (raw by day, rollups by month); returns the names dropped. */
  applyRetention(now?: Date): Promise<string[]>;
  /**
   * Rebuilds full the idempotency index of each raw partition whose day ended an hour or more
   * ago (40 → about 29 bytes a check), without blocking writes; returns the names packed.
   */
  packClosedPartitions(now?: Date): Promise<string[]>;
  /** Uptime, response-time quantiles and failure reasons of a target over a range, read from the rollups. */
  summary(query: SummaryQuery): Promise<Summary>;
  /**
   * Runs ensurePartitions + applyRetention now (rejecting if that fails) and then every
   * maintenanceIntervalMs until close(); packClosedPartitions runs after each round, in the
   * background (close() cancels an index build in progress).
   */
  startMaintenance(): Promise<void>;
  /** Stops maintenance and closes the connections the sink opened (never a client passed as `sql`). Idempotent. */
  close(): Promise<void>;
  [Symbol.asyncDispose](): Promise<void>;
}

function connect(settings: ResolvedSinkOptions, plan: ConnectionPlan | undefined, log: typeof noopLogger): postgres.Sql {
  if (settings.sql) return settings.sql;
  if (plan!.mode === 'require') log.warn({ database: plan!.display }, 'TLS without server verification (sslmode require): use verify-full with the CA file');
  log.debug({ database: plan!.display, sslMode: plan!.mode, poolSize: settings.poolSize }, 'connection configured');
  return openClient(plan!, settings);
}

/**
 * A postgres.js client set up as the sink sets up its own from the same options (URL, TLS
 * with `verify-full` done right, pool size, timeouts, application name), for a component
 * that needs connections of its own beside the sink's (e.g. an alert notifier). Options are
 * checked as `createSink()` checks them (ERR_SINK_INVALID_OPTIONS); `url` is required. The
 * caller closes it (`sql.end()`).
 */
export function openPostgres(options: Omit<SinkOptions, 'sql'>): postgres.Sql {
  const { settings, plan } = resolveSinkOptions(options);
  return connect(settings, plan, (settings.logger ?? noopLogger).child({ component: 'pg-sink' }));
}

interface Periodic {
  /** The first round: rejects when it fails. */
  first: Promise<void>;
  /** Stops the timer and waits for a round in progress. */
  stop(): Promise<void>;
}

/** Runs `round` now and then every `intervalMs` (an unref'd timer); later failures go to `onError`. */
function periodic(round: () => Promise<void>, intervalMs: number, onError: (error: unknown) => void): Periodic {
  const first = round();
  let running: Promise<unknown> = first.catch(() => undefined);
  let busy = false;
  const timer = setInterval(() => {
    if (busy) return; // a slow round is not overlapped by the next
    busy = true;
    running = round()
      .catch(onError)
      .finally(() => (busy = false));
  }, intervalMs);
  timer.unref();
  return {
    first,
    async stop() {
      clearInterval(timer);
      await running;
    },
  };
}

/** Creates a sink. Options are checked now (throws ERR_SINK_INVALID_OPTIONS); the database is reached on first use. */
export function createSink(options: SinkOptions): Sink {
  const { settings, plan } = resolveSinkOptions(options);
  const log = (settings.logger ?? noopLogger).child({ component: 'pg-sink' });
  const sql = connect(settings, plan, log);
  const qualified = (name: string) => sql(`${settings.schema}.${name}`);
  const tables = {
    results: qualified('check_results'),
    hourly: qualified('rollups_hourly'),
    daily: qualified('rollups_daily'),
    countsAdd: qualified('counts_add'),
    countsSum: qualified('counts_sum'),
    targets: qualified('targets'),
    reasons: qualified('failure_reasons'),
  };
  const catalog = createCatalog(sql, { targets: qualified('targets'), settings: qualified('target_settings'), probes: qualified('probes'), certificates: qualified('certificates') });
  const retention = { check_results: settings.rawRetentionDays, rollups_hourly: settings.hourlyRetentionDays, rollups_daily: settings.dailyRetentionDays };
  const partitions = createPartitionManager(sql, settings.schema, { ahead: settings.partitionsAhead, retention }, log);
  const schemaCheck = createSchemaCheck(sql, settings.schema);
  let closing: Promise<void> | undefined;
  let maintenance: Periodic | undefined;
  let packing: Promise<void> | undefined;
  const stopPacking = new AbortController();

  // Every public call: reject after close(), and map whatever fails to a SinkError.
  function guarded<A extends unknown[], R>(what: string, fn: (...args: A) => Promise<R>): (...args: A) => Promise<R> {
    return async (...args) => {
      if (closing) throw new SinkError('ERR_SINK_CLOSED', `${what}: the sink is closed`);
      try {
        return await fn(...args);
      } catch (error) {
        throw toSinkError(error, 'ERR_SINK_QUERY', what);
      }
    };
  }

  const write = createWriter({ sql, tables, catalog, partitions, rawRetentionDays: settings.rawRetentionDays, now: settings.now, ready: schemaCheck.ready, log, onInserted: settings.onInserted });
  const ensurePartitions = guarded('creating partitions', (now: Date = settings.now()) => partitions.ensureAhead(now));
  const applyRetention = guarded('dropping expired partitions', (now: Date = settings.now()) => partitions.dropExpired(now));
  const packClosedPartitions = guarded('packing closed partitions', (now: Date = settings.now()) => partitions.packClosed(now, stopPacking.signal));

  /** Packs in the background after a maintenance round, unless a pass is still running; failures are logged. */
  function packInBackground(): void {
    packing ??= packClosedPartitions()
      .then(
        () => undefined,
        (error: unknown) => {
          if (!stopPacking.signal.aborted) log.warn({ err: error }, 'packing closed partitions failed; retried after the next maintenance round');
        },
      )
      .finally(() => (packing = undefined));
  }

  async function summary(query: SummaryQuery): Promise<Summary> {
    if (!(query?.from instanceof Date) || !(query.to instanceof Date) || Number.isNaN(query.from.getTime() + query.to.getTime())) {
      throw new SinkError('ERR_SINK_INVALID_OPTIONS', 'invalid summary query', { problems: [{ path: '', message: 'needs from and to as valid Dates' }] });
    }
    await schemaCheck.ready();
    return querySummary(sql, tables, query);
  }

  async function startMaintenance(): Promise<void> {
    if (maintenance) return;
    const round = async () => {
      await ensurePartitions();
      await applyRetention();
      packInBackground();
    };
    maintenance = periodic(round, settings.maintenanceIntervalMs, (error) => {
      if (!closing) log.warn({ err: error }, 'partition maintenance failed; retried at the next interval');
    });
    await maintenance.first;
  }

  function close(): Promise<void> {
    closing ??= (async () => {
      stopPacking.abort();
      await maintenance?.stop();
      await packing;
      if (!settings.sql) await sql.end({ timeout: 5 });
      log.info({}, 'sink closed');
    })();
    return closing;
  }

  return {
    migrate: guarded('migrate', async () => {
      const result = await migrate(sql, { schema: settings.schema, logger: settings.logger ?? noopLogger });
      schemaCheck.reset();
      return result;
    }),
    write: guarded('write', write),
    ensurePartitions,
    applyRetention,
    packClosedPartitions,
    summary: guarded('summary', summary),
    startMaintenance: guarded('starting maintenance', startMaintenance),
    close,
    [Symbol.asyncDispose]: close,
  };
}
