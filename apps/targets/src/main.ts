#!/usr/bin/env node
// sitewatch-targets: manage the target registry of a checker fleet.
//   sitewatch-targets apply targets.yaml [--dry-run] --config file.yaml
//   sitewatch-targets list --config file.yaml
//   sitewatch-targets delete ID --config file.yaml
// Run as a program it runs the command; imported (by `sitewatch targets`) it only exports it.
import { createLogger, exitCodes, isMainModule, parseCli, runCommand, type CliArgs, type CommandLine } from '@sitewatch/service';
import { applyTargets, CommandError, deleteTarget, listTargets } from './commands.js';
import { loadTargetsConfig, loadTargetsFile, registryOptions } from './config.js';

const usage = `usage: sitewatch-targets apply <targets.yaml> [--dry-run] --config <file.yaml>
       sitewatch-targets list --config <file.yaml>
       sitewatch-targets delete <target id> --config <file.yaml>
   (or set SITEWATCH_CONFIG instead of --config)
`;

/** The number of arguments each command takes after its name. */
const commands: Record<string, number> = { apply: 1, list: 0, delete: 1 };

/** The command line of `sitewatch-targets` (and `sitewatch targets`). */
export const targetsCommand: CommandLine<CliArgs> = {
  usage,
  parse: (argv, env) => parseCli(argv, env, ['dry-run']),
  misused: ({ command, args, flags }) => command === undefined || commands[command] !== args.length || (flags['dry-run'] === true && command !== 'apply'),
  async run({ command, args, flags, configPath }, secret) {
    const loaded = loadTargetsConfig(configPath!, process.env);
    secret(loaded.secrets);
    const file = command === 'apply' ? loadTargetsFile(args[0]!, process.env) : undefined;
    secret(file?.secrets ?? []);
    // Logs go to stderr: stdout is the command's answer.
    const logger = createLogger({ name: 'targets', level: loaded.config.log.level, secrets: [...loaded.secrets, ...(file?.secrets ?? [])], destination: process.stderr });
    const options = { ...registryOptions(loaded.config), logger };
    try {
      const answer = file ? await applyTargets(options, file.targets, flags['dry-run']!) : command === 'list' ? await listTargets(options) : await deleteTarget(options, args[0]!);
      process.stdout.write(`${answer}\n`);
    } catch (error) {
      if (!(error instanceof CommandError)) throw error;
      process.stderr.write(`${error.message}\n`);
      process.exitCode = exitCodes.failure;
    }
  },
};

if (isMainModule(import.meta.url)) void runCommand(targetsCommand);
