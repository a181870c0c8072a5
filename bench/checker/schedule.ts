// 10,000 targets at a 10 s interval (1,000 checks a second) through createScheduler() and
// checkTarget() against a local site (a child process): can one process keep up? Reports checks
// per second, CPU per check, how late each check starts against its slot (p50/p99/max), the
// dns phase, memory (peak RSS), and whether every check was up. Modes: plain HTTP or HTTPS
// (TLS 1.3, ECDSA P-256), targets by IP address or by host name resolved through a local DNS
// server (a child process) answering after a delay. The figures are of the intervals after a
// warm-up interval (JIT, the local servers' first connections); the warm-up's own lateness is
// reported beside them.
//   npx nx run checker:build && npx tsx bench/checker/schedule.ts [targets=10000] [intervalMs=10000] [intervals=3]
//       [--https] [--dns-delay=<ms>: host names, resolver answering after <ms>] [--family=both|ipv4|ipv6] [--concurrency=<n>]
//       [--warmup=<intervals>, default 1]
import { loadavg } from 'node:os';
import { checkTarget, compileTargets, createResolver, createScheduler, type AddressFamily, type CompiledTarget } from '@sitewatch/checker';
import type { CheckResult } from '@sitewatch/schema';
import { percentile, startLocalDnsServer, startLocalServer, type LocalServer } from './local-server.js';

const args = process.argv.slice(2);
const flag = (name: string) => args.find((arg) => arg.startsWith(`--${name}`))?.split('=')[1] ?? (args.includes(`--${name}`) ? '' : undefined);
const [count = 10_000, intervalMs = 10_000, intervals = 3] = args.filter((arg) => !arg.startsWith('--')).map(Number);
const scheme = flag('https') === undefined ? 'http' : 'https';
const dnsDelayMs = flag('dns-delay') === undefined ? undefined : Number(flag('dns-delay'));
const family = (flag('family') ?? 'both') as AddressFamily;
const concurrency = flag('concurrency') === undefined ? undefined : Number(flag('concurrency'));
const warmupIntervals = Number(flag('warmup') ?? 1);

/** Target URLs: the site by IP, or `site-<i>.bench.test` at the site's port. */
function urls(site: LocalServer): string[] {
  const base = new URL(site.url);
  return Array.from({ length: count }, (_, i) => {
    const host = dnsDelayMs === undefined ? base.host : `site-${i}.bench.test:${base.port}`;
    return `${scheme}://${host}/site/${i}`;
  });
}

interface Tally {
  lateness: number[];
  /** Start lateness of the checks of the warm-up, not in `lateness`. */
  warmupLateness: number[];
  dnsMs: number[];
  outcomes: Map<string, number>;
}

function record(tally: Tally, result: CheckResult): void {
  const key = result.reason === undefined ? 'up' : `${result.reason} (${result.error?.code ?? ''})`;
  tally.outcomes.set(key, (tally.outcomes.get(key) ?? 0) + 1);
  if (result.phases.dnsMs !== undefined) tally.dnsMs.push(result.phases.dnsMs);
}

async function main(): Promise<void> {
  const processRss = process.memoryUsage().rss;
  const loadBefore = loadavg()[0]!;
  const site = await startLocalServer(scheme);
  const dns = dnsDelayMs === undefined ? undefined : await startLocalDnsServer(dnsDelayMs);
  const resolver = createResolver(dns ? { servers: [dns.url], family } : {});
  const targets = compileTargets(
    urls(site).map((url, i) => ({ id: `site-${i}`, url })),
    { intervalMs, timeoutMs: Math.min(5_000, intervalMs) },
  );
  const tally: Tally = { lateness: [], warmupLateness: [], dnsMs: [], outcomes: new Map() };
  let peakRss = process.memoryUsage().rss;
  let maxQueued = 0;
  const baseRss = peakRss;
  let measuring = false;
  const check = (target: CompiledTarget, scheduledAt: Date) => {
    (measuring ? tally.lateness : tally.warmupLateness).push(Date.now() - scheduledAt.getTime());
    return checkTarget(target, { probeId: 'bench', scheduledAt, ca: site.ca, resolver });
  };
  const onResult = (result: CheckResult) => {
    if (measuring) record(tally, result);
  };
  const scheduler = createScheduler({ targets, check, onResult, ...(concurrency === undefined ? {} : { concurrency }) });
  const sampler = setInterval(() => {
    peakRss = Math.max(peakRss, process.memoryUsage().rss);
    maxQueued = Math.max(maxQueued, scheduler.stats().queued);
  }, 100);
  scheduler.start();
  await new Promise((resolve) => setTimeout(resolve, warmupIntervals * intervalMs));
  measuring = true;
  const before = scheduler.stats();
  maxQueued = 0;
  const cpu = process.cpuUsage();
  const started = performance.now();
  await new Promise((resolve) => setTimeout(resolve, intervals * intervalMs));
  await scheduler.stop();
  const elapsed = (performance.now() - started) / 1000;
  const used = process.cpuUsage(cpu);
  const after = scheduler.stats();
  const stats = {
    ...after,
    checksCompleted: after.checksCompleted - before.checksCompleted,
    overruns: after.overruns - before.overruns,
    missedSlots: after.missedSlots - before.missedSlots,
  };
  clearInterval(sampler);
  await Promise.all([site.close(), dns?.close()]);
  report({ elapsed, cpuMicros: used.user + used.system, tally, stats, rss: [processRss, baseRss, peakRss], maxQueued, loadBefore });
}

function report(run: { elapsed: number; cpuMicros: number; tally: Tally; stats: ReturnType<ReturnType<typeof createScheduler>['stats']>; rss: number[]; maxQueued: number; loadBefore: number }): void {
  const { elapsed, tally, stats } = run;
  const lateness = [...tally.lateness].sort((a, b) => a - b);
  const dnsMs = [...tally.dnsMs].sort((a, b) => a - b);
  const warmup = [...tally.warmupLateness].sort((a, b) => a - b);
  const up = tally.outcomes.get('up') ?? 0;
  const mib = (bytes: number) => (bytes / 1024 / 1024).toFixed(0);
  const names = dnsDelayMs === undefined ? 'by IP' : `by host name, resolver answering after ${dnsDelayMs} ms (family ${family})`;
  console.log(`${count} ${scheme} targets ${names}, every ${intervalMs} ms, ${intervals} intervals (${elapsed.toFixed(1)} s) after ${warmupIntervals} of warm-up, concurrency ${concurrency ?? '500 (default)'}`);
  console.log('| figure | value |\n| --- | ---: |');
  console.log(`| checks completed | ${stats.checksCompleted} (${(stats.checksCompleted / elapsed).toFixed(0)}/s) |`);
  console.log(`| CPU per check | ${(run.cpuMicros / Math.max(stats.checksCompleted, 1)).toFixed(0)} µs (${((run.cpuMicros / 1e6 / elapsed) * 100).toFixed(0)}% of one core) |`);
  console.log(`| start lateness p50 / p99 / max | ${percentile(lateness, 50)} / ${percentile(lateness, 99)} / ${lateness.at(-1)} ms |`);
  console.log(`| warm-up: checks started, start lateness p99 / max | ${warmup.length}, ${percentile(warmup, 99)} / ${warmup.at(-1)} ms |`);
  console.log(`| dns phase p50 / p99 | ${dnsMs.length === 0 ? '—' : `${percentile(dnsMs, 50).toFixed(1)} / ${percentile(dnsMs, 99).toFixed(1)} ms`} |`);
  console.log(`| all checks up | ${up === stats.checksCompleted ? 'yes' : 'no'}: ${[...tally.outcomes].map(([k, v]) => `${k} ${v}`).join(', ')} |`);
  console.log(`| overruns / missed slots / max queued | ${stats.overruns} / ${stats.missedSlots} / ${run.maxQueued} |`);
  console.log(`| RSS at process start / with targets compiled / peak | ${run.rss.map(mib).join(' / ')} MiB |`);
  console.log(`| machine load average (1 min) before / after | ${run.loadBefore.toFixed(2)} / ${loadavg()[0]!.toFixed(2)} |`);
}

await main();
