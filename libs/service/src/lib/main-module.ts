import { realpathSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/**
 * Whether the module at `moduleUrl` (its `import.meta.url`) is the program Node.js was asked to
 * run, through a bin's link or not: a service's `main.ts` runs its command then, and only
 * exports it when imported (by the `sitewatch` command). Node.js resolves the links of the
 * main module, so the comparison is of real paths.
 */
export function isMainModule(moduleUrl: string, argv: readonly string[] = process.argv): boolean {
  const script = argv[1];
  if (script === undefined) return false;
  try {
    return realpathSync(script) === fileURLToPath(moduleUrl);
  } catch {
    return false;
  }
}
