// Degraded, certificates and conditions on the answer end to end: the built producer and
// consumers as processes, local sites whose speed, certificate and JSON answer the test
// switches, real receivers (a webhook and SMTP).
// Every notification is counted by its idempotency key (the email's Message-ID): exactly one
// per transition and channel; a certificate's notice exactly once through a second writer, a
// kill -9 and a full redelivery of the topic.
import fs from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { parse } from 'yaml';
import { createCertificateAuthority, type CertificateAuthority, type PemPair } from '../../tools/testing/certs.js';
import { startJsonApi, type JsonApi } from '../../tools/testing/json-api.js';
import { startHttpReceiver, startSmtpReceiver, type HttpReceiver, type ReceivedRequest, type SmtpReceiver } from '../../tools/testing/receivers.js';
import { startPipeline, type Pipeline } from './support/pipeline.js';
import { startApp, waitFor, writeConfig, type AppProcess } from './support/processes.js';

const day = 86_400_000;
type Mode = 'fast' | 'slow' | 'down';

/** A site the test switches between fast (200 at once), slow (200 after 600 ms) and down (503). */
async function startPacedSite(): Promise<{ url: string; mode: Mode; close(): Promise<void> }> {
  const state = { mode: 'fast' as Mode };
  const server = http.createServer((_req, res) => {
    if (state.mode === 'down') return void res.writeHead(503).end('down');
    setTimeout(() => res.writeHead(200).end('fine'), state.mode === 'slow' ? 600 : 0);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return Object.assign(state, { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/`, close: () => new Promise<void>((resolve) => server.close(() => resolve())) });
}

/** An https site whose certificate (from a throwaway CA) the test can replace. */
async function startCertifiedSite(ca: CertificateAuthority, expiresInDays: number): Promise<{ url: string; renew(days: number): Promise<void>; close(): Promise<void> }> {
  const issue = (days: number): Promise<PemPair> => ca.issue({ commonName: '127.0.0.1', hosts: ['127.0.0.1'], notAfter: new Date(Date.now() + days * day) });
  const server = https.createServer(await issue(expiresInDays), (_req, res) => void res.writeHead(200).end('fine'));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `https://127.0.0.1:${(server.address() as AddressInfo).port}/`,
    async renew(days) {
      server.setSecureContext(await issue(days));
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

let pipeline: Pipeline;
let hook: HttpReceiver;
let smtp: SmtpReceiver;
let paced: Awaited<ReturnType<typeof startPacedSite>>;
let certified: Awaited<ReturnType<typeof startCertifiedSite>>;
let api: JsonApi;
let dir: string;
const consumers: AppProcess[] = [];
let producer: AppProcess;

beforeAll(async () => {
  const ca = await createCertificateAuthority();
  [hook, smtp, paced, certified, api] = await Promise.all([startHttpReceiver(), startSmtpReceiver('implicit'), startPacedSite(), startCertifiedSite(ca, 10), startJsonApi()]);
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sitewatch-degraded-'));
  fs.writeFileSync(path.join(dir, 'ca.pem'), ca.cert);
  pipeline = await startPipeline({
    partitions: 2,
    targets: () => [
      { id: 'paced', url: paced.url, intervalMs: 1000, timeoutMs: 1000 },
      { id: 'certified', url: certified.url, intervalMs: 1000, timeoutMs: 1000 },
      {
        id: 'health',
        url: `${api.url}/health`,
        intervalMs: 1000,
        timeoutMs: 1000,
        json: [{ pointer: '/status', equals: 'UP' }],
        responseHeaders: [{ name: 'content-type', matches: '^application/json' }],
      },
    ],
    checker: { caFile: path.join(dir, 'ca.pem') },
    alerts: {
      defaults: { failureThreshold: 3, successThreshold: 2, slowMs: 300, slowThreshold: 3 },
      channels: {
        hook: { type: 'webhook', url: hook.url },
        mail: { type: 'email', host: smtp.host, port: smtp.port, secure: true, caFile: smtp.caFile, username: smtp.username, password: smtp.password, from: 'sitewatch@example.test', to: ['ops@example.test'] },
      },
      notifier: { pollIntervalMs: 100, sendTimeoutMs: 2000, retry: { initialMs: 200, maxMs: 2000 } },
    },
  });
  // Two writers in one group: each target's partition goes to one of them, or moves on a rebalance.
  consumers.push(await pipeline.startConsumer(), await pipeline.startConsumer());
  producer = await pipeline.startProducer();
}, 120_000);

afterAll(async () => {
  await Promise.all([producer, ...consumers].map((app) => app?.stop('SIGKILL')));
  await pipeline?.close();
  await Promise.all([hook?.close(), smtp?.close(), paced?.close(), certified?.close(), api?.close()]);
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

const hooksAbout = (target: string, event?: string) => hook.received.filter((r) => r.json.target === target && (event === undefined || r.json.event === event));
const keysOf = (requests: ReceivedRequest[]) => [...new Set(requests.map((r) => String(r.headers['idempotency-key'])))];
/** Events a target's webhook got, once each (an attempt repeated with the same key counts once). */
const eventsOf = (target: string) => keysOf(hooksAbout(target)).map((key) => String(hooksAbout(target).find((r) => r.headers['idempotency-key'] === key)!.json.event));
const mailsAbout = (target: string) => [...new Set(smtp.received.filter((m) => m.header('subject')?.includes(`] ${target}`)).map((m) => m.header('message-id')))];
const checksOf = async (target: string, where = 'true') =>
  (await pipeline.sql<{ n: number }[]>`select count(*)::int as n from sitewatch.results where target = ${target} and ${pipeline.sql.unsafe(where)}`)[0]!.n;

describe('degraded, end to end', () => {
  it('a site that turns slow: one degraded, naming the slow phase; fast again: one recovered', async () => {
    await waitFor('fast checks of the site', async () => (await checksOf('paced', 'response_ms < 300')) >= 3, 60_000);
    paced.mode = 'slow';
    await waitFor('the degraded on both channels', () => eventsOf('paced').length >= 1 && mailsAbout('paced').length >= 1, 60_000);
    paced.mode = 'fast';
    await waitFor('the recovered on both channels', () => eventsOf('paced').length >= 2 && mailsAbout('paced').length >= 2, 60_000);
    expect(eventsOf('paced')).toEqual(['degraded', 'recovered']);
    expect(hooksAbout('paced', 'degraded')[0]!.json).toMatchObject({ incident: { kind: 'degraded', reason: 'slow', slow: { limitMs: 300, rule: 'absolute', slowestPhase: 'first byte' } } });
    expect(smtp.received.filter((m) => m.header('subject')?.startsWith('[sitewatch] paced is fast again after')).map((m) => m.header('message-id'))).toHaveLength(1);
  }, 150_000);

  it('a slow site that then fails: one down and no second degraded; then one resolved', async () => {
    const before = eventsOf('paced').length;
    paced.mode = 'slow';
    await waitFor('degraded again', () => eventsOf('paced').length >= before + 1, 60_000);
    paced.mode = 'down';
    await waitFor('the down', () => eventsOf('paced').includes('down'), 60_000);
    paced.mode = 'fast';
    await waitFor('the resolved', () => eventsOf('paced').includes('resolved'), 60_000);
    expect(eventsOf('paced').slice(before)).toEqual(['degraded', 'down', 'resolved']);
    const [down] = hooksAbout('paced', 'down');
    expect(down!.json).toMatchObject({ incident: { kind: 'down', reason: 'status', escalatedAt: expect.any(String) } });
    const rows = await pipeline.sql<{ kind: string }[]>`select kind from sitewatch.incidents where target = 'paced' order by id`;
    expect(rows.map((r) => r.kind)).toEqual(['degraded', 'down']);
  }, 200_000);
});

describe('certificates, end to end', () => {
  it('a certificate 10 days from expiry: one 14-day notice, through a second writer, a kill -9 and a full redelivery', async () => {
    await waitFor('the notice', () => eventsOf('certified').length >= 1 && mailsAbout('certified').length >= 1, 60_000);
    const stored = await checksOf('certified');
    // One writer dies mid-stream; the other carries on; then a new group reads the whole topic again.
    expect(await consumers[0]!.stop('SIGKILL')).toBe('SIGKILL');
    await waitFor('more checks stored by the other writer', async () => (await checksOf('certified')) >= stored + 3, 60_000);
    const config = parse(fs.readFileSync(pipeline.configFile, 'utf8')) as { consumer: Record<string, unknown> };
    config.consumer.groupId = pipeline.kafka.uniqueGroupId('e2e-redelivered');
    const again = startApp('consumer', ['--config', writeConfig(config)]);
    consumers.push(again);
    await again.waitForLog('consumer started', {}, 60_000);
    await waitFor('the topic read again', async () => again.logs().some((entry) => entry.msg === 'batch stored' && Number(entry.duplicates) > 0), 60_000);
    await waitFor('every delivery sent', async () => (await pipeline.sql`select count(*)::int as n from sitewatch.deliveries where sent_at is null`)[0]!.n === 0, 30_000);
    expect(eventsOf('certified')).toEqual(['certificate_expiring']);
    expect(mailsAbout('certified')).toHaveLength(1);
    expect(hooksAbout('certified')[0]!.json).toMatchObject({ certificate: { thresholdDays: 14, daysLeft: 9 } });
  }, 200_000);

  it('a renewed certificate: one renewed notice, and the new certificate starts over', async () => {
    await certified.renew(100);
    await waitFor('the renewed notice', () => eventsOf('certified').includes('certificate_renewed'), 60_000);
    const [target] = await pipeline.sql<{ notAfter: Date; notice: number | null }[]>`
      select certificate_not_after as "notAfter", certificate_notice as notice from sitewatch.alert_targets where target = 'certified'`;
    expect(target!.notice).toBeNull();
    expect(target!.notAfter.getTime()).toBeGreaterThan(Date.now() + 90 * day);
    expect(eventsOf('certified')).toEqual(['certificate_expiring', 'certificate_renewed']);
  }, 120_000);
});

describe('conditions on the answer, end to end', () => {
  it('a health endpoint saying DOWN with a 200: one down naming the condition and what it found; UP again: one resolved', async () => {
    await waitFor('up checks of the API', async () => (await checksOf('health', "outcome = 'up'")) >= 2, 60_000);
    api.answer({ body: { status: 'DOWN' } });
    await waitFor('the down', () => eventsOf('health').includes('down'), 60_000);
    api.answer({ body: { status: 'UP' } });
    await waitFor('the resolved', () => eventsOf('health').includes('resolved'), 60_000);
    expect(eventsOf('health')).toEqual(['down', 'resolved']);
    expect(hooksAbout('health', 'down')[0]!.json).toMatchObject({
      incident: { reason: 'assertion', statusCode: 200, error: { code: 'ASSERTION_FAILED', message: 'json /status equals "UP": found "DOWN"' } },
    });
  }, 150_000);

  it('a body that is not JSON, and a header that does not match: their own reasons, stored with the check', async () => {
    api.answer({ body: '<html>maintenance</html>', headers: { 'content-type': 'application/json' } });
    await waitFor('an invalid_json check', async () => (await checksOf('health', "reason = 'invalid_json'")) >= 1, 60_000);
    api.answer({ body: { status: 'UP' }, headers: { 'content-type': 'text/plain' } });
    await waitFor('an assertion check on the header', async () => (await checksOf('health', "reason = 'assertion' and error_message like 'header content-type%'")) >= 1, 60_000);
    api.answer({ body: { status: 'UP' } });
    await waitFor('up again', async () => (await pipeline.sql`select outcome from sitewatch.results where target = 'health' order by checked_at desc limit 1`)[0]?.outcome === 'up', 60_000);
  }, 150_000);
});
