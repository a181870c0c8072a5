export { parseCli, reportStartupError, runCommand, type CliArgs, type CommandLine } from './lib/cli.js';
export { configFileSchema, logConfigSchema, opsServerConfigSchema, renamedSettings, sitewatchSections } from './lib/config-schema.js';
export { loadConfig, type LoadConfigOptions, type LoadedConfig } from './lib/config.js';
export { ServiceError, serviceErrorCodes, type ServiceErrorCode } from './lib/errors.js';
export { createRegistry, pollMetric } from './lib/metrics.js';
export { createLogger, type CreateLoggerOptions, type LogLevel } from './lib/logger.js';
export { isMainModule } from './lib/main-module.js';
export { startOpsServer, type OpsServer, type OpsServerOptions } from './lib/ops-server.js';
export { exitCodes, handleShutdown, type ProcessLike, type Shutdown, type ShutdownOptions } from './lib/shutdown.js';
