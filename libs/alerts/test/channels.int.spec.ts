// The notifier with the on-call and chat channels, against receivers that play each service
// on loopback: an incident opens and closes one alert at PagerDuty and at Opsgenie and posts
// to Teams, Discord, Telegram and ntfy; a 429 is tried again when the service said, not
// sooner; a refusal (a 4xx) fails the delivery for good, once; a channel's own timeout bounds
// its attempts; what `sitewatch-alerts list` reads, and the test notification.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { startTestPostgres, type TestPostgres } from '@sitewatch/pg-sink/testing';
import { startNtfyReceiver, type NtfyReceiver } from '../../../tools/testing/services/ntfy.js';
import { startOnCallServices, type OnCallServices } from '../../../tools/testing/services/on-call.js';
import { waitFor } from '../../../tools/testing/wait-for.js';
import { readOutbox, sendTestNotification, type AlertsOptions } from '../src/index.js';
import { alertingSink, checks } from './helpers.js';

let pg: TestPostgres;
let services: OnCallServices;
let slowNtfy: NtfyReceiver;
let setup: Awaited<ReturnType<typeof alertingSink>>;
let options: Omit<AlertsOptions, 'sql'>;
let skewMs = 0;

beforeAll(async () => {
  [pg, services, slowNtfy] = await Promise.all([startTestPostgres(), startOnCallServices(), startNtfyReceiver()]);
  const { telegram } = services;
  const main = ['pd', 'og', 'teams', 'discord', 'tg', 'phone'];
  options = {
    statusPageUrl: 'https://status.example.test/',
    defaults: { channels: main },
    rules: [
      { targets: ['lost-*'], channels: ['lost'] },
      { targets: ['slow-*'], channels: ['slow'] },
    ],
    channels: {
      ...services.channels,
      lost: { type: 'telegram', token: telegram.token, chatId: 4242, apiUrl: telegram.apiUrl },
      slow: { type: 'ntfy', url: slowNtfy.url, token: slowNtfy.token, timeoutMs: 300 },
    },
    notifier: { pollIntervalMs: 50, retry: { initialMs: 100, maxMs: 400 } },
    now: () => new Date(Date.now() + skewMs),
  };
  setup = await alertingSink(pg.url, options);
  setup.alerts.startNotifier();
});

afterAll(async () => {
  await setup?.close();
  await Promise.all([pg, services, slowNtfy].map((service) => service?.close()));
});

const unsent = async (channel: string) => (await pg.sql<{ n: number }[]>`select count(*)::int as n from sitewatch.deliveries where channel = ${channel} and sent_at is null and abandoned_at is null`)[0]!.n;

describe('the on-call and chat channels', () => {
  it('a target down and back: one alert opened and closed at PagerDuty and at Opsgenie, a down and a resolved in every chat', async () => {
    const { pagerduty, opsgenie, teams, discord, telegram, ntfy } = services;
    await setup.sink.write(checks('shop', 'uuddd'));
    await waitFor('the down everywhere', () => pagerduty.alerts.length === 1 && opsgenie.alerts.length === 1 && teams.cards.length === 1 && discord.messages.length === 1 && telegram.messages.length === 1 && ntfy.notifications.length === 1);
    await setup.sink.write(checks('shop', 'uu', { from: 5 }));
    await waitFor('the resolved everywhere', () => teams.cards.length === 2 && discord.messages.length === 2 && telegram.messages.length === 2 && ntfy.notifications.length === 2);
    await waitFor('every delivery recorded', async () => (await pg.sql`select 1 from sitewatch.deliveries where sent_at is null`).length === 0);
    expect(pagerduty.alerts).toEqual([expect.objectContaining({ dedupKey: expect.stringMatching(/^sitewatch:shop:incident:\d+$/), status: 'resolved', triggers: 1, severity: 'critical' })]);
    expect(opsgenie.alerts).toEqual([expect.objectContaining({ alias: pagerduty.alerts[0]!.dedupKey, status: 'closed', count: 1, priority: 'P1' })]);
    expect(telegram.messages.map((m) => m.shown.split('\n')[0])).toEqual(['shop is down: status', 'shop is up again after 3 min']);
    expect(setup.alerts.stats().sent).toEqual({ pd: 2, og: 2, teams: 2, discord: 2, tg: 2, phone: 2 });
  });

  it('tries a 429 again when the service said (Retry-After), not after its own backoff', async () => {
    const { discord } = services;
    discord.rateLimitNext(30);
    await setup.sink.write(checks('api', 'ddd'));
    await waitFor('the 429', () => discord.log.some((entry) => entry.status === 429));
    const [row] = await waitFor('the attempt recorded', async () => {
      const rows = await pg.sql<{ waitMs: number; lastError: string }[]>`
        select extract(epoch from next_attempt_at - last_error_at)::float8 * 1000 as "waitMs", last_error as "lastError"
        from sitewatch.deliveries where channel = 'discord' and sent_at is null and last_error is not null`;
      return rows.length > 0 && rows;
    });
    expect(row).toEqual({ waitMs: 30_000, lastError: 'discord discord: answered HTTP 429: You are being rate limited.' });
    expect(discord.messages.some((m) => m.embeds[0]!.title === 'api is down: status')).toBe(false);
    skewMs += 31_000;
    await waitFor('the down after the wait', () => discord.messages.some((m) => m.embeds[0]!.title === 'api is down: status'));
  });

  it('fails a delivery the service refuses, once and for good, and goes on with the next', async () => {
    const { telegram } = services;
    await setup.sink.write(checks('lost-api', 'dddu'));
    await setup.sink.write(checks('lost-api', 'u', { from: 4 }));
    await waitFor('both refused', async () => (await pg.sql`select 1 from sitewatch.deliveries where channel = 'lost' and refused`).length === 2);
    const rows = await pg.sql<{ attempts: number; lastError: string; abandoned: boolean }[]>`
      select attempts, last_error as "lastError", abandoned_at is not null as abandoned from sitewatch.deliveries where channel = 'lost' order by notification_id`;
    expect(rows).toEqual([
      { attempts: 1, lastError: 'telegram lost: answered HTTP 400: Bad Request: chat not found', abandoned: true },
      { attempts: 1, lastError: 'telegram lost: answered HTTP 400: Bad Request: chat not found', abandoned: true },
    ]);
    expect(setup.alerts.stats().refused).toEqual({ lost: 2 });
    expect(JSON.stringify(rows)).not.toContain(telegram.token);
  });

  it("bounds each attempt by the channel's own timeout", async () => {
    slowNtfy.answerAfter(2000);
    await setup.sink.write(checks('slow-api', 'ddd'));
    await waitFor('a timed-out attempt', async () => (await pg.sql`select 1 from sitewatch.deliveries where channel = 'slow' and last_error = 'ntfy slow: timed out'`).length === 1);
    slowNtfy.answerAfter(0);
    await waitFor('sent', async () => (await unsent('slow')) === 0);
    // The notification reached the server on the timed-out attempt too: its sequence id made it one on the phones.
    expect(slowNtfy.notifications).toEqual([expect.objectContaining({ title: 'slow-api is down: status', published: expect.any(Number) })]);
  });

  it('reads what `list` shows: open incidents, deliveries pending and failed, the last error of each channel', async () => {
    const { pagerduty } = services;
    // Failing until the report is read: a retry that succeeded would clear the error first.
    pagerduty.failAll({ status: 503, body: { status: 'unavailable', message: 'try later' } });
    await setup.sink.write(checks('queued', 'ddd'));
    await waitFor('a failed attempt', async () => (await pg.sql`select 1 from sitewatch.deliveries where channel = 'pd' and last_error like '%503%'`).length > 0);
    const report = await readOutbox(pg.sql);
    expect(report.openIncidents.map((i) => i.target)).toEqual(expect.arrayContaining(['api', 'queued', 'slow-api']));
    expect(report.failed).toEqual([expect.objectContaining({ channel: 'lost', kind: 'down', target: 'lost-api', refused: true }), expect.objectContaining({ channel: 'lost', kind: 'resolved', refused: true })]);
    expect(report.lastErrors).toEqual(expect.arrayContaining([{ channel: 'lost', at: expect.any(Date), error: 'telegram lost: answered HTTP 400: Bad Request: chat not found' }]));
    expect(report.pending).toEqual(expect.arrayContaining([expect.objectContaining({ channel: 'pd', kind: 'down', target: 'queued', lastError: expect.stringContaining('503') })]));
    expect(report.lastErrors).toEqual(expect.arrayContaining([expect.objectContaining({ channel: 'pd', error: expect.stringContaining('503') })]));
    pagerduty.failAll();
    await waitFor('sent', async () => (await unsent('pd')) === 0);
  });

  it('sends a test notification through one channel, marked as one; names a channel that is not there', async () => {
    const { telegram } = services;
    const before = telegram.messages.length;
    expect(await sendTestNotification(options, 'tg')).toMatchObject({ type: 'telegram', sent: true, answer: expect.stringMatching(/^HTTP 200 \{"ok":true/) });
    expect(telegram.messages[before]!.shown).toMatch(/^\[test\] sitewatch-test is down: test\nThis is a test notification from sitewatch-alerts test: nothing is down\./);
    await expect(sendTestNotification(options, 'nope')).rejects.toMatchObject({ code: 'ERR_ALERTS_INVALID_OPTIONS', problems: [{ path: '/channels/nope', message: 'is not a channel of alerts.channels (pd, og, teams, discord, tg, phone, lost, slow)' }] });
  });
});
