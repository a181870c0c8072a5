// A directory this package keeps state in (a member id, the spool): checked with the
// options, created when first used, written atomically.
import fs from 'node:fs';
import path from 'node:path';
import type { Problem } from '@sitewatch/schema';

/** JSON Schema of such a directory's path. */
export const stateDirectorySchema = { type: 'string', minLength: 1, description: 'A directory of this host, created when missing; it must be writable.' } as const;

/**
 * What is wrong with using `directory` for state, as a problem at `pointer`, without creating
 * anything: it must be a writable directory, or be creatable (its nearest existing parent
 * a writable directory).
 */
export function stateDirectoryProblem(directory: string, pointer: string): Problem | undefined {
  let current = path.resolve(directory);
  for (;;) {
    try {
      if (!fs.statSync(current).isDirectory()) return { path: pointer, message: `${current} is not a directory` };
      fs.accessSync(current, fs.constants.W_OK | fs.constants.X_OK);
      return undefined;
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      const parent = path.dirname(current);
      if (code !== 'ENOENT' || parent === current) return { path: pointer, message: `cannot write to ${current} (${code ?? 'error'})` };
      current = parent;
    }
  }
}

/** Writes `data` to `file` so that a reader sees the old or the new content, never a part (a temporary file renamed over it). */
export function writeFileAtomically(file: string, data: string | Uint8Array): void {
  const temporary = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(temporary, data);
  fs.renameSync(temporary, file);
}
