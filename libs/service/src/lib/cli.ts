import { parseArgs } from 'node:util';
import { isSitewatchError } from '@sitewatch/schema';
import { serviceErrorCodes } from './errors.js';
import { scrubber } from './logger.js';
import { exitCodes } from './shutdown.js';

export interface CliArgs {
  /** First positional argument (e.g. `migrate`), if any. */
  command?: string;
  /** The positional arguments after the command (e.g. a file name). */
  args: string[];
  /** The boolean options asked for (e.g. `dry-run` for `--dry-run`), each true when given. */
  flags: Record<string, boolean>;
  /** `--config` / `-c`, else the `SITEWATCH_CONFIG` environment variable. */
  configPath?: string;
  help: boolean;
}

/** Parses `[command] [args...] [--config file] [--help]` and the boolean options `flags` (e.g. `['dry-run']`); an unknown option throws with its name. */
export function parseCli(argv: string[], env: Record<string, string | undefined>, flags: readonly string[] = []): CliArgs {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: { config: { type: 'string', short: 'c' }, help: { type: 'boolean', short: 'h' }, ...Object.fromEntries(flags.map((flag) => [flag, { type: 'boolean' as const }])) },
  });
  const given = Object.fromEntries(flags.map((flag) => [flag, (values as Record<string, unknown>)[flag] === true]));
  return { command: positionals[0], args: positionals.slice(1), flags: given, configPath: (values.config) ?? env.SITEWATCH_CONFIG, help: values.help === true };
}

/**
 * Writes a start-up failure to stderr (secrets scrubbed) and returns the exit code: 2 for a
 * config error, listing every problem by JSON Pointer; 1 for anything else.
 */
export function reportStartupError(error: unknown, secrets: readonly string[] = [], stderr: { write(text: string): unknown } = process.stderr): number {
  const scrub = scrubber(secrets);
  if (isSitewatchError(error, serviceErrorCodes) && error.code === 'ERR_SERVICE_CONFIG') {
    // The message lists the problems: `invalid config <file>:` then `  /path: message` lines.
    stderr.write(`${scrub(error.message)}\n`);
    return exitCodes.config;
  }
  const message = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  stderr.write(`${scrub(`failed to start: ${message}`)}\n`);
  return exitCodes.failure;
}

/** A command line of one of the services: what `runCommand()` runs. */
export interface CommandLine<A extends { help: boolean; configPath?: string }> {
  /** Printed for `--help` (exit 0) and for a wrong use (exit 2). */
  usage: string;
  /** Parses the arguments (e.g. with `parseCli`); a throw is a wrong use: its message, then the usage. */
  parse(argv: string[], env: Record<string, string | undefined>): A;
  /** Whether the arguments are a wrong use besides a missing config (default: never). */
  misused?(args: A): boolean;
  /** Runs the command. `secret(...)` names strings to scrub from a start-up failure's message (the config's resolved secrets). */
  run(args: A, secret: (values: readonly string[]) => void): Promise<void>;
}

/**
 * The part every service's `main()` shares: arguments, `--help` and wrong uses (the usage on
 * stderr; exit 0 or 2), then `run`; a failure to start is written to stderr, secrets
 * scrubbed, as exit 2 (config) or 1 (anything else). `run` sets the exit code of whatever it
 * handles itself.
 */
export async function runCommand<A extends { help: boolean; configPath?: string }>(line: CommandLine<A>, io: { argv: string[]; env: Record<string, string | undefined>; stderr: { write(text: string): unknown } } = { argv: process.argv.slice(2), env: process.env, stderr: process.stderr }): Promise<void> {
  let args: A;
  try {
    args = line.parse(io.argv, io.env);
  } catch (error) {
    io.stderr.write(`${(error as Error).message}\n${line.usage}`);
    process.exitCode = exitCodes.config;
    return;
  }
  if (args.help || !args.configPath || line.misused?.(args)) {
    io.stderr.write(line.usage);
    process.exitCode = args.help ? exitCodes.ok : exitCodes.config;
    return;
  }
  const secrets: string[] = [];
  try {
    await line.run(args, (values) => secrets.push(...values));
  } catch (error) {
    process.exitCode = reportStartupError(error, secrets, io.stderr);
  }
}
