// Packages as a stranger gets them: workspaces packed with `npm pack`, the tarballs installed
// into a scratch project in the temp folder, outside the workspace (so nothing resolves to
// the workspace's own node_modules or sources).
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);
export const root = path.resolve(import.meta.dirname, '../../..');

/** What `npm pack --json` says of one package. */
export interface Packed {
  name: string;
  filename: string;
  size: number;
  files: { path: string }[];
}

/** The environment of a child process, without what npm and jest set for the workspace's own scripts. */
export function cleanEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env = Object.fromEntries(Object.entries(process.env).filter(([name]) => !/^npm_/i.test(name) && name !== 'NODE_OPTIONS' && name !== 'INIT_CWD'));
  return { ...env, ...extra };
}

/**
 * Packs the workspaces (folders from the root: `libs/schema`) into `scratch/tarballs` and
 * installs them into the project `scratch/project` (with `dependencies` besides); returns
 * what was packed.
 */
export async function installPacked(scratch: string, workspaces: string[], dependencies: Record<string, string> = {}): Promise<Packed[]> {
  const tarballs = path.join(scratch, 'tarballs');
  const project = path.join(scratch, 'project');
  fs.mkdirSync(tarballs, { recursive: true });
  fs.mkdirSync(project, { recursive: true });
  const pack = await run('npm', ['pack', ...workspaces.flatMap((workspace) => ['-w', workspace]), '--pack-destination', tarballs, '--json'], { cwd: root, env: cleanEnv() });
  const packed = JSON.parse(pack.stdout) as Packed[];
  const own = Object.fromEntries(packed.map((p) => [p.name, `file:${path.join(tarballs, p.filename)}`]));
  fs.writeFileSync(path.join(project, 'package.json'), JSON.stringify({ name: 'scratch', private: true, type: 'module', dependencies: { ...own, ...dependencies } }));
  await run('npm', ['install', '--prefer-offline', '--no-audit', '--no-fund', '--loglevel=error'], { cwd: project, env: cleanEnv() });
  return packed;
}
