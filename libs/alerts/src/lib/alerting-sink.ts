// createAlertingSink(): a writer's storage as the consumer runs it — pg-sink's sink with the
// alerts evaluated in each of its writes, on the sink's schema, and the alerts' own pool of
// two connections for the notifier. The one place this wiring is written: the consumer app,
// the benchmarks and the tests all build their storage with it.
import { createSink, openPostgres, type MigrateResult, type Sink, type SinkOptions } from '@sitewatch/pg-sink';
import type { Logger } from '@sitewatch/schema';
import { createAlerts, type Alerts } from './alerts.js';
import type { AlertsOptions } from './options.js';

/** Options of `createAlertingSink()`. */
export interface AlertingSinkOptions {
  /** The sink's options; its `url` (and TLS settings) also serve the alerts' connections, its `schema` holds both. */
  sink: Omit<SinkOptions, 'onInserted' | 'logger'>;
  /** The alerts' options (default: the alerts' defaults, evaluation on). */
  alerts?: Omit<AlertsOptions, 'sql' | 'schema' | 'logger'>;
  /** Logger of both (default: none). */
  logger?: Logger;
}

/** A sink whose writes evaluate alerts, and the alerts: see `createAlertingSink()`. */
export interface AlertingSink {
  sink: Sink;
  alerts: Alerts;
  /** The sink's migrations, then the alerts' (one runner, a ledger each). */
  migrate(): Promise<MigrateResult & { alerts: MigrateResult }>;
  /** Closes the alerts (the notifier), the sink, and the alerts' connections. Idempotent. */
  close(): Promise<void>;
  [Symbol.asyncDispose](): Promise<void>;
}

/**
 * The sink and the alerts evaluated in its writes, on the same database and schema. The
 * notifier gets a pool of its own (two connections at most, `sitewatch-alerts`), so a slow
 * receiver never holds a connection the writes need. Nothing connects before first use.
 */
export function createAlertingSink(options: AlertingSinkOptions): AlertingSink {
  const logger = options.logger === undefined ? {} : { logger: options.logger };
  const sql = options.sink.sql ?? openPostgres({ ...options.sink, poolSize: 2, applicationName: 'sitewatch-alerts' });
  const alerts = createAlerts({ ...options.alerts, sql, ...(options.sink.schema === undefined ? {} : { schema: options.sink.schema }), ...logger });
  const sink = createSink({ ...options.sink, ...logger, onInserted: alerts.evaluate });
  let closing: Promise<void> | undefined;

  function close(): Promise<void> {
    closing ??= (async () => {
      await alerts.close();
      await sink.close();
      if (options.sink.sql === undefined) await sql.end({ timeout: 5 });
    })();
    return closing;
  }

  return {
    sink,
    alerts,
    async migrate() {
      const own = await sink.migrate();
      return { ...own, alerts: await alerts.migrate() };
    },
    close,
    [Symbol.asyncDispose]: close,
  };
}
