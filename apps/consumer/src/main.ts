#!/usr/bin/env node
// sitewatch-consumer: config -> Kafka subscriber -> PostgreSQL sink; logs, metrics, signals.
//   sitewatch-consumer --config file.yaml            run
//   sitewatch-consumer migrate --config file.yaml    apply database migrations and exit
import { createLogger, exitCodes, handleShutdown, parseCli, runCommand, startOpsServer, type OpsServer } from '@sitewatch/service';
import { loadConsumerConfig } from './config.js';
import { createConsumer, migrateOnly } from './consumer.js';

const usage = 'usage: sitewatch-consumer [migrate] --config <file.yaml>   (or set SITEWATCH_CONFIG)\n';

void runCommand({
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
});
