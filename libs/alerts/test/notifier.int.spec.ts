// The notifier against real receivers on loopback (a webhook, a Slack-like webhook, SMTP with
// implicit TLS and with STARTTLS), two notifiers sharing one outbox, and a clock the test moves.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { startTestPostgres, type TestPostgres } from '@sitewatch/pg-sink/testing';
import { startHttpReceiver, startSmtpReceiver, type HttpReceiver, type SmtpReceiver } from '../../../tools/testing/receivers.js';
import { waitFor } from '../../../tools/testing/wait-for.js';
import { createAlerts, signature, signatureV2, type Alerts, type AlertsOptions } from '../src/index.js';
import { alertingSink, checks } from './helpers.js';

let pg: TestPostgres;
let hook: HttpReceiver;
let chat: HttpReceiver;
let smtps: SmtpReceiver;
let starttls: SmtpReceiver;
let setup: Awaited<ReturnType<typeof alertingSink>>;
let second: Alerts;
let skewMs = 0;
const secret = 'a-webhook-secret-of-some-length';

beforeAll(async () => {
  [pg, hook, chat, smtps, starttls] = await Promise.all([startTestPostgres(), startHttpReceiver(), startHttpReceiver(), startSmtpReceiver('implicit'), startSmtpReceiver('starttls')]);
  const mail = (receiver: SmtpReceiver, secure: boolean) =>
    ({ type: 'email', host: receiver.host, port: receiver.port, secure, caFile: receiver.caFile, username: receiver.username, password: receiver.password, from: 'sitewatch@example.test', to: ['ops@example.test'] }) as const;
  const options: Omit<AlertsOptions, 'sql'> = {
    statusPageUrl: 'https://status.example.test/',
    channels: { hook: { type: 'webhook', url: hook.url, secret }, chat: { type: 'slack', url: chat.url }, smtps: mail(smtps, true), starttls: mail(starttls, false) },
    rules: [{ targets: ['remind-*'], remindEveryMs: 60_000 }],
    maintenance: [{ targets: ['late'], start: new Date(Date.now() - 7_200_000).toISOString(), end: new Date(Date.now() + 600_000).toISOString() }],
    notifier: { pollIntervalMs: 50, retry: { initialMs: 100, maxMs: 400 } },
    now: () => new Date(Date.now() + skewMs),
  };
  setup = await alertingSink(pg.url, options);
  // A second process's notifier on the same outbox: nothing may go out twice.
  second = createAlerts({ ...options, sql: pg.sql });
  setup.alerts.startNotifier();
  second.startNotifier();
});

afterAll(async () => {
  await Promise.all([setup?.close(), second?.close()]);
  await Promise.all([pg?.close(), hook?.close(), chat?.close(), smtps?.close(), starttls?.close()]);
});

const about = (target: string, event?: string) => (request: { json: Record<string, unknown> }) => request.json.target === target && (event === undefined || request.json.event === event);
const mailAbout = (target: string, words: string) => (mail: { header(name: string): string | undefined }) => mail.header('subject')?.includes(`${target} ${words}`) === true;

describe('the notifier', () => {
  it('sends one "down" per channel, then one "resolved" with the duration, each signed and keyed', async () => {
    await setup.sink.write(checks('shop', 'uuddd'));
    const slackAbout = (target: string) => (request: { json: Record<string, unknown> }) => String(request.json.text).includes(`*${target} `);
    await waitFor('a down on every channel', () => hook.received.some(about('shop')) && chat.received.some(slackAbout('shop')));
    await waitFor('both emails', () => smtps.received.some(mailAbout('shop', 'is down')) && starttls.received.some(mailAbout('shop', 'is down')));
    const [down] = hook.received.filter(about('shop'));
    expect(down!.json).toMatchObject({ version: 1, event: 'down', target: 'shop', url: 'https://shop.test/', statusPageUrl: 'https://status.example.test/', incident: { reason: 'status', statusCode: 503, locations: ['eu-west'] } });
    expect(down!.headers['idempotency-key']).toMatch(/^[0-9a-f-]{36}$/);
    const [timestamp, key] = [String(down!.headers['x-sitewatch-timestamp']), String(down!.headers['idempotency-key'])];
    expect(down!.headers['x-sitewatch-signature-v2']).toBe(signatureV2(secret, timestamp, key, down!.body));
    expect(down!.headers['x-sitewatch-signature']).toBe(signature(secret, timestamp, down!.body));
    const slack = chat.received.find(slackAbout('shop'))!;
    expect(slack.json.text).toMatch(/:red_circle: \*shop is down: status\*\nshop \(https:\/\/shop.test\/\) is down since .* UTC\. <https:\/\/status.example.test\/\|Status page>/);
    const email = smtps.received.find(mailAbout('shop', 'is down'))!;
    expect(email).toMatchObject({ secure: true, to: ['ops@example.test'] });
    expect(starttls.received.find(mailAbout('shop', 'is down'))!.secure).toBe(true);
    expect(email.header('message-id')).toMatch(/^<[0-9a-f-]{36}@sitewatch>$/);
    expect(email.raw).toContain('What failed: status (HTTP 503, HTTP_503: Service Unavailable) from eu-west.');

    await setup.sink.write(checks('shop', 'uu', { from: 5 }));
    await waitFor('a resolved on every channel', () =>
      hook.received.some(about('shop', 'resolved')) && chat.received.filter(slackAbout('shop')).length === 2 && smtps.received.some(mailAbout('shop', 'is up again')) && starttls.received.some(mailAbout('shop', 'is up again')),
    );
    expect(chat.received.filter(slackAbout('shop'))[1]!.json.text).toMatch(/:large_green_circle: \*shop is up again after 3 min\*/);
    expect(hook.received.find(about('shop', 'resolved'))!.json).toMatchObject({ incident: { durationMs: 3 * 60_000, resolvedAt: expect.any(String) } });
    await waitFor('every delivery recorded as sent', async () => (await pg.sql`select count(*)::int as n from sitewatch.deliveries where sent_at is null`)[0]!.n === 0);
    expect(hook.received.filter(about('shop')).map((r) => r.json.event)).toEqual(['down', 'resolved']);
    expect(new Set(hook.received.filter(about('shop')).map((r) => r.headers['idempotency-key'])).size).toBe(2);
    expect(smtps.received.filter((m) => m.header('subject')?.includes('shop'))).toHaveLength(2);
  });

  it('keeps retrying a receiver that is away, delivers once when it is back, and never holds up the other channels', async () => {
    await hook.down();
    await setup.sink.write(checks('away', 'ddd'));
    await waitFor('the other channels to have it', () => smtps.received.some(mailAbout('away', 'is down')));
    await waitFor('failed attempts', async () => ((await pg.sql<{ attempts: number }[]>`select attempts from sitewatch.deliveries where channel = 'hook' and sent_at is null`)[0]?.attempts ?? 0) >= 2);
    await hook.up();
    await waitFor('the webhook to get it', () => hook.received.find(about('away')));
    await waitFor('sent', async () => (await pg.sql`select count(*)::int as n from sitewatch.deliveries where sent_at is null`)[0]!.n === 0);
    expect(new Set(hook.received.filter(about('away')).map((r) => r.headers['idempotency-key'])).size).toBe(1);
    const failed = setup.alerts.stats().failed.hook ?? 0;
    expect(failed + (second.stats().failed.hook ?? 0)).toBeGreaterThanOrEqual(2);
  });

  it('reminds on schedule while an incident stays open, once per period across both notifiers', async () => {
    await setup.sink.write(checks('remind-api', 'ddd'));
    await waitFor('the down', () => hook.received.find(about('remind-api', 'down')));
    for (const reminder of [1, 2, 3]) {
      skewMs += 60_000;
      await waitFor(`reminder ${reminder}`, () => hook.received.find((r) => about('remind-api', 'reminder')(r) && r.json.reminder === reminder));
    }
    const rows = await pg.sql<{ reminder: string }[]>`select n.payload->>'reminder' as reminder from sitewatch.notifications n join sitewatch.incidents i on i.id = n.incident_id where i.target = 'remind-api' and n.kind = 'reminder' order by n.id`;
    expect(rows.map((r) => r.reminder)).toEqual(['1', '2', '3']);
    expect(hook.received.filter(about('remind-api', 'reminder'))[2]!.json).toMatchObject({ incident: { durationMs: expect.any(Number) } });
    await setup.sink.write(checks('remind-api', 'uu', { from: 3 }));
    await waitFor('the resolved', () => hook.received.find(about('remind-api', 'resolved')));
  });

  it('holds back the "down" of an incident opened in maintenance, and sends it when the window ends with the incident still open', async () => {
    await setup.sink.write(checks('late', 'ddd'));
    await waitFor('the incident', async () => (await pg.sql`select 1 from sitewatch.incidents where target = 'late'`).length === 1);
    expect(hook.received.some(about('late'))).toBe(false);
    skewMs += 601_000;
    const late = await waitFor('the held-back down', () => hook.received.find(about('late', 'down')));
    expect(late.json).toMatchObject({ incident: { inMaintenance: true } });
  });

  it('abandons a delivery that fails for longer than giveUpAfterMs, and counts it', async () => {
    await waitFor('nothing pending', async () => (await pg.sql`select count(*)::int as n from sitewatch.deliveries where sent_at is null`)[0]!.n === 0);
    chat.failWith(500);
    await setup.sink.write(checks('doomed', 'ddd'));
    await waitFor('a refused attempt', () => chat.refused.some((request) => String(request.json.text).includes('*doomed ')));
    skewMs += 86_400_000;
    await waitFor('abandoned', async () => (await pg.sql`select abandoned_at from sitewatch.deliveries where channel = 'chat' and abandoned_at is not null`).length === 1);
    expect((setup.alerts.stats().abandoned.chat ?? 0) + (second.stats().abandoned.chat ?? 0)).toBe(1);
    chat.failWith(200);
  });
});
