// Where the CPU goes during a phase: the whole machine (/proc/stat), and per group of
// processes (/proc/<pid>/stat): the measured worker, the PostgreSQL backends of the run's
// database, the PostgreSQL server's own processes (WAL writer, checkpointer, ...), the
// Kafka broker, and everything else (other work on the machine). Processes are sampled
// every 200 ms, so backends that exit before the end are still counted (to within 200 ms).
import { readdirSync, readFileSync } from 'node:fs';

/** CPU seconds per group over the phase, and the machine's busy share of all cores (0..1). */
export interface CpuReport {
  machineBusy: number;
  seconds: Record<CpuGroup, number>;
  /** The busiest processes of the `other` group: command line (cut short) and CPU seconds. */
  busiestOthers: { command: string; seconds: number }[];
}

export type CpuGroup = 'worker' | 'postgres' | 'postgresServer' | 'kafka' | 'other';

// Linux reports process CPU in clock ticks, 100 a second on every common configuration.
const ticksPerSecond = 100;

function machineTimes(): { busy: number; total: number } {
  // First line of /proc/stat: user nice system idle iowait irq softirq steal ...
  const fields = readFileSync('/proc/stat', 'utf8').split('\n')[0]!.trim().split(/\s+/).slice(1).map(Number);
  return { busy: fields.reduce((sum, n) => sum + n, 0) - fields[3]! - fields[4]!, total: fields.reduce((sum, n) => sum + n, 0) };
}

function read(file: string): string | undefined {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return undefined; // the process has exited
  }
}

/** utime + stime of a process, in ticks. */
function processTicks(pid: string): number | undefined {
  const stat = read(`/proc/${pid}/stat`);
  if (stat === undefined) return undefined;
  // The command name (field 2) may hold spaces: count fields after its closing parenthesis.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return Number(fields[11]) + Number(fields[12]);
}

/** Starts measuring. `database`: the run's database name; `brokerAddress`: host:port of the broker's PLAINTEXT listener. */
export function measureCpu(database: string, brokerAddress: string): { stop(): CpuReport } {
  const machineStart = machineTimes();
  const groups = new Map<string, CpuGroup>();
  const commands = new Map<string, string>();
  const first = new Map<string, number>();
  const last = new Map<string, number>();

  function classify(pid: string): CpuGroup {
    const cmdline = (read(`/proc/${pid}/cmdline`) ?? '').replaceAll('\0', ' ');
    if (cmdline.includes('bench/pipeline/worker.ts')) return 'worker';
    if (cmdline.startsWith('postgres: ')) return cmdline.includes(` ${database} `) ? 'postgres' : / (checkpointer|background writer|walwriter)/.test(cmdline) ? 'postgresServer' : 'other';
    const properties = /kafka\.Kafka (\S+server\.properties)/.exec(cmdline)?.[1];
    if (properties && (read(properties) ?? '').includes(`PLAINTEXT://${brokerAddress}`)) return 'kafka';
    return 'other';
  }

  function sample(initial: boolean): void {
    for (const pid of readdirSync('/proc')) {
      if (!/^\d+$/.test(pid)) continue;
      const ticks = processTicks(pid);
      if (ticks === undefined) continue;
      if (!groups.has(pid)) {
        groups.set(pid, classify(pid));
        commands.set(pid, (read(`/proc/${pid}/cmdline`) ?? '').replaceAll('\0', ' ').trim().slice(0, 80));
        // A process started during the phase used all its CPU time in it.
        first.set(pid, initial ? ticks : 0);
      }
      last.set(pid, ticks);
    }
  }

  sample(true);
  const timer = setInterval(() => sample(false), 200);
  return {
    stop() {
      clearInterval(timer);
      sample(false);
      const seconds: Record<CpuGroup, number> = { worker: 0, postgres: 0, postgresServer: 0, kafka: 0, other: 0 };
      const others: { command: string; seconds: number }[] = [];
      for (const [pid, group] of groups) {
        const used = (last.get(pid)! - first.get(pid)!) / ticksPerSecond;
        seconds[group] += used;
        if (group === 'other' && used > 0) others.push({ command: commands.get(pid)!, seconds: used });
      }
      const busiestOthers = others.sort((a, b) => b.seconds - a.seconds).slice(0, 3);
      const machineEnd = machineTimes();
      return { machineBusy: (machineEnd.busy - machineStart.busy) / Math.max(1, machineEnd.total - machineStart.total), seconds, busiestOthers };
    },
  };
}
