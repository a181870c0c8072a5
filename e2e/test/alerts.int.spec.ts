// Alerts end to end: the built consumer as a process, results from the real producer (a local
// site that goes down and comes back) and scripted ones published to the topic, real
// receivers on loopback (a signed webhook, a Slack-like webhook, SMTP over TLS). Every
// notification is counted by its idempotency key (the email's Message-ID): exactly one per
// transition and channel, through a kill -9, a full redelivery and a receiver away for a minute.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { CheckResult } from '@sitewatch/schema';
import { makeCheckResult } from '@sitewatch/schema/testing';
import { startHttpReceiver, startSmtpReceiver, type HttpReceiver, type ReceivedRequest, type SmtpReceiver } from '../../tools/testing/receivers.js';
import { startPipeline, startRedeliveringConsumer, type Pipeline } from './support/pipeline.js';
import { waitFor, type AppProcess } from './support/processes.js';
import { startSwitchableSite, type SwitchableSite } from './support/sites.js';

let pipeline: Pipeline;
let hook: HttpReceiver;
let chat: HttpReceiver;
let smtp: SmtpReceiver;
let site: SwitchableSite;
let consumer: AppProcess;
const consumers: AppProcess[] = [];
let secretsDir: string;
const secret = `webhook-secret-${Math.random().toString(36).slice(2)}`;

beforeAll(async () => {
  [hook, chat, smtp, site] = await Promise.all([startHttpReceiver(), startHttpReceiver(), startSmtpReceiver('implicit'), startSwitchableSite()]);
  secretsDir = fs.mkdtempSync(path.join(os.tmpdir(), 'sitewatch-alert-secrets-'));
  fs.writeFileSync(path.join(secretsDir, 'webhook'), secret);
  fs.writeFileSync(path.join(secretsDir, 'smtp'), smtp.password);
  pipeline = await startPipeline({
    partitions: 2,
    targets: () => [{ id: 'flip', url: site.url, intervalMs: 1000, timeoutMs: 1000 }],
    alerts: {
      statusPageUrl: 'https://status.example.test/',
      rules: [
        { targets: ['quorum-*'], quorum: 2 },
        { targets: ['remind-*'], remindEveryMs: 2000 },
      ],
      channels: {
        hook: { type: 'webhook', url: hook.url, secret: `\${file:${path.join(secretsDir, 'webhook')}}` },
        chat: { type: 'slack', url: chat.url },
        mail: { type: 'email', host: smtp.host, port: smtp.port, secure: true, caFile: smtp.caFile, username: smtp.username, password: `\${file:${path.join(secretsDir, 'smtp')}}`, from: 'sitewatch@example.test', to: ['ops@example.test'] },
      },
      notifier: { pollIntervalMs: 100, sendTimeoutMs: 2000, retry: { initialMs: 200, maxMs: 2000 } },
    },
  });
  consumer = await pipeline.startConsumer();
  consumers.push(consumer);
}, 90_000);

afterAll(async () => {
  await Promise.all(consumers.map((c) => c.stop('SIGKILL')));
  await pipeline?.close();
  await Promise.all([hook?.close(), chat?.close(), smtp?.close(), site?.close()]);
  if (secretsDir) fs.rmSync(secretsDir, { recursive: true, force: true });
});

const bases = new Map<string, number>();

/** Publishes results of a target from a location, 10 s apart in check time, continuing its series: u = up, d = down. */
async function publish(target: string, pattern: string, location = 'scripted', offsetMs = 0): Promise<CheckResult[]> {
  const key = `${target}/${location}`;
  const start = bases.get(key) ?? Date.now() - 3_600_000 + offsetMs;
  const results = [...pattern].map((c, i) => {
    const startedAt = new Date(start + i * 10_000).toISOString();
    return makeCheckResult({
      targetId: target,
      url: `https://${target}.test/`,
      probeId: location,
      startedAt,
      scheduledAt: startedAt,
      ...(c === 'd' ? { outcome: 'down', reason: 'connect', error: { code: 'ECONNREFUSED', message: 'connection refused' } } : {}),
    });
  });
  bases.set(key, start + pattern.length * 10_000);
  await pipeline.kafka.produce(pipeline.topic, results.map((r) => ({ key: target, value: JSON.stringify(r), headers: { 'sitewatch-schema-version': '1' } })));
  return results;
}

const hooksAbout = (target: string, event?: string) => hook.received.filter((r) => r.json.target === target && (event === undefined || r.json.event === event));
const keysOf = (requests: ReceivedRequest[]) => [...new Set(requests.map((r) => String(r.headers['idempotency-key'])))];
const chatAbout = (target: string) => chat.received.filter((r) => String(r.json.text).includes(`*${target} `));
const mailsAbout = (target: string) => smtp.received.filter((m) => m.header('subject')?.includes(`] ${target} `));
const messageIds = (target: string) => [...new Set(mailsAbout(target).map((m) => m.header('message-id')))];
const incidentsOf = (target: string) => pipeline.sql<{ locations: string[]; resolvedAt: Date | null }[]>`select locations, resolved_at as "resolvedAt" from sitewatch.incidents where target = ${target} order by id`;
const everywhere = (target: string, count: number) => () => keysOf(hooksAbout(target)).length >= count && chatAbout(target).length >= count && messageIds(target).length >= count;

describe('alerts', () => {
  it('a site failing 3 times: one incident, one "down" per channel; back up: one "resolved" with the duration', async () => {
    const producer = await pipeline.startProducer();
    await waitFor('a few up checks of the site', async () => (await pipeline.sql`select count(*)::int as n from sitewatch.results where target = 'flip' and outcome = 'up'`)[0]!.n >= 2);
    site.failing = true;
    await waitFor('a down on every channel', everywhere('flip', 1), 60_000);
    site.failing = false;
    await waitFor('a resolved on every channel', everywhere('flip', 2), 60_000);
    expect(await producer.stop('SIGTERM')).toBe(0);

    expect(hooksAbout('flip').map((r) => r.json.event)).toEqual(['down', 'resolved']);
    expect(keysOf(hooksAbout('flip'))).toHaveLength(2);
    expect(messageIds('flip')).toHaveLength(2);
    expect(chatAbout('flip')).toHaveLength(2);
    const [down, resolved] = hooksAbout('flip');
    expect(down!.json).toMatchObject({ event: 'down', url: site.url, incident: { reason: 'status', statusCode: 503, locations: ['e2e-probe'] } });
    const incident = resolved!.json.incident as { openedAt: string; resolvedAt: string; durationMs: number };
    expect(incident.durationMs).toBe(Date.parse(incident.resolvedAt) - Date.parse(incident.openedAt));
    expect(incident.durationMs).toBeGreaterThan(0);
    expect(String(chatAbout('flip')[1]!.json.text)).toMatch(/^:large_green_circle: \*flip is up again after \d+ s\*/);
    expect(await incidentsOf('flip')).toEqual([{ locations: ['e2e-probe'], resolvedAt: expect.any(Date) }]);
  }, 120_000);

  it('two locations, quorum 2: one failing alone opens nothing; both failing open one incident naming both', async () => {
    await publish('quorum-api', 'uuddddd', 'eu');
    await publish('quorum-api', 'uuuuuuu', 'us', 1000);
    // Stored means evaluated: it is the same transaction.
    await waitFor('the results stored', async () => (await pipeline.sql`select count(*)::int as n from sitewatch.results where target = 'quorum-api'`)[0]!.n === 14);
    expect(await incidentsOf('quorum-api')).toEqual([]);
    await publish('quorum-api', 'ddd', 'us', 1000);
    await publish('quorum-api', 'dd', 'eu');
    await waitFor('a down on every channel', everywhere('quorum-api', 1));
    expect(await incidentsOf('quorum-api')).toEqual([{ locations: ['eu', 'us'], resolvedAt: null }]);
    expect(hooksAbout('quorum-api')[0]!.json).toMatchObject({ incident: { locations: ['eu', 'us'] } });
  });

  it('a flapping site against the thresholds (3 down, 2 up): the incidents the rules say', async () => {
    await publish('flappy', 'dddudduuddduudu');
    await waitFor('two incidents notified', everywhere('flappy', 4));
    expect(hooksAbout('flappy').map((r) => r.json.event)).toEqual(['down', 'resolved', 'down', 'resolved']);
    expect((await incidentsOf('flappy')).map((i) => i.resolvedAt !== null)).toEqual([true, true]);
  });

  it('reminds on schedule while the incident stays open, and stops when it is resolved', async () => {
    await publish('remind-api', 'ddd');
    await waitFor('three reminders', () => hooksAbout('remind-api', 'reminder').length >= 3, 30_000);
    const created = await pipeline.sql<{ at: Date }[]>`
      select n.created_at as at from sitewatch.notifications n join sitewatch.incidents i on i.id = n.incident_id
      where i.target = 'remind-api' and n.kind = 'reminder' order by n.id`;
    const gaps = created.slice(1).map((row, i) => row.at.getTime() - created[i]!.at.getTime());
    for (const gap of gaps) expect(gap).toBeGreaterThanOrEqual(1900);
    expect(hooksAbout('remind-api', 'reminder').slice(0, 3).map((r) => r.json.reminder)).toEqual([1, 2, 3]);
    await publish('remind-api', 'uu');
    await waitFor('the resolved', () => hooksAbout('remind-api', 'resolved').length === 1);
    const [incident] = await pipeline.sql`select next_reminder_at from sitewatch.incidents where target = 'remind-api'`;
    expect(incident!.next_reminder_at).toBeNull();
  });

  it('killed with kill -9 mid-incident, everything redelivered: still one notification per transition', async () => {
    await publish('killed', 'ddd');
    await waitFor('the down everywhere', everywhere('killed', 1));
    const before = await pipeline.sql<{ incidents: number; notifications: number }[]>`select count(*)::int as incidents, (select count(*)::int from sitewatch.notifications) as notifications from sitewatch.incidents`;
    // The resolved is in flight to a slow receiver when the consumer dies.
    hook.answerAfter(5000);
    await publish('killed', 'uu');
    await waitFor('the resolved arriving at the webhook', () => hooksAbout('killed', 'resolved').length === 1);
    expect(await consumer.stop('SIGKILL')).toBe('SIGKILL');
    hook.answerAfter(0);
    // A new consumer group: the whole topic is delivered again.
    consumer = await startRedeliveringConsumer(pipeline);
    consumers.push(consumer);
    await waitFor('the resolved everywhere', everywhere('killed', 2), 30_000);
    await waitFor('every delivery sent', async () => (await pipeline.sql`select count(*)::int as n from sitewatch.deliveries where sent_at is null`)[0]!.n === 0, 30_000);
    expect(keysOf(hooksAbout('killed'))).toHaveLength(2);
    expect(messageIds('killed')).toHaveLength(2);
    expect(await incidentsOf('killed')).toHaveLength(1);
    // Redelivered results changed nothing: one more notification (the resolved), no new incident.
    const after = await pipeline.sql<{ incidents: number; notifications: number }[]>`select count(*)::int as incidents, (select count(*)::int from sitewatch.notifications) as notifications from sitewatch.incidents`;
    expect(after[0]).toEqual({ incidents: before[0]!.incidents, notifications: before[0]!.notifications + 1 });
  }, 120_000);

  it('a receiver away for a minute: the notification arrives once it is back, once; the other channels do not wait', async () => {
    await hook.down();
    const awayAt = Date.now();
    await publish('away', 'ddd');
    await waitFor('the other channels to have it', () => chatAbout('away').length === 1 && messageIds('away').length === 1);
    await waitFor(
      'a minute of failed attempts',
      async () => Date.now() - awayAt >= 60_000 && ((await pipeline.sql<{ attempts: number }[]>`select attempts from sitewatch.deliveries where channel = 'hook' and sent_at is null`)[0]?.attempts ?? 0) >= 5,
      120_000,
      1000,
    );
    await hook.up();
    await waitFor('the webhook to get it', () => hooksAbout('away').length >= 1, 30_000);
    await waitFor('sent', async () => (await pipeline.sql`select count(*)::int as n from sitewatch.deliveries where sent_at is null`)[0]!.n === 0);
    expect(keysOf(hooksAbout('away'))).toHaveLength(1);
    expect(consumer.logs().some((entry) => entry.msg === 'notification failed; retrying' && entry.channel === 'hook')).toBe(true);
  }, 180_000);

  it('never wrote the webhook secret or the SMTP password, and exits cleanly', async () => {
    const served = await (await fetch(`http://127.0.0.1:${String(consumer.logs().find((e) => e.msg === 'ops server listening')?.port)}/metrics`)).text();
    expect(served).toMatch(/sitewatch_notifications_sent_total\{channel="hook"\} [1-9]/);
    expect(served).toMatch(/sitewatch_incidents_open\{kind="down"\} [0-9]/);
    expect(await consumer.stop('SIGTERM')).toBe(0);
    for (const text of [...consumers.map((c) => c.output()), served]) {
      expect(text).not.toContain(secret);
      expect(text).not.toContain(smtp.password);
    }
  });
});
