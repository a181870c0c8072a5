// The documented production setting end to end: Kafka over mutual TLS and PostgreSQL with
// sslmode=verify-full (a throwaway TLS cluster that also wants a password). A wrong CA or a
// missing client certificate stops the service with a clear error instead of hanging, and
// no secret (SASL password, database password, private key, a target's token, an alert
// webhook's signing secret and its Authorization header, a Slack URL's path, the SMTP
// password, PagerDuty's routing key, Opsgenie's API key, a Teams workflow's signature, a
// Discord webhook's token, a Telegram bot's token, an ntfy topic and access token: the SMTP
// password from a file, the others written inline) appears in anything the services write or
// serve.
import fs from 'node:fs';
import tls, { type PeerCertificate } from 'node:tls';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import postgres from 'postgres';
import os from 'node:os';
import path from 'node:path';
import { startHttpReceiver, startSmtpReceiver, type HttpReceiver, type SmtpReceiver } from '../../tools/testing/receivers.js';
import { startOnCallServices, type OnCallServices } from '../../tools/testing/services/on-call.js';
import { startTestPostgres, type TestPostgres } from '@sitewatch/pg-sink/testing';
import { startTlsPostgres, type TlsPostgres } from '../../tools/testing/tls-postgres.js';
import { metricsText, startPipeline, type Pipeline } from './support/pipeline.js';
import { startApp, waitFor, writeConfig, type AppProcess } from './support/processes.js';
import { expectReconciled, reconcile } from './support/reconcile.js';

const env = (name: string) => process.env[name]!;
const mutualTls = () => ({
  brokers: env('KAFKA_SSL_BROKERS').split(','),
  tls: { caFile: env('KAFKA_SSL_CA_FILE'), certFile: env('KAFKA_SSL_CERT_FILE'), keyFile: env('KAFKA_SSL_KEY_FILE') },
});

let tlsPg: TlsPostgres;
let sql: postgres.Sql;
// A throwaway database for the consumers that stop before storing anything: nothing of
// theirs outlives the run, and nothing an earlier run left can change what they do.
let unused: TestPostgres;

beforeAll(async () => {
  [tlsPg, unused] = await Promise.all([startTlsPostgres(), startTestPostgres()]);
  const ca = fs.readFileSync(tlsPg.caFile, 'utf8');
  // postgres.js checks the certificate against "localhost" for an IP host (the sink works
  // around it too): check it against the address actually used.
  const checkServerIdentity = (_host: string, cert: PeerCertificate) => tls.checkServerIdentity('127.0.0.1', cert);
  sql = postgres({ host: '127.0.0.1', port: tlsPg.port, user: 'postgres', password: tlsPg.password, database: 'postgres', ssl: { ca, checkServerIdentity }, max: 2, onnotice: () => undefined });
}, 60_000);

afterAll(async () => {
  await sql?.end();
  await Promise.all([tlsPg?.close(), unused?.close()]);
});

/** Runs one app on a config and waits for its exit; a hang fails the test by its timeout. */
async function exitOf(app: 'producer' | 'consumer', config: object): Promise<{ code: number | string; output: string }> {
  const process = startApp(app, ['--config', writeConfig(config)]);
  const code = await process.exited;
  return { code, output: process.output() };
}

describe('Kafka over mutual TLS and PostgreSQL with verify-full', () => {
  let pipeline: Pipeline;
  let apps: AppProcess[];
  let served: string[] = [];
  const token = `token-${Math.random().toString(36).slice(2)}`;
  const webhookSecret = `signing-${Math.random().toString(36).slice(2)}`;
  const webhookAuthorization = `Bearer hook-${Math.random().toString(36).slice(2)}`;
  const slackPath = `slack-${Math.random().toString(36).slice(2)}`;
  let hook: HttpReceiver;
  let chat: HttpReceiver;
  let smtp: SmtpReceiver;
  let oncall: OnCallServices;
  let secretsDir: string;

  beforeAll(async () => {
    const databaseUrl = `postgres://postgres:${tlsPg.password}@127.0.0.1:${tlsPg.port}/postgres`;
    [hook, chat, smtp, oncall] = await Promise.all([startHttpReceiver(), startHttpReceiver(), startSmtpReceiver('starttls'), startOnCallServices()]);
    secretsDir = fs.mkdtempSync(path.join(os.tmpdir(), 'sitewatch-security-'));
    fs.writeFileSync(path.join(secretsDir, 'smtp-password'), smtp.password);
    pipeline = await startPipeline({
      kafka: mutualTls(),
      // A target that is down, so alerts go out through every channel while the secrets are scanned for.
      targets: (sites) => [
        { id: 'with-token', url: `${sites.base}/ok`, headers: { authorization: `Bearer ${token}` } },
        { id: 'down', url: sites.refused },
      ],
      postgres: { section: { url: databaseUrl, ssl: { mode: 'verify-full', caFile: tlsPg.caFile } }, sql },
      alerts: {
        channels: {
          hook: { type: 'webhook', url: hook.url, secret: webhookSecret, headers: { Authorization: webhookAuthorization } },
          chat: { type: 'slack', url: `${chat.url}/services/T0/B0/${slackPath}` },
          mail: { type: 'email', host: smtp.host, port: smtp.port, caFile: smtp.caFile, username: smtp.username, password: `\${file:${path.join(secretsDir, 'smtp-password')}}`, from: 'a@example.test', to: ['b@example.test'] },
          ...oncall.channels,
        },
        notifier: { pollIntervalMs: 100 },
      },
    });
    apps = [await pipeline.startConsumer(), await pipeline.startProducer()];
  }, 90_000);

  afterAll(async () => {
    await pipeline?.close();
    await Promise.all([hook?.close(), chat?.close(), smtp?.close(), oncall?.close()]);
    if (secretsDir) fs.rmSync(secretsDir, { recursive: true, force: true });
  });

  it('stores checks end to end, and alerts', async () => {
    await waitFor('rows over verify-full', async () => (await sql`select count(*)::int as n from sitewatch.check_results`)[0]!.n >= 3);
    const { pagerduty, opsgenie, teams, discord, telegram, ntfy } = oncall;
    await waitFor(
      'the alert delivered on every channel',
      () => hook.received.length > 0 && chat.received.length > 0 && smtp.received.length > 0 && pagerduty.alerts.length > 0 && opsgenie.alerts.length > 0 && teams.cards.length > 0 && discord.messages.length > 0 && telegram.messages.length > 0 && ntfy.notifications.length > 0,
    );
    expect(hook.received[0]!.headers.authorization).toBe(webhookAuthorization);
    served = await Promise.all(apps.map(metricsText));
    const [producer, consumer] = [apps[1]!, apps[0]!];
    expect(await producer.stop('SIGTERM')).toBe(0);
    expectReconciled(await reconcile(pipeline));
    expect(await consumer.stop('SIGTERM')).toBe(0);
  });

  it('never wrote or served a secret, from start to shutdown', () => {
    const { pagerduty, opsgenie, teams, discord, telegram, ntfy } = oncall;
    const channelSecrets = [pagerduty.routingKey, opsgenie.apiKey, teams.sig, discord.url.split('/').pop()!, telegram.token, ntfy.topic, ntfy.token];
    const secrets = [tlsPg.password, token, fs.readFileSync(env('KAFKA_SSL_KEY_FILE'), 'utf8').split('\n')[1]!, webhookSecret, webhookAuthorization, slackPath, smtp.password, ...channelSecrets];
    expect(served).toHaveLength(2);
    for (const text of [...apps.map((app) => app.output()), ...served]) {
      for (const secret of secrets) expect(text).not.toContain(secret);
    }
  });
});

describe('SASL over TLS', () => {
  const sasl = () => ({
    brokers: env('KAFKA_SASL_BROKERS').split(','),
    tls: { caFile: env('KAFKA_SSL_CA_FILE') },
    sasl: { mechanism: 'scram-sha-512', username: env('KAFKA_SASL_USERNAME'), password: '${file:' + env('KAFKA_SASL_PASSWORD_FILE') + '}' },
  });
  const password = () => fs.readFileSync(env('KAFKA_SASL_PASSWORD_FILE'), 'utf8').trim();

  it('publishes with the password from a file, which no line of a debug log shows', async () => {
    const config = writeConfig({
      log: { level: 'debug' },
      kafka: { ...sasl(), topic: `sasl-${Date.now()}`, createTopic: { partitions: 1, replicationFactor: 1 } },
      checker: { targets: [{ id: 'x', url: 'http://127.0.0.1:1/', intervalMs: 1000, timeoutMs: 500 }] },
      producer: { lingerMs: 10, metrics: { port: 0, host: '127.0.0.1' } },
    });
    const producer = startApp('producer', ['--config', config]);
    await producer.waitForLog('producer started');
    await waitFor('a published result', async () => /sitewatch_published_results_total [1-9]/.test(await metricsText(producer)));
    const served = await metricsText(producer);
    expect(await producer.stop('SIGTERM')).toBe(0);
    for (const text of [producer.output(), served]) expect(text).not.toContain(password());
  });

  it('stops the consumer with exit code 1 on a wrong password, and shows neither password', async () => {
    const wrong = `wrong-${Math.random().toString(36).slice(2)}`;
    const { code, output } = await exitOf('consumer', {
      kafka: { ...sasl(), sasl: { ...sasl().sasl, password: wrong }, topic: 'sitewatch.never' },
      postgres: { url: unused.url },
      consumer: { groupId: 'never-joins' },
    });
    expect(code).toBe(1);
    expect(output).toMatch(/ERR_TRANSPORT_AUTH/);
    expect(output).not.toContain(wrong);
    expect(output).not.toContain(password());
  });
});

describe('a TLS setting that cannot work', () => {
  const base = { kafka: { topic: 'sitewatch.never' }, checker: { targets: [{ id: 'x', url: 'http://127.0.0.1:1/' }] } };

  it('stops the producer with exit code 1 and a clear error when the broker certificate is not trusted', async () => {
    const { brokers, tls } = mutualTls();
    const { code, output } = await exitOf('producer', { ...base, kafka: { ...base.kafka, brokers, tls: { ...tls, caFile: tlsPg.otherCaFile } } });
    expect(code).toBe(1);
    expect(output).toMatch(/"code":"ERR_TRANSPORT_TLS".*"msg":"Kafka refuses the connection; stopping"/);
  });

  it('stops the consumer with exit code 1 and a clear error without a client certificate', async () => {
    const { brokers, tls } = mutualTls();
    const { code, output } = await exitOf('consumer', {
      kafka: { ...base.kafka, brokers, tls: { caFile: tls.caFile } },
      postgres: { url: unused.url },
      consumer: { groupId: 'never-joins' },
    });
    expect(code).toBe(1);
    expect(output).toMatch(/"msg":"consumer failed to start"/);
    expect(output).toMatch(/ERR_TRANSPORT_TLS/);
  });

  it('stops the consumer with exit code 1 and a clear error when the database certificate is not trusted', async () => {
    const { code, output } = await exitOf('consumer', {
      kafka: { ...base.kafka, brokers: env('KAFKA_BROKERS').split(',') },
      postgres: { url: `postgres://postgres:${tlsPg.password}@127.0.0.1:${tlsPg.port}/postgres`, ssl: { mode: 'verify-full', caFile: tlsPg.otherCaFile } },
    });
    expect(code).toBe(1);
    expect(output).toMatch(/ERR_SINK_TLS/);
    expect(output).toMatch(/TLS handshake with PostgreSQL failed/);
    expect(output).not.toContain(tlsPg.password);
  });
});
