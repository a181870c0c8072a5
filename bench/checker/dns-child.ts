// The benchmarks' DNS server, run as a child process (startLocalDnsServer() in local-server.ts)
// so that its CPU is not the checker's: every name under bench.test is 127.0.0.1, answered
// after the given delay; AAAA queries get an empty answer.
//   node --import tsx bench/checker/dns-child.ts <delayMs> [port=0]
import { startDnsServer } from '../../tools/testing/dns-server.js';

const [delayMs = 20, port = 0] = process.argv.slice(2).map(Number);
const server = await startDnsServer({ '*.bench.test': { a: ['127.0.0.1'], delayMs, ttl: 300 } }, port);
console.log(server.port);
process.on('SIGTERM', () => void server.close().then(() => process.exit(0)));
