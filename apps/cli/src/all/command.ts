// `sitewatch all --config file.yaml`: the producer, the consumer and the status page in one
// process, for a single machine: one log stream (each line names its service), one ops
// port, one SIGTERM that stops them in order.
import { createLogger, exitCodes, handleShutdown, parseCli, type CliArgs, type CommandLine } from '@sitewatch/service';
import { loadAllConfig } from './config.js';
import { createAllServices } from './services.js';

const usage = `usage: sitewatch all --config <file.yaml>   (or set SITEWATCH_CONFIG)
  the producer, the consumer and the status page in one process, on one machine:
  one ops port (all.metrics), SIGTERM stops the checker, then the writer once it has
  stored what the checker published, then the page
`;

/** The command line of `sitewatch all`. */
export const allCommand: CommandLine<CliArgs> = {
  usage,
  parse: parseCli,
  misused: (args) => args.command !== undefined,
  async run(args, secret) {
    const { config, secrets } = loadAllConfig(args.configPath!, process.env);
    secret(secrets);
    const { log } = config.producer;
    const logger = createLogger({ level: log.level, pretty: log.pretty ?? process.stdout.isTTY, secrets });
    const services = createAllServices(config, logger, (reason) => void shutdown.begin(reason, exitCodes.failure));
    const shutdown = handleShutdown({ logger: logger.child({ service: 'all' }), deadlineMs: config.all.shutdownTimeoutMs, stop: () => services.stop() });
    try {
      await services.start();
    } catch (error) {
      logger.child({ service: 'all' }).error({ err: error }, 'sitewatch all failed to start');
      await shutdown.begin('start-up failed', exitCodes.failure);
    }
  },
};
