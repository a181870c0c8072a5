// Checks per second through checkTarget() (got underneath) against bare node:http requests
// (`agent: false`), both on a fresh connection per request, against the same local server (a
// child process), with the same count and concurrency. Rounds alternate between the two, so
// both see the same machine; the median of each side is reported, and the median of the
// per-round ratios. `--https`: the same over TLS 1.3 (an ECDSA P-256 certificate), bare
// `https.get` against checkTarget(), each request a full handshake. `--json`: all sides request
// the site's small JSON health answer, and a third side checks it with a JSON condition
// (`/status` equals "UP"): what the condition costs is its CPU per check less the second's.
//   npx nx run checker:build && npx tsx bench/checker/throughput.ts [requests=1000] [concurrency=50] [rounds=9] [--https] [--json]
import http from 'node:http';
import https from 'node:https';
import { loadavg } from 'node:os';
import { checkTarget, compileTarget, type CompiledTarget } from '@sitewatch/checker';
import { startLocalServer } from './local-server.js';

const args = process.argv.slice(2);
const [requests = 1000, concurrency = 50, rounds = 9] = args.filter((arg) => !arg.startsWith('--')).map(Number);
const scheme = args.includes('--https') ? 'https' : 'http';
const withJson = args.includes('--json');

interface Round {
  perSecond: number;
  /** CPU time of this process (user + system) per request, µs. */
  cpuMicros: number;
}

/** One bare request on a new connection (trusting `ca` for https), body read to the end. */
function bareRequest(url: URL, ca: string | undefined): Promise<void> {
  return new Promise((resolve, reject) => {
    (url.protocol === 'https:' ? https : http)
      .get(url, { agent: false, ca }, (res) => {
        if (res.statusCode !== 200) reject(new Error(`status ${res.statusCode}`));
        res.on('data', () => undefined);
        res.on('end', resolve);
        res.on('error', reject);
      })
      .on('error', reject);
  });
}

/** Runs `count` calls of `once`, `parallel` at a time. */
async function measure(count: number, parallel: number, once: () => Promise<void>): Promise<Round> {
  let next = 0;
  const cpu = process.cpuUsage();
  const started = performance.now();
  const worker = async () => {
    while (next++ < count) await once();
  };
  await Promise.all(Array.from({ length: parallel }, worker));
  const used = process.cpuUsage(cpu);
  return { perSecond: count / ((performance.now() - started) / 1000), cpuMicros: (used.user + used.system) / count };
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

async function main(): Promise<void> {
  const server = await startLocalServer(scheme);
  const url = new URL(`${server.url}${withJson ? '/health' : '/'}`);
  let notUp = 0;
  const checkOf = (target: CompiledTarget) => async () => {
    if ((await checkTarget(target, { probeId: 'bench', ca: server.ca })).outcome !== 'up') notUp++;
  };
  const sides: Record<string, () => Promise<void>> = {
    [`bare node:${scheme}, agent: false`]: () => bareRequest(url, server.ca),
    'checkTarget()': checkOf(compileTarget({ id: 'bench', url: url.href })),
    ...(withJson ? { 'checkTarget(), json /status equals "UP"': checkOf(compileTarget({ id: 'bench', url: url.href, json: [{ pointer: '/status', equals: 'UP' }] })) } : {}),
  };
  const results = new Map<string, Round[]>(Object.keys(sides).map((name) => [name, []]));
  // Warm-up (JIT, first connections), not counted.
  for (const once of Object.values(sides)) await measure(500, concurrency, once);
  for (let round = 0; round < rounds; round++) {
    for (const [name, once] of Object.entries(sides)) results.get(name)!.push(await measure(requests, concurrency, once));
  }
  await server.close();
  console.log(`${scheme}${withJson ? ' (JSON health answer)' : ''}: ${rounds} rounds of ${requests} requests each, ${concurrency} at a time; checks not up: ${notUp}; load average (1 min) ${loadavg()[0]!.toFixed(2)}`);
  console.log('| client | median req/s | median CPU µs/req | req/s per round |\n| --- | ---: | ---: | --- |');
  for (const [name, rows] of results) {
    const rates = rows.map((row) => row.perSecond);
    console.log(`| ${name} | ${median(rates).toFixed(0)} | ${median(rows.map((row) => row.cpuMicros)).toFixed(0)} | ${rates.map((rate) => rate.toFixed(0)).join(', ')} |`);
  }
  const bare = results.values().next().value;
  for (const [name, rows] of [...results].slice(1)) {
    const ratios = rows.map((row, i) => row.perSecond / bare![i]!.perSecond);
    const cpuRatios = rows.map((row, i) => bare![i]!.cpuMicros / row.cpuMicros);
    console.log(`ratio ${name} / bare: median of per-round ratios ${median(ratios).toFixed(2)} (range ${Math.min(...ratios).toFixed(2)}-${Math.max(...ratios).toFixed(2)}); CPU per request, bare / ${name}: ${median(cpuRatios).toFixed(2)}`);
  }
}

await main();
