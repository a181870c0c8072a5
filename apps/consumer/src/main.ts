#!/usr/bin/env node
// sitewatch-consumer: config -> Kafka subscriber -> PostgreSQL sink; logs, metrics, signals.
//   sitewatch-consumer --config file.yaml            run
//   sitewatch-consumer migrate --config file.yaml    apply database migrations and exit
// Run as a program it runs the command; imported (by `sitewatch consumer`) it only exports it.
import { createLogger, exitCodes, handleShutdown, isMainModule, parseCli, runCommand, startOpsServer, type CliArgs, type CommandLine, type OpsServer } from '@sitewatch/service';
import { loadConsumerConfig } from './config.js';
import { createConsumer, migrateOnly } from './consumer.js';

const usage = 'usage: sitewatch-consumer [migrate] --config <file.yaml>   (or set SITEWATCH_CONFIG)\n';

/** The command line of `sitewatch-consumer` (and `sitewatch consumer`). */
export const consumerCommand: CommandLine<CliArgs> = {
  usage,
  parse: parseCli,
  misused: (args) => args.command !== undefined && args.command !== 'migrate',
  async run(args, secret) {
    const { config, secrets } = loadConsumerConfig(args.configPath!, process.env);
    secret(secrets);
    const logger = createLogger({ name: 'consumer', level: config.log.level, pretty: config.log.pretty ?? process.stdout.isTTY, secrets });
    if (args.command === 'migrate') return await migrateOnly(config, logger);

    const consumer = createConsumer(config, logger);
    const starting = new AbortController();
    let ops: OpsServer | undefined;
    const shutdown = handleShutdown({
      logger,
      deadlineMs: config.consumer.shutdownTimeoutMs,
      async stop() {
        starting.abort();
        await consumer.stop();
        await ops?.close();
      },
    });
    const metrics = config.consumer.metrics;
    if (metrics) ops = await startOpsServer({ ...metrics, registry: consumer.metrics.registry, readiness: consumer.readiness, logger });
    await consumer.start(starting.signal).catch(async (error: unknown) => {
      if (starting.signal.aborted) return;
      logger.error({ err: error }, 'consumer failed to start');
      await shutdown.begin('start-up failed', exitCodes.failure);
    });
  },
};

if (isMainModule(import.meta.url)) void runCommand(consumerCommand);
