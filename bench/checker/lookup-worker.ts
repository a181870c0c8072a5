// One way of resolving names, measured in a process of its own (so UV_THREADPOOL_SIZE takes
// effect and the CPU is its own): `rate` lookups a second of distinct names under bench.test
// for `seconds`, each timed from the call to its answer (what a check waits). Prints JSON; a
// variant that falls far behind is cut off after 3 × seconds + 10 s, its unanswered lookups counted.
//   node --import tsx bench/checker/lookup-worker.ts <variant> <rate> <seconds> [dnsServer]
import dns from 'node:dns';
import { promisify } from 'node:util';
import { createResolver } from '@sitewatch/checker';
import { percentile } from './local-server.js';

type Lookup = (name: string) => Promise<unknown>;

const [variant = 'c-ares', rateText = '500', secondsText = '4', server] = process.argv.slice(2);
const rate = Number(rateText);
const total = rate * Number(secondsText);

async function variants(): Promise<Record<string, () => Lookup>> {
  const lookup = promisify(dns.lookup);
  // got's own DNS cache (a dependency of got), answers kept for 0 s: no caching.
  const { default: CacheableLookup } = await import('cacheable-lookup');
  return {
    'dns.lookup': () => (name) => lookup(name, { family: 4 }),
    'cacheable-lookup': () => {
      const cacheable = new CacheableLookup({ maxTtl: 0, errorTtl: 0 });
      if (server) cacheable.servers = [server];
      return (name) => cacheable.lookupAsync(name, { family: 4 });
    },
    'c-ares': () => {
      const resolver = createResolver({ family: 'ipv4', ...(server ? { servers: [server] } : {}) });
      return (name) => promisify(resolver.lookup)(name, {});
    },
    'c-ares-both': () => {
      const resolver = createResolver({ family: 'both', ...(server ? { servers: [server] } : {}) });
      return (name) => promisify(resolver.lookup)(name, { all: true });
    },
  };
}

async function main(): Promise<void> {
  const make = (await variants())[variant];
  if (!make) throw new Error(`unknown variant ${variant}`);
  const once = make();
  await once('warm-up.bench.test');
  const latencies: number[] = [];
  let failed = 0;
  let issued = 0;
  const cpu = process.cpuUsage();
  const start = performance.now();
  await new Promise<void>((resolve) => {
    setTimeout(resolve, (Number(secondsText) * 3 + 10) * 1000).unref();
    const settle = () => latencies.length + failed === total && resolve();
    const timer = setInterval(() => {
      const due = Math.min(total, Math.floor(((performance.now() - start) / 1000) * rate));
      for (; issued < due; issued++) {
        const sent = performance.now();
        once(`n${issued}.bench.test`).then(
          () => latencies.push(performance.now() - sent),
          () => failed++,
        ).finally(settle);
      }
      if (issued === total) clearInterval(timer);
    }, 5);
  });
  const elapsed = (performance.now() - start) / 1000;
  const used = process.cpuUsage(cpu);
  const sorted = latencies.sort((a, b) => a - b);
  console.log(JSON.stringify({
    variant,
    threads: process.env.UV_THREADPOOL_SIZE ?? '4',
    perSecond: Math.round(latencies.length / elapsed),
    p50: percentile(sorted, 50),
    p99: percentile(sorted, 99),
    max: sorted.at(-1),
    cpuMicros: Math.round((used.user + used.system) / total),
    failed,
    unanswered: total - latencies.length - failed,
  }));
  process.exit(0);
}

await main();
