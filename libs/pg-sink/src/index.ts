export { reasonIds } from './lib/batch.js';
export { SinkError, sinkErrorCodes, type SinkErrorCode } from './lib/errors.js';
export { migrate, type MigrateOptions, type MigrateResult } from './lib/migrate.js';
export { checkSinkOptions, pgSinkOptionsSchema, sinkDefaults, type SinkOptions, type SinkSslOptions, type SslMode } from './lib/options.js';
export { quantileRelativeAccuracy, type Summary, type SummaryQuery } from './lib/rollups.js';
export { createSink, type Sink } from './lib/sink.js';
export { type WriteResult } from './lib/write.js';
