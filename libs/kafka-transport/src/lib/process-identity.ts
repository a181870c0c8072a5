// Who wrote a state file: enough to tell, later and on the same host, whether that process
// still runs. A restarted service trusts a file left by a process that is gone (it may take
// its place at once) and refuses one held by a process that still runs (the same name
// configured twice, or a paused process). On Linux the process's start time and the boot id
// tell a reused pid and a reboot apart; elsewhere only the pid is compared.
import fs from 'node:fs';
import os from 'node:os';

/** The process that wrote a file. */
export interface ProcessIdentity {
  host: string;
  pid: number;
  /** Linux: /proc/sys/kernel/random/boot_id (absent elsewhere). */
  bootId?: string;
  /** Linux: the process's start time, in clock ticks since boot (/proc/<pid>/stat, field 22). */
  startTicks?: string;
}

/** What became of the process that wrote a file. */
export type ProcessFate =
  /** This very process. */
  | 'self'
  /** It runs, on this host (perhaps paused: a stopped process still runs). */
  | 'running'
  /** It is gone: exited, killed, or the host rebooted since. */
  | 'gone'
  /** Another host: whether it runs cannot be known from here. */
  | 'unknown';

function readText(file: string): string | undefined {
  try {
    return fs.readFileSync(file, 'utf8').trim();
  } catch {
    return undefined;
  }
}

/** The state (R, S, T, Z...) and start time of a process, from /proc; undefined where there is no /proc or no such process. */
function procStat(pid: number | 'self'): { state: string; startTicks: string } | undefined {
  const text = readText(`/proc/${pid}/stat`);
  if (text === undefined) return undefined;
  // The command name (field 2) is in parentheses and may hold spaces: fields 3 on follow the last ')'.
  const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
  return { state: fields[0]!, startTicks: fields[19]! };
}

/** The identity of this process. */
export function currentIdentity(): ProcessIdentity {
  const bootId = readText('/proc/sys/kernel/random/boot_id');
  const startTicks = procStat('self')?.startTicks;
  return { host: os.hostname(), pid: process.pid, ...(bootId && { bootId }), ...(startTicks && { startTicks }) };
}

function signalable(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: it exists, as another user's process.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Whether the process `identity` names still runs, as far as this host can tell. */
export function fateOf(identity: ProcessIdentity, self: ProcessIdentity = currentIdentity()): ProcessFate {
  if (identity.host !== self.host) return 'unknown';
  if (identity.bootId !== undefined && self.bootId !== undefined && identity.bootId !== self.bootId) return 'gone';
  if (identity.pid === self.pid) return identity.startTicks === self.startTicks ? 'self' : 'gone';
  const stat = procStat(identity.pid);
  if (stat) {
    // A zombie has exited and only waits for its parent to collect it.
    if (stat.state === 'Z' || stat.state === 'X') return 'gone';
    return identity.startTicks === undefined || identity.startTicks === stat.startTicks ? 'running' : 'gone';
  }
  return self.startTicks === undefined && signalable(identity.pid) ? 'running' : 'gone';
}

/** An identity read back from JSON, or undefined when the value is not one. */
export function parseIdentity(value: unknown): ProcessIdentity | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const { host, pid, bootId, startTicks } = value as Record<string, unknown>;
  if (typeof host !== 'string' || !Number.isSafeInteger(pid)) return undefined;
  return { host, pid: pid as number, ...(typeof bootId === 'string' && { bootId }), ...(typeof startTicks === 'string' && { startTicks }) };
}

/** How to name a process in a log line or an error. */
export function describeProcess(identity: ProcessIdentity): { host: string; pid: number } {
  return { host: identity.host, pid: identity.pid };
}
