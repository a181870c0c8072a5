#!/usr/bin/env node
// sitewatch-status: the status page, JSON API and badges over PostgreSQL (read-only), and
// the same figures as a report. Run as a program it runs the command; imported (by
// `sitewatch status`) it only exports it.
//   sitewatch-status [serve] --config file.yaml
//   sitewatch-status report --config file.yaml [--days 90] [--target ID] [--format table|json|csv]
import { parseArgs } from 'node:util';
import { openPostgres } from '@sitewatch/pg-sink';
import { createLogger, exitCodes, handleShutdown, isMainModule, runCommand, startOpsServer, type CommandLine, type OpsServer } from '@sitewatch/service';
import { createStatusReader, maxDays } from '@sitewatch/status';
import { connectionOptions, loadStatusConfig, type StatusConfig } from './config.js';
import { report, type ReportRequest } from './report.js';
import { createStatusService } from './service.js';

const usage = `usage: sitewatch-status [serve] --config <file.yaml>
       sitewatch-status report --config <file.yaml> [--days 90] [--target ID] [--format table|json|csv]
(or set SITEWATCH_CONFIG)
`;

function parse(argv: string[], env: Record<string, string | undefined>) {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: { config: { type: 'string', short: 'c' }, help: { type: 'boolean', short: 'h' }, days: { type: 'string' }, target: { type: 'string' }, format: { type: 'string' } },
  });
  const command = positionals[0] ?? 'serve';
  if (!['serve', 'report'].includes(command) || positionals.length > 1) throw new Error(`unknown command ${positionals.join(' ')}`);
  const days = Number(values.days ?? 90);
  if (!Number.isInteger(days) || days < 1 || days > maxDays) throw new Error(`--days must be an integer from 1 to ${maxDays}`);
  const format = values.format ?? 'table';
  if (format !== 'table' && format !== 'json' && format !== 'csv') throw new Error('--format must be table, json or csv');
  const request: ReportRequest = { days, format, ...(values.target === undefined ? {} : { target: values.target }) };
  return { command, help: values.help === true, configPath: values.config ?? env.SITEWATCH_CONFIG, request };
}

async function serve(config: StatusConfig, logger: ReturnType<typeof createLogger>): Promise<void> {
  const service = createStatusService(config, logger);
  let ops: OpsServer | undefined;
  const shutdown = handleShutdown({
    logger,
    deadlineMs: config.status.shutdownTimeoutMs,
    async stop() {
      await service.stop();
      await ops?.close();
    },
  });
  try {
    if (config.status.metrics) ops = await startOpsServer({ ...config.status.metrics, registry: service.registry, readiness: service.readiness, logger });
    await service.start();
    service.warm();
  } catch (error) {
    logger.error({ err: error }, 'status service failed to start');
    return shutdown.begin('start-up failed', exitCodes.failure);
  }
}

/** The command line of `sitewatch-status` (and `sitewatch status`). */
export const statusCommand: CommandLine<ReturnType<typeof parse>> = {
  usage,
  parse,
  async run(args, secret) {
    const { config, secrets } = loadStatusConfig(args.configPath!, process.env);
    secret(secrets);
    const logger = createLogger({ name: 'status', level: config.log.level, pretty: config.log.pretty ?? process.stdout.isTTY, secrets });
    if (args.command === 'serve') return await serve(config, logger);
    const sql = openPostgres({ ...connectionOptions(config), poolSize: 2 });
    try {
      const reader = createStatusReader({ sql, schema: config.postgres.schema ?? 'sitewatch', staleAfterMs: config.status.staleAfterMs });
      process.stdout.write(await report(reader, config.status, args.request, new Date()));
    } catch (error) {
      process.stderr.write(`report failed: ${(error as Error).message.split('\n')[0]}\n`);
      process.exitCode = exitCodes.failure;
    } finally {
      await sql.end({ timeout: 5 });
    }
  },
};

if (isMainModule(import.meta.url)) void runCommand(statusCommand);
