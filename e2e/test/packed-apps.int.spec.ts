// The `sitewatch` command as a stranger installs it: the apps and the libraries packed with
// `npm pack`, installed into a scratch project outside the workspace; then, from the
// installed package, `sitewatch init` and `sitewatch all` on the files it wrote, against the
// test run's Kafka and PostgreSQL (KAFKA_BROKERS and DATABASE_URL, which the starter config
// reads). What the test changes in the files keeps it to itself: its own topic, group and
// ports, and the loopback demo alone (tests reach no public site).
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { startTestKafka, type TestKafka } from '@sitewatch/kafka-transport/testing';
import { startTestPostgres, type TestPostgres } from '@sitewatch/pg-sink/testing';
import { parseDocument } from 'yaml';
import { freePort } from '../../tools/testing/ports.js';
import { cleanEnv, installPacked, root } from './support/packages.js';
import { startProgram, waitFor, type AppProcess } from './support/processes.js';

const run = promisify(execFile);
const apps = ['producer', 'consumer', 'status', 'targets', 'alerts', 'cli'];

let scratch: string;
let project: string;
let kafka: TestKafka | undefined;
let pg: TestPostgres | undefined;
let sitewatch: AppProcess | undefined;

beforeAll(async () => {
  scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'sitewatch-packed-apps-'));
  const libs = fs.readdirSync(path.join(root, 'libs')).map((lib) => `libs/${lib}`);
  await installPacked(scratch, [...libs, ...apps.map((app) => `apps/${app}`)]);
  project = path.join(scratch, 'project');
  [kafka, pg] = await Promise.all([startTestKafka(), startTestPostgres()]);
}, 240_000);

afterAll(async () => {
  await sitewatch?.stop('SIGKILL');
  await Promise.all([kafka?.close(), pg?.close()]);
  if (scratch) fs.rmSync(scratch, { recursive: true, force: true });
});

/** Rewrites a YAML file in place, its comments kept. */
function edit(file: string, change: (document: ReturnType<typeof parseDocument>) => void): void {
  const document = parseDocument(fs.readFileSync(file, 'utf8'));
  change(document);
  fs.writeFileSync(file, document.toString());
}

describe('sitewatch from the packed apps', () => {
  it('writes a starter with `sitewatch init` and runs it with `sitewatch all`: results stored, the page served, SIGTERM exits 0', async () => {
    const bin = path.join(project, 'node_modules/.bin/sitewatch');
    const init = await run(bin, ['init', 'site'], { cwd: project, env: cleanEnv() });
    expect(init.stdout).toContain('  sitewatch all --config site/sitewatch.yaml\n');

    const opsPort = await freePort();
    edit(path.join(project, 'site/sitewatch.yaml'), (document) => {
      document.setIn(['kafka', 'topic'], kafka!.uniqueTopicName('packed'));
      document.setIn(['consumer'], { groupId: kafka!.uniqueGroupId('packed') });
      document.setIn(['status', 'listen', 'port'], 0);
      document.setIn(['all', 'metrics', 'port'], opsPort);
    });
    edit(path.join(project, 'site/targets.yaml'), (document) => {
      document.setIn(['targets'], [{ id: 'sitewatch-health', url: `http://127.0.0.1:${opsPort}/healthz`, intervalMs: 1000, timeoutMs: 800, mustMatch: 'ok' }]);
    });

    // The installed bin is a link to the package's main.js: run that file, as the link would.
    const main = fs.realpathSync(bin);
    expect(main).toBe(path.join(project, 'node_modules/@sitewatch/cli/dist/main.js'));
    const env = cleanEnv({ KAFKA_BROKERS: kafka!.brokers.join(','), DATABASE_URL: pg!.url });
    sitewatch = startProgram('sitewatch all', main, ['all', '--config', 'site/sitewatch.yaml'], { cwd: project, env });
    const listening = await sitewatch.waitForLog('status page listening', { service: 'status' }, 60_000);
    await waitFor(
      'results of the loopback demo in the database',
      async () => ((await pg!.sql<{ n: number }[]>`select count(*)::int as n from sitewatch.results where target = 'sitewatch-health' and outcome = 'up'`.catch(() => [{ n: 0 }]))[0]!.n >= 2),
      60_000,
      250,
    );
    expect(await (await fetch(String(listening.url))).text()).toMatch(/data-target="sitewatch-health" data-state="up"/);
    expect(await sitewatch.stop('SIGTERM')).toBe(0);
    expect(sitewatch.logs().at(-1)).toMatchObject({ service: 'all', msg: 'shutdown complete' });
  }, 180_000);
});
