// The built apps as child processes (`node apps/<app>/dist/main.js`), their output kept for
// assertions, and polling with a deadline instead of sleeps. What this module makes for a
// test file (config folders, processes) is gone when the file ends, even after a failed test
// that never reached its own clean-up: importing it registers that afterAll hook.
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll } from '@jest/globals';
import { stringify } from 'yaml';
import { waitFor } from '../../../tools/testing/wait-for.js';

export { waitFor };

const root = path.resolve(import.meta.dirname, '../../..');
const configDir = fs.mkdtempSync(path.join(os.tmpdir(), 'sitewatch-e2e-'));
const started = new Set<AppProcess>();

afterAll(async () => {
  await Promise.all([...started].map((app) => app.stop('SIGKILL')));
  fs.rmSync(configDir, { recursive: true, force: true });
});

/** Writes a config object as YAML into a fresh file of this test file's folder; returns the file's path. */
export function writeConfig(config: unknown, name = 'sitewatch.yaml'): string {
  const file = path.join(fs.mkdtempSync(path.join(configDir, 'config-')), name);
  fs.writeFileSync(file, stringify(config));
  return file;
}

export interface AppProcess {
  child: ChildProcess;
  /** Everything written to stdout and stderr so far. */
  output(): string;
  /** stdout lines that parse as JSON (the pino log). */
  logs(): Record<string, unknown>[];
  /** Resolves with the exit code (or the signal's name) once the process has exited. */
  exited: Promise<number | string>;
  /** Waits until a log line has `msg` (and the given fields). */
  waitForLog(msg: string, fields?: Record<string, unknown>, timeoutMs?: number): Promise<Record<string, unknown>>;
  /** Sends `signal` and waits for the exit; SIGKILL after `timeoutMs`. */
  stop(signal?: NodeJS.Signals, timeoutMs?: number): Promise<number | string>;
}

/** Runs a built app (`cli`: the `sitewatch` command) with its arguments. */
export function startApp(app: 'producer' | 'consumer' | 'targets' | 'status' | 'alerts' | 'cli', args: string[], env: Record<string, string> = {}): AppProcess {
  return startProgram(app, path.join(root, 'apps', app, 'dist', 'main.js'), args, { env: { ...process.env, ...env } });
}

/** Runs a Node.js program (`app` names it in messages) with its arguments, in `cwd` (default this one), with `env` (default this process's). */
export function startProgram(app: string, file: string, args: string[], options: { env?: NodeJS.ProcessEnv; cwd?: string } = {}): AppProcess {
  const child = spawn(process.execPath, [file, ...args], {
    cwd: options.cwd,
    env: { ...(options.env ?? process.env), NODE_OPTIONS: '' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
  // 'close', not 'exit': the output is read to its end by then.
  const exited = new Promise<number | string>((resolve) => child.once('close', (code, signal) => resolve(code ?? signal ?? -1)));
  const logs = () =>
    output.split('\n').flatMap((line) => {
      if (!line.startsWith('{')) return [];
      try {
        return [JSON.parse(line) as Record<string, unknown>];
      } catch {
        return [];
      }
    });
  const matches = (entry: Record<string, unknown>, msg: string, fields: Record<string, unknown>) =>
    entry.msg === msg && Object.entries(fields).every(([key, value]) => entry[key] === value);
  const running: AppProcess = {
    child,
    output: () => output,
    logs,
    exited,
    waitForLog: (msg, fields = {}, timeoutMs = 30_000) =>
      waitFor(() => `${app} to log "${msg}"\n--- ${app} output ---\n${output.slice(-3000)}`, () => logs().find((entry) => matches(entry, msg, fields)), timeoutMs),
    async stop(signal = 'SIGTERM', timeoutMs = 30_000) {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
      const result = await exited;
      clearTimeout(timer);
      return result;
    },
  };
  started.add(running);
  return running;
}
