// Files generated from the code and checked in (the config file's JSON Schema, the README's
// config reference, the messages' JSON Schemas): written by their tool, or with `--check`
// compared with what the tool would write, so CI fails when one has drifted from the code.
import fs from 'node:fs';
import path from 'node:path';

/** The repository's root folder. */
export const root = path.resolve(import.meta.dirname, '..');

/**
 * Writes each `[file, text]`, or with `--check` among the arguments writes nothing and sets
 * exit code 1 naming the files that differ from `text` (or are missing), and the command
 * that writes them.
 */
export function writeOrCheck(outputs: readonly (readonly [string, string])[], command: string): void {
  if (!process.argv.includes('--check')) {
    for (const [file, text] of outputs) fs.writeFileSync(file, text);
    return;
  }
  const stale = outputs.filter(([file, text]) => !fs.existsSync(file) || fs.readFileSync(file, 'utf8') !== text).map(([file]) => path.relative(root, file));
  if (stale.length > 0) {
    console.error(`stale: ${stale.join(', ')}; run \`${command}\``);
    process.exitCode = 1;
  }
}
