// `sitewatch <command> [args]`: one command over the services. Each service command is the
// service's own command line (the bins sitewatch-producer, -consumer, -status, -targets and
// -alerts are the same commands under their old names), so its options, usage and exit
// codes are the same; `all` and `init` are this app's own.
import { alertsCommand } from '@sitewatch/alerts-cli';
import { consumerCommand } from '@sitewatch/consumer';
import { producerCommand } from '@sitewatch/producer';
import { exitCodes, runCommand, type CommandLine } from '@sitewatch/service';
import { statusCommand } from '@sitewatch/status-app';
import { targetsCommand } from '@sitewatch/targets';
import { allCommand } from './all/command.js';
import { runInit } from './init/command.js';

type AnyCommand = CommandLine<{ help: boolean; configPath?: string; command?: string; args?: string[] }>;

/** What a command writes to. */
export interface SitewatchIo {
  env: Record<string, string | undefined>;
  stdout: { write(text: string): unknown };
  stderr: { write(text: string): unknown };
}

/** A service's command with its usage under `sitewatch <name>` instead of its bin's name. */
function renamed(command: AnyCommand, bin: string, name: string): AnyCommand {
  return { ...command, usage: command.usage.replaceAll(bin, `sitewatch ${name}`) };
}

/** `sitewatch migrate`: `sitewatch consumer migrate`, which takes no other argument. */
const migrateCommand: AnyCommand = {
  ...consumerCommand,
  usage: 'usage: sitewatch migrate --config <file.yaml>   (or set SITEWATCH_CONFIG)\n  applies the database migrations and exits\n',
  misused: (args) => args.command !== 'migrate' || (args.args?.length ?? 0) > 0,
};

/** The commands, each with its line in `sitewatch --help` and how it runs. */
const commands: Record<string, { about: string; run(argv: string[], io: SitewatchIo): Promise<void> }> = {
  all: { about: 'the producer, the consumer and the status page in one process (one machine)', run: (argv, io) => runCommand(allCommand, { argv, env: io.env, stderr: io.stderr }) },
  init: { about: 'write a starter config and targets file', run: async (argv, io) => void (process.exitCode = await runInit(argv, io)) },
  producer: { about: 'the checker: check the targets, publish the results to Kafka', run: (argv, io) => runCommand(renamed(producerCommand, 'sitewatch-producer', 'producer'), { argv, env: io.env, stderr: io.stderr }) },
  consumer: { about: 'the writer: store the results in PostgreSQL, evaluate alerts', run: (argv, io) => runCommand(renamed(consumerCommand, 'sitewatch-consumer', 'consumer'), { argv, env: io.env, stderr: io.stderr }) },
  status: { about: 'the status page, JSON API and badges; `status report`', run: (argv, io) => runCommand(renamed(statusCommand, 'sitewatch-status', 'status'), { argv, env: io.env, stderr: io.stderr }) },
  targets: { about: "a fleet's target registry: apply, list, delete", run: (argv, io) => runCommand(renamed(targetsCommand, 'sitewatch-targets', 'targets'), { argv, env: io.env, stderr: io.stderr }) },
  alerts: { about: 'a test notification through a channel; open incidents and deliveries', run: (argv, io) => runCommand(renamed(alertsCommand, 'sitewatch-alerts', 'alerts'), { argv, env: io.env, stderr: io.stderr }) },
  migrate: { about: 'apply the database migrations and exit', run: (argv, io) => runCommand(migrateCommand, { argv: ['migrate', ...argv], env: io.env, stderr: io.stderr }) },
};

/** `sitewatch --help`. */
export const sitewatchUsage = `usage: sitewatch <command> [args]   (sitewatch <command> --help for its own)
${Object.entries(commands)
  .map(([name, { about }]) => `  ${name.padEnd(9)} ${about}`)
  .join('\n')}
`;

/** Runs `sitewatch` with its arguments; sets process.exitCode as the command does (2 for a wrong use). */
export async function runSitewatch(argv: string[], io: SitewatchIo = process): Promise<void> {
  const [name, ...rest] = argv;
  const command = name === undefined ? undefined : Object.hasOwn(commands, name) ? commands[name] : undefined;
  if (command) return command.run(rest, io);
  const help = name === '--help' || name === '-h';
  io.stderr.write(`${name === undefined || help ? '' : `unknown command ${name}\n`}${sitewatchUsage}`);
  process.exitCode = help ? exitCodes.ok : exitCodes.config;
}
