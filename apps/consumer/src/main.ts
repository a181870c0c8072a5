#!/usr/bin/env node
// sitewatch-consumer: config -> Kafka subscriber -> PostgreSQL sink; logs, metrics, signals.
//   sitewatch-consumer --config file.yaml            run
//   sitewatch-consumer migrate --config file.yaml    apply database migrations and exit
import { createLogger, exitCodes, handleShutdown, loadConfig, parseCli, reportStartupError, startOpsServer, type OpsServer } from '@sitewatch/service';
import { checkConsumerConfig, consumerConfigSchema, type ConsumerConfig } from './config.js';
import { createConsumer, migrateOnly } from './consumer.js';

const usage = 'usage: sitewatch-consumer [migrate] --config <file.yaml>   (or set SITEWATCH_CONFIG)\n';

async function main(): Promise<void> {
  let secrets: string[] = [];
  try {
    const args = parseCli(process.argv.slice(2), process.env);
    if (args.help || !args.configPath || (args.command !== undefined && args.command !== 'migrate')) {
      process.stderr.write(usage);
      process.exitCode = args.help ? exitCodes.ok : exitCodes.config;
      return;
    }
    const loaded = loadConfig<ConsumerConfig>(args.configPath, { schema: consumerConfigSchema, env: process.env, check: checkConsumerConfig });
    const { config } = loaded;
    secrets = loaded.secrets;
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
  } catch (error) {
    process.exitCode = reportStartupError(error, secrets);
  }
}

void main();
