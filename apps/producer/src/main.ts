#!/usr/bin/env node
// sitewatch-producer: config -> scheduler(checker) -> Kafka publisher; logs, metrics, signals.
// Run as a program it runs the command; imported (by `sitewatch producer`) it only exports it.
import { createLogger, exitCodes, handleShutdown, isMainModule, parseCli, runCommand, startOpsServer, type CliArgs, type CommandLine, type OpsServer } from '@sitewatch/service';
import { loadProducerConfig } from './config.js';
import { startProducer } from './producer.js';

const usage = 'usage: sitewatch-producer --config <file.yaml>   (or set SITEWATCH_CONFIG)\n';

/** The command line of `sitewatch-producer` (and `sitewatch producer`). */
export const producerCommand: CommandLine<CliArgs> = {
  usage,
  parse: parseCli,
  misused: (args) => args.command !== undefined,
  async run(args, secret) {
    const { config, secrets } = loadProducerConfig(args.configPath!, process.env);
    secret(secrets);
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
  },
};

if (isMainModule(import.meta.url)) void runCommand(producerCommand);
