#!/usr/bin/env node
// sitewatch-targets: manage the target registry of a checker fleet.
//   sitewatch-targets apply targets.yaml [--dry-run] --config file.yaml
//   sitewatch-targets list --config file.yaml
//   sitewatch-targets delete ID --config file.yaml
import { createLogger, exitCodes, parseCli, reportStartupError } from '@sitewatch/service';
import { applyTargets, CommandError, deleteTarget, listTargets } from './commands.js';
import { loadTargetsConfig, loadTargetsFile, registryOptions } from './config.js';

const usage = `usage: sitewatch-targets apply <targets.yaml> [--dry-run] --config <file.yaml>
       sitewatch-targets list --config <file.yaml>
       sitewatch-targets delete <target id> --config <file.yaml>
   (or set SITEWATCH_CONFIG instead of --config)
`;

/** The number of arguments each command takes after its name. */
const commands: Record<string, number> = { apply: 1, list: 0, delete: 1 };

async function main(): Promise<void> {
  let secrets: string[] = [];
  try {
    let args;
    try {
      args = parseCli(process.argv.slice(2), process.env, ['dry-run']);
    } catch (error) {
      process.stderr.write(`${(error as Error).message}\n${usage}`);
      process.exitCode = exitCodes.config;
      return;
    }
    const { command, configPath } = args;
    const wrongUse = command === undefined || commands[command] !== args.args.length || !configPath || (args.flags['dry-run'] && command !== 'apply');
    if (args.help || wrongUse) {
      process.stderr.write(usage);
      process.exitCode = args.help ? exitCodes.ok : exitCodes.config;
      return;
    }
    const loaded = loadTargetsConfig(configPath, process.env);
    secrets = loaded.secrets;
    const file = command === 'apply' ? loadTargetsFile(args.args[0]!, process.env) : undefined;
    secrets = [...secrets, ...(file?.secrets ?? [])];
    // Logs go to stderr: stdout is the command's answer.
    const logger = createLogger({ name: 'targets', level: loaded.config.log.level, secrets, destination: process.stderr });
    const options = { ...registryOptions(loaded.config), logger };
    const answer = file ? await applyTargets(options, file.targets, args.flags['dry-run']!) : command === 'list' ? await listTargets(options) : await deleteTarget(options, args.args[0]!);
    process.stdout.write(`${answer}\n`);
  } catch (error) {
    if (error instanceof CommandError) {
      process.stderr.write(`${error.message}\n`);
      process.exitCode = exitCodes.failure;
    } else process.exitCode = reportStartupError(error, secrets);
  }
}

void main();
