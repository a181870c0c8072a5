// `npm start` on a machine with no PostgreSQL, as .ci/run proves it (`npm run test-laptop -w
// e2e`): the stack in a folder of its own, with Kafka and PostgreSQL on ports where nothing
// runs, so the machine's server (if any) is not used and the stack starts the embedded one;
// `npm start` (sitewatch all) until a result is stored and the status page shows it; Ctrl-C
// (SIGINT to its process group, as a terminal sends it): the services stop in order;
// `npm run stack:down`; then nothing of it is left running: no postgres, no java, no node.
// Not part of `npm test`: it starts a broker of its own, and the demo config's fixed ports
// (8080, 9465) must be free.
import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from '@jest/globals';
import postgres from 'postgres';
import { freePort } from '../../tools/testing/ports.js';
import { waitFor } from '../../tools/testing/wait-for.js';

const root = path.resolve(import.meta.dirname, '../..');
const marker = `SITEWATCH_LAPTOP_RUN=${randomUUID()}`;
const stackDir = fs.mkdtempSync(path.join(os.tmpdir(), 'sitewatch-laptop-'));
let npmStart: ChildProcess | undefined;
let env: NodeJS.ProcessEnv = {};
/** The embedded server's folder, from stack:up's line (outside stackDir when root's folder is out of the postgres user's reach). */
let serverHome: string | undefined;

/** A stranger's shell: no test-run services (DATABASE_URL, KAFKA_*), no npm or jest settings; the stack moved to free ports. */
async function laptopEnv(): Promise<NodeJS.ProcessEnv> {
  const own = Object.entries(process.env).filter(([name]) => !/^(npm_|KAFKA_|DATABASE_URL$|NODE_OPTIONS$|INIT_CWD$|SITEWATCH_)/i.test(name));
  const [name, value] = marker.split('=') as [string, string];
  return {
    ...Object.fromEntries(own),
    SITEWATCH_STACK_DIR: stackDir,
    SITEWATCH_KAFKA_PORT: String(await freePort(4)),
    SITEWATCH_POSTGRES_PORT: String(await freePort()),
    [name]: value,
  };
}

/** Runs an npm script to its end; its output. */
function npmRun(script: string): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve) => {
    const child = spawn('npm', ['run', script], { cwd: root, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    for (const stream of [child.stdout, child.stderr]) stream.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
    child.once('close', (code) => resolve({ code, output }));
  });
}

/** Processes of this run still alive: started with its marker in their environment, or naming its folders. */
function ourProcesses(): string[] {
  const folders = [stackDir, ...(serverHome ? [serverHome] : [])];
  return fs.readdirSync('/proc').flatMap((pid) => {
    if (!/^\d+$/.test(pid) || Number(pid) === process.pid) return [];
    try {
      const cmdline = fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').replaceAll('\0', ' ').trim();
      if (cmdline === '') return [];
      const environ = fs.readFileSync(`/proc/${pid}/environ`, 'utf8').split('\0');
      return environ.includes(marker) || folders.some((folder) => cmdline.includes(folder)) ? [`${pid} ${cmdline}`] : [];
    } catch {
      // gone meanwhile, or another user's process: not ours
      return [];
    }
  });
}

afterAll(async () => {
  if (npmStart?.pid !== undefined && npmStart.exitCode === null && npmStart.signalCode === null) process.kill(-npmStart.pid, 'SIGKILL');
  if (fs.existsSync(path.join(stackDir, 'stack.json'))) await npmRun('stack:down');
  for (const folder of [stackDir, serverHome]) if (folder) fs.rmSync(folder, { recursive: true, force: true });
}, 120_000);

describe('npm start on a machine without PostgreSQL', () => {
  it('starts the embedded PostgreSQL, stores results and shows them on the page; Ctrl-C and stack:down leave nothing running', async () => {
    env = await laptopEnv();
    // Its own process group, as a terminal's job: Ctrl-C reaches every process of it.
    npmStart = spawn('npm', ['start'], { cwd: root, env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    for (const stream of [npmStart.stdout!, npmStart.stderr!]) stream.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
    const exited = new Promise<number | string>((resolve) => npmStart!.once('close', (code, signal) => resolve(code ?? signal ?? -1)));
    const shown = () => `\n--- npm start ---\n${output.slice(-4000)}`;

    const [, home, databaseUrl] = await waitFor(() => `the stack's PostgreSQL line${shown()}`, () => /^PostgreSQL [\d.]+, embedded \(.*data and log in (.+)\): (postgres:\/\/\S+)$/m.exec(output) ?? undefined, 240_000);
    serverHome = home;
    expect(databaseUrl).toBe(`postgres://postgres@127.0.0.1:${env.SITEWATCH_POSTGRES_PORT}/postgres`);
    const [, pageUrl] = await waitFor(() => `the status page's address${shown()}`, () => /"msg":"status page listening".*?"url":"([^"]+)"|"url":"([^"]+)".*?"msg":"status page listening"/.exec(output)?.filter(Boolean) ?? undefined, 120_000);

    const sql = postgres(databaseUrl!, { max: 1, onnotice: () => undefined });
    try {
      const stored = async () => (await sql<{ n: number }[]>`select count(*)::int as n from sitewatch.check_results`.catch(() => [{ n: 0 }]))[0]!.n;
      await waitFor(() => `a stored result${shown()}`, async () => (await stored()) > 0, 120_000, 500);
    } finally {
      await sql.end({ timeout: 5 });
    }
    // The loopback target that is always down, with its reason, on the page.
    await waitFor(
      () => `the page to show the closed port's check${shown()}`,
      async () => /data-target="local-closed-port" data-state="down">[\s\S]*?<li class="down"[^>]*>local: down: connect/.test(await (await fetch(pageUrl!)).text()),
      60_000,
      500,
    );
    const running = ourProcesses();
    expect({ postgres: running.some((p) => p.includes('/bin/postgres')), java: running.some((p) => p.includes('kafka.Kafka')), node: running.some((p) => / node |\/node /.test(` ${p}`)) }).toEqual({
      postgres: true,
      java: true,
      node: true,
    });

    process.kill(-npmStart.pid!, 'SIGINT');
    // npm ends by the signal, as a shell's job does on Ctrl-C; sitewatch all stopped cleanly, in order.
    expect(await exited).toBe('SIGINT');
    const stops = ['producer stopped', 'writer drained', 'consumer stopped', 'status page stopped', 'shutdown complete', 'shutdown failed', 'shutdown forced'];
    // In the order the process logged them (its lines' times; the test reads two pipes), and the lines themselves on a failure.
    const lines = output.split('\n').filter((line) => stops.some((msg) => line.includes(`"msg":"${msg}"`)));
    const logged = lines.map((line) => JSON.parse(line.slice(line.indexOf('{'))) as { time: number; msg: string }).sort((a, b) => a.time - b.time);
    expect({ order: logged.map((line) => line.msg), lines }).toEqual({ order: ['producer stopped', 'writer drained', 'consumer stopped', 'status page stopped', 'shutdown complete'], lines: expect.any(Array) });
    const down = await npmRun('stack:down');
    expect(down.output).toMatch(/stopped: Kafka [\d.]+, PostgreSQL [\d.]+ \(embedded\)/);
    // A process that is ending a moment after its parent may still be listed: wait for a settled list.
    await waitFor('the last processes to end', () => ourProcesses().length === 0, 10_000).catch(() => undefined);
    expect(ourProcesses()).toEqual([]);
  }, 600_000);
});
