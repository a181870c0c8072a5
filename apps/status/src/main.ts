#!/usr/bin/env node
// sitewatch-status: the status page, JSON API and badges over PostgreSQL (read-only), and
// the same figures as a report.
//   sitewatch-status [serve] --config file.yaml
//   sitewatch-status report --config file.yaml [--days 90] [--target ID] [--format table|json|csv]
import { parseArgs } from 'node:util';
import { openPostgres } from '@sitewatch/pg-sink';
import { createLogger, exitCodes, handleShutdown, runCommand, startOpsServer, type OpsServer } from '@sitewatch/service';
import { createStatusReader, maxDays } from '@sitewatch/status';
import { loadBoard } from './board.js';
import { connectionOptions, loadStatusConfig, type StatusConfig } from './config.js';
import { createStatusMetrics } from './metrics.js';
import { report, type ReportRequest } from './report.js';
import { createStatusServer } from './server.js';

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
  const sql = openPostgres({ ...connectionOptions(config), logger });
  const reader = createStatusReader({ sql, schema: config.postgres.schema ?? 'sitewatch', staleAfterMs: config.status.staleAfterMs, logger });
  const metrics = createStatusMetrics();
  let databaseOk = false;
  const ping = () =>
    reader.ping().then(
      () => (databaseOk = true),
      () => (databaseOk = false),
    );
  const pinger = setInterval(() => void ping(), 5000);
  pinger.unref();
  const app = await createStatusServer({ reader, settings: config.status, logger, onResponse: (route, code, seconds) => metrics.answered(route, code, seconds) });
  let ops: OpsServer | undefined;
  const shutdown = handleShutdown({
    logger,
    deadlineMs: config.status.shutdownTimeoutMs,
    async stop() {
      clearInterval(pinger);
      await app.close();
      await ops?.close();
      await reader.close();
      await sql.end({ timeout: 5 });
    },
  });
  const { host, port } = config.status.listen;
  try {
    await ping();
    if (config.status.metrics) ops = await startOpsServer({ ...config.status.metrics, registry: metrics.registry, readiness: () => ({ postgres: databaseOk }), logger });
    await app.listen({ host, port });
  } catch (error) {
    logger.error({ err: error }, 'status service failed to start');
    return shutdown.begin('start-up failed', exitCodes.failure);
  }
  const address = app.server.address();
  const bound = typeof address === 'object' && address ? address.port : port;
  const shownHost = host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host.includes(':') ? `[${host}]` : host;
  logger.info({ url: `http://${shownHost}:${bound}/`, api: `http://${shownHost}:${bound}/api/v1/openapi.json`, database: databaseOk }, 'status page listening');
  // The reader's first read of many targets reads every finished day (1.5–2 s at 1,000 targets
  // × 90 days) and keeps what it computed: make it now rather than for the first visitor. A
  // failure here (no tables yet) is the first request's to report.
  void loadBoard(reader, config.status, new Date()).catch(() => undefined);
}

void runCommand({
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
});
