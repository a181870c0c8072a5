// 10,000 targets at a 10 s interval (1,000 checks a second) through createScheduler() and
// checkTarget() against a local server (a child process): how late does each check start
// against its slot (p50/p99/max), and how much memory does the process take (peak RSS)?
//   (cd libs/checker && npm run build) && npx tsx bench/checker/schedule.ts [targets=10000] [intervalMs=10000] [intervals=3]
import { loadavg } from 'node:os';
import { checkTarget, compileTargets, createScheduler, type CompiledTarget } from '@sitewatch/checker';
import { percentile, startLocalServer } from './local-server.js';

const [count = 10_000, intervalMs = 10_000, intervals = 3] = process.argv.slice(2).map(Number);

async function main(): Promise<void> {
  const processRss = process.memoryUsage().rss;
  const loadBefore = loadavg()[0]!;
  const server = await startLocalServer();
  const targets = compileTargets(
    Array.from({ length: count }, (_, i) => ({ id: `site-${i}`, url: `${server.url}/site/${i}` })),
    { intervalMs, timeoutMs: Math.min(5_000, intervalMs) },
  );
  const lateness: number[] = [];
  const outcomes = new Map<string, number>();
  let peakRss = process.memoryUsage().rss;
  let maxQueued = 0;
  const baseRss = peakRss;
  const check = (target: CompiledTarget, scheduledAt: Date) => {
    lateness.push(Date.now() - scheduledAt.getTime());
    return checkTarget(target, { probeId: 'bench', scheduledAt });
  };
  const scheduler = createScheduler({
    targets,
    check,
    onResult: (result) => outcomes.set(result.reason ?? 'up', (outcomes.get(result.reason ?? 'up') ?? 0) + 1),
  });
  const sampler = setInterval(() => {
    peakRss = Math.max(peakRss, process.memoryUsage().rss);
    maxQueued = Math.max(maxQueued, scheduler.stats().queued);
  }, 100);
  const cpu = process.cpuUsage();
  const started = performance.now();
  scheduler.start();
  await new Promise((resolve) => setTimeout(resolve, intervals * intervalMs));
  await scheduler.stop();
  const elapsed = (performance.now() - started) / 1000;
  const used = process.cpuUsage(cpu);
  clearInterval(sampler);
  await server.close();

  const sorted = [...lateness].sort((a, b) => a - b);
  const stats = scheduler.stats();
  const mib = (bytes: number) => (bytes / 1024 / 1024).toFixed(0);
  console.log(`${count} targets every ${intervalMs} ms, ${intervals} intervals (${elapsed.toFixed(1)} s), concurrency 100 (default)`);
  console.log('| figure | value |\n| --- | ---: |');
  console.log(`| checks started | ${stats.checksStarted} (${(stats.checksStarted / elapsed).toFixed(0)}/s) |`);
  console.log(`| outcomes | ${[...outcomes].map(([k, v]) => `${k} ${v}`).join(', ')} |`);
  console.log(`| start lateness p50 / p99 / max | ${percentile(sorted, 50)} / ${percentile(sorted, 99)} / ${sorted.at(-1)} ms |`);
  console.log(`| overruns / missed slots / max queued | ${stats.overruns} / ${stats.missedSlots} / ${maxQueued} |`);
  console.log(`| RSS at process start / with targets compiled / peak | ${mib(processRss)} / ${mib(baseRss)} / ${mib(peakRss)} MiB |`);
  console.log(`| CPU of this process | ${(((used.user + used.system) / 1e6 / elapsed) * 100).toFixed(0)}% of one core |`);
  console.log(`| machine load average (1 min) before / after | ${loadBefore.toFixed(2)} / ${loadavg()[0]!.toFixed(2)} |`);
}

await main();
