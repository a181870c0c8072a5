export { reasonIds } from './lib/batch.js';
export { SinkError, sinkErrorCodes, toSinkError, type SinkErrorCode } from './lib/errors.js';
export { isSqlIdentifier, sqlIdentifierPattern } from './lib/identifier.js';
export { createSchemaCheck, migrate, type MigrateOptions, type MigrateResult, type MigrationSet, type SchemaCheck } from './lib/migrate.js';
export { checkSinkOptions, pgSinkOptionsSchema, sinkDefaults, type InsertedHook, type SinkOptions, type SinkSslOptions, type SslMode } from './lib/options.js';
export {
  addTotals,
  dailyTotals,
  emptySummary,
  quantileRelativeAccuracy,
  rangeVersion,
  summaryOf,
  wholeDays,
  windowTotals,
  type Range,
  type RollupTables,
  type Summary,
  type SummaryQuery,
  type Totals,
  type WindowSummary,
} from './lib/rollups.js';
export { createSink, openPostgres, type Sink } from './lib/sink.js';
export { transaction } from './lib/transaction.js';
export { type WriteResult } from './lib/write.js';
