// Runs a command as a child of this process, with more environment variables, and resolves
// its exit status; SIGINT and SIGTERM are passed on to it, and this process waits for it
// (what it started, a cluster or the stack, is still there to stop or report afterwards).
import { spawn } from 'node:child_process';
import os from 'node:os';

/**
 * Runs `file args...` with this process's environment and `env`; resolves its exit status
 * (128 + the signal's number when a signal ended it).
 */
export function runCommand([file, ...args]: string[], env: Record<string, string>): Promise<number> {
  return new Promise((resolve, reject) => {
    const child = spawn(file!, args, { stdio: 'inherit', env: { ...process.env, ...env } });
    const forward = (signal: NodeJS.Signals) => child.kill(signal);
    for (const signal of ['SIGINT', 'SIGTERM'] as const) process.on(signal, forward);
    child.once('error', reject);
    child.once('exit', (code, signal) => {
      for (const name of ['SIGINT', 'SIGTERM'] as const) process.off(name, forward);
      resolve(code ?? 128 + (signal ? os.constants.signals[signal] : 0));
    });
  });
}
