// A stranger's program against the packed libraries (run by e2e/test/packages.int.spec.ts): a
// check of a local site, the message's round trip, a sink write and summary, a publish, the
// service's metrics and logger. Prints what it saw as one JSON line.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { checkTarget, compileTarget } from '@sitewatch/checker';
import { createPublisher } from '@sitewatch/kafka-transport';
import { createSink, type Summary, type WriteResult } from '@sitewatch/pg-sink';
import { decode, encode, type CheckResult } from '@sitewatch/schema';
import { createLogger, createRegistry } from '@sitewatch/service';
import postgres from 'postgres';

function env(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set`);
  return value;
}

async function checkLocalSite(): Promise<CheckResult> {
  const server = http.createServer((_request, response) => response.end('all systems operational'));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  try {
    const { port } = server.address() as AddressInfo;
    const target = compileTarget({ id: 'scratch-site', url: `http://127.0.0.1:${port}/`, mustMatch: 'operational' });
    return await checkTarget(target, { probeId: 'scratch' });
  } finally {
    server.close();
  }
}

async function store(result: CheckResult, logger: ReturnType<typeof createLogger>): Promise<{ written: WriteResult; summary: Summary }> {
  // The caller's own postgres.js client: the sink takes it as it is (postgres is a peer dependency).
  const sql = postgres(env('DATABASE_URL'), { max: 2, onnotice: () => undefined });
  const sink = createSink({ sql, logger });
  try {
    await sink.migrate();
    const written = await sink.write([result]);
    const hour = 3_600_000;
    const summary = await sink.summary({ targetId: result.targetId, from: new Date(Date.now() - 2 * hour), to: new Date(Date.now() + hour) });
    return { written, summary };
  } finally {
    await sink.close();
    await sql.end({ timeout: 5 });
  }
}

async function publish(result: CheckResult, logger: ReturnType<typeof createLogger>): Promise<number> {
  const publisher = createPublisher({ connection: { brokers: env('KAFKA_BROKERS').split(',') }, topic: env('TOPIC'), logger });
  publisher.publish(result);
  await publisher.close();
  return publisher.stats().published;
}

function prettyLoggerError(): string | undefined {
  try {
    createLogger({ name: 'scratch', pretty: true });
    return undefined;
  } catch (error) {
    return (error as Error).message;
  }
}

const logger = createLogger({ name: 'scratch', level: 'warn', destination: process.stderr });
const result = await checkLocalSite();
const decoded = decode(encode(result));
const { written, summary } = await store(result, logger);
const published = await publish(result, logger);
const metrics = await createRegistry('scratch').metrics();
console.log(
  JSON.stringify({
    result,
    roundTrip: decoded.ok ? decoded.value : decoded.error.message,
    written,
    summary: { checks: summary.checks, up: summary.up, uptimePct: summary.uptimePct },
    published,
    processMetrics: metrics.includes('sitewatch_scratch_process_cpu_seconds_total'),
    prettyLoggerError: prettyLoggerError(),
  }),
);
