// createAlerts(): the evaluation hook for the sink, the migrations of the alerts tables (run
// by pg-sink's runner), and the notifier loops.
import { createSchemaCheck, migrate, type InsertedHook, type MigrateResult } from '@sitewatch/pg-sink';
import { noopLogger } from '@sitewatch/schema';
import { createChannel } from './channels/index.js';
import { createEvaluation } from './evaluation.js';
import { createNotifier, type Notifier, type NotifierStats } from './notifier.js';
import { resolveAlertsOptions, type AlertsOptions } from './options.js';
import { createRelativeSlowness } from './relative-slow.js';
import { createRules } from './rules.js';
import { createTables } from './tables.js';

/** The alerts of a sink: see `createAlerts()`. */
export interface Alerts {
  /**
   * The sink's `onInserted` hook (pass it to `createSink()`): evaluates the rows each write
   * inserted, in its transaction. Undefined when `enabled` is false.
   */
  readonly evaluate: InsertedHook | undefined;
  /** Applies the pending migrations of the alerts tables (pg-sink's runner, ledger `alerts_migrations`). */
  migrate(): Promise<MigrateResult>;
  /** Starts the notifier loops (when `notifier.enabled`); idempotent. */
  startNotifier(): void;
  /** What was sent and what waits (zeros but skippedBatches when the notifier does not run here). */
  stats(): NotifierStats;
  /** Stops the notifier after the sends in flight and closes the channels (never the `sql` client). Idempotent. */
  close(): Promise<void>;
  [Symbol.asyncDispose](): Promise<void>;
}

const migrationsDirectory = new URL('../../migrations/', import.meta.url);
const ledger = 'alerts_migrations';
const idle: NotifierStats = { sent: {}, failed: {}, abandoned: {}, refused: {}, openIncidents: 0, openByKind: { down: 0, degraded: 0 }, degradedTargets: [], certificateExpiry: {}, pending: 0, oldestPendingSeconds: 0, skippedBatches: 0 };

/** Checks the options (throws ERR_ALERTS_INVALID_OPTIONS with every problem); connects on first use. */
export function createAlerts(options: AlertsOptions): Alerts {
  const settings = resolveAlertsOptions(options);
  const log = (settings.logger ?? noopLogger).child({ component: 'alerts' });
  const { sql, schema, now } = settings;
  const tables = createTables(sql, schema);
  const rules = createRules(settings);
  const schemaCheck = createSchemaCheck(sql, schema, { directory: migrationsDirectory, ledger });
  const statusPage = settings.statusPageUrl === undefined ? {} : { statusPageUrl: settings.statusPageUrl };
  let notifier: Notifier | undefined;
  let closing: Promise<void> | undefined;
  let skipped = 0;

  const evaluate = createEvaluation({
    tables,
    rules,
    ...statusPage,
    now,
    log,
    ready: schemaCheck.ready,
    onSkipped(error, results) {
      skipped += 1;
      log.error({ err: error, results }, 'alert evaluation failed: the results are stored, their alerts skipped');
    },
  });

  function close(): Promise<void> {
    closing ??= (async () => {
      await notifier?.close();
      log.info({}, 'alerts closed');
    })();
    return closing;
  }

  return {
    evaluate: settings.enabled ? evaluate : undefined,
    async migrate() {
      const result = await migrate(sql, { schema, ledger, directory: migrationsDirectory, ...(settings.logger ? { logger: settings.logger } : {}) });
      schemaCheck.reset();
      return result;
    },
    startNotifier() {
      if (notifier || closing || !settings.enabled || !settings.notifier.enabled) return;
      const channels = Object.entries(settings.channels).map(([name, channel]) => createChannel(name, channel, { timeoutMs: settings.notifier.sendTimeoutMs, now }));
      const relative = createRelativeSlowness({ sql, schema, tables, rules, now });
      notifier = createNotifier({ sql, tables, rules, channels, relative, settings: settings.notifier, ...statusPage, now, log });
      log.info({ channels: channels.map((channel) => channel.name) }, 'notifier started');
    },
    stats: () => ({ ...(notifier?.stats() ?? idle), skippedBatches: skipped }),
    close,
    [Symbol.asyncDispose]: close,
  };
}
