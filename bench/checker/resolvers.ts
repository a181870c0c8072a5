// How should a checker resolve names? dns.lookup (getaddrinfo on libuv's pool of 4 threads),
// the same with a pool of 64, cacheable-lookup (got's DNS cache: c-ares, with dns.lookup as a
// fallback), and createResolver() (c-ares), against a DNS server answering after `delayMs`.
// getaddrinfo reads /etc/resolv.conf, so the run happens in a private network and mount
// namespace (root, `unshare`) whose resolv.conf names the bench's DNS server on 127.0.0.1:53;
// the machine's own resolver is never asked. Each variant runs in its own process.
//   npx nx run checker:build && npx tsx bench/checker/resolvers.ts [rate=500] [seconds=4] [delayMs=20]
import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import path from 'node:path';
import { startLocalDnsServer } from './local-server.js';

const [rate = 500, seconds = 4, delayMs = 20] = process.argv.slice(2, 5).map(Number);
const inside = process.argv.includes('--inside');

/** Runs this script again in a fresh network and mount namespace whose resolv.conf says 127.0.0.1. */
function enterNamespace(): void {
  const resolvConf = path.join(fs.mkdtempSync(path.join(tmpdir(), 'sitewatch-bench-')), 'resolv.conf');
  fs.writeFileSync(resolvConf, 'nameserver 127.0.0.1\noptions timeout:5 attempts:1\n');
  const script = `ip link set lo up && mount --bind ${resolvConf} /etc/resolv.conf && exec "$0" --import tsx "$@"`;
  const run = spawnSync('unshare', ['--net', '--mount', 'sh', '-c', script, process.execPath, import.meta.filename, String(rate), String(seconds), String(delayMs), '--inside'], {
    stdio: 'inherit',
  });
  fs.rmSync(path.dirname(resolvConf), { recursive: true, force: true });
  process.exitCode = run.status ?? 1;
}

const runs: { variant: string; env?: Record<string, string> }[] = [
  { variant: 'dns.lookup' },
  { variant: 'dns.lookup', env: { UV_THREADPOOL_SIZE: '64' } },
  { variant: 'cacheable-lookup' },
  { variant: 'c-ares' },
  { variant: 'c-ares-both' },
];

async function measure(): Promise<void> {
  const dns = await startLocalDnsServer(delayMs, 53);
  const worker = path.join(import.meta.dirname, 'lookup-worker.ts');
  console.log(`${rate} lookups/s for ${seconds} s, DNS server answering after ${delayMs} ms; load average (1 min) ${loadavg()[0]!.toFixed(2)}`);
  console.log('| variant | threads | lookups/s | latency p50 / p99 / max, ms (answered) | CPU µs/lookup | failed / unanswered |\n| --- | ---: | ---: | ---: | ---: | ---: |');
  try {
    for (const { variant, env } of runs) {
      const output = execFileSync(process.execPath, ['--import', 'tsx', worker, variant, String(rate), String(seconds)], { env: { ...process.env, ...env } });
      const r = JSON.parse(output.toString().trim().split('\n').at(-1)!) as Record<string, number | string>;
      const ms = (value: number | string) => Number(value).toFixed(1);
      console.log(`| ${r.variant} | ${r.threads} | ${r.perSecond} | ${ms(r.p50!)} / ${ms(r.p99!)} / ${ms(r.max!)} | ${r.cpuMicros} | ${r.failed} / ${r.unanswered} |`);
    }
  } finally {
    await dns.close();
  }
}

if (inside) await measure();
else enterNamespace();
