#!/usr/bin/env node
// sitewatch-alerts: the operators' tools of the alerts.
//   sitewatch-alerts test <channel> --config file.yaml
//   sitewatch-alerts list --config file.yaml
import { openPostgres } from '@sitewatch/pg-sink';
// Run as a program it runs the command; imported (by `sitewatch alerts`) it only exports it.
import { createLogger, exitCodes, isMainModule, parseCli, runCommand, type CliArgs, type CommandLine } from '@sitewatch/service';
import { CommandError, listOutbox, testChannel } from './commands.js';
import { loadAlertsCommandConfig } from './config.js';

const usage = `usage: sitewatch-alerts test <channel> --config <file.yaml>   send a test notification through one channel of alerts.channels
       sitewatch-alerts list --config <file.yaml>             open incidents, deliveries pending and failed, the last error per channel
   (or set SITEWATCH_CONFIG instead of --config)
exit codes: 0 done; 1 the service refused or could not be reached, or the database failed; 2 a bad command line or config
`;

/** The number of arguments each command takes after its name. */
const commands: Record<string, number> = { test: 1, list: 0 };

/** The command line of `sitewatch-alerts` (and `sitewatch alerts`). */
export const alertsCommand: CommandLine<CliArgs> = {
  usage,
  parse: (argv, env) => parseCli(argv, env),
  misused: ({ command, args }) => command === undefined || commands[command] !== args.length,
  async run({ command, args, configPath }, secret) {
    const name = command as 'test' | 'list';
    const loaded = loadAlertsCommandConfig(configPath!, name, process.env);
    secret(loaded.secrets);
    const { config } = loaded;
    // Logs go to stderr: stdout is the command's answer.
    const logger = createLogger({ name: 'alerts', level: config.log.level, secrets: loaded.secrets, destination: process.stderr });
    try {
      if (name === 'test') {
        process.stdout.write(`${await testChannel(config.alerts, args[0]!, configPath!)}\n`);
        return;
      }
      const sql = openPostgres({ ...config.postgres!, poolSize: 1, applicationName: 'sitewatch-alerts', logger });
      try {
        process.stdout.write(`${await listOutbox(sql, config.postgres!.schema ?? 'sitewatch')}\n`);
      } finally {
        await sql.end({ timeout: 5 });
      }
    } catch (error) {
      if (!(error instanceof CommandError)) throw error;
      process.stderr.write(`${error.message}\n`);
      process.exitCode = exitCodes.failure;
    }
  },
};

if (isMainModule(import.meta.url)) void runCommand(alertsCommand);
