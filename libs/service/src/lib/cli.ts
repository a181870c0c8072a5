import { parseArgs } from 'node:util';
import { isSitewatchError } from '@sitewatch/schema';
import { serviceErrorCodes } from './errors.js';
import { scrubber } from './logger.js';
import { exitCodes } from './shutdown.js';

export interface CliArgs {
  /** First positional argument (e.g. `migrate`), if any. */
  command?: string;
  /** `--config` / `-c`, else the `SITEWATCH_CONFIG` environment variable. */
  configPath?: string;
  help: boolean;
}

/** Parses `[command] [--config file] [--help]`; an unknown option throws with its name. */
export function parseCli(argv: string[], env: Record<string, string | undefined>): CliArgs {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: { config: { type: 'string', short: 'c' }, help: { type: 'boolean', short: 'h' } },
  });
  return { command: positionals[0], configPath: values.config ?? env.SITEWATCH_CONFIG, help: values.help ?? false };
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
