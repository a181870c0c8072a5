// sitewatch-alerts as a process: `test <channel>` sends the marked test notification through
// each kind of channel to a receiver playing its service and prints what the service answered
// (exit 0), or why it failed (exit 1), never a credential; `list` shows the open incidents and
// the deliveries pending and failed, with the last error per channel; a bad command line, a
// channel that is not configured, or `list` without a database exit 2.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createAlertingSink, type ChannelOptions } from '@sitewatch/alerts';
import { startTestPostgres, type TestPostgres } from '@sitewatch/pg-sink/testing';
import { makeCheckResult } from '@sitewatch/schema/testing';
import { freePort } from '../../tools/testing/ports.js';
import { startHttpReceiver, startSmtpReceiver, type HttpReceiver, type SmtpReceiver } from '../../tools/testing/receivers.js';
import { startOnCallServices, type OnCallServices } from '../../tools/testing/services/on-call.js';
import { startOpsgenieReceiver, type OpsgenieReceiver } from '../../tools/testing/services/opsgenie.js';
import { startApp, waitFor, writeConfig } from './support/processes.js';

let pg: TestPostgres;
let services: OnCallServices;
let busy: OpsgenieReceiver;
let hook: HttpReceiver;
let chat: HttpReceiver;
let smtp: SmtpReceiver;
let channels: Record<string, ChannelOptions>;
let config: string;
const outputs: string[] = [];

beforeAll(async () => {
  [pg, services, busy, hook, chat, smtp] = await Promise.all([startTestPostgres(), startOnCallServices(), startOpsgenieReceiver(), startHttpReceiver(), startHttpReceiver(), startSmtpReceiver('implicit')]);
  const { telegram, ntfy } = services;
  channels = {
    ...services.channels,
    hook: { type: 'webhook', url: hook.url, secret: 'a-webhook-secret-of-length' },
    slack: { type: 'slack', url: chat.url },
    mail: { type: 'email', host: smtp.host, port: smtp.port, secure: true, caFile: smtp.caFile, username: smtp.username, password: smtp.password, from: 'sitewatch@example.test', to: ['ops@example.test'] },
    refusing: { type: 'telegram', token: telegram.token, chatId: 4242, apiUrl: telegram.apiUrl },
    queued: { type: 'opsgenie', apiKey: busy.apiKey, apiUrl: busy.base },
    gone: { type: 'ntfy', url: `http://127.0.0.1:${await freePort()}/alerts_gone`, token: ntfy.token },
  };
  config = writeConfig({ kafka: { brokers: ['127.0.0.1:9'], topic: 'unused' }, postgres: { url: pg.url }, alerts: { statusPageUrl: 'https://status.example.test/', channels } });
}, 60_000);

afterAll(async () => {
  await Promise.all([pg, services, busy, hook, chat, smtp].map((service) => service?.close()));
});

/** Runs sitewatch-alerts with `args` (and the config, unless `file` is null); its exit code and output. */
async function alertsCommand(args: string[], file: string | null = config): Promise<{ code: number | string; output: string }> {
  const command = startApp('alerts', [...args, ...(file === null ? [] : ['--config', file])]);
  const code = await command.exited;
  outputs.push(command.output());
  return { code, output: command.output() };
}

describe('sitewatch-alerts test', () => {
  it('sends a marked test through every kind of channel and prints what each service answered', async () => {
    const { pagerduty, opsgenie, teams, discord, telegram, ntfy } = services;
    const answers: Record<string, RegExp> = {
      pd: /^pagerduty answered: trigger: HTTP 202 \{"status":"success".*; resolve: HTTP 202 /m,
      og: /^opsgenie answered: HTTP 202 \{"result":"Request will be processed".*; HTTP 202 /m,
      teams: /^teams answered: HTTP 202$/m,
      discord: /^discord answered: HTTP 200 \{"id":"\d+"/m,
      tg: /^telegram answered: HTTP 200 \{"ok":true,"result":\{"message_id":1,/m,
      phone: /^ntfy answered: HTTP 200 \{"id":"\w+"/m,
      hook: /^webhook answered: HTTP 200 ok$/m,
      slack: /^slack answered: HTTP 200 ok$/m,
      mail: /^email answered: 250 /m,
    };
    for (const [name, answer] of Object.entries(answers)) {
      const { code, output } = await alertsCommand(['test', name]);
      expect({ name, code }).toEqual({ name, code: 0 });
      expect(output).toContain(`sent: test notification through ${name} (${channels[name]!.type})`);
      expect(output).toMatch(answer);
    }
    const subject = '[test] sitewatch-test is down: test';
    expect(pagerduty.alerts).toEqual([expect.objectContaining({ summary: subject, severity: 'info', status: 'resolved' })]);
    expect(opsgenie.alerts).toEqual([expect.objectContaining({ message: subject, priority: 'P5', status: 'closed' })]);
    expect(teams.cards[0]!.body[0]!.text).toBe(subject);
    expect(discord.messages[0]!.embeds[0]!.title).toBe(subject);
    expect(telegram.messages[0]!.shown).toMatch(/^\[test\] sitewatch-test is down: test\nThis is a test notification/);
    expect(ntfy.notifications[0]).toMatchObject({ title: subject, tags: ['rotating_light', 'test_tube'] });
    expect(hook.received[0]!.headers['x-sitewatch-test']).toBe('true');
    expect(String(chat.received[0]!.json.text)).toContain(`*${subject}*`);
    expect(smtp.received[0]!.header('subject')).toBe(`[sitewatch] ${subject}`);
  });

  it('says why a test failed (exit 1), never the credential; exit 2 for a channel not configured or a bad command line', async () => {
    expect(await alertsCommand(['test', 'refusing'])).toEqual({
      code: 1,
      output: 'failed: test notification through refusing: telegram refusing: answered HTTP 400: Bad Request: chat not found (the service refused it: check the channel settings)\n',
    });
    expect(await alertsCommand(['test', 'gone'])).toMatchObject({ code: 1, output: expect.stringContaining('ntfy gone: could not reach it (ECONNREFUSED) (it may pass: the notifier would try again)') });
    expect(await alertsCommand(['test', 'nope'])).toMatchObject({ code: 2, output: expect.stringMatching(/^invalid config .*\n {2}\/alerts\/channels\/nope: is not a channel of alerts.channels \(pd, og, /) });
    for (const args of [[], ['test'], ['list', 'x']]) {
      expect(await alertsCommand(args)).toMatchObject({ code: 2, output: expect.stringContaining('usage: sitewatch-alerts') });
    }
    expect(await alertsCommand(['--help'], null)).toMatchObject({ code: 0, output: expect.stringContaining('sitewatch-alerts list --config <file.yaml>') });
  });
});

describe('sitewatch-alerts list', () => {
  it('shows the open incidents, the deliveries pending and failed, and the last error of each channel', async () => {
    busy.failAll({ status: 503, body: { message: 'Service Unavailable' } });
    const storage = createAlertingSink({ sink: { url: pg.url }, alerts: { channels: { refusing: channels.refusing!, queued: channels.queued! }, notifier: { pollIntervalMs: 50, retry: { initialMs: 100, maxMs: 400 } } } });
    try {
      await storage.migrate();
      storage.alerts.startNotifier();
      const start = Date.now() - 600_000;
      const results = [0, 1, 2].map((i) => makeCheckResult({ targetId: 'shop', url: 'https://shop.test/', probeId: 'eu-west', startedAt: new Date(start + i * 60_000).toISOString(), outcome: 'down', reason: 'status', statusCode: 503 }));
      await storage.sink.write(results);
      await waitFor('one refused, one failing', async () => (await pg.sql`select 1 from sitewatch.deliveries where refused or last_error like '%503%'`).length === 2);
    } finally {
      await storage.close();
    }
    const { code, output } = await alertsCommand(['list']);
    expect(code).toBe(0);
    expect(output).toMatch(/^open incidents: 1\n {2}\d+ shop down since \d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC: status \(eu-west\)\n/);
    expect(output).toMatch(/\npending deliveries: 1\n {2}queued down shop incident \d+, \d+ attempt\(s\), next .* UTC: opsgenie queued: answered HTTP 503: Service Unavailable\n/);
    expect(output).toMatch(/\nfailed deliveries: 1\n {2}refusing down shop incident \d+, 1 attempt\(s\), refused .* UTC: telegram refusing: answered HTTP 400: Bad Request: chat not found\n/);
    expect(output).toMatch(/\nlast error per channel: 2\n {2}queued .* UTC: opsgenie queued: answered HTTP 503: Service Unavailable\n {2}refusing .* UTC: telegram refusing: answered HTTP 400: Bad Request: chat not found\n$/);
  });

  it('exits 2 without a postgres section, 1 when the database cannot be reached', async () => {
    const noDatabase = writeConfig({ kafka: { brokers: ['127.0.0.1:9'], topic: 'unused' }, alerts: { channels: { pd: channels.pd } } });
    expect(await alertsCommand(['list'], noDatabase)).toMatchObject({ code: 2, output: expect.stringContaining('/postgres: is required') });
    const unreachable = writeConfig({ kafka: { brokers: ['127.0.0.1:9'], topic: 'unused' }, postgres: { url: `postgres://postgres:pg-secret-password@127.0.0.1:${await freePort()}/postgres`, connectTimeoutMs: 2000 } });
    expect(await alertsCommand(['list'], unreachable)).toMatchObject({ code: 1, output: expect.stringContaining('failed to start') });
  });

  it('never printed a credential', () => {
    const { pagerduty, opsgenie, teams, discord, telegram, ntfy } = services;
    const secrets = [pagerduty.routingKey, opsgenie.apiKey, busy.apiKey, teams.sig, discord.url.split('/').pop()!, telegram.token, ntfy.token, smtp.password, 'a-webhook-secret-of-length', 'pg-secret-password'];
    for (const output of outputs) for (const secret of secrets) expect(output).not.toContain(secret);
  });
});
