#!/usr/bin/env node
// sitewatch-producer: config -> scheduler(checker) -> Kafka publisher; logs, metrics, signals.
import { createLogger, exitCodes, handleShutdown, parseCli, reportStartupError, startOpsServer, type OpsServer } from '@sitewatch/service';
import { loadProducerConfig } from './config.js';
import { startProducer } from './producer.js';

const usage = 'usage: sitewatch-producer --config <file.yaml>   (or set SITEWATCH_CONFIG)\n';

async function main(): Promise<void> {
  let secrets: string[] = [];
  try {
    const args = parseCli(process.argv.slice(2), process.env);
    if (args.help || !args.configPath) {
      process.stderr.write(usage);
      process.exitCode = args.help ? exitCodes.ok : exitCodes.config;
      return;
    }
    const loaded = loadProducerConfig(args.configPath, process.env);
    const { config } = loaded;
    secrets = loaded.secrets;
    const logger = createLogger({ name: 'producer', level: config.log.level, pretty: config.log.pretty ?? process.stdout.isTTY, secrets });
    let ops: OpsServer | undefined;
    const producer = startProducer(config, logger, (err, reason) => {
      logger.error({ err, code: err.code }, `${reason}; stopping`);
      void shutdown.begin(reason, exitCodes.failure);
    });
    const shutdown = handleShutdown({
      logger,
      deadlineMs: config.producer.shutdownTimeoutMs,
      async stop() {
        await producer.stop();
        await ops?.close();
      },
    });
    const metrics = config.producer.metrics;
    if (metrics) {
      ops = await startOpsServer({ ...metrics, registry: producer.metrics.registry, readiness: producer.readiness, logger }).catch(async (error: unknown) => {
        await shutdown.begin('ops server failed to start', exitCodes.failure);
        throw error;
      });
    }
  } catch (error) {
    process.exitCode = reportStartupError(error, secrets);
  }
}

void main();
