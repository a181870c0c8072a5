// `sitewatch init [dir]`: writes a starter config and its targets file into `dir` (default
// the current folder, made if missing) and says what to run next. Writes nothing when either
// file is there already.
import fs from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { exitCodes } from '@sitewatch/service';
import { starterConfig, starterTargets } from './starter.js';

const usage = `usage: sitewatch init [dir]
  writes dir/sitewatch.yaml (a commented config for one machine) and dir/targets.yaml
  (a loopback demo target and one public site); refuses to overwrite either
`;

/** What a command writes to, and the exit code it sets. */
export interface InitIo {
  stdout: { write(text: string): unknown };
  stderr: { write(text: string): unknown };
}

/** The files `sitewatch init` writes, by name. */
export const starterFiles: Readonly<Record<string, string>> = { 'sitewatch.yaml': starterConfig, 'targets.yaml': starterTargets };

/** Runs `sitewatch init`; resolves with the exit code: 0, 1 (a file is there, or cannot be written), 2 (a wrong use). */
export async function runInit(argv: string[], io: InitIo = process): Promise<number> {
  let parsed: { values: { help?: boolean }; positionals: string[] };
  try {
    parsed = parseArgs({ args: argv, allowPositionals: true, options: { help: { type: 'boolean', short: 'h' } } });
  } catch (error) {
    io.stderr.write(`${(error as Error).message}\n${usage}`);
    return exitCodes.config;
  }
  if (parsed.values.help || parsed.positionals.length > 1) {
    io.stderr.write(usage);
    return parsed.values.help ? exitCodes.ok : exitCodes.config;
  }
  const dir = path.resolve(parsed.positionals[0] ?? '.');
  const taken = Object.keys(starterFiles).filter((name) => fs.existsSync(path.join(dir, name)));
  if (taken.length > 0) {
    io.stderr.write(`${taken.map((name) => path.join(dir, name)).join(' and ')} already there: nothing written (move it away, or init another folder)\n`);
    return exitCodes.failure;
  }
  try {
    await fs.promises.mkdir(dir, { recursive: true });
    // 'wx': fails rather than overwrite a file made since the check.
    for (const [name, text] of Object.entries(starterFiles)) await fs.promises.writeFile(path.join(dir, name), text, { flag: 'wx' });
  } catch (error) {
    io.stderr.write(`cannot write the starter files: ${(error as Error).message}\n`);
    return exitCodes.failure;
  }
  const config = path.relative(process.cwd(), path.join(dir, 'sitewatch.yaml')) || 'sitewatch.yaml';
  io.stdout.write(
    `wrote ${path.join(dir, 'sitewatch.yaml')} and ${path.join(dir, 'targets.yaml')}\n` +
      `next, with Kafka and PostgreSQL where sitewatch.yaml says (the local stack: npm run stack:up in a clone of sitewatch):\n` +
      `  sitewatch all --config ${config}\n` +
      `then open http://127.0.0.1:8080/\n`,
  );
  return exitCodes.ok;
}
